// The risk dashboard: grade distribution by region (province → city) and
// industry, score histogram, top-risk table, flags feed, latest report, and
// trends: grade and flag counts over the last runs (GET /runs).
// The filters apply to every chart and list, and live in the URL
// (#/dashboard/province=…&grade=…) so that a view can be shared.
import { t, term, applyI18n } from './i18n.js';
import { api, apiBlob, can, enc } from './api.js';
import { h, load, download, gradeColor, fmtScore, gradeBadge, realDate } from './ui.js';
import { industryLabel } from './names.js';

const GRADES = ['A', 'B', 'C', 'D'];
const PAGE = 20;
// Anomaly flags of the risk model (docs/risk-model.md §7).
const FLAGS = ['blacklist_proximity', 'circular_holding', 'deep_layering', 'mutual_holding', 'registration_burst',
  'restricted_appointment', 'serial_legal_rep', 'shell_cluster'];

export function create() {
  const f = { province: '', city: '', industry: '', grade: '', flag: '' };
  let offset = 0, sortKey = 'score', sortDir = -1, nameFilter = '';
  let provinces = null, cities = null, industries = null; // stats answers, loaded once per show

  const provSel = h('select', { id: 'f-province', 'aria-label': t('region') });
  const citySel = h('select', { id: 'f-city', 'aria-label': t('region'), disabled: true });
  const indSel = h('select', { id: 'f-industry', 'aria-label': t('industry') });
  const gradeSel = h('select', { id: 'f-grade', 'aria-label': t('grade') });
  const flagSel = h('select', { id: 'f-flag', 'aria-label': t('flags') });
  for (const [sel, k] of [[provSel, 'province'], [citySel, 'city'], [indSel, 'industry'], [gradeSel, 'grade'], [flagSel, 'flag']]) {
    sel.addEventListener('change', () => {
      f[k] = sel.value;
      if (k === 'province') { f.city = ''; }
      offset = 0; changed();
    });
  }
  const filters = h('div', { class: 'toolbar filters', role: 'group', 'aria-label': t('filters') }, provSel, citySel, indSel, gradeSel, flagSel);

  const regionP = h('section', { class: 'panel', id: 'p-region', 'aria-labelledby': 'h-region' });
  const industryP = h('section', { class: 'panel', id: 'p-industry', 'aria-labelledby': 'h-industry' });
  const histP = h('section', { class: 'panel', id: 'p-hist', 'aria-labelledby': 'h-hist' });
  const topP = h('section', { class: 'panel wide', id: 'p-top', 'aria-labelledby': 'h-top' });
  const flagsP = h('section', { class: 'panel', id: 'p-flags', 'aria-labelledby': 'h-flags' });
  const reportP = h('section', { class: 'panel', id: 'p-report', 'aria-labelledby': 'h-report' });
  const trendsP = h('section', { class: 'panel', id: 'p-trends', 'aria-labelledby': 'h-trends' });
  const regionB = h('div'), industryB = h('div'), histB = h('div'), topB = h('div'), flagsB = h('div'), reportB = h('div'), trendsB = h('div');
  const el = h('section', { class: 'dashboard' }, filters, h('div', { class: 'grid' }, regionP, industryP, histP, topP, flagsP, reportP, trendsP));

  // The filters in the URL: replaced in place (no new history entry, no
  // reload), and the dashboard tab's link keeps them.
  function toHash() {
    const q = new URLSearchParams();
    for (const k of ['province', 'city', 'industry', 'grade', 'flag']) if (f[k]) q.set(k, f[k]);
    const hash = '#/dashboard' + (q.toString() ? '/' + q : '');
    if (location.hash !== hash) history.replaceState(null, '', hash);
    const tab = document.getElementById('tab-dashboard');
    if (tab) tab.setAttribute('href', hash);
  }
  function fromHash(arg) {
    const q = new URLSearchParams(arg || '');
    for (const k of Object.keys(f)) f[k] = q.get(k) || '';
    if (f.grade && !GRADES.includes(f.grade)) f.grade = '';
  }
  function changed() { toHash(); refresh(); }

  function headings() {
    regionP.replaceChildren(h('h2', { id: 'h-region' }, t('byRegion'), f.province ? [' · ', provName(f.province), ' ',
      h('button', { type: 'button', class: 'link', id: 'drill-up', onclick: () => { provSel.value = ''; f.province = ''; f.city = ''; offset = 0; changed(); } }, t('back'))] : h('small', { class: 'muted' }, ' ' + t('drill'))), regionB);
    industryP.replaceChildren(h('h2', { id: 'h-industry' }, t('byIndustry')), industryB);
    histP.replaceChildren(h('h2', { id: 'h-hist' }, t('histogram')), histB);
    topP.replaceChildren(h('h2', { id: 'h-top' }, t('topRisk')), topB);
    flagsP.replaceChildren(h('h2', { id: 'h-flags' }, t('flagsFeed')), flagsB);
    reportP.hidden = !can('reports');
    reportP.replaceChildren(h('h2', { id: 'h-report' }, t('latestReport')), reportB);
    trendsP.replaceChildren(h('h2', { id: 'h-trends' }, t('trends')), trendsB);
  }
  // regionName: a county code shown as its city's name (from /stats?by=city), else the code.
  function regionName(code) {
    if (!code) return '';
    const c = cities && cities.find((g) => g.key === code.slice(0, 4) + '00');
    return c && c.name ? c.name : code;
  }
  function provName(code) { const g = provinces && provinces.find((x) => x.key === code); return g ? g.name : code; }

  function options(sel, all, items, value) {
    sel.replaceChildren(h('option', { value: '' }, t(all)), ...items.map(([v, label]) => h('option', { value: v, selected: v === value }, label)));
    sel.value = value;
  }

  async function loadStats() {
    if (!provinces) {
      const [p, c, i] = await Promise.all([api('/stats?by=region'), api('/stats?by=city'), api('/stats?by=industry')]);
      provinces = p.groups || []; cities = c.groups || []; industries = i.groups || [];
    }
    options(provSel, 'allRegions', provinces.map((g) => [g.key, g.name || g.key]), f.province);
    const cs = cities.filter((g) => f.province && g.key.slice(0, 2) === f.province.slice(0, 2));
    options(citySel, 'allRegions', cs.map((g) => [g.key, (g.name || g.key).replace(provName(f.province), '') || g.name]), f.city);
    citySel.disabled = !f.province;
    options(indSel, 'allIndustries', industries.map((g) => [g.key, industryLabel(g.key)]), f.industry);
    options(gradeSel, 'allGrades', GRADES.map((g) => [g, g]), f.grade);
    options(flagSel, 'allFlags', FLAGS.map((x) => [x, term(x)]), f.flag);
  }

  // stacked grade bars, one row per group; onPick makes rows clickable.
  function gradeBars(groups, onPick) {
    if (!groups.length) return h('p', { class: 'muted' }, t('empty'));
    const max = Math.max(...groups.map((g) => g.count));
    return h('div', { class: 'bars' }, groups.map((g) => {
      const bar = h('div', { class: 'bar', style: `width:${(100 * g.count / max).toFixed(1)}%` }, GRADES.map((gr) => {
        const n = (g.grades || {})[gr] || 0;
        return n ? h('span', { class: 'seg', style: `flex:${n};background:${gradeColor[gr]}`, title: `${gr}: ${n}` }) : null;
      }));
      const label = g.label || g.name || g.key;
      const cd = ((g.grades || {}).C || 0) + ((g.grades || {}).D || 0);
      const row = [h('span', { class: 'bl', title: label }, label), h('span', { class: 'bt' }, bar), h('span', { class: 'bn' }, `${g.count} · C+D ${cd}`)];
      return onPick ? h('button', { type: 'button', class: 'row', 'data-key': g.key, onclick: () => onPick(g) }, row) : h('div', { class: 'row' }, row);
    }), h('div', { class: 'legend' }, GRADES.map((g) => h('span', {}, h('i', { style: `background:${gradeColor[g]}` }), g))));
  }

  // filtered: /stats of the enterprises passing the filters other than the
  // chart's own dimension (the region chart is not narrowed by the region
  // below the level it shows, the industry chart not by the industry).
  function statsQuery(by) {
    const q = new URLSearchParams({ by });
    if (by === 'industry' && (f.city || f.province)) q.set('region', f.city || f.province);
    if (by === 'city' && f.province) q.set('region', f.province);
    if (by !== 'industry' && f.industry) q.set('industry', f.industry);
    if (f.grade) q.set('grade', f.grade);
    if (f.flag) q.set('flag', f.flag);
    return '/stats?' + q;
  }
  let regionGroups = [];
  async function regionView() {
    regionGroups = (await api(statsQuery(f.province ? 'city' : 'region'))).groups || [];
    if (!f.province) {
      const gs = [...regionGroups].sort((a, b) => b.count - a.count);
      return gradeBars(gs, (g) => { f.province = g.key; f.city = ''; offset = 0; changed(); });
    }
    const gs = regionGroups.filter((g) => g.key.slice(0, 2) === f.province.slice(0, 2)).sort((a, b) => b.count - a.count);
    return gradeBars(gs.map((g) => ({ ...g, name: (g.name || g.key).replace(provName(f.province), '') || g.name })),
      (g) => { f.city = g.key; offset = 0; changed(); });
  }
  async function industryView() {
    const gs = ((await api(statsQuery('industry'))).groups || []).sort((a, b) => b.count - a.count).slice(0, 25);
    return gradeBars(gs.map((g) => ({ ...g, label: industryLabel(g.key) })), (g) => { f.industry = g.key; indSel.value = g.key; offset = 0; changed(); });
  }

  function histView() {
    // Histogram of the selected region (city, province) or of all China, under the filters.
    let groups = regionGroups;
    if (f.city) groups = regionGroups.filter((g) => g.key === f.city);
    const buckets = new Array(10).fill(0);
    for (const g of groups) (g.histogram || []).forEach((n, i) => { buckets[i] += n; });
    const max = Math.max(1, ...buckets);
    return [h('div', { class: 'hist', role: 'img', 'aria-label': t('histogram') + ': ' + buckets.join(', ') }, buckets.map((n, i) => h('div', { class: 'hcol' },
      h('span', { class: 'hn' }, String(n)),
      h('div', { class: 'hbar', style: `height:${Math.max(n ? 2 : 0, (100 * Math.log1p(n)) / Math.log1p(max)).toFixed(1)}%` }),
      h('span', { class: 'hl' }, (i / 10).toFixed(1))))), h('p', { class: 'muted small' }, t('logScale'))];
  }

  async function topView() {
    const region = f.city || f.province;
    const q = new URLSearchParams({ offset: String(offset), limit: String(PAGE) });
    if (region) q.set('region', region);
    if (f.industry) q.set('industry', f.industry);
    if (f.grade) q.set('grade', f.grade);
    if (f.flag) q.set('flag', f.flag);
    const r = (await api('/ranking?' + q)).ranking;
    const pages = Math.max(1, Math.ceil(r.total / PAGE));
    const filterIn = h('input', { type: 'search', id: 'top-filter', placeholder: t('filterName'), 'aria-label': t('filterName'), value: nameFilter });
    const tbody = h('tbody');
    const cols = [['rank', null], ['name', 'name'], ['score', 'score'], ['grade', 'grade'], ['region', 'region'], ['industry', 'industry']];
    const thead = h('thead', {}, h('tr', {}, cols.map(([label, k]) => h('th', { scope: 'col', 'aria-sort': k === sortKey ? (sortDir > 0 ? 'ascending' : 'descending') : null },
      k ? h('button', { type: 'button', class: 'sort', 'data-sort': k, onclick: () => { sortDir = sortKey === k ? -sortDir : (k === 'score' ? -1 : 1); sortKey = k; fill(); } }, t(label)) : t(label)))));
    const items = r.items.map((x, i) => ({ ...x, rank: r.offset + i + 1 }));
    function fill() {
      const rows = items.filter((x) => !nameFilter || (x.name || '').includes(nameFilter))
        .sort((a, b) => { const va = a[sortKey] ?? '', vb = b[sortKey] ?? ''; return (va < vb ? -1 : va > vb ? 1 : 0) * sortDir; });
      tbody.replaceChildren(...rows.map((x) => h('tr', {}, h('td', { class: 'num' }, String(x.rank)),
        h('td', {}, can('explorer') ? h('a', { href: '#/explorer/' + enc(x.ref.key), class: 'ent' }, x.name || x.ref.key) : (x.name || x.ref.key)),
        h('td', { class: 'num' }, fmtScore(x.score)), h('td', {}, gradeBadge(x.grade)), h('td', { title: x.region || '' }, regionName(x.region)), h('td', { title: x.industry || '' }, industryLabel(x.industry)))));
      if (!rows.length) tbody.replaceChildren(h('tr', {}, h('td', { colspan: 6, class: 'muted' }, t('empty'))));
      for (const th of thead.querySelectorAll('th')) th.removeAttribute('aria-sort');
      const th = thead.querySelector(`[data-sort="${sortKey}"]`);
      if (th) th.parentElement.setAttribute('aria-sort', sortDir > 0 ? 'ascending' : 'descending');
    }
    filterIn.addEventListener('input', () => { nameFilter = filterIn.value.trim(); fill(); });
    fill();
    return [filterIn, h('div', { class: 'scroll-x' }, h('table', { class: 'toptable', id: 'top-table' }, thead, tbody)),
      h('div', { class: 'pager' },
        h('button', { type: 'button', id: 'prev', disabled: offset === 0, onclick: () => { offset = Math.max(0, offset - PAGE); load(topB, topView); } }, t('prev')),
        h('span', { id: 'page-info' }, ' ' + t('page', { p: Math.floor(offset / PAGE) + 1, n: pages, t: r.total }) + ' '),
        h('button', { type: 'button', id: 'next', disabled: offset + PAGE >= r.total, onclick: () => { offset += PAGE; load(topB, topView); } }, t('next')))];
  }

  async function flagsView() {
    // The feed follows the region, industry and grade filters too (its route filters by flag only).
    const region = f.city || f.province;
    const prefix = !region ? '' : region.endsWith('0000') ? region.slice(0, 2) : region.endsWith('00') ? region.slice(0, 4) : region;
    const narrow = !!(region || f.industry || f.grade);
    const r = (await api(`/flags?limit=${narrow ? 500 : 30}` + (f.flag ? '&flag=' + enc(f.flag) : ''))).flags;
    const items = r.items.filter((x) => (!prefix || (x.region || '').startsWith(prefix)) && (!f.industry || x.industry === f.industry) && (!f.grade || x.grade === f.grade)).slice(0, 30);
    if (!items.length) return h('p', { class: 'muted' }, t('empty'));
    return h('ul', { class: 'feed', id: 'flags-feed' }, items.map((x) => h('li', {}, gradeBadge(x.grade), ' ',
      can('explorer') ? h('a', { href: '#/explorer/' + enc(x.ref.key) }, x.name || x.ref.key) : (x.name || x.ref.key), ' ',
      (x.flags || []).map((fl) => h('span', { class: 'flag', title: fl }, term(fl))))));
  }

  async function reportView() {
    const r = await api('/reports?limit=1');
    const rep = (r.reports || [])[0];
    if (!rep) return h('p', { class: 'muted' }, t('noReport'));
    const s = rep.summary || {};
    const id = enc(rep.id);
    const open = async (fmt) => {
      const w = fmt === 'html' ? window.open('', '_blank') : null;
      try {
        const blob = await apiBlob(`/reports/${id}?format=${fmt}`, fmt === 'html' ? 'text/html' : fmt === 'csv' ? 'text/csv' : 'application/json');
        if (w) w.location = URL.createObjectURL(blob); else download(`${rep.id}.${fmt}`, blob);
      } catch (e) { if (w) w.close(); alert(t('error') + ': ' + e.message); }
    };
    let body = null;
    try { body = await api(`/reports/${id}?format=json`); } catch { /* the summary still shows */ }
    return [h('p', {}, h('strong', { id: 'report-id' }, rep.id), h('br'), h('small', { class: 'muted' }, t('reportRun', { run: rep.run, against: rep.against || '—' }) + ' · ' + (rep.created || ''))),
      h('dl', { class: 'kv' }, [['entities', s.entities], ['enteredCD', s.entered_cd], ['worsened', s.worsened], ['improved', s.improved], ['newFlags', s.new_flags], ['newRecords', s.new_records], ['watched', s.watched_changed]]
        .map(([k, v]) => [h('dt', {}, t(k)), h('dd', {}, String(v ?? '—'))])),
      h('div', { class: 'actions' },
        h('button', { type: 'button', id: 'report-html', onclick: () => open('html') }, t('openHtml')),
        h('button', { type: 'button', id: 'report-json', onclick: () => open('json') }, t('openJson')),
        h('button', { type: 'button', id: 'report-csv', onclick: () => open('csv') }, t('openCsv'))),
      body ? reportLists(body) : null];
  }

  // reportLists: the report's entities, each name a link into the explorer
  // (for roles that may use it).
  function reportLists(r) {
    const link = (s) => {
      const ref = s.ref || '';
      const name = s.name || ref.replace(/^(enterprise|person):/, '');
      if (!can('explorer') || !ref) return h('span', {}, name);
      return h('a', { href: '#/explorer/' + enc(ref.startsWith('enterprise:') ? ref.slice(11) : ref), class: 'ent' }, name);
    };
    const sections = [
      ['enteredCD', r.entered_cd, (x) => [link(x), ' ', (x.before || '–') + ' → ' + x.after]],
      ['riser', r.top_risers, (x) => [link(x), ' ', fmtScore(x.before) + ' → ' + fmtScore(x.after)]],
      ['newFlag', r.new_flags, (x) => [link(x), ' ', h('span', { class: 'flag', title: x.flag }, term(x.flag))]],
      ['newRecord', r.new_records, (x) => [link(x.subject || {}), ' ', term(x.kind), ' ', realDate(x.decided)]],
      ['restricted', r.restricted_appointments, (x) => [link(x), ' ', term(x.flag)]],
      ['watched', r.watched, (x) => [link(x), ' ', (x.before || '–') + ' → ' + (x.after || '–')]],
    ].filter(([, items]) => items && items.length);
    if (!sections.length) return null;
    return h('div', { class: 'report-lists', id: 'report-lists' }, h('h3', {}, t('reportLists')),
      sections.map(([k, items, row]) => [h('h3', {}, t(k) + ` (${items.length})`), h('ul', {}, items.slice(0, 10).map((x) => h('li', {}, row(x))))]));
  }

  // trendsView: per completed run (oldest first, the last ten), the
  // enterprises by grade — of the chosen province and industry section, as
  // the runs' summaries count them (grades.region by province name,
  // grades.industry by section) — and the flags (all China: the summaries
  // count flags in total only). A city narrows to its province.
  async function trendsView() {
    const runs = ((await api('/runs?limit=20')).runs || []).filter((r) => r.status === 'completed' && r.summary && r.summary.grades).slice(0, 10).reverse();
    if (!runs.length) return h('p', { class: 'muted' }, t('trendNone'));
    const prov = f.province ? provName(f.province) : '';
    const sec = f.industry ? f.industry.replace(/\d+$/, '').slice(0, 1) : '';
    const gradesOf = (r) => {
      const g = r.summary.grades;
      if (prov && sec) return null; // the summaries do not cross region and industry
      return (prov ? (g.region || {})[prov] : sec ? (g.industry || {})[sec] : g.total) || {};
    };
    const scope = [prov, sec ? industryLabel(sec) : ''].filter(Boolean).join(' · ') || t('allRegions');
    if (prov && sec) return h('p', { class: 'muted', id: 'trends-note' }, t('trendScope', { s: scope }) + ' — ' + t('empty'));
    const flagKinds = [...new Set(runs.flatMap((r) => Object.keys(r.summary.flags || {})))].sort();
    const spark = (vals) => {
      const max = Math.max(1, ...vals);
      return h('span', { class: 'spark', 'aria-hidden': 'true' }, vals.map((v) => h('i', { style: `height:${Math.max(4, (100 * v) / max).toFixed(0)}%` })));
    };
    const row = (label, vals, attrs) => h('tr', attrs, h('th', { scope: 'row' }, label), vals.map((v) => h('td', { class: 'num' }, String(v))), h('td', {}, spark(vals)));
    const when = (r) => (r.finished || r.started || '').slice(5, 16).replace('T', ' ');
    return [h('p', { class: 'muted small', id: 'trends-note' }, t('trendScope', { s: scope })),
      h('div', { class: 'scroll-x' }, h('table', { class: 'trends', id: 'trends-table' },
        h('caption', { class: 'sr-only' }, t('trends')),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('trendRun')), runs.map((r) => h('th', { scope: 'col', title: r.id, 'data-run': r.id }, when(r))), h('th', { scope: 'col' }, ''))),
        h('tbody', {}, h('tr', {}, h('th', { scope: 'rowgroup', colspan: runs.length + 2, class: 'muted' }, t('trendGrades'))),
          GRADES.map((g) => row(gradeBadge(g), runs.map((r) => (gradesOf(r) || {})[g] || 0), { 'data-grade': g })),
          flagKinds.length ? h('tr', {}, h('th', { scope: 'rowgroup', colspan: runs.length + 2, class: 'muted' }, t('trendFlags'))) : null,
          flagKinds.map((k) => row(h('span', { class: 'flag', title: k }, term(k)), runs.map((r) => (r.summary.flags || {})[k] || 0), { 'data-flag': k })))))];
  }

  async function refresh() {
    headings();
    await load(regionB, async () => { await loadStats(); return regionView(); });
    load(industryB, industryView);
    load(histB, async () => histView());
    load(topB, topView);
    load(flagsB, flagsView);
    if (can('reports')) load(reportB, reportView);
    load(trendsB, trendsView);
  }

  return {
    el,
    show(arg) { fromHash(arg); offset = 0; toHash(); refresh(); },
    relabel() { applyI18n(el); if (provinces) refresh(); },
  };
}
