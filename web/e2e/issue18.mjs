// Browser tests of issue 18's bugs (1–10), issue 15's officer titles and
// person-to-person relations in the explorer, and the legend, tooltips
// and evidence highlight (run by scripts/web-e2e.sh after e2e.mjs).
//
// Each check is named by what it covers and runs on its own page; all run
// even when one fails, and the last line says "N passed, M failed".
// ONLY=bug3,bug5 runs some of them. The data: `riskgraph demo` plus rows
// ingested through the API — enterprises without a USCC whose source keys
// hold ':', '/', '%' and CJK, two persons of the same name, a free-text
// officer title, a spouse relation and a blacklist record (so that the
// early-warning report has names to link).
import { readFileSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Demo, launch, ingest, runChecks, reportChecks } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, 'out');
mkdirSync(out, { recursive: true });
const T = 20_000;
const t0 = Date.now();
const log = (s) => console.log(`issue18: ${((Date.now() - t0) / 1000).toFixed(1)}s ${s}`);
function assert(ok, msg) { if (!ok) throw new Error('assertion failed: ' + msg); }

const E1 = 'src:e2e:HK:甲乙/50%'; // ':', '/', '%', CJK
const T2 = 'src:e2e:T2', T3 = 'src:e2e:T3';
const fixture = {
  enterprises: 'id,name,kind,status\nHK:甲乙/50%,香港甲乙控股有限公司,foreign,active\nT2,测试同名人员企业甲有限公司,company,active\nT3,测试同名人员企业乙有限公司,company,active\n',
  persons: 'person_id,name\nP1,欧阳测试\nP2,欧阳测试\nP3,司马关联\n',
  officers: 'person_id,enterprise,title,since\nP1,HK:甲乙/50%,执行董事兼总经理,2018-05-01\nP3,HK:甲乙/50%,监事会主席,2021-03-01\n',
  legal_reps: 'person_id,enterprise\nP1,T2\nP2,T3\n',
  shareholdings: 'holder_kind,holder,enterprise,ratio,since\nperson,P1,HK:甲乙/50%,0.3,2015-01-01\nperson,P2,HK:甲乙/50%,0.2,2020-06-01\nenterprise,HK:甲乙/50%,T2,0.6,2019-01-01\n',
  relations: 'person_a,person_b,kind\nP1,P3,spouse\n',
  // Eight penalties on T3: leaves of one kind, grouped in its network.
  records: 'record_id,subject_kind,subject,kind,authority,decided\n' + Array.from({ length: 8 }, (_, i) => `T3-P${i},enterprise,T3,administrative_penalty,测试市场监督管理局,2024-0${i + 1}-15`).join('\n') + '\n',
};


const renders = (page) => page.evaluate(() => (window.__rg && window.__rg.renders) || 0);
const waitRender = (page, n) => page.waitForFunction((k) => window.__rg && window.__rg.renders > k, n, { timeout: T });
async function openExplorer(page, demo, key) {
  if (process.env.E2E_DEBUG) log("open " + key);
  await page.goto('about:blank'); // a fresh load, not a hash change
  await page.goto(demo.base + '/#/explorer/' + encodeURIComponent(key));
  await page.waitForFunction(() => window.__rg && window.__rg.renders > 0, null, { timeout: T });
  if (process.env.E2E_DEBUG) log('rendered');
  await page.waitForFunction(() => /节点/.test(document.querySelector('#graph-status').textContent));
  if (process.env.E2E_DEBUG) log('status');
}

async function main() {
  const demo = new Demo(2000);
  let browser = null;
  const results = [];
  try {
    // Data: the demo sample, a first run; a blacklist record ingested; a
    // second run by `riskgraph report --once` (so the report lists it).
    await demo.start();
    const victim = (await demo.api('/ranking?grade=B&limit=1')).ranking.items[0];
    await ingest(demo, 'records', `record_id,subject_kind,subject,kind,authority,decided\nE2E-BL-1,enterprise,${victim.ref.key},blacklist,测试市场监督管理局,${new Date(Date.now() - 5 * 86400e3).toISOString().slice(0, 10)}\n`);
    await demo.stop();
    demo.run('report', '--once');
    await demo.start();
    for (const kind of Object.keys(fixture)) await ingest(demo, kind, fixture[kind]);
    log(`demo up at ${demo.base}, fixture ingested, report made (blacklist on ${victim.name})`);

    browser = await launch();
    const checks = [];
    const check = (id, name, fn, opts = {}) => checks.push({ id, name, fn, opts });

    // --- bug 1: a source key with ':', '/', '%' and CJK opens (network, profile, risk, records, ownership) ---
    check('bug1', 'src: key with : / % CJK opens in the explorer', async (page) => {
      await openExplorer(page, demo, E1);
      await page.waitForFunction(() => document.querySelector('#side-title')?.textContent === '香港甲乙控股有限公司');
      await page.waitForSelector('#profile dl');
      await page.waitForSelector('#records h3');
      assert(await page.evaluate((id) => window.__rg.cy.getElementById(id).nonempty(), 'enterprise:' + E1), 'root node on the canvas');
      assert(/src:e2e:HK:甲乙\/50%/.test(await page.textContent('#profile')), 'the profile shows the key');
      const n = await renders(page);
      await page.click('#open-ownership');
      await waitRender(page, n);
      assert(/股权穿透/.test(await page.textContent('#graph-status')), 'ownership of the src: key');
      // By search too.
      await page.click('#mode-network');
      await page.fill('#search', '香港甲乙');
      await page.locator('#suggest li', { hasText: '香港甲乙控股' }).click();
      await page.waitForFunction(() => document.querySelector('#side-title')?.textContent === '香港甲乙控股有限公司');
      assert(decodeURIComponent(page.url().split('#/explorer/')[1]) === E1, 'hash names the key');
    });

    // --- bug 2: no "[object HTMLElement]" (report summary, record node, person's explanation) ---
    check('bug2', 'no [object HTMLElement] in the report summary, a record node, a person\'s explanation', async (page) => {
      await page.goto(demo.base + '/#/dashboard');
      await page.waitForSelector('#report-id');
      await page.waitForFunction(() => (document.querySelector('#p-report dl')?.textContent || '').length > 0);
      assert(!(await page.textContent('#p-report')).includes('[object'), 'report summary: ' + (await page.textContent('#p-report dl')).slice(0, 200));
      // A record node's info panel.
      await openExplorer(page, demo, victim.ref.key);
      await page.locator('#side .nblist button[data-kind=record]').first().click();
      await page.waitForSelector('#profile dl dd');
      const rec = await page.textContent('#side');
      assert(!rec.includes('[object') && /决定日期|decided/i.test(rec), 'record panel: ' + rec.slice(0, 200));
      // A person with a stored explanation.
      const fl = (await demo.api('/flags?limit=500')).flags.items.find((x) => x.ref.kind === 'person');
      assert(fl, 'a flagged person in the sample');
      await openExplorer(page, demo, 'person:' + fl.ref.key);
      await page.waitForSelector('#explanation h3');
      const ex = await page.textContent('#explanation');
      assert(!ex.includes('[object'), 'person explanation: ' + ex.slice(0, 200));
    });

    // --- bug 3: flags rendered with label, evidence and real dates ---
    check('bug3', 'flags: label, evidence names, real dates or none (no JSON, no 1970)', async (page) => {
      const ra = (await demo.api('/flags?limit=100&flag=restricted_appointment')).flags.items.find((x) => x.ref.kind === 'enterprise');
      assert(ra, 'an enterprise with restricted_appointment');
      const risk = await demo.api('/enterprises/' + encodeURIComponent(ra.ref.key) + '/risk');
      await openExplorer(page, demo, ra.ref.key);
      await page.waitForSelector('#explanation .flags li');
      await page.waitForFunction(() => ![...document.querySelectorAll('#explanation .evidence-list')].some((e) => /enterprise:|^9\d{5}/.test(e.textContent)), null, { timeout: 5000 }).catch(() => {});
      const items = await page.$$eval('#explanation .flags > li', (ls) => ls.map((l) => ({ flag: l.dataset.flag, text: l.textContent, ev: l.querySelectorAll('.evidence-list button').length })));
      assert(items.length === risk.flags.length, `one item per flag (${items.length} vs ${risk.flags.length})`);
      for (const it of items) {
        assert(!/[{}"]|"kind"/.test(it.text), 'no raw JSON: ' + it.text);
        assert(!/1970-01-01|0001-01-01/.test(it.text), 'no zero date: ' + it.text);
        assert(it.ev > 0, 'evidence listed: ' + it.text);
      }
      const f = risk.flags.find((x) => x.kind === 'restricted_appointment');
      const it = items.find((x) => x.flag === 'restricted_appointment');
      assert(/限制任职/.test(it.text) && it.text.includes(f.from) && it.text.includes(f.to), 'label and real dates: ' + it.text);
      const evNames = await page.$$eval('#explanation .flags > li[data-flag=restricted_appointment] .evidence-list button', (bs) => bs.map((b) => b.textContent));
      assert(evNames.some((n) => /[\u4e00-\u9fff]{4,}/.test(n)), 'evidence by name: ' + evNames.join(', '));
    });

    // --- bug 4: status where the eye is, loading state, errors visible ---
    check('bug4', 'status line in view at 1440×900, loading state while a new graph loads, errors visible', async (page, ctx) => {
      await openExplorer(page, demo, victim.ref.key);
      const inView = async (sel) => page.$eval(sel, (e) => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0; });
      assert(await inView('#graph-status'), 'status line within the 900 px window');
      assert(await page.$eval('#cy', (e) => e.getBoundingClientRect().bottom <= window.innerHeight), 'graph bottom within the window');
      // Hold the next network answer: the loading state shows, in view.
      let release;
      const held = new Promise((r) => { release = r; });
      await page.route('**/api/v1/enterprises/**/network**', async (route) => { await held; await route.continue(); });
      await page.evaluate((k) => { location.hash = '#/explorer/' + encodeURIComponent(k); }, E1);
      await page.waitForSelector('#graph-loading:not([hidden])');
      assert(/加载中/.test(await page.textContent('#graph-status')) && await inView('#graph-status'), 'loading shown in the status line');
      assert(await page.$eval('#cy', (e) => e.classList.contains('stale') || e.getAttribute('aria-busy') === 'true'), 'old graph marked stale');
      const n = await renders(page);
      release();
      await waitRender(page, n);
      await page.waitForSelector('#graph-loading', { state: 'hidden' });
      await page.unroute('**/api/v1/enterprises/**/network**');
      // An error is an alert in the status line.
      ctx.allow = (u) => u.includes('/network') || u.includes('404');
      await page.route('**/api/v1/enterprises/**/network**', (route) => route.fulfill({ status: 404, contentType: 'application/json', body: '{"error":{"status":404,"message":"enterprise not found"}}' }));
      await page.evaluate((k) => { location.hash = '#/explorer/' + encodeURIComponent(k); }, T2);
      await page.waitForSelector('#graph-status.error');
      assert(/not found/.test(await page.textContent('#graph-status')) && await inView('#graph-status'), 'error in view');
      assert(await page.getAttribute('#graph-status', 'role') === 'alert', 'error is an alert');
      await page.unroute('**/api/v1/enterprises/**/network**');
    });

    // --- bug 5: readable large networks ---
    check('bug5', 'large network: whole labels, quiet edge labels, no overlap; expansion lands on free space; parallel paths apart', async (page) => {
      // An enterprise with a 100+ node neighbourhood.
      let big = null;
      for (const it of (await demo.api('/ranking?limit=100')).ranking.items) {
        const net = await demo.api(`/enterprises/${it.ref.key}/network?depth=2&limit=500`);
        if (net.nodes.length >= 100) { big = it; break; }
      }
      assert(big, 'a 100+ node neighbourhood');
      await openExplorer(page, demo, big.ref.key);
      const g = await page.evaluate(() => {
        const cy = window.__rg.cy;
        const ents = cy.nodes('[kind = "enterprise"]').map((n) => ({ name: n.data('name'), label: n.data('label') }));
        const sel = cy.nodes(':selected')[0];
        const near = new Set(sel.connectedEdges().map((e) => e.id()));
        const labelled = cy.edges().filter((e) => e.style('label') !== '').map((e) => e.id());
        const ns = cy.nodes().map((n) => ({ p: n.position(), s: n.width() }));
        let overlaps = 0;
        for (let i = 0; i < ns.length; i++) for (let j = i + 1; j < ns.length; j++) {
          if (Math.hypot(ns[i].p.x - ns[j].p.x, ns[i].p.y - ns[j].p.y) < (ns[i].s + ns[j].s) / 2 * 0.9) overlaps++;
        }
        return { ents, nodes: ns.length, edges: cy.edges().length, labelled, strays: labelled.filter((id) => !near.has(id)).length, overlaps };
      });
      log(`bug5: ${g.nodes} nodes, ${g.edges} edges, ${g.labelled.length} labelled edges, ${g.overlaps} overlapping node pairs`);
      for (const e of g.ents) {
        const flat = e.label.replace(/\n/g, '');
        assert(!flat.includes('…') && e.name.replace(/[（(][^）)]*[）)]/g, '').includes(flat), `label "${e.label}" is a whole part of "${e.name}"`);
        assert(!/(有|有限|有限责|有限责任|股份|股份有|股份有限)$/.test(flat) || flat === e.name, `label "${flat}" cut inside the legal form`);
      }
      assert(g.edges > 40 && g.strays === 0, `only the selection's edges labelled (${g.strays} others of ${g.labelled.length})`);
      assert(g.overlaps <= g.nodes * 0.02, `nodes do not pile up (${g.overlaps} overlapping pairs)`);
      // Expansion: new nodes land at least 40 units from every node already there.
      // (Leaves not grouped: at depth 1 every neighbour is a leaf, and groups expand by #expand-group.)
      await page.uncheck('#group-leaves');
      await page.selectOption('#depth', '1');
      await page.waitForFunction(() => /节点/.test(document.querySelector('#graph-status').textContent) && !document.querySelector('#cy').getAttribute('aria-busy'));
      let checked = false;
      const nbs = page.locator('#side .nblist button:not([data-kind=record]):not([data-kind=group])'); // a group expands by #expand-group
      for (let i = 0; i < Math.min(await nbs.count(), 10) && !checked; i++) {
        await nbs.nth(i).click();
        const before = await page.evaluate(() => window.__rg.cy.nodes().map((n) => ({ id: n.id(), p: { ...n.position() } })));
        await page.evaluate(() => { document.querySelector('#graph-status').textContent = ''; });
        await page.click('#expand');
        await page.waitForFunction(() => /已展开|已全部显示/.test(document.querySelector('#graph-status').textContent));
        const r = await page.evaluate((old) => {
          const ids = new Set(old.map((o) => o.id));
          const fresh = window.__rg.cy.nodes().filter((n) => !ids.has(n.id())).map((n) => n.position());
          let min = Infinity;
          for (const p of fresh) for (const o of old) min = Math.min(min, Math.hypot(p.x - o.p.x, p.y - o.p.y));
          return { n: fresh.length, min };
        }, before);
        if (process.env.E2E_DEBUG) log(`bug5: ${await page.textContent('#side-title')}: ${await page.textContent('#graph-status')} (${r.n})`);
        if (r.n > 0) { checked = true; assert(r.min >= 40, `new nodes keep off old ones (closest ${r.min.toFixed(1)})`); log(`bug5: expansion added ${r.n}, closest to an old node ${r.min.toFixed(0)}`); }
        await page.evaluate((id) => { window.__rg.cy.getElementById(id).emit('tap'); }, 'enterprise:' + big.ref.key);
      }
      assert(checked, 'an expansion added nodes');
      // Parallel paths: 欧阳测试 (P1) both holds shares in and is an officer of E1.
      const p1 = (await demo.api('/search?q=' + encodeURIComponent('欧阳测试'))).hits.map((x) => x.ref.key);
      let pair = null;
      for (const pid of p1) {
        const r = await demo.api(`/paths?from=person:${pid}&to=${encodeURIComponent(E1)}&max_depth=2&limit=10`);
        if (r.paths.length >= 2) { pair = { pid, n: r.paths.length }; break; }
      }
      assert(pair, 'a pair with two shortest paths');
      await openExplorer(page, demo, E1);
      await page.evaluate((id) => { window.__rg.cy.getElementById(id).emit('tap'); }, 'person:' + pair.pid);
      await page.click('#set-from');
      await page.fill('#search', '香港甲乙');
      await page.locator('#suggest li', { hasText: '香港甲乙控股' }).click();
      const n = await renders(page);
      await page.click('#find-path');
      await waitRender(page, n);
      await page.waitForSelector('#paths li');
      assert(await page.locator('#paths li').count() === pair.n, `each of the ${pair.n} paths listed`);
      const apart = await page.evaluate(([a, b]) => {
        const es = window.__rg.cy.getElementById(a).edgesWith(window.__rg.cy.getElementById(b));
        const m = es.map((e) => e.renderedMidpoint());
        return { n: es.length, d: m.length > 1 ? Math.hypot(m[0].x - m[1].x, m[0].y - m[1].y) : 0 };
      }, ['person:' + pair.pid, 'enterprise:' + E1]);
      assert(apart.n >= 2 && apart.d > 5, `parallel relationships drawn apart (${apart.n} edges, ${apart.d.toFixed(1)} px)`);
      await page.click('#paths li:nth-child(2) button');
      const hl = await page.evaluate(() => window.__rg.highlight);
      assert(hl && hl.edges.length === 1, 'a path highlights its own relationship');
    });

    // --- bug 6: persons with the same name told apart ---
    check('bug6', 'same-name persons: search shows role, enterprise and pid suffix; graph labels differ', async (page) => {
      await page.goto(demo.base + '/#/explorer');
      await page.fill('#search', '欧阳测试');
      await page.waitForFunction(() => document.querySelectorAll('#suggest li .ctx').length === 2 && [...document.querySelectorAll('#suggest li .ctx')].every((c) => c.textContent.length > 3));
      const texts = await page.$$eval('#suggest li', (ls) => ls.map((l) => l.textContent));
      assert(texts.length === 2 && texts[0] !== texts[1], 'two different suggestions: ' + texts.join(' | '));
      assert(texts.some((x) => x.includes('测试同名人员企业甲')) && texts.some((x) => x.includes('测试同名人员企业乙')), 'each with its enterprise: ' + texts.join(' | '));
      assert(texts.every((x) => /…[0-9a-f]{4}/.test(x)), 'pid suffix shown');
      await openExplorer(page, demo, E1);
      const labels = await page.evaluate(() => window.__rg.cy.nodes('[kind = "person"]').filter((n) => n.data('name') === '欧阳测试').map((n) => n.data('label')));
      assert(labels.length === 2 && labels[0] !== labels[1], 'graph labels differ: ' + labels.join(' | '));
    });

    // --- bug 7: dashboard filters drive the charts and the URL; names; phone ---
    check('bug7', 'dashboard: filters drive the charts and live in the URL; industry and status names; 390×844 phone', async (page) => {
      await page.goto(demo.base + '/#/dashboard');
      await page.waitForSelector('#p-region .row');
      await page.selectOption('#f-grade', 'D');
      await page.waitForFunction(() => /grade=D/.test(location.hash));
      const total = (await demo.api('/ranking?grade=D&limit=1')).ranking.total;
      await page.waitForFunction((n) => {
        const rows = [...document.querySelectorAll('#p-region .row .bn')];
        return rows.length && rows.reduce((s, r) => s + parseInt(r.textContent, 10), 0) === n;
      }, total);
      const hist = await page.getAttribute('#p-hist .hist', 'aria-label');
      assert(hist.split(':')[1].split(',').reduce((s, x) => s + +x, 0) === total, 'histogram follows the filter: ' + hist);
      const url = page.url();
      await page.goto(demo.base + '/');
      await page.goto(url);
      await page.waitForSelector('#top-table tbody tr');
      assert(await page.inputValue('#f-grade') === 'D', 'filter restored from the URL');
      await page.waitForFunction(() => [...document.querySelectorAll('#top-table tbody tr')].every((r) => r.querySelector('.gD')));
      const opts = await page.$$eval('#f-industry option', (os) => os.map((o) => o.textContent));
      assert(opts.filter((o) => /^[A-T]\d{2} [\u4e00-\u9fff]/.test(o)).length >= opts.length - 2, 'industries named: ' + opts.slice(0, 4).join(', '));
      // Status in Chinese in the explorer's profile.
      await openExplorer(page, demo, victim.ref.key);
      await page.waitForSelector('#profile dl');
      assert(/存续|吊销|注销/.test(await page.textContent('#profile')) && !/\bactive\b/.test(await page.textContent('#profile')), 'status named in Chinese');
      // Phone.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(demo.base + '/#/dashboard');
      await page.waitForSelector('#top-table tbody tr');
      await page.waitForSelector('#p-region .row');
      const w = await page.evaluate(() => document.documentElement.scrollWidth);
      await page.screenshot({ path: path.join(out, 'dashboard-phone.png'), fullPage: false });
      assert(w <= 390, `dashboard fits 390 px (scroll width ${w})`);
      await openExplorer(page, demo, victim.ref.key);
      const w2 = await page.evaluate(() => document.documentElement.scrollWidth);
      assert(w2 <= 390, `explorer fits 390 px (scroll width ${w2})`);
    });

    // --- bug 8: exports carry a title, the as-of time and a legend ---
    check('bug8', 'exports (PNG, CSV, JSON) have a title, the data\'s as-of time and a legend', async (page) => {
      await openExplorer(page, demo, victim.ref.key);
      const run = (await demo.api('/runs?limit=1')).runs[0];
      const get = async (id) => { const [dl] = await Promise.all([page.waitForEvent('download'), page.click(id)]); return readFileSync(await dl.path()); };
      const csv = (await get('#export-csv')).toString('utf8').replace(/^\ufeff/, '').split('\n');
      assert(csv[0].startsWith('# riskgraph') && csv[0].includes(victim.name), 'CSV title: ' + csv[0]);
      assert(csv.some((l) => l.includes('数据截至') && l.includes(run.id)), 'CSV as-of');
      assert(csv.some((l) => l.includes('风险等级')) && csv.some((l) => l.includes('持股')), 'CSV legend');
      const json = JSON.parse((await get('#export-json')).toString('utf8'));
      assert(json.title.includes(victim.name) && json.as_of === run.finished && json.legend.length >= 3 && json.nodes.length, 'JSON title, as_of, legend');
      const png = await get('#export-png');
      const height = png.readUInt32BE(20);
      const graphH = await page.evaluate(async () => (await createImageBitmap(window.__rg.cy.png({ output: 'blob', full: true, scale: 2 }))).height);
      assert(height >= graphH + 150, `PNG has room for title and legend (${height} vs graph ${graphH})`);
    });

    // --- bug 9: names in the report link into the explorer ---
    check('bug9', 'report names link into the explorer', async (page) => {
      await page.goto(demo.base + '/#/dashboard');
      await page.waitForSelector('#report-lists a[href^="#/explorer/"]');
      const link = page.locator('#report-lists a', { hasText: victim.name }).first();
      assert(await link.count() === 1, 'the blacklisted enterprise is named and linked');
      const n = await renders(page);
      await link.click();
      await waitRender(page, n);
      await page.waitForFunction((name) => document.querySelector('#side-title')?.textContent === name, victim.name);
    });

    // --- bug 10: a CJK font for the screenshots ---
    check('bug10', 'a CJK font is installed and used', async (page) => {
      const fonts = execFileSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' });
      assert(fonts.trim().length > 0, 'fc-list finds a Chinese font');
      await page.goto(demo.base + '/#/dashboard');
      await page.waitForSelector('#h-region');
      // A CJK glyph is drawn from a font that has it: two different characters differ in ink.
      const differ = await page.evaluate(() => {
        const c = document.createElement('canvas'); c.width = 40; c.height = 40;
        const g = c.getContext('2d');
        const ink = (ch) => { g.clearRect(0, 0, 40, 40); g.font = '32px sans-serif'; g.fillText(ch, 2, 34); return [...g.getImageData(0, 0, 40, 40).data].join(','); };
        return ink('图') !== ink('谱');
      });
      assert(differ, 'CJK characters render as distinct glyphs, not boxes');
    });

    // --- issue 15 §4: free-text titles and person-to-person relations ---
    check('issue15', 'officer title_text shown (edge label, roles); RELATED_TO styled apart, in the legend, with its kind', async (page) => {
      await openExplorer(page, demo, E1);
      const e = await page.evaluate(() => {
        const cy = window.__rg.cy;
        const off = cy.edges('[type = "OFFICER_OF"]').map((x) => x.data('label'));
        const rel = cy.edges('[type = "RELATED_TO"]');
        const hold = cy.edges('[type = "HOLDS_SHARES"]')[0];
        return { off, rel: rel.map((x) => ({ id: x.id(), label: x.data('label'), line: x.style('line-style'), color: x.style('line-color') })), holdColor: hold.style('line-color') };
      });
      assert(e.off.some((l) => l.includes('执行董事兼总经理')), 'title_text on the edge: ' + e.off.join(' | '));
      assert(e.rel.length === 1 && e.rel[0].label === '配偶' && e.rel[0].line === 'dotted' && e.rel[0].color !== e.holdColor, 'RELATED_TO drawn apart: ' + JSON.stringify(e.rel));
      assert(await page.locator('#legend [data-type=RELATED_TO]').count() === 1, 'legend entry for RELATED_TO');
      assert(await page.locator('#type-RELATED_TO').count() === 1, 'RELATED_TO in the type filter');
      await page.evaluate((id) => { window.__rg.cy.getElementById(id).emit('tap'); }, e.rel[0].id);
      await page.waitForSelector('#edge-facts');
      assert(/配偶/.test(await page.textContent('#edge-facts')), 'edge panel names the relation');
      const p1 = await page.evaluate(() => window.__rg.cy.edges('[type = "OFFICER_OF"]').filter((x) => x.data('props').title_text === '执行董事兼总经理')[0].source().id());
      await page.evaluate((id) => { window.__rg.cy.getElementById(id).emit('tap'); }, p1);
      await page.waitForSelector('#roles');
      const roles = await page.textContent('#roles');
      assert(roles.includes('执行董事兼总经理') && roles.includes('执行董事') && roles.includes('配偶'), 'roles list: ' + roles);
      await page.screenshot({ path: path.join(out, 'relations.png') });
    });

    // --- features: legend, tooltips, evidence highlight ---
    check('legend', 'legend and tooltips', async (page) => {
      await openExplorer(page, demo, E1);
      assert(await page.isVisible('#legend'), 'legend visible');
      const lg = await page.textContent('#legend');
      assert(['A', 'D', '企业', '自然人', '持股', '人员关系', '信用记录'].every((s) => lg.includes(s)), 'legend names grades, shapes, relationships: ' + lg);
      const pos = await page.evaluate((id) => { const n = window.__rg.cy.getElementById(id); const p = n.renderedPosition(); const r = document.querySelector('#cy').getBoundingClientRect(); return { x: r.left + p.x, y: r.top + p.y }; }, 'enterprise:' + T2);
      await page.mouse.move(pos.x, pos.y);
      await page.waitForSelector('#graph-tip:not([hidden])');
      assert((await page.textContent('#graph-tip')).includes('测试同名人员企业甲有限公司'), 'tooltip names the node');
      await page.click('#legend-toggle');
      assert(await page.isHidden('#legend') && await page.getAttribute('#legend-toggle', 'aria-expanded') === 'false', 'legend folds');
    });
    check('evidence', 'evidence highlight: a flag and a contribution light up their entities', async (page) => {
      const ra = (await demo.api('/flags?limit=100&flag=restricted_appointment')).flags.items.find((x) => x.ref.kind === 'enterprise');
      await openExplorer(page, demo, ra.ref.key);
      await page.waitForSelector('#explanation li[data-flag=restricted_appointment] .hl-btn');
      await page.click('#explanation li[data-flag=restricted_appointment] .hl-btn');
      const hl = await page.evaluate(() => ({ h: window.__rg.highlight, lit: window.__rg.cy.nodes('.hl').length, faded: window.__rg.cy.nodes('.faded').length }));
      assert(hl.h && hl.lit >= 2 && hl.lit === hl.h.nodes.length && hl.faded > 0, 'evidence nodes lit, others faded: ' + JSON.stringify(hl));
      assert(await page.isVisible('#hl-bar'), 'the highlight says what it shows');
      await page.screenshot({ path: path.join(out, 'evidence.png') });
      await page.focus('#cy');
      await page.keyboard.press('Escape');
      assert(await page.evaluate(() => window.__rg.cy.nodes('.hl').length === 0), 'Escape clears');
      const contrib = page.locator('#explanation table.contrib button.link').first();
      if (await contrib.count()) {
        await contrib.click();
        assert(await page.evaluate(() => window.__rg.cy.edges('.hl').length >= 1), 'a contribution\'s path lights up');
      }
    });

    // --- features: filters in the graph (grade, kind), hide and pin ---
    check('filters', 'filters in the graph: by grade and kind, hide and show, pin (kept by filters and re-layout)', async (page) => {
      await openExplorer(page, demo, victim.ref.key);
      const vis = () => page.evaluate(() => window.__rg.cy.nodes().filter((n) => n.style('display') !== 'none').map((n) => n.id()));
      const all = await vis();
      const grades = await page.evaluate((root) => window.__rg.cy.nodes().filter((n) => n.id() !== root && ['enterprise', 'person'].includes(n.data('kind'))).map((n) => n.data('grade') || 'none'), 'enterprise:' + victim.ref.key);
      const g = grades.sort((a, b) => grades.filter((x) => x === b).length - grades.filter((x) => x === a).length)[0];
      await page.uncheck('#show-grade-' + g);
      const left = await page.evaluate(() => window.__rg.cy.nodes().filter((n) => n.style('display') !== 'none').map((n) => ({ id: n.id(), grade: n.data('grade') || 'none', kind: n.data('kind') })));
      assert(left.length < all.length && left.every((n) => n.grade !== g || n.id === 'enterprise:' + victim.ref.key || !['enterprise', 'person'].includes(n.kind)), `grade ${g} hidden (${all.length} → ${left.length})`);
      assert(/已隐藏 \d+ 个节点/.test(await page.textContent('#view-note')), 'the view says how many are hidden');
      await page.check('#show-grade-' + g);
      assert((await vis()).length === all.length, 'grade shown again');
      await page.uncheck('#show-kind-record');
      assert(await page.evaluate(() => window.__rg.cy.nodes('[kind = "record"]').every((n) => n.style('display') === 'none')), 'records hidden');
      await page.check('#show-kind-record');
      // Hide a neighbour by hand, then show it again.
      const nb = await page.evaluate((root) => window.__rg.cy.getElementById(root).neighborhood('node[kind = "enterprise"], node[kind = "person"]')[0].id(), 'enterprise:' + victim.ref.key);
      await page.evaluate((id) => window.__rg.cy.getElementById(id).emit('tap'), nb);
      await page.click('#hide-node');
      assert(await page.evaluate((id) => window.__rg.cy.getElementById(id).style('display') === 'none', nb), 'the node is hidden');
      await page.click('#show-hidden');
      assert(await page.evaluate((id) => window.__rg.cy.getElementById(id).style('display') !== 'none', nb) && await page.isHidden('#show-hidden'), 'shown again');
      // Pin it: locked, kept when its grade is filtered, and where it was after a re-layout.
      await page.evaluate((id) => window.__rg.cy.getElementById(id).emit('tap'), nb);
      await page.click('#pin-node');
      assert(await page.getAttribute('#pin-node', 'aria-pressed') === 'true' && await page.evaluate((id) => window.__rg.cy.getElementById(id).locked(), nb), 'pinned and locked');
      const before = await page.evaluate((id) => ({ ...window.__rg.cy.getElementById(id).position() }), nb);
      const ng = await page.evaluate((id) => window.__rg.cy.getElementById(id).data('grade') || 'none', nb);
      await page.uncheck('#show-grade-' + ng);
      assert(await page.evaluate((id) => window.__rg.cy.getElementById(id).style('display') !== 'none', nb), 'a pinned node stays when its grade is filtered');
      await page.check('#show-grade-' + ng);
      await page.click('#relayout');
      const after = await page.evaluate((id) => ({ ...window.__rg.cy.getElementById(id).position() }), nb);
      assert(Math.hypot(after.x - before.x, after.y - before.y) < 1, 'a pinned node keeps its place through a re-layout');
    });

    // --- features: expand by relation type ---
    check('expandby', 'expand by relation type: only holdings down adds holdings of the node and nothing else', async (page) => {
      // An enterprise Y next to X whose holdings are not in X's one-hop network, and which has other unseen neighbours.
      let pick = null;
      for (const it of (await demo.api('/ranking?limit=60')).ranking.items) {
        const net = await demo.api(`/enterprises/${it.ref.key}/network?depth=1&limit=1000`);
        const seen = new Set(net.nodes.map((n) => n.id));
        for (const n of net.nodes.filter((n) => n.ref.kind === 'enterprise' && n.id !== 'enterprise:' + it.ref.key).slice(0, 10)) {
          const y = await demo.api(`/enterprises/${encodeURIComponent(n.ref.key)}/network?depth=1&limit=1000`);
          const down = y.edges.filter((e) => e.type === 'HOLDS_SHARES' && e.from === n.id && !seen.has(e.to));
          const other = y.nodes.filter((m) => !seen.has(m.id) && !down.some((e) => e.to === m.id));
          if (down.length && other.length) { pick = { x: it.ref.key, y: n.id, down: down.length }; break; }
        }
        if (pick) break;
      }
      assert(pick, 'an enterprise with holdings off the canvas');
      await openExplorer(page, demo, pick.x);
      await page.selectOption('#depth', '1');
      await page.waitForFunction(() => /节点/.test(document.querySelector('#graph-status').textContent) && !document.querySelector('#cy').getAttribute('aria-busy'));
      await page.click('#group-leaves'); // no grouping here: count every node
      const before = await page.evaluate(() => window.__rg.cy.elements().map((e) => e.id()));
      await page.evaluate((id) => window.__rg.cy.getElementById(id).emit('tap'), pick.y);
      await page.selectOption('#expand-by', 'down');
      await page.evaluate(() => { document.querySelector('#graph-status').textContent = ''; });
      await page.click('#expand');
      await page.waitForFunction(() => /已展开|已全部显示/.test(document.querySelector('#graph-status').textContent));
      const added = await page.evaluate((old) => {
        const ids = new Set(old);
        const cy = window.__rg.cy;
        return { nodes: cy.nodes().filter((n) => !ids.has(n.id())).map((n) => n.id()), edges: cy.edges().filter((e) => !ids.has(e.id())).map((e) => ({ type: e.data('type'), s: e.data('source'), t: e.data('target') })) };
      }, before);
      assert(added.nodes.length === pick.down, `only the ${pick.down} holdings added (got ${added.nodes.length})`);
      assert(added.edges.length >= added.nodes.length && added.edges.every((e) => e.type === 'HOLDS_SHARES' && e.s === pick.y), 'only holdings of the node: ' + JSON.stringify(added.edges.slice(0, 3)));
    });

    // --- features: downstream investments beside the ownership view ---
    check('investments', 'downstream investments view: holdings below an enterprise and a person', async (page) => {
      await openExplorer(page, demo, E1);
      const n = await renders(page);
      await page.click('#mode-investments');
      await waitRender(page, n);
      assert(/对外投资/.test(await page.textContent('#graph-status')) && await page.getAttribute('#mode-investments', 'aria-pressed') === 'true', 'investments status');
      const pos = await page.evaluate(([a, b]) => ({ a: window.__rg.cy.getElementById(a).position().y, b: window.__rg.cy.getElementById(b).position().y }), ['enterprise:' + E1, 'enterprise:' + T2]);
      assert(pos.b > pos.a, 'the holding is drawn below its holder');
      assert(/测试同名人员企业甲有限公司/.test(await page.textContent('#investments')) && /60/.test(await page.textContent('#investments')), 'the holding with its share listed');
      await page.screenshot({ path: path.join(out, 'investments.png') });
      // A person's investments: P1 holds E1, which holds T2.
      await openExplorer(page, demo, E1);
      const p1 = await page.evaluate(() => window.__rg.cy.edges('[type = "OFFICER_OF"]').filter((x) => x.data('props').title_text === '执行董事兼总经理')[0].source().id());
      await page.evaluate((id) => window.__rg.cy.getElementById(id).emit('tap'), p1);
      const m = await renders(page);
      await page.click('#open-investments');
      await waitRender(page, m);
      const ids = await page.evaluate(() => window.__rg.cy.nodes().map((x) => x.id()));
      assert(ids.includes('enterprise:' + E1) && ids.includes('enterprise:' + T2), 'a person\'s holdings, followed down: ' + ids.join(', '));
    });

    // --- features: grouping of leaf nodes ---
    check('grouping', 'leaves of one kind grouped under a collapsible node ("8 条行政处罚"), expanded on demand', async (page) => {
      await openExplorer(page, demo, T3);
      const g = await page.evaluate(() => window.__rg.cy.nodes('[kind = "group"]').map((n) => ({ id: n.id(), label: n.data('label'), count: n.data('count') })));
      assert(g.length === 1 && g[0].count === 8 && g[0].label === '8 条行政处罚', 'one group of the 8 penalties: ' + JSON.stringify(g));
      assert(await page.evaluate(() => window.__rg.cy.nodes('[kind = "record"]').length) === 0, 'the penalties are inside the group');
      assert(/分组/.test(await page.textContent('#legend')), 'the legend names groups');
      await page.evaluate((id) => window.__rg.cy.getElementById(id).emit('tap'), g[0].id);
      await page.waitForSelector('#group-members li');
      assert(await page.locator('#group-members li').count() === 8, 'the side panel lists the members');
      await page.screenshot({ path: path.join(out, 'grouping.png') });
      await page.click('#expand-group');
      const after = await page.evaluate(() => ({ rec: window.__rg.cy.nodes('[kind = "record"]').length, groups: window.__rg.cy.nodes('[kind = "group"]').length, edges: window.__rg.cy.edges('[type = "HAS_RECORD"]').length }));
      assert(after.rec === 8 && after.groups === 0 && after.edges === 8, 'expanded: ' + JSON.stringify(after));
      // The toggle groups them again, and ungroups.
      await page.uncheck('#group-leaves');
      await page.check('#group-leaves');
      assert(await page.evaluate(() => window.__rg.cy.nodes('[kind = "group"]').length) === 1, 'grouped again by the toggle');
      await page.uncheck('#group-leaves');
      assert(await page.evaluate(() => window.__rg.cy.nodes('[kind = "record"]').length) === 8, 'ungrouped by the toggle');
    });

    // --- large networks: the ring-free layout, grouping before the layout, warm layers ---
    check('large', 'a 2 500-node network: no overlapping nodes, leaves beside their node, grouping as on the canvas, smooth pan/zoom', async (page, ctx) => {
      // A synthetic answer for T2's depth-3, limit-5000 request: T2 → 40
      // enterprises → 20 persons each (every fourth with 8 leaf records),
      // plus 7 leaves on T2 and a part not joined to it. Its entities are
      // not in the store: the side panel's requests for them fail.
      ctx.allow = (u) => /\/(enterprises|persons)\/(L\d|LT|X)/.test(u) || /Failed to load resource/.test(u);
      const root = 'enterprise:' + T2;
      const nodes = [{ id: root, ref: { kind: 'enterprise', key: T2 }, label: '测试同名人员企业甲有限公司', risk: { score: 0.4, grade: 'B' } }], edges = [];
      const node = (kind, key, label, score) => { nodes.push({ id: kind + ':' + key, ref: { kind, key }, label, risk: { score, grade: 'A' }, props: kind === 'record' ? { kind: 'administrative_penalty' } : {} }); return kind + ':' + key; };
      const edge = (from, to, type) => edges.push({ id: from + '-' + type + '->' + to, from, to, type, props: {} });
      for (let i = 0; i < 40; i++) {
        const e = node('enterprise', 'L' + i, '大网测试企业' + i + '有限公司', (i % 7) / 10);
        edge(root, e, 'HOLDS_SHARES');
        for (let j = 0; j < 20; j++) {
          const p = node('person', `L${i}P${j}`, '测试人' + i + '_' + j, 0.05);
          edge(p, e, 'OFFICER_OF');
          if (j % 4 === 0) for (let k = 0; k < 8; k++) edge(p, node('record', `L${i}P${j}R${k}`, 'administrative_penalty', 0), 'HAS_RECORD');
        }
      }
      for (let k = 0; k < 7; k++) edge(node('person', 'LT' + k, '直属人' + k, 0.1), root, 'LEGAL_REP_OF');
      for (let k = 0; k < 20; k++) edge(node('enterprise', 'X' + k, '孤岛企业' + k, 0.2), k ? 'enterprise:X0' : node('enterprise', 'XH', '孤岛中心', 0.3), 'BRANCH_OF');
      const answer = JSON.stringify({ nodes, edges, truncated: true });
      await page.route((u) => u.pathname.endsWith('/network') && u.searchParams.get('limit') === '5000', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: answer }));
      await openExplorer(page, demo, T2);
      await page.uncheck('#group-leaves');
      await page.selectOption('#depth', '3');
      await page.waitForFunction(() => /节点/.test(document.querySelector('#graph-status').textContent) && !document.querySelector('#cy').getAttribute('aria-busy'));
      let n = await renders(page);
      await page.selectOption('#limit', '5000');
      await waitRender(page, n);
      const g = await page.evaluate((rootId) => {
        const cy = window.__rg.cy;
        const ns = cy.nodes().map((x) => ({ id: x.id(), p: x.position(), s: x.width() }));
        // Overlapping pairs (a grid, so every pair near each other is looked at).
        const cell = 64, grid = new Map();
        for (const a of ns) { const k = Math.floor(a.p.x / cell) + ',' + Math.floor(a.p.y / cell); if (!grid.has(k)) grid.set(k, []); grid.get(k).push(a); }
        let overlaps = 0;
        for (const a of ns) {
          const gx = Math.floor(a.p.x / cell), gy = Math.floor(a.p.y / cell);
          for (let i = -1; i <= 1; i++) for (let j = -1; j <= 1; j++) for (const b of grid.get((gx + i) + ',' + (gy + j)) || []) {
            if (b.id > a.id && Math.hypot(a.p.x - b.p.x, a.p.y - b.p.y) < (a.s + b.s) / 2) overlaps++;
          }
        }
        // Leaves (records) beside their person: mean distance against the graph's size.
        let sum = 0, m = 0;
        cy.nodes('[kind = "record"]').forEach((r) => { const p = r.neighborhood('node')[0]; sum += Math.hypot(r.position().x - p.position().x, r.position().y - p.position().y); m++; });
        const bb = cy.nodes().boundingBox({ includeLabels: false });
        return { nodes: ns.length, edges: cy.edges().length, overlaps, leafDist: sum / m, side: Math.max(bb.w, bb.h), selected: cy.nodes(':selected').map((x) => x.id()), big: cy.edges('.big').length, root: cy.getElementById(rootId).hasClass('root') };
      }, root);
      log(`large: ${g.nodes} nodes, ${g.edges} edges, ${g.overlaps} overlapping pairs, leaves ${g.leafDist.toFixed(0)} from their node in a graph ${g.side.toFixed(0)} across`);
      assert(g.nodes === nodes.length && g.edges === edges.length, `every node and edge drawn (${g.nodes}/${nodes.length}, ${g.edges}/${edges.length})`);
      assert(g.overlaps === 0, `no two nodes overlap (${g.overlaps} pairs)`);
      assert(g.leafDist < g.side / 20, `leaves sit beside their node (mean ${g.leafDist.toFixed(0)} in ${g.side.toFixed(0)})`);
      assert(g.root && g.selected.join() === root && g.big === g.edges, 'root marked and selected, straight edges');
      assert((await page.textContent('#side-title')).includes('测试同名人员企业甲'), 'the side panel shows the root');
      await page.screenshot({ path: path.join(out, 'large-network.png') });
      // Pan and zoom right after a click: the layers are rebuilt in one frame, not over ten.
      const pos = await page.evaluate(() => { const cy = window.__rg.cy; const x = cy.nodes('[kind = "enterprise"]').last(); const b = cy.container().getBoundingClientRect(); const p = x.renderedPosition(); return { x: b.left + p.x, y: b.top + p.y }; });
      await page.mouse.click(pos.x, pos.y);
      await page.waitForFunction(() => /大网测试企业|孤岛/.test(document.querySelector('#side-title').textContent));
      const frames = await page.evaluate(() => new Promise((resolve) => {
        const cy = window.__rg.cy, ts = [];
        let k = 0;
        const step = (t) => {
          ts.push(t);
          if (k++ >= 30) { resolve(ts.slice(1).map((x, i) => x - ts[i])); return; }
          if (k % 2) cy.zoom({ level: cy.zoom() * 1.04, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } }); else cy.panBy({ x: 6, y: 3 });
          requestAnimationFrame(step);
        };
        requestAnimationFrame(step);
      }));
      const slow = frames.filter((x) => x > 100).length;
      log(`large: pan/zoom frames ${frames.map(Math.round).join(' ')}`);
      assert(slow <= 3, `at most 3 of 30 pan/zoom frames over 100 ms (${slow})`);
      // Grouping before the layout (on the answer) gives the groups grouping on the canvas gives:
      // 200 of records, 40 of officers, 7 legal representatives of T2, 19 branches in the other part.
      n = await renders(page);
      await page.check('#group-leaves');
      const onCanvas = await page.evaluate(() => window.__rg.cy.nodes('[kind = "group"]').map((x) => x.id() + '=' + x.data('count')).sort());
      await page.selectOption('#limit', '2000');
      await waitRender(page, n);
      n = await renders(page);
      await page.selectOption('#limit', '5000');
      await waitRender(page, n);
      const before = await page.evaluate(() => window.__rg.cy.nodes('[kind = "group"]').map((x) => x.id() + '=' + x.data('count')).sort());
      log(`large: ${before.length} groups before the layout, ${onCanvas.length} on the canvas`);
      assert(before.length === 242 && before.join() === onCanvas.join(), `the same groups (${before.length} against ${onCanvas.length})`);
      assert(await page.evaluate(() => window.__rg.cy.nodes('[kind = "record"]').length) === 0, 'every record in a group');
    });

    // --- features: timeline and the date slider ---
    check('timeline', 'timeline of a person (roles, holdings, dates) and the network as it stood on a day', async (page) => {
      await openExplorer(page, demo, E1);
      const ids = await page.evaluate(() => {
        const cy = window.__rg.cy;
        const off = (tt) => cy.edges('[type = "OFFICER_OF"]').filter((x) => x.data('props').title_text === tt || x.data('props').title === tt)[0];
        const p1 = off('执行董事兼总经理').source().id();
        return { p1, p3off: cy.edges('[type = "OFFICER_OF"]').filter((x) => x.source().id() !== p1).map((x) => x.id())[0],
          holds: cy.edges('[type = "HOLDS_SHARES"]').map((x) => ({ id: x.id(), since: x.data('props').since, from: x.data('source') })) };
      });
      await page.evaluate((id) => window.__rg.cy.getElementById(id).emit('tap'), ids.p1);
      await page.waitForSelector('#timeline-list li');
      const items = await page.$$eval('#timeline-list li', (ls) => ls.map((l) => ({ d: l.dataset.date, text: l.textContent })));
      assert(items.some((i) => i.d === '2015-01-01' && /持股/.test(i.text)) && items.some((i) => i.d === '2018-05-01' && /执行董事/.test(i.text)), 'holding and role on the timeline: ' + JSON.stringify(items));
      assert(items.map((i) => i.d).join() === items.map((i) => i.d).sort().join(), 'in date order');
      assert(await page.locator('#timeline svg.tl-axis circle').count() === items.length, 'one mark per event on the axis');
      // The network on 2015-01-01: P3's office (2021) and P2's holding (2020) had not begun.
      await page.click('#timeline-list li[data-date="2015-01-01"] button.tl-date');
      assert(await page.textContent('#asof-label') === '2015-01-01', 'the slider moved to the day');
      const st = await page.evaluate((x) => {
        const cy = window.__rg.cy;
        const shown = (id) => cy.getElementById(id).style('display') !== 'none';
        return { p3off: shown(x.p3off), holds: x.holds.map((hh) => ({ ...hh, shown: shown(hh.id) })) };
      }, ids);
      assert(!st.p3off, 'an office begun later is hidden');
      for (const hh of st.holds) assert(hh.shown === !(hh.since && hh.since.slice(0, 10) > '2015-01-01'), 'holdings as they stood: ' + JSON.stringify(hh));
      assert(/近似/.test(await page.textContent('#asof-note')), 'the slider says what is approximate');
      assert(!/null|undefined/.test(await page.textContent('#timeline')), 'no stray null in the timeline');
      await page.screenshot({ path: path.join(out, 'timeline.png') });
      await page.click('#asof-clear');
      assert(await page.evaluate(() => window.__rg.cy.elements().every((e) => e.style('display') !== 'none')), 'today: everything shows');
      // The slider by keyboard.
      await page.focus('#asof-range');
      await page.keyboard.press('Home');
      assert(/^\d{4}-\d{2}-\d{2}$/.test(await page.textContent('#asof-label')), 'Home moves the slider to the earliest day');
    });

    // --- features: trends on the dashboard ---
    check('trends', 'dashboard trends: grade and flag counts over the last runs, following the province filter', async (page) => {
      const runs = (await demo.api('/runs?limit=20')).runs.filter((r) => r.status === 'completed' && r.summary && r.summary.grades).slice(0, 10).reverse();
      assert(runs.length >= 2, 'two runs in the data');
      await page.goto(demo.base + '/#/dashboard');
      await page.waitForSelector('#trends-table tbody tr[data-grade="D"]');
      const cols = await page.$$eval('#trends-table thead th[data-run]', (ths) => ths.map((th) => th.dataset.run));
      assert(cols.join() === runs.map((r) => r.id).join(), 'one column per run, oldest first');
      const row = async (sel) => page.$$eval(`#trends-table tbody tr${sel} td.num`, (tds) => tds.map((td) => +td.textContent));
      assert((await row('[data-grade="D"]')).join() === runs.map((r) => r.summary.grades.total.D || 0).join(), 'D counts per run');
      const fk = Object.keys(runs.at(-1).summary.flags || {})[0];
      if (fk) assert((await row(`[data-flag="${fk}"]`)).join() === runs.map((r) => (r.summary.flags || {})[fk] || 0).join(), 'flag counts per run');
      await page.locator('#p-trends').screenshot({ path: path.join(out, 'trends.png') });
      const prov = await page.locator('#p-region button.row').first().getAttribute('data-key');
      const provName = (await page.locator('#p-region button.row').first().locator('.bl').textContent()).trim();
      await page.selectOption('#f-province', prov);
      await page.waitForFunction((n) => (document.querySelector('#trends-note')?.textContent || '').includes(n), provName);
      await page.waitForSelector('#trends-table tbody tr[data-grade="A"]');
      assert((await row('[data-grade="A"]')).join() === runs.map((r) => (r.summary.grades.region[provName] || {}).A || 0).join(), 'the province\'s A counts');
    });

    results.push(...await runChecks({ checks, newPage: () => browser.context.newPage(), out, log, timeout: T }));
  } finally {
    if (browser) await browser.close();
    await demo.stop();
    demo.cleanup();
  }
  reportChecks('issue18', results);
}

main().catch((e) => { console.error('issue18: FAIL:', e.stack || e.message); process.exit(1); });
