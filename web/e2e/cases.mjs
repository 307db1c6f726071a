// Browser test of case files (issue 18, docs/ui.md "Case files"), run by
// scripts/web-e2e.sh after pages.mjs: an inspector arranges a network
// (moves a node, pins one, hides one, keeps a group of leaves, zooms),
// saves it as a case; the share URL opened in a fresh page draws the same
// nodes at the same places with the same pins, hidden nodes, group and
// viewport; a stale save there is refused with the reason; the HTML and
// PDF export links answer the documents; the case list opens the case.
// The last line says "N passed, M failed"; ONLY=save,list runs some.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Demo, launch, ingest, runChecks, reportChecks } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, 'out');
mkdirSync(out, { recursive: true });
const T = 20_000;
const t0 = Date.now();
const log = (s) => console.log(`cases: ${((Date.now() - t0) / 1000).toFixed(1)}s ${s}`);
function assert(ok, msg) { if (!ok) throw new Error('assertion failed: ' + msg); }

// An enterprise with eight penalties (a group of leaves), its legal
// representative, and a holder.
const KEY = 'src:e2e:C1';
const fixture = {
  enterprises: 'id,name,kind,status\nC1,测试案件主体有限公司,company,active\nC2,测试案件股东有限公司,company,active\n',
  persons: 'person_id,name\nCP1,案件测试人\n',
  legal_reps: 'person_id,enterprise\nCP1,C1\n',
  shareholdings: 'holder_kind,holder,enterprise,ratio,since\nenterprise,C2,C1,0.7,2019-01-01\nperson,CP1,C2,0.5,2018-01-01\n',
  records: 'record_id,subject_kind,subject,kind,authority,decided\n' + Array.from({ length: 8 }, (_, i) => `C1-P${i},enterprise,C1,administrative_penalty,测试市场监督管理局,2024-0${i + 1}-15`).join('\n') + '\n',
};


// canvas: what the canvas shows — every node with its place and marks,
// the hidden (filtered) ones, groups and their sizes, and the viewport.
const canvas = (page) => page.evaluate(() => {
  const cy = window.__rg.cy;
  const r = (x) => Math.round(x * 10) / 10;
  return {
    nodes: cy.nodes().map((n) => ({ id: n.id(), x: r(n.position().x), y: r(n.position().y), pinned: n.hasClass('pinned'), locked: n.locked(),
      filtered: n.hasClass('filtered'), root: n.hasClass('root'), count: n.data('count') || 0 })).sort((a, b) => (a.id < b.id ? -1 : 1)),
    edges: cy.edges().map((e) => e.data('source') + '>' + e.data('target') + ':' + e.data('type')).sort(),
    zoom: Math.round(cy.zoom() * 1000) / 1000, pan: { x: Math.round(cy.pan().x), y: Math.round(cy.pan().y) },
  };
});

async function main() {
  const demo = new Demo(2000);
  let browser = null;
  const results = [];
  try {
    await demo.start();
    for (const kind of Object.keys(fixture)) await ingest(demo, kind, fixture[kind]);
    log(`demo up at ${demo.base}, fixture ingested`);
    browser = await launch();
    const ctx = browser.context;
    const checks = [];
    const check = (id, name, fn) => checks.push({ id, name, fn });
    let saved = null; // { url, id, title, view }

    check('save', 'arrange a network and save it as a case: title and notes in the dialog, the URL becomes #/case/<id>', async (page) => {
      await page.goto(demo.base + '/#/explorer/' + encodeURIComponent(KEY));
      await page.waitForFunction(() => window.__rg && window.__rg.renders > 0 && window.__rg.cy.nodes().length > 2, null, { timeout: T });
      assert(await page.textContent('#case-save') === '保存案件', 'the save button is labelled in Chinese');
      assert(await page.isDisabled('#case-share') && await page.isDisabled('#case-export-pdf'), 'share and export wait for a saved case');
      const g = await page.evaluate(() => window.__rg.cy.nodes('[kind = "group"]').map((n) => n.data('count')));
      assert(g.length === 1 && g[0] === 8, 'the eight penalties are one group: ' + JSON.stringify(g));
      // Arrange: move the person, pin the holder, hide the person, zoom in.
      const person = await page.evaluate(() => window.__rg.cy.nodes('[kind = "person"]')[0].id());
      const holder = 'enterprise:src:e2e:C2';
      await page.evaluate(({ person }) => { window.__rg.cy.getElementById(person).position({ x: 777.7, y: -333.3 }); }, { person });
      await page.evaluate((id) => { window.__rg.cy.getElementById(id).emit('tap'); }, holder);
      await page.waitForSelector('#pin-node');
      await page.click('#pin-node');
      await page.evaluate((id) => { window.__rg.cy.getElementById(id).emit('tap'); }, person);
      await page.waitForFunction(() => document.querySelector('#hide-node'));
      await page.click('#hide-node');
      await page.uncheck('#show-grade-D');
      await page.evaluate(() => { const cy = window.__rg.cy; cy.zoom(1.234); cy.pan({ x: 111, y: 222 }); });
      const before = await canvas(page);
      assert(before.nodes.find((n) => n.id === holder).pinned && before.nodes.find((n) => n.id === person).filtered, 'pinned and hidden as arranged');
      // Save.
      await page.click('#case-save');
      await page.waitForSelector('#case-dialog[open]');
      await page.fill('#case-title-input', '案件测试：主体与股东');
      await page.fill('#case-notes-input', '第一行笔记\n第二行：股东持股 70%');
      await page.click('#case-submit');
      await page.waitForFunction(() => /案件测试：主体与股东/.test(document.querySelector('#case-name').textContent));
      assert(!(await page.isVisible('#case-dialog')), 'the dialog closes');
      const hash = await page.evaluate(() => location.hash);
      assert(/^#\/case\/case-[0-9a-f]{12}$/.test(hash), 'the URL names the case: ' + hash);
      assert(await page.isEnabled('#case-share') && await page.isEnabled('#case-export-html'), 'share and export enabled');
      await page.click('#case-share');
      const url = await page.inputValue('#case-share-url');
      assert(url === demo.base + '/' + hash, 'the share URL: ' + url);
      const id = hash.slice('#/case/'.length);
      const stored = await demo.api('/cases/' + id);
      assert(stored.case.version === 1 && stored.case.view.nodes.length >= before.nodes.length, 'stored with every node (group members too)');
      assert(stored.case.view.hidden_grades.includes('D') && stored.case.view.groups.length === 1, 'filters and the group stored');
      await page.screenshot({ path: path.join(out, 'case-save.png') });
      saved = { url, id, before, page };
    });

    check('share', 'the share URL in a fresh page: the same nodes at the same places, pins, hidden nodes, group, filters and viewport', async (page) => {
      assert(saved, 'the save check ran');
      await page.goto(saved.url);
      await page.waitForFunction(() => window.__rg && window.__rg.caseOpened > 0, null, { timeout: T });
      const after = await canvas(page);
      const b = saved.before;
      assert(JSON.stringify(after.nodes.map((n) => n.id)) === JSON.stringify(b.nodes.map((n) => n.id)),
        `the same nodes:\n      saved  ${b.nodes.map((n) => n.id).join(' ')}\n      opened ${after.nodes.map((n) => n.id).join(' ')}`);
      for (const n of b.nodes) {
        const m = after.nodes.find((x) => x.id === n.id);
        assert(Math.abs(m.x - n.x) <= 0.2 && Math.abs(m.y - n.y) <= 0.2, `${n.id} at ${m.x},${m.y}, saved at ${n.x},${n.y}`);
        assert(m.pinned === n.pinned && m.locked === n.pinned && m.filtered === n.filtered && m.root === n.root && m.count === n.count, `${n.id}: ${JSON.stringify(m)} vs ${JSON.stringify(n)}`);
      }
      assert(JSON.stringify(after.edges) === JSON.stringify(b.edges), 'the same relationships');
      assert(after.zoom === b.zoom && Math.abs(after.pan.x - b.pan.x) <= 1 && Math.abs(after.pan.y - b.pan.y) <= 1, `viewport ${JSON.stringify([after.zoom, after.pan])} vs ${JSON.stringify([b.zoom, b.pan])}`);
      assert(!(await page.isChecked('#show-grade-D')) && await page.isChecked('#group-leaves'), 'the filters as saved');
      assert(/案件测试：主体与股东（第 1 版）/.test(await page.textContent('#case-name')), 'the case named with its version');
      assert(/第二行：股东持股 70%/.test(await page.textContent('#case-notes-view')) && await page.isVisible('#case-notes-view'), 'the notes shown');
      await page.screenshot({ path: path.join(out, 'case-open.png') });
      // The first page saves again (version 2): this page's save of version 1 is refused with the reason.
      const first = saved.page;
      await first.click('#case-save');
      await first.click('#case-submit');
      await first.waitForFunction(() => /第 2 版/.test(document.querySelector('#case-name').textContent));
      await page.click('#case-save');
      await page.fill('#case-notes-input', '另一位检查人员的修改');
      await page.click('#case-submit');
      await page.waitForSelector('#case-msg:not([hidden])');
      assert(/他人已更新此案件/.test(await page.textContent('#case-msg')) && /version 2/.test(await page.textContent('#case-msg')), 'stale: ' + await page.textContent('#case-msg'));
      // Saved as a new case instead.
      await page.check('#case-as-new');
      await page.click('#case-submit');
      await page.waitForFunction((id) => window.__rg.caseId && window.__rg.caseId !== id, saved.id);
      await page.keyboard.press('Escape');
    });

    check('export', 'export links: the HTML export (a new tab) has the title, notes, legend, picture and entity table; the PDF is a PDF', async (page) => {
      assert(saved, 'the save check ran');
      await page.goto(saved.url);
      await page.waitForFunction(() => window.__rg && window.__rg.caseOpened > 0, null, { timeout: T });
      const [tab] = await Promise.all([ctx.waitForEvent('page'), page.click('#case-export-html')]);
      await tab.waitForFunction(() => document.querySelector('#case-title'), null, { timeout: T });
      const html = await tab.content();
      for (const want of ['案件测试：主体与股东', '第二行：股东持股 70%', 'id="legend"', '<svg', '测试案件主体有限公司', '测试案件股东有限公司', '数据截至']) {
        assert(html.includes(want), 'the HTML export lacks ' + want);
      }
      await tab.screenshot({ path: path.join(out, 'case-export.png'), fullPage: true });
      await tab.close();
      // The PDF: the blob the link opens starts with %PDF- (kept as it is
      // made: the page's CSP does not let a script fetch blob: URLs).
      await page.evaluate(() => {
        window.__blobs = [];
        const make = URL.createObjectURL.bind(URL);
        URL.createObjectURL = (b) => { window.__blobs.push(b); return make(b); };
        window.open = () => ({ close() {} });
      });
      await page.click('#case-export-pdf');
      await page.waitForFunction(() => window.__blobs.length > 0);
      const head = await page.evaluate(async () => {
        const b = new Uint8Array(await window.__blobs[0].arrayBuffer());
        return { magic: String.fromCharCode(...b.slice(0, 5)), size: b.length, type: window.__blobs[0].type };
      });
      assert(head.magic === '%PDF-' && head.size > 10000, 'the PDF export: ' + JSON.stringify(head));
    });

    check('list', 'the case list (#/cases) lists the case and opens it in the explorer; archived cases leave the list', async (page) => {
      assert(saved, 'the save check ran');
      await page.goto(demo.base + '/#/cases');
      await page.waitForSelector(`#cases-list tr[data-id="${saved.id}"]`);
      assert(await page.isVisible('#tab-cases') && await page.textContent('#tab-cases') === '案件', 'the cases tab');
      const row = await page.textContent(`#cases-list tr[data-id="${saved.id}"]`);
      assert(row.includes('案件测试：主体与股东') && row.includes('第一行笔记'), 'the row: ' + row);
      await page.screenshot({ path: path.join(out, 'cases.png') });
      await page.click(`#cases-list tr[data-id="${saved.id}"] a.case-open`);
      await page.waitForFunction(() => window.__rg && window.__rg.caseOpened > 0, null, { timeout: T });
      assert(await page.evaluate(() => window.__rg.caseId) === saved.id, 'the explorer opened the case');
      await page.goto(demo.base + '/#/cases');
      await page.waitForSelector(`#cases-list tr[data-id="${saved.id}"] button.archive`);
      page.once('dialog', (d) => d.accept());
      await page.click(`#cases-list tr[data-id="${saved.id}"] button.archive`);
      await page.waitForFunction((id) => !document.querySelector(`#cases-list tr[data-id="${id}"]`), saved.id);
      await page.check('#cases-archived');
      await page.waitForSelector(`#cases-list tr[data-id="${saved.id}"] .badge`);
    });

    results.push(...await runChecks({ checks, newPage: () => ctx.newPage(), out, log, timeout: T,
      shot: 'fail-case-',
      // The stale save's 409 is the expected answer.
      allow: (c, s) => c.id === 'share' && (/409|Conflict/.test(s) || /\/api\/v1\/cases\/case-[0-9a-f]+$/.test(s)),
      keep: (c) => c.id === 'save', // the saved page saves again in "share"
    }));
  } finally {
    if (browser) await browser.close();
    await demo.stop();
    demo.cleanup();
  }
  reportChecks('cases', results);
}

main().catch((e) => { console.error('cases: FAIL:', e.stack || e.message); process.exit(1); });
