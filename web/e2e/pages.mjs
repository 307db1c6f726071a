// Browser tests of the inspector's review pages of matching (issue 15:
// match review queue, duplicate pairs with an admin's xref run) and the
// credit-check page (issue 16), the record actions (objection, decision,
// repair; issue 16), the credit-report links and the owners' criteria (issue 17) and the API
// reference at /api/docs (issue 20), run by scripts/web-e2e.sh after
// issue18.mjs. Each check runs on its own page; all run even when one
// fails; the last line says "N passed, M failed". ONLY=review,checks runs some.
//
// The data: `riskgraph demo`, plus — through the API — two enterprises
// under source keys named exactly like two demo enterprises X and Y (so
// that an xref run pairs them), a blacklist record on a third one Z and a
// branch of Z, an enterprise LF1 with two records for the record actions; then, with the demo stopped, `riskgraph ingest --match` of a
// records file naming X and Y by name only: each name ties between the
// enterprise and its namesake and waits in the review queue.
import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Demo, launch, ingest, runChecks, reportChecks } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, 'out');
mkdirSync(out, { recursive: true });
const T = 20_000;
const t0 = Date.now();
const log = (s) => console.log(`pages: ${((Date.now() - t0) / 1000).toFixed(1)}s ${s}`);
function assert(ok, msg) { if (!ok) throw new Error('assertion failed: ' + msg); }

const ownersFixture = {
  enterprises: 'id,name,kind,status,capital,currency\nOW1,测试表决权有限公司,company,active,50000000,CNY\nOW2,测试兜底有限公司,company,active,50000000,CNY\n' +
    'OWF,Overseas Owners Holdings Ltd,foreign,active,,\nOWB,测试境外公司上海分公司,branch,active,,\nOW4,测试豁免有限公司,company,active,1000000,CNY\n',
  persons: 'person_id,name\nOA,表决甲\nOB,股权乙\nOC,兜底丙\nOI,境外丁\nOJ,负责人戊\nOK,豁免己\nOL,豁免庚\n' +
    [1, 2, 3, 4, 5].map((i) => `OS${i},散户${i}`).join('\n') + '\n',
  shareholdings: 'holder_kind,holder,enterprise,ratio,since,voting_ratio\nperson,OA,OW1,0.1,2015-01-01,0.6\nperson,OB,OW1,0.9,2015-01-01,0.4\n' +
    [1, 2, 3, 4, 5].map((i) => `person,OS${i},OW2,0.2,2015-01-01,`).join('\n') +
    '\nperson,OI,OWF,1,2010-01-01,\nperson,OK,OW4,0.6,2020-01-01,\nperson,OL,OW4,0.4,2020-01-01,\n',
  officers: 'person_id,enterprise,title,since\nOC,OW2,总经理,2019-01-01\nOJ,OWB,分公司负责人,2020-01-01\n',
  branches: 'branch,parent\nOWB,OWF\n',
};

async function call(demo, method, p, body, key) {
  const headers = { 'Content-Type': 'application/json' };
  if (key) headers.Authorization = 'Bearer ' + key;
  const r = await fetch(demo.base + '/api/v1' + p, { method, headers, body: body ? JSON.stringify(body) : undefined });
  if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${await r.text()}`);
  return r.json();
}

async function main() {
  const demo = new Demo(2000);
  const input = mkdtempSync(path.join(tmpdir(), 'rg-e2e-match-'));
  let browser = null;
  const results = [];
  try {
    await demo.start();
    // X, Y: enterprises with a USCC whose names no other enterprise has; Z another one.
    const top = (await demo.api('/ranking?limit=200')).ranking.items.filter((it) => /^9/.test(it.ref.key));
    const uniq = [];
    for (const it of top) {
      if (uniq.length === 3) break;
      const hits = (await demo.api('/search?limit=10&q=' + encodeURIComponent(it.name))).hits.filter((x) => x.name === it.name);
      if (hits.length === 1) uniq.push({ key: it.ref.key, name: it.name, e: (await demo.api('/enterprises/' + it.ref.key)).enterprise });
    }
    assert(uniq.length === 3, 'three enterprises with a unique name');
    const [X, Y, Z] = uniq;
    const csvCell = (s) => (/[",]/.test(s || '') ? '"' + s.replace(/"/g, '""') + '"' : s || '');
    await ingest(demo, 'enterprises', 'id,name,kind,status,region,address\n' +
      [['DUP1', X], ['DUP2', Y]].map(([id, o]) => [id, o.name, 'company', 'active', o.e.region, o.e.address].map(csvCell).join(',')).join('\n') +
      '\nBR1,测试核查分公司,branch,active,,\nLF1,测试异议修复有限公司,company,active,,\n');
    await ingest(demo, 'branches', `branch,parent\nBR1,${Z.key}\n`);
    await ingest(demo, 'records', `record_id,subject_kind,subject,kind,authority,decided\nE2E-CK-1,enterprise,${Z.key},blacklist,测试市场监督管理局,2025-01-10\n` +
      // Two records of LF1 for the objection and repair actions (issue 16).
      'E2E-LF-1,enterprise,src:e2e:LF1,administrative_penalty,测试市场监督管理局,2025-02-01\nE2E-LF-2,enterprise,src:e2e:LF1,abnormal_operations,测试市场监督管理局,2025-02-02\n');
    // Owners under the 2024 rules (issue 17): OW1 by equity and by votes (a
    // 10 % holding with 60 % of the votes), OW2 nobody qualifies (its 总经理
    // is reported), OWB a branch of the foreign OWF (Art. 8), OW4 exempt.
    for (const [kind, body] of Object.entries(ownersFixture)) await ingest(demo, kind, body);
    await demo.stop();
    writeFileSync(path.join(input, 'records.csv'), 'record_id,subject_kind,subject,kind,authority,decided\n' +
      `E2E-RV-1,enterprise,${X.name},administrative_penalty,测试市场监督管理局,2025-03-01\n` +
      `E2E-RV-2,enterprise,${Y.name},administrative_penalty,测试市场监督管理局,2025-03-02\n`);
    const loaded = demo.run('ingest', '--match', '--source', 'e2e', input);
    assert(/2 queued for review/.test(loaded), 'two rows queued for review: ' + loaded);
    const checkerKey = demo.run('keys', 'create', '--role', 'checker', '--name', 'e2e-checker').match(/rgk_[A-Za-z0-9_-]+/)[0];
    await demo.start();
    log(`demo up at ${demo.base}: X ${X.name}, Y ${Y.name}, Z ${Z.name} (blacklisted, branch src:e2e:BR1)`);

    browser = await launch();
    const checks = [];
    const check = (id, name, fn) => checks.push({ id, name, fn });

    // --- issue 15: the match review queue ---
    check('review', 'match review: entries with file, line, field, query, candidates (score, evidence); accept one, reject one', async (page) => {
      await page.goto(demo.base + '/#/review');
      await page.waitForSelector('#review-list article');
      assert(await page.isVisible('#tab-review') && await page.getAttribute('#tab-review', 'aria-current') === 'page', 'the review tab is current');
      const arts = await page.$$eval('#review-list article', (as) => as.map((a) => ({
        id: a.dataset.id, head: a.querySelector('h3').textContent, query: a.querySelector('.query').textContent,
        cands: [...a.querySelectorAll('tbody tr')].map((tr) => ({ key: tr.dataset.key, text: tr.textContent, ev: tr.querySelectorAll('.ev').length,
          score: tr.querySelector('.score').textContent, aria: tr.querySelector('button.accept').getAttribute('aria-label') })) })));
      assert(arts.length === 2, 'two pending entries: ' + arts.length);
      const ax = arts.find((a) => a.head.includes(X.name));
      const ay = arts.find((a) => a.head.includes(Y.name));
      assert(ax && ay, 'an entry per name');
      assert(/records\.csv:2/.test(ax.head) && /subject/.test(ax.head) && /e2e/.test(ax.head), 'file, line, field and data set: ' + ax.head);
      assert(ax.query.includes(X.name) && /1 行/.test(ax.query), 'the query and its rows: ' + ax.query);
      const cx = ax.cands.find((c) => c.key === X.key), cd = ax.cands.find((c) => c.key === 'src:e2e:DUP1');
      assert(cx && cd && cx.ev >= 2 && cx.score === '1.000' && cx.text.includes(X.name), 'both namesakes listed with score and evidence: ' + JSON.stringify(ax.cands.slice(0, 2)));
      assert(cx.aria.includes(X.name), 'accept button labelled with the candidate: ' + cx.aria);
      await page.screenshot({ path: path.join(out, 'review.png') });
      // Accept X for the first entry, with the keyboard.
      await page.focus(`#review-list article[data-id="${ax.id}"] tr[data-key="${X.key}"] button.accept`);
      await page.keyboard.press('Enter');
      await page.waitForSelector(`#review-list article[data-id="${ax.id}"] .outcome.accepted`);
      assert(/写入 1 行/.test(await page.textContent(`#review-list article[data-id="${ax.id}"] .outcome`)), 'the rows written');
      assert(await page.evaluate((id) => document.activeElement === document.querySelector(`article[data-id="${id}"] .outcome`), ax.id), 'focus on the outcome');
      assert(await page.locator(`#review-list article[data-id="${ax.id}"] button:not([disabled])`).count() === 0, 'a decided entry has no buttons left');
      // Reject the other.
      await page.click(`#review-list article[data-id="${ay.id}"] button.reject`);
      await page.waitForSelector(`#review-list article[data-id="${ay.id}"] .outcome.rejected`);
      assert(/待审核 0 条，本页已决定 2 条/.test(await page.textContent('#review-status')), 'status counts: ' + await page.textContent('#review-status'));
      // Through the API: decided, the record attached to X.
      const all = (await demo.api('/match/review?status=all')).entries;
      assert(all.find((e) => e.id === ax.id).status === 'accepted' && all.find((e) => e.id === ax.id).key === X.key, 'accepted for X');
      assert(all.find((e) => e.id === ay.id).status === 'rejected', 'rejected');
      const recs = (await demo.api(`/enterprises/${X.key}/records?limit=100`)).records.items;
      assert(recs.some((r) => r.id === 'src:e2e:E2E-RV-1'), 'the held record is written on X');
      // A reload shows nothing pending.
      await page.click('#review-reload');
      await page.waitForFunction(() => /没有待审核/.test(document.querySelector('#review-status').textContent));
    });

    // --- issue 15: duplicates, with an admin's xref run ---
    check('duplicates', 'duplicates: an admin starts an xref run and it is polled; pairs with both names, score, evidence; confirm, undo, reject', async (page) => {
      await page.goto(demo.base + '/#/duplicates');
      await page.waitForSelector('#dupes-status:not(:empty)');
      await page.waitForFunction(() => !/加载中/.test(document.querySelector('#dupes-status').textContent));
      assert(await page.isVisible('#xref-start'), 'admins see the run button');
      await page.click('#xref-start');
      await page.waitForFunction(() => /完成：发现 \d+ 对/.test(document.querySelector('#xref-run').textContent), null, { timeout: 60_000 });
      await page.waitForSelector('#pairs tbody tr');
      const rows = await page.$$eval('#pairs tbody tr', (trs) => trs.map((tr) => ({ id: tr.dataset.id, status: tr.dataset.status,
        cells: [...tr.querySelectorAll('td')].map((td) => td.textContent), links: [...tr.querySelectorAll('a')].map((a) => a.getAttribute('href')),
        ev: tr.querySelectorAll('.ev').length, buttons: [...tr.querySelectorAll('button')].map((b) => b.getAttribute('aria-label')) })));
      const px = rows.find((r) => r.cells[1].includes(X.key) || r.cells[2].includes(X.key));
      const py = rows.find((r) => r.cells[1].includes(Y.key) || r.cells[2].includes(Y.key));
      assert(px && py, 'pairs of X and Y listed: ' + JSON.stringify(rows.map((r) => r.cells.slice(0, 3))));
      assert(px.cells[1].includes(X.name) && px.cells[2].includes(X.name) && px.cells.join().includes('src:e2e:DUP1'), 'both enterprises named, keys shown: ' + px.cells.join(' | '));
      assert(/^\d\.\d{3}$/.test(px.cells[0]) && px.ev >= 2, 'score and evidence: ' + px.cells[0]);
      assert(px.links.includes('#/explorer/' + encodeURIComponent('src:e2e:DUP1')), 'names link into the explorer');
      assert(px.buttons.length === 2 && px.buttons[0].includes(X.name), 'confirm and reject, labelled with the pair: ' + px.buttons.join(' | '));
      await page.screenshot({ path: path.join(out, 'duplicates.png') });
      // Confirm X's pair, then undo it; reject Y's.
      await page.click(`#pairs tr[data-id="${px.id}"] button.decide-confirm`);
      await page.waitForSelector(`#pairs tr[data-id="${px.id}"][data-status="confirmed"] button.decide-undo`);
      assert(/已确认/.test(await page.textContent('#dupes-status')), 'status says confirmed');
      assert(await page.evaluate((id) => document.activeElement === document.querySelector(`#pairs tr[data-id="${id}"] button.decide-undo`), px.id), 'focus stays on the row');
      assert((await call(demo, 'GET', '/xref/pairs?status=confirmed')).pairs.some((p) => p.id === px.id), 'confirmed in the store');
      await page.keyboard.press('Enter'); // undo, with the keyboard
      await page.waitForSelector(`#pairs tr[data-id="${px.id}"][data-status="undone"] button.decide-confirm`);
      await page.click(`#pairs tr[data-id="${py.id}"] button.decide-reject`);
      await page.waitForSelector(`#pairs tr[data-id="${py.id}"][data-status="rejected"]`);
      const st = async (s) => (await call(demo, 'GET', '/xref/pairs?status=' + s)).pairs.map((p) => p.id);
      assert((await st('undone')).includes(px.id) && (await st('rejected')).includes(py.id), 'undone and rejected in the store');
      // The status filter shows the rejected pair with its undo.
      await page.selectOption('#pairs-status', 'rejected');
      await page.waitForSelector(`#pairs tr[data-id="${py.id}"] button.decide-undo`);
    });

    // --- issue 16: the credit check page ---
    check('checks', 'credit check: scenarios from the catalogue, pasted subjects, verdicts with measures, basis, evidence; certificate', async (page) => {
      await page.goto(demo.base + '/#/checks');
      await page.waitForSelector('#check-scenario option[value="bidding"]', { state: 'attached' });
      const scen = (await call(demo, 'GET', '/credit-checks/scenarios')).scenarios;
      const opts = await page.$$eval('#check-scenario option', (os) => os.map((o) => ({ v: o.value, text: o.textContent })));
      assert(opts.length === scen.length && opts.every((o, i) => o.v === scen[i].id && o.text.startsWith(scen[i].zh)), 'every scenario of the catalogue, labelled');
      assert(await page.inputValue('#check-scenario') === 'bidding', 'bidding by default');
      await page.fill('#check-input', [Z.key, '', 'src:e2e:BR1', X.key, 'src:e2e:nope'].join('\n'));
      await page.waitForFunction(() => /4 个主体/.test(document.querySelector('#check-count').textContent));
      await page.click('#check-submit');
      await page.waitForSelector('#check-results tbody tr');
      const rows = await page.$$eval('#check-results tbody tr', (trs) => trs.map((tr) => ({ line: tr.dataset.line, verdict: tr.dataset.verdict || '', text: tr.textContent,
        rules: [...tr.querySelectorAll('li.measure')].map((m) => m.dataset.rule), cert: tr.querySelector('button.cert')?.dataset.check })));
      assert(rows.length === 4, 'four rows (blank line skipped)');
      const [rz, rb, rx, rn] = rows;
      assert(rz.line === '1' && rz.verdict === 'prohibited' && rz.rules.includes('lists-serious-violation-bar') && rz.text.includes(Z.name), 'Z prohibited by its blacklist: ' + rz.text.slice(0, 300));
      assert(/国务院令第654号/.test(rz.text) && /黑名单/.test(rz.text) && /2025-01-10/.test(rz.text) && /测试市场监督管理局/.test(rz.text), 'basis and evidence record: ' + rz.text);
      assert(rb.line === '3' && rb.verdict === 'prohibited' && /所属企业/.test(rb.text) && rb.text.includes(Z.name) && /关联路径/.test(rb.text), 'the branch by its parent, with the path: ' + rb.text);
      const api = await call(demo, 'POST', '/credit-checks', { subject: X.key, scenario: 'bidding' });
      assert(rx.line === '4' && rx.verdict === api.result.verdict, `X's verdict as the API's (${rx.verdict} vs ${api.result.verdict})`);
      assert(rn.line === '5' && !rn.verdict && /no such enterprise/.test(rn.text), 'an unknown key: its reason: ' + rn.text);
      const sum = await page.textContent('#check-status');
      assert(sum.includes('禁止 ' + rows.filter((r) => r.verdict === 'prohibited').length) && /无法核查 1/.test(sum), 'summary counts the rows: ' + sum);
      await page.screenshot({ path: path.join(out, 'checks.png') });
      // Too many lines are refused before sending.
      await page.$eval('#check-input', (el) => { el.value = Array.from({ length: 10_001 }, (_, i) => 'x' + i).join('\n'); el.dispatchEvent(new Event('input')); });
      await page.click('#check-submit');
      await page.waitForFunction(() => /10001 个主体，超过每次 10000 个/.test(document.querySelector('#check-status').textContent));
      // The certificate opens in a new tab (a blob: URL, fetched with the key).
      const [popup] = await Promise.all([page.waitForEvent('popup'), page.click(`#check-results tr[data-line="1"] button.cert`)]);
      await popup.waitForURL(/^blob:/, { timeout: T });
      await popup.waitForLoadState();
      const cert = await popup.textContent('body');
      assert(cert.includes(rz.cert) && cert.includes(Z.name) && /lists-serious-violation-bar/.test(cert), 'certificate of the check');
      await popup.close();
      // English labels.
      await page.click('#lang');
      await page.fill('#check-input', Z.key);
      await page.click('#check-submit');
      await page.waitForFunction(() => /prohibited/.test(document.querySelector('#check-results tbody tr')?.textContent || '') && /Verdict/.test(document.querySelector('#check-results thead').textContent));
      await page.click('#lang');
    });

    // --- issue 16: record actions in the explorer: objection, decision, repair ---
    check('records', 'record actions: state badges; file an objection, decide it (withdrawn), reject one, record a repair; a record node shows its life', async (page) => {
      const r1 = 'src:e2e:E2E-LF-1', r2 = 'src:e2e:E2E-LF-2';
      const li = (id) => `#records li[data-record="${id}"]`;
      const life = async (id) => page.$$eval(li(id) + ' > span .life', (bs) => bs.map((b) => b.dataset.life));
      await page.goto(demo.base + '/#/explorer/' + encodeURIComponent('src:e2e:LF1'));
      await page.waitForSelector(li(r1) + ' .life');
      assert((await life(r1)).join() === 'counts' && (await life(r2)).join() === 'counts', 'both records in force: ' + await life(r1));
      // Open record 1's life (a labelled disclosure button) and file an objection.
      const open1 = page.locator(li(r1) + ' button.rec-open');
      assert(/行政处罚 2025-02-01/.test(await open1.getAttribute('aria-label')), 'the button names its record');
      await open1.click();
      assert(await open1.getAttribute('aria-expanded') === 'true', 'aria-expanded follows');
      const f1 = page.locator(li(r1) + ' .recfile');
      await f1.locator('.obj-form summary').click();
      assert(await f1.locator('label:has-text("异议理由") textarea').count() === 1, 'the reason field is labelled');
      await f1.locator('.obj-reason').fill('处罚对象有误');
      await f1.locator('.obj-attachments').fill('申请书 2026-001\n营业执照副本');
      await f1.locator('.obj-submit').click();
      await page.waitForFunction((s) => [...document.querySelectorAll(s + ' > span .life')].some((b) => b.dataset.life === 'objection'), li(r1));
      assert(await page.evaluate(() => document.activeElement?.classList.contains('recmsg')), 'focus on the outcome');
      assert(await page.locator(li(r1) + ' > span .life-objection').getAttribute('title') === '处罚对象有误', 'the badge shows the objection\'s reason');
      let v = await call(demo, 'GET', '/records/' + encodeURIComponent(r1));
      assert(v.objections.length === 1 && v.objections[0].status === 'open' && v.objections[0].attachments.length === 2 && v.state.under_objection, 'objection stored: ' + JSON.stringify(v.objections));
      assert(await f1.locator(`li.objection[data-objection="${v.objections[0].id}"][data-status="open"]`).count() === 1, 'listed as open');
      assert(await f1.locator('.obj-form').count() === 0, 'no second objection while one is open');
      // Decide it: upheld, the record withdrawn.
      await f1.locator('.dec-decision').selectOption('upheld');
      assert(await f1.locator('.dec-outcome').isVisible() && await f1.locator('.dec-severity').isHidden(), 'outcome asked for, severity only when corrected');
      await f1.locator('.dec-outcome').selectOption('withdrawn');
      await f1.locator('.dec-note').fill('复核属实');
      await f1.locator('.dec-submit').click();
      await page.waitForFunction((s) => [...document.querySelectorAll(s + ' > span .life')].some((b) => b.dataset.life === 'withdrawn'), li(r1));
      v = await call(demo, 'GET', '/records/' + encodeURIComponent(r1));
      assert(v.objections[0].status === 'upheld' && v.objections[0].outcome === 'withdrawn' && v.objections[0].decided_by && !v.state.counts && v.state.reason === 'withdrawn', 'decision stored: ' + JSON.stringify(v));
      assert(/异议成立/.test(await f1.textContent()) && /撤销记录/.test(await f1.textContent()), 'the history shows the decision');
      // Record 2: an objection rejected (it stands), then a repair, by keyboard.
      await page.locator(li(r2) + ' button.rec-open').click();
      const f2 = page.locator(li(r2) + ' .recfile');
      await f2.locator('.obj-form summary').click();
      await f2.locator('.obj-reason').fill('已整改');
      await f2.locator('.obj-submit').click();
      await f2.locator('.dec-form').waitFor();
      await f2.locator('.dec-submit').click(); // rejected is the default
      await f2.locator('li.objection[data-status="rejected"]').waitFor();
      assert((await life(r2)).join() === 'counts', 'a rejected objection leaves the record in force');
      await f2.locator('.rep-form summary').click();
      assert(await f2.locator('.rep-date').inputValue() === new Date().toISOString().slice(0, 10), 'repair dated today by default');
      await f2.locator('.rep-date').fill('2026-01-15');
      await f2.locator('.rep-basis').fill('已完成信用修复培训并提交报告');
      await f2.locator('.rep-basis').focus();
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await page.waitForFunction((s) => [...document.querySelectorAll(s + ' > span .life')].some((b) => b.dataset.life === 'repaired'), li(r2));
      v = await call(demo, 'GET', '/records/' + encodeURIComponent(r2));
      assert(v.repair && v.repair.date === '2026-01-15' && v.repair.basis === '已完成信用修复培训并提交报告' && v.state.reason === 'repaired', 'repair stored: ' + JSON.stringify(v.repair));
      assert(await f2.locator('.rep-form').count() === 0 && /2026-01-15 信用修复/.test(await f2.textContent()), 'once repaired, shown and no second repair');
      for (const f of [f1, f2]) assert(!/null|undefined|\[object/.test(await f.textContent()), 'no null, undefined or [object in a record\'s file: ' + await f.textContent());
      await page.screenshot({ path: path.join(out, 'record-life.png') });
      // The record node's panel shows the same life.
      await page.locator('#side .nblist button[data-kind=record]').first().waitFor();
      await page.locator('#side .nblist button[data-kind=record]').first().click();
      await page.waitForSelector('#records .recfile .recstate .life');
      const st = await page.$$eval('#records .recfile .recstate .life', (bs) => bs.map((b) => b.dataset.life));
      assert(st.includes('withdrawn') || st.includes('repaired'), 'the record node shows its state: ' + st);
    });

    // --- issue 17: the credit report in three formats ---
    check('creditreport', 'credit report: JSON, HTML and PDF links in the profile each open (200, right content type)', async (page) => {
      // Keep the blobs the page hands to new tabs, to read them back.
      await page.addInitScript(() => {
        window.__blobs = {};
        const make = URL.createObjectURL;
        URL.createObjectURL = (b) => { const u = make(b); window.__blobs[u] = b; return u; };
      });
      await page.goto(demo.base + '/#/explorer/' + Z.key);
      await page.waitForSelector('#credit-report-html');
      assert((await page.getAttribute('#credit-report-pdf', 'aria-label')).includes(Z.name), 'the links are labelled with the enterprise');
      const types = { json: 'application/json', html: 'text/html', pdf: 'application/pdf' };
      for (const [f, type] of Object.entries(types)) {
        const [popup, resp] = await Promise.all([page.waitForEvent('popup'),
          page.waitForResponse((r) => r.url().includes('/credit-report?format=' + f)), page.click('#credit-report-' + f)]);
        assert(resp.status() === 200 && resp.headers()['content-type'].startsWith(type), `${f}: ${resp.status()} ${resp.headers()['content-type']}`);
        assert(!resp.url().includes('rgk_') && !popup.url().includes('rgk_'), 'no key in a URL');
        await popup.waitForURL(/^blob:/, { timeout: T });
        // What the new tab holds: the blob, read back in the tab.
        const got = await page.evaluate(async (u) => { const b = window.__blobs[u]; return { type: b.type, text: await b.text() }; }, popup.url());
        assert(got.type.startsWith(type), `${f} tab holds ${got.type}`);
        if (f === 'pdf') assert(got.text.startsWith('%PDF-'), 'a PDF');
        if (f === 'json') assert(JSON.parse(got.text).number === resp.headers()['x-credit-report-number'], 'the numbered report');
        if (f === 'html') assert(got.text.includes(Z.name) && (await popup.textContent('body')).includes(Z.name), 'the HTML names the enterprise');
        await popup.close();
      }
    });

    // --- issue 17: the owners' criteria in the explorer's ownership view ---
    check('owners', 'owners view: each owner\'s criterion and criteria, equity/voting/income, control basis, chains; filing status; fallback; foreign branch (Art. 8); English labels', async (page) => {
      const open = async (id) => {
        await page.goto('about:blank');
        await page.goto(demo.base + '/#/explorer/' + encodeURIComponent('src:e2e:' + id));
        await page.waitForFunction(() => window.__rg && window.__rg.renders > 0, null, { timeout: T });
        await page.click('#mode-ownership');
        await page.waitForSelector('#owners-filing');
      };
      const owner = (name) => page.locator('#owners > li', { hasText: name });
      const text = async (sel) => (await page.textContent(sel)).replace(/\s+/g, ' ');

      // OW1: 股权乙 by equity (also income and voting); 表决甲 by votes, controlling by majority.
      await open('OW1');
      assert(await page.locator('#owners > li').count() === 2, 'two owners of OW1');
      const b = owner('股权乙'), a = owner('表决甲');
      assert(await b.getAttribute('data-criterion') === 'equity' && await a.getAttribute('data-criterion') === 'voting', 'criteria equity and voting');
      const bt = (await b.textContent()).replace(/\s+/g, ' '), at = (await a.textContent()).replace(/\s+/g, ' ');
      assert(/股权 ≥ 25%/.test(bt) && /另符合 收益权 ≥ 25%、表决权 ≥ 25%/.test(bt), '股权乙: criterion and the others met: ' + bt);
      assert(bt.includes('股权 90.00% · 表决权 40.00% · 收益权 90.00%'), '股权乙: shares: ' + bt);
      assert(/表决权 ≥ 25%/.test(at) && /另符合 实际控制/.test(at) && at.includes('控制方式：表决权过半数'), '表决甲: voting, also control, by majority: ' + at);
      assert(at.includes('股权 10.00% · 表决权 60.00% · 收益权 10.00%'), '表决甲: shares: ' + at);
      assert(at.includes('表决甲 → 测试表决权有限公司 (10.00%)'), '表决甲: the chain: ' + at);
      assert(await page.getAttribute('#owners-filing', 'data-status') === 'required' && (await text('#owners-filing')).includes('需备案'), 'OW1 files');
      assert((await text('#controller')).includes('表决甲'), 'the actual controller');
      assert(await page.isHidden('#owners-fallback'), 'no fallback for OW1');
      await page.screenshot({ path: path.join(out, 'owners.png') });

      // OW2: nobody qualifies: the general manager, said as the fallback.
      await open('OW2');
      assert(await page.isVisible('#owners-fallback'), 'the fallback is said');
      const c = owner('兜底丙');
      assert(await c.getAttribute('data-criterion') === 'senior_manager' && /日常经营管理负责人 · 总经理/.test(await c.textContent()), 'the 总经理 as day-to-day manager: ' + await c.textContent());
      assert(await page.locator('#owners > li').count() === 1, 'only the manager');

      // OWB: a branch of the foreign OWF: the head office's owner with the chain through it, the person in charge.
      await open('OWB');
      await page.waitForFunction(() => /Overseas Owners Holdings Ltd/.test(document.querySelector('#owners-head-office')?.textContent || ''));
      const d = owner('境外丁'), e = owner('负责人戊');
      assert(await d.getAttribute('data-criterion') === 'equity' && await e.getAttribute('data-criterion') === 'branch_executive', 'equity of the head office; branch executive');
      assert((await d.textContent()).includes('境外丁 → Overseas Owners Holdings Ltd → 测试境外公司上海分公司'), 'the chain runs on to the branch: ' + await d.textContent());
      assert(/分支机构高级管理人员 · 分公司负责人/.test(await e.textContent()), 'the person in charge: ' + await e.textContent());
      assert((await text('#owners-filing')).includes('Art. 8'), 'files under Art. 8: ' + await text('#owners-filing'));

      // OW4: exempt on commitment, its reason shown; the owners still listed.
      await open('OW4');
      assert(await page.getAttribute('#owners-filing', 'data-status') === 'exempt_on_commitment' && (await text('#owners-filing')).includes('承诺后免于备案'), 'OW4 exempt');
      assert(await page.locator('#owners > li').count() === 2, 'OW4 owners listed');

      // English labels.
      await page.evaluate(() => localStorage.setItem('rg.lang', 'en'));
      await open('OW1');
      const en = (await owner('表决甲').textContent()).replace(/\s+/g, ' ');
      assert(/Voting rights ≥ 25%/.test(en) && /also meets Actual control/.test(en) && /majority of the votes/.test(en) && /Equity 10\.00% · Voting 60\.00% · Income 10\.00%/.test(en), 'English: ' + en);
      assert((await text('#owners-filing')).includes('files'), 'English filing');
      await page.evaluate(() => localStorage.removeItem('rg.lang'));
    });

    // --- issue 20: the OpenAPI document rendered for people ---
    check('apidocs', 'API reference at /api/docs: Swagger UI from the local assets lists the operations of /api/v1/openapi.json', async (page) => {
      const outside = [];
      page.on('request', (r) => { if (!/^(data|blob):/.test(r.url()) && !r.url().startsWith(demo.base + '/')) outside.push(r.url()); });
      const docReq = page.waitForResponse((r) => r.url() === demo.base + '/api/v1/openapi.json');
      const resp = await page.goto(demo.base + '/api/docs');
      assert(resp.status() === 200 && /^text\/html/.test(resp.headers()['content-type']), `/api/docs: ${resp.status()} ${resp.headers()['content-type']}`);
      assert((await docReq).status() === 200, 'the page reads /api/v1/openapi.json');
      const op = page.locator('.opblock-summary-path[data-path="/api/v1/enterprises/{key}"]').first();
      await op.waitFor();
      assert(/\/api\/v1\/enterprises\/\{key\}/.test(await op.textContent()), 'the operation /api/v1/enterprises/{key} is listed');
      const spec = await (await fetch(demo.base + '/api/v1/openapi.json')).json();
      const ops = Object.values(spec.paths).reduce((n, p) => n + Object.keys(p).filter((m) => /^(get|post|put|patch|delete)$/.test(m)).length, 0);
      const shown = await page.locator('.opblock').count();
      assert(shown === ops, `every operation listed: ${shown} of ${ops}`);
      // Opening one shows its parameters and responses.
      await op.click();
      await page.locator('.opblock.is-open .parameters-container').first().waitFor();
      assert(/key/.test(await page.locator('.opblock.is-open .parameters-container').first().textContent()), 'its path parameter key');
      await page.screenshot({ path: path.join(out, 'apidocs.png') });
      assert(outside.length === 0, 'no request leaves the server: ' + outside.join(', '));
    });

    // --- issue 16: a checker's key sees the credit check page only ---
    check('checker', 'checker role: only the credit-check page; checks run; no explorer links', async (page) => {
      await demo.stop();
      await demo.start('--insecure-dev=false');
      await page.goto(demo.base + '/');
      await page.fill('#apikey', checkerKey);
      await page.click('form.login button[type=submit]');
      await page.waitForSelector('#check-scenario option[value="bidding"]', { state: 'attached' });
      assert(/#\/checks$/.test(page.url()), 'a checker lands on the credit check: ' + page.url());
      for (const tab of ['explorer', 'dashboard', 'match', 'review', 'duplicates']) assert(await page.isHidden('#tab-' + tab), 'no tab ' + tab);
      await page.fill('#check-input', Z.key);
      await page.click('#check-submit');
      await page.waitForSelector('#check-results tbody tr[data-verdict="prohibited"]');
      assert(await page.locator('#check-results a').count() === 0, 'no explorer links for a checker');
      await page.evaluate(() => { location.hash = '#/duplicates'; });
      await page.waitForFunction(() => /#\/checks$/.test(location.hash) || document.querySelector('#check-scenario'));
      assert(await page.isHidden('#tab-duplicates'), 'duplicates stay out of reach');
    });

    results.push(...await runChecks({ checks, newPage: () => browser.context.newPage(), out, log, timeout: T }));
  } finally {
    if (browser) await browser.close();
    await demo.stop();
    demo.cleanup();
    rmSync(input, { recursive: true, force: true });
  }
  reportChecks('pages', results);
}

main().catch((e) => { console.error('pages: FAIL:', e.stack || e.message); process.exit(1); });
