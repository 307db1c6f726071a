// End-to-end test of the UI in headless Chromium against `riskgraph demo`
// (run by scripts/web-e2e.sh, part of make test):
//   search → open network → expand → path between two entities → ownership
//   view → exports → dashboard filters and drill-down → top-risk link →
//   report link → match page → English → login with a dashboard key (masked, no explorer).
// Fails on any console error, page error or failed request. Screenshots of
// each screen go to e2e/out/.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Demo, launch } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, 'out');
mkdirSync(out, { recursive: true });
const T = 20_000; // per-step timeout
const t0 = Date.now();
const step = (s) => console.log(`e2e: ${((Date.now() - t0) / 1000).toFixed(1)}s ${s}`);

function assert(ok, msg) { if (!ok) throw new Error('assertion failed: ' + msg); }

// Entities for the scenario, chosen through the API.
async function pick(demo) {
  const top = (await demo.api('/ranking?limit=200')).ranking.items;
  let a = null, b = null;
  for (const it of top.slice(0, 60)) {
    const net = await demo.api(`/enterprises/${it.ref.key}/network?depth=3&limit=2000`);
    const adj = new Map();
    for (const e of net.edges) {
      if (e.type === 'HAS_RECORD') continue;
      for (const [x, y] of [[e.from, e.to], [e.to, e.from]]) { if (!adj.has(x)) adj.set(x, []); adj.get(x).push(y); }
    }
    const root = 'enterprise:' + it.ref.key;
    const dist = new Map([[root, 0]]); const q = [root];
    while (q.length) { const x = q.shift(); for (const y of adj.get(x) || []) if (!dist.has(y)) { dist.set(y, dist.get(x) + 1); q.push(y); } }
    const far = net.nodes.find((n) => n.ref.kind === 'enterprise' && dist.get(n.id) >= 2 && n.props && n.props.uscc && !n.label.startsWith(it.name.slice(0, 4)));
    if (far) { a = it; b = { key: far.ref.key, name: far.label }; break; }
  }
  assert(a, 'no enterprise with a 2-hop neighbour in the sample');
  let c = null;
  for (const it of top) {
    const tr = await demo.api(`/enterprises/${it.ref.key}/ownership?depth=6`);
    const depth = (n) => 1 + Math.max(0, ...(n.children || []).map(depth));
    if (depth(tr.root) >= 3) { c = it; break; }
  }
  c = c || a;
  return { a: { key: a.ref.key, name: a.name }, b, c: { key: c.ref.key, name: c.name } };
}

// Three demo enterprises' names written another way (docs/matching.md's
// variant classes), each checked through the API to be its enterprise's
// unambiguous match (a namesake elsewhere would tie and rightly be no match).
const variants = [
  (n) => { const i = n.indexOf('市'); return i > 0 && i <= 6 ? n.slice(0, i) + n.slice(i + 1) : n; },
  (n) => (/有限责任公司$/.test(n) ? n.replace(/有限责任公司$/, '有限公司') : /(?<!股份)有限公司$/.test(n) ? n.replace(/有限公司$/, '有限责任公司') : n),
  (n) => n.replace(/[（(]/g, (c) => (c === '(' ? '（' : '(')).replace(/[）)]/g, (c) => (c === ')' ? '）' : ')')),
  (n) => n.replace(/(有限|股份|集团)/, ' $1'),
];
async function post(demo, p, body) {
  const r = await fetch(demo.base + '/api/v1' + p, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`${p}: ${r.status} ${await r.text()}`);
  return r.json();
}
async function pickVariants(demo, ents) {
  const top = (await demo.api('/ranking?limit=100')).ranking.items.map((it) => ({ key: it.ref.key, name: it.name }));
  const out = [];
  for (const e of [ents.a, ents.b, ents.c, ...top]) {
    if (out.length === 3) break;
    if (out.some((o) => o.key === e.key)) continue;
    // Prefer a different kind of rewriting for each name.
    for (const k of [out.length, ...variants.keys()]) {
      const v = variants[k](e.name);
      if (v === e.name) continue;
      const res = await post(demo, '/match', { queries: [{ name: v }], limit: 3 });
      const c = res.results[0].candidates[0];
      if (c && c.key === e.key && c.match) out.push({ key: e.key, name: e.name, variant: v });
      break;
    }
  }
  assert(out.length === 3, 'three demo names with an unambiguous rewritten form');
  return out;
}

function watch(page, errors) {
  page.on('console', (m) => { if (m.type() === 'error') errors.push('console: ' + m.text()); });
  page.on('pageerror', (e) => errors.push('pageerror: ' + e.message));
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`HTTP ${r.status()} ${r.url()}`); });
  page.on('requestfailed', (r) => { if (!r.url().startsWith('blob:')) errors.push(`request failed ${r.url()} ${r.failure() && r.failure().errorText}`); });
}

async function renders(page) { return page.evaluate(() => (window.__rg && window.__rg.renders) || 0); }
async function waitRender(page, before) {
  await page.waitForFunction((n) => window.__rg && window.__rg.renders > n, before, { timeout: T });
}

async function main() {
  const demo = new Demo(2000);
  let browser = null;
  try {
    // A first start generates and scores the sample; an early-warning report
    // needs a second run, made by `riskgraph report --once`; a dashboard key
    // is for the last part.
    await demo.start(); step('demo sample generated');
    await demo.stop();
    demo.run('report', '--once');
    const dashKey = demo.run('keys', 'create', '--role', 'dashboard', '--name', 'e2e').match(/rgk_[A-Za-z0-9_-]+/)[0];
    await demo.start(); step(`demo up at ${demo.base} (insecure dev)`);
    const ents = await pick(demo); step('entities: ' + JSON.stringify(ents));

    browser = await launch();
    const page = browser.context.pages()[0] || await browser.context.newPage();
    const errors = [];
    watch(page, errors);
    page.setDefaultTimeout(T);
    const shot = (name) => page.screenshot({ path: path.join(out, name + '.png') });

    await page.goto(demo.base + '/');
    await page.waitForSelector('#search');
    assert(await page.locator('#banner').isVisible(), 'insecure-dev banner shown');

    // 1. Search with suggestions, open the network.
    let n = await renders(page);
    await page.fill('#search', ents.a.name);
    const hit = page.locator('#suggest li', { hasText: ents.a.key });
    await hit.waitFor();
    // Keyboard when the entity is the highlighted suggestion (it is for an exact name), else the mouse.
    if ((await page.textContent('#suggest li.active') || '').includes(ents.a.key)) await page.press('#search', 'Enter');
    else await hit.click();
    await waitRender(page, n);
    await page.waitForFunction(() => /节点/.test(document.querySelector('#graph-status').textContent));
    assert(page.url().includes('#/explorer/' + ents.a.key), 'hash names the entity');
    await page.waitForSelector('#explanation table.contrib');
    await page.waitForSelector('#profile dl');
    // Keyboard on the canvas: an arrow key selects a neighbour, Home the root again.
    await page.focus('#cy');
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((name) => document.querySelector('#side-title').textContent !== name, ents.a.name);
    await page.keyboard.press('Home');
    await page.waitForFunction((name) => document.querySelector('#side-title').textContent === name, ents.a.name);
    step('search → network (keyboard walk on the canvas)');
    await shot('explorer');

    // 2. Expand a neighbour (side panel → neighbour → Expand), with show-more when paged.
    const count = () => page.evaluate(() => window.__rg.cy.nodes().length);
    // Depth 1 first (the depth control), so that a neighbour has unseen nodes;
    // leaves not grouped (at depth 1 every neighbour is a leaf).
    await page.uncheck('#group-leaves');
    n = await renders(page);
    await page.selectOption('#depth', '1');
    await waitRender(page, n);
    const before = await count();
    const nb = page.locator('#side .nblist button:not([data-kind=record])');
    await nb.first().waitFor();
    let grown = false;
    for (let i = 0; i < Math.min(await nb.count(), 12) && !grown; i++) {
      await nb.nth(i).click();
      if (!(await page.locator('#expand').count())) continue; // a record
      await page.evaluate(() => { document.querySelector('#graph-status').textContent = ''; });
      await page.click('#expand');
      await page.waitForFunction(() => /已展开|已全部显示/.test(document.querySelector('#graph-status').textContent));
      grown = (await count()) > before;
      if (process.env.E2E_DEBUG) console.log(Date.now() - t0, i, await page.textContent('#side-title'), await page.textContent('#graph-status'), await count());
      await page.evaluate((id) => { window.__rg.cy.getElementById(id).emit('tap'); }, 'enterprise:' + ents.a.key);
    }
    assert(grown, 'expanding a neighbour added nodes');
    step(`expand: ${before} → ${await count()} nodes`);

    // 3. Path between A (selected) and B (picked by search in path mode).
    await page.click('#set-from');
    await page.waitForSelector('#pathbar:not([hidden])');
    await page.fill('#search', ents.b.name);
    const hitB = page.locator('#suggest li', { hasText: ents.b.key });
    await hitB.waitFor();
    await hitB.click();
    await page.waitForFunction((name) => document.querySelector('#path-to').textContent === name, ents.b.name);
    n = await renders(page);
    await page.click('#find-path');
    await waitRender(page, n);
    await page.waitForFunction(() => /最短路径/.test(document.querySelector('#graph-status').textContent));
    assert(await page.evaluate((ids) => ids.every((id) => window.__rg.cy.getElementById(id).nonempty()), ['enterprise:' + ents.a.key, 'enterprise:' + ents.b.key]), 'path has both ends');
    step('path: ' + await page.textContent('#graph-status'));
    await shot('path');

    // 4. Ownership penetration of C.
    n = await renders(page);
    await page.evaluate((k) => { location.hash = '#/explorer/' + encodeURIComponent(k); }, ents.c.key);
    await waitRender(page, n);
    n = await renders(page);
    await page.click('#open-ownership');
    await waitRender(page, n);
    await page.waitForSelector('#side h3');
    assert(/股权穿透/.test(await page.textContent('#graph-status')), 'ownership view status');
    step('ownership: ' + await page.textContent('#graph-status') + ' — ' + (await page.locator('#owners li').count()) + ' beneficial owner(s)');
    await shot('ownership');

    // 5. Exports (CSV, JSON, PNG).
    for (const id of ['#export-csv', '#export-json', '#export-png']) {
      const [dl] = await Promise.all([page.waitForEvent('download'), page.click(id)]);
      const file = await dl.path();
      const body = readFileSync(file);
      assert(body.length > 50, `${id} non-empty`);
      if (id === '#export-csv') assert(body.toString().split('\n').length > 3 && body.toString().includes('edge,'), 'CSV has nodes and edges');
    }
    step('exports');

    // 6. Dashboard: drill down a province, filter by grade, sort, page.
    await page.click('#tab-dashboard');
    await page.waitForSelector('#p-region .row');
    await page.waitForSelector('#top-table tbody tr td a');
    await page.waitForSelector('#flags-feed li');
    await page.waitForSelector('#report-id');
    await shot('dashboard');
    const prov = await page.locator('#p-region button.row').first().getAttribute('data-key');
    await page.locator('#p-region button.row').first().click();
    await page.waitForSelector('#drill-up');
    await page.waitForSelector('#p-region button.row');
    assert(await page.locator('#f-province').inputValue() === prov, 'province filter set by drill-down');
    await page.waitForSelector('#top-table tbody tr');
    await page.selectOption('#f-province', '');
    await page.waitForSelector('#p-region button.row');
    await page.selectOption('#f-grade', 'D');
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('#top-table tbody tr')];
      return rows.length > 0 && rows.every((r) => r.querySelector('.grade') && r.querySelector('.grade').textContent === 'D');
    });
    await page.selectOption('#f-grade', '');
    await page.selectOption('#f-flag', 'shell_cluster');
    await page.waitForFunction(() => {
      const items = [...document.querySelectorAll('#flags-feed li')];
      return items.length > 0 && items.every((li) => li.querySelector('.flag[title="shell_cluster"]'));
    });
    await page.waitForSelector('#top-table tbody tr');
    await page.selectOption('#f-flag', '');
    await page.selectOption('#f-grade', 'D');
    await page.waitForSelector('#top-table tbody tr td .gD');
    await page.click('[data-sort="name"]');
    await page.waitForSelector('th[aria-sort="ascending"] [data-sort="name"]');
    await page.selectOption('#f-grade', '');
    await page.waitForSelector('#next:not([disabled])');
    await page.click('#next');
    await page.waitForFunction(() => /第 2 /.test(document.querySelector('#page-info')?.textContent || ''));
    step('dashboard: drill-down, grade and flag filters, sort, paging');

    // 7. Report links: the HTML report opens in a new tab; JSON downloads.
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('#report-html')]);
    watch(popup, errors);
    await popup.waitForURL(/^blob:/, { timeout: T });
    await popup.waitForLoadState();
    const text = await popup.textContent('body');
    assert(text && text.length > 100, 'HTML report has content');
    await popup.close();
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#report-json')]);
    assert(JSON.parse(readFileSync(await dl.path(), 'utf8')).summary, 'JSON report has a summary');
    step('report links');

    // 8. A top-risk row links into the explorer.
    n = await renders(page);
    await page.locator('#top-table tbody tr td a').first().click();
    await waitRender(page, n);
    assert(page.url().includes('#/explorer/'), 'top-risk link opens the explorer');
    step('top-risk link → explorer');

    // 9. Match page: three names written another way and a nonsense line,
    // one per line; then a CSV with a header; then over the 1 000-line limit.
    const vs = await pickVariants(demo, ents);
    step('match variants: ' + JSON.stringify(vs.map((v) => v.variant)));
    await page.click('#tab-match');
    await page.waitForSelector('#match-input');
    const nonsense = 'Qxzvw Jkplmb';
    await page.fill('#match-input', [...vs.map((v) => v.variant), '', nonsense].join('\n'));
    await page.waitForFunction(() => /4 行/.test(document.querySelector('#match-count').textContent));
    await page.click('#match-submit');
    await page.waitForSelector('#match-results tbody tr');
    const matchRows = await page.evaluate(() => [...document.querySelectorAll('#match-results tbody tr')].map((tr) => {
      const li = tr.querySelector('ol.cands li');
      return { line: tr.dataset.line, key: li && li.dataset.key, badge: !!(li && li.querySelector('.match-badge')),
        evidence: li ? li.querySelectorAll('.ev').length : 0, href: li && li.querySelector('a') && li.querySelector('a').getAttribute('href'),
        none: !!tr.querySelector('.no-cands') };
    }));
    assert(matchRows.length === 4, 'four match rows (the blank line skipped)');
    vs.forEach((v, i) => {
      const r = matchRows[i];
      assert(r.key === v.key && r.badge, `"${v.variant}" → ${v.key} first with the match badge (got ${JSON.stringify(r)})`);
      assert(r.evidence > 0 && r.href === '#/explorer/' + encodeURIComponent(v.key), 'evidence shown and explorer link');
    });
    assert(matchRows[3].line === '5' && matchRows[3].none && /无候选/.test(await page.textContent('#match-results tbody tr:nth-child(4)')), 'nonsense line: no candidates');
    assert(/3 行确认匹配/.test(await page.textContent('#match-status')), 'status counts the matches');
    await shot('match');
    await page.fill('#match-input', `企业名称,电话\n"${vs[0].variant}",\n`);
    await page.waitForFunction(() => /CSV/.test(document.querySelector('#match-count').textContent));
    await page.click('#match-submit');
    await page.waitForFunction((k) => {
      const rows = document.querySelectorAll('#match-results tbody tr');
      return rows.length === 1 && rows[0].querySelector(`ol.cands li[data-key="${k}"] .match-badge`);
    }, vs[0].key);
    await page.fill('#match-input', Array.from({ length: 1001 }, (_, i) => 'x' + i).join('\n'));
    await page.click('#match-submit');
    await page.waitForFunction(() => /1001 行，超过每次 1000 行/.test(document.querySelector('#match-status').textContent));
    await page.fill('#match-input', vs[1].variant);
    await page.click('#match-submit');
    await page.waitForSelector('#match-results tbody tr ol.cands li a');
    await page.click('#match-results tbody tr ol.cands li a');
    await page.waitForFunction((id) => window.__rg && window.__rg.cy && window.__rg.cy.getElementById(id).nonempty(), 'enterprise:' + vs[1].key);
    assert(page.url().includes('#/explorer/' + encodeURIComponent(vs[1].key)), 'a candidate opens the explorer');
    step('match page: 3 rewritten names matched, nonsense without candidates, CSV header, 1 000-line limit, link to the explorer');

    // 10. English.
    await page.click('#lang');
    assert((await page.textContent('#tab-dashboard')) === 'Risk dashboard', 'English tab label');
    await page.click('#tab-dashboard');
    await page.waitForSelector('#p-region .row');
    await page.waitForFunction(() => /Grades by region/.test(document.querySelector('#h-region').textContent));
    await shot('dashboard-en');
    await page.click('#lang');
    // Switching back reloads the dashboard's panels: let them finish, and
    // leave the page, before the demo restarts under it.
    await page.waitForFunction(() => /各地区/.test(document.querySelector('#h-region')?.textContent || '') && document.querySelector('#report-id')
      && !document.querySelector('#main [aria-busy]'));
    await page.goto('about:blank');
    step('English toggle');

    // 11. With keys: login as a dashboard role (masked, no explorer, no reports).
    await demo.stop();
    await demo.start('--insecure-dev=false'); step('demo restarted with keys');
    const p2 = await browser.context.newPage();
    watch(p2, errors);
    p2.setDefaultTimeout(T);
    await p2.goto(demo.base + '/');
    await p2.waitForSelector('#apikey');
    await p2.screenshot({ path: path.join(out, 'login.png') });
    await p2.fill('#apikey', dashKey);
    await p2.click('form.login button[type=submit]');
    await p2.waitForSelector('#p-region .row');
    await p2.waitForSelector('#top-table tbody tr');
    assert(await p2.locator('#tab-explorer').isHidden(), 'dashboard role: no explorer tab');
    assert(await p2.locator('#p-report').isHidden(), 'dashboard role: no reports');
    assert(await p2.locator('#top-table a').count() === 0, 'dashboard role: no explorer links');
    assert(/脱敏/.test(await p2.textContent('#banner')), 'masked banner');
    assert(!p2.url().includes('rgk_') && !(await p2.content()).includes(dashKey), 'key not in URL or DOM');
    assert(await p2.evaluate(() => !!sessionStorage.getItem('rg.apiKey') && !localStorage.getItem('rg.apiKey')), 'key in sessionStorage only');
    await p2.screenshot({ path: path.join(out, 'dashboard-role.png') });
    assert(!demo.log.includes(dashKey), 'key not in the server log');
    step('dashboard role login');

    if (errors.length) throw new Error('errors in the browser:\n  ' + errors.join('\n  '));
    console.log(`e2e: PASS in ${((Date.now() - t0) / 1000).toFixed(1)} s; screenshots in ${path.relative(process.cwd(), out)}/`);
  } finally {
    if (browser) await browser.close();
    await demo.stop();
    demo.cleanup();
  }
}

main().catch((e) => { console.error('e2e: FAIL:', e.stack || e.message); process.exit(1); });
