// The inspector's network explorer: search, graph canvas (Cytoscape.js with
// the fCoSE layout), expansion with "show more" (all relationships, or only
// holdings down, holders up, officers), type filter and depth, path mode,
// the ownership-penetration (holders) and downstream-investments views,
// filters in the graph (grade, kind, date slider), hide and pin, leaf
// grouping, a timeline, legend and tooltips, evidence highlight, a side
// panel and exports.
import cytoscape from 'cytoscape';
import fcose from 'cytoscape-fcose';
import { t, term, applyI18n } from './i18n.js';
import { api, apiBlob, can, enc } from './api.js';
import { h, load, download, gradeColor, noGrade, pct, fmtScore, gradeBadge, realDate, openBlob } from './ui.js';
import { stateBadges, recordFile } from './records.js';
import { industryLabel, statusName, titleName, relationName } from './names.js';
import { packedLayout } from './biglayout.js';

cytoscape.use(fcose);

const TYPES = ['HOLDS_SHARES', 'LEGAL_REP_OF', 'OFFICER_OF', 'BRANCH_OF', 'HAS_RECORD', 'RELATED_TO'];
const PAGE = 50; // nodes added per expansion or "show more"
const QUIET = 40; // above this many edges, only the selected node's edges are labelled
const GAP = 50; // least distance between the centres of an expansion's new nodes and any other node
const GROUP_MIN = 6; // leaves of one kind on one node grouped from this many
const LARGE = 800; // above this many nodes the network view is a packed tree (biglayout.js), not fCoSE
const BIG = 2000; // above this many elements (nodes + edges): straight edges without arrows or labels, layers warmed (docs/ui.md, "Large networks")
const GRADE_KEYS = ['A', 'B', 'C', 'D', 'none'];
const KINDS = ['enterprise', 'person', 'record'];
const EXPAND_BY = ['all', 'down', 'up', 'officers'];

// Edge colours and line styles: the canvas style, the legend and the PNG export share them.
const EDGE = {
  HOLDS_SHARES: { color: '#1677ff', line: 'solid' }, LEGAL_REP_OF: { color: '#fa8c16', line: 'solid' },
  OFFICER_OF: { color: '#8c8c8c', line: 'solid' }, BRANCH_OF: { color: '#13c2c2', line: 'solid' },
  HAS_RECORD: { color: '#b37feb', line: 'dashed' }, RELATED_TO: { color: '#c41d7f', line: 'dotted' },
};

// entity id (enterprise:<key>, person:<pid>) → the API's way to name it.
export function apiRef(id) {
  if (id.startsWith('enterprise:')) return id.slice(11);
  return id; // person:<pid> as is
}
function entityPath(id) {
  if (id.startsWith('person:')) return '/persons/' + enc(id.slice(7));
  return '/enterprises/' + enc(id.replace(/^enterprise:/, ''));
}
function idOfRef(ref) { return ref.kind + ':' + ref.key; }
const pidTail = (pid) => '…' + pid.slice(-4);

// compactName drops what every name in a network shares — the legal form
// (有限公司…), a leading region (吉安市) and a bracketed one ((阜阳)) — so
// that a label is the distinctive part of the name, whole, never cut.
const LEGAL = /(股份有限公司|有限责任公司|有限公司|合伙企业|,?\s*(co\.?,?\s*)?ltd\.?|\s+limited|,?\s+inc\.?)$/i;
const REGION = /^(?:[\u4e00-\u9fff]{2,3}(?:省|自治区))?(?:[\u4e00-\u9fff]{2,4}?(?:市|自治州|地区|盟))?/;
export function compactName(name) {
  if (!name) return '';
  let s = name.replace(/[（(][\u4e00-\u9fff]{2,4}[）)]/g, '').replace(LEGAL, '').trim();
  const r = s.replace(REGION, '');
  if (r.length >= 2) s = r;
  return s.length >= 2 ? s : name;
}
// wrapLabel breaks a CJK label into lines of at most 8 characters (Latin
// text wraps at spaces through text-max-width).
function wrapLabel(s) {
  if (!/[\u4e00-\u9fff]/.test(s) || s.length <= 9) return s;
  const lines = [];
  for (let i = 0; i < s.length; i += 8) lines.push(s.slice(i, i + 8));
  return lines.join('\n');
}

function edgeLabel(e) {
  const p = e.props || {};
  if (e.type === 'HOLDS_SHARES' && p.ratio != null) return t(e.type) + ' ' + pct(p.ratio, p.ratio < 0.1 ? 1 : 0);
  if (e.type === 'OFFICER_OF' && p.title) return titleName(p.title) + (p.title_text && p.title_text !== titleName(p.title) ? '（' + p.title_text + '）' : '');
  if (e.type === 'RELATED_TO') return relationName(p.kind) || t(e.type);
  return t(e.type);
}

function nodeData(n) {
  const kind = n.ref ? n.ref.kind : n.id.split(':')[0];
  const risk = n.risk || {};
  const score = risk.score ?? null;
  const name = kind === 'record' ? term(n.label) : n.label || n.name || n.id;
  return {
    id: n.id, kind, name, label: kind === 'enterprise' ? wrapLabel(compactName(name)) : name,
    grade: risk.grade || '', score, color: gradeColor[risk.grade] || noGrade,
    size: Math.round(16 + 44 * Math.sqrt(score || 0)), props: n.props || {}, risk,
  };
}
function edgeData(e) {
  return { id: e.id, source: e.from, target: e.to, type: e.type, label: edgeLabel(e),
    ratio: e.props && e.props.ratio != null ? e.props.ratio : 0, props: e.props || {} };
}

const style = [
  { selector: 'node', style: {
    'background-color': 'data(color)', width: 'data(size)', height: 'data(size)', label: 'data(label)',
    'font-size': 10, 'min-zoomed-font-size': 7, 'text-valign': 'bottom', 'text-margin-y': 3, color: '#222',
    'text-wrap': 'wrap', 'text-max-width': 110, 'text-background-color': '#fff', 'text-background-opacity': 0.6,
    'border-width': 1, 'border-color': '#fff' } },
  { selector: 'node[kind = "enterprise"]', style: { shape: 'round-rectangle' } },
  { selector: 'node[kind = "person"]', style: { shape: 'ellipse' } },
  { selector: 'node[kind = "record"]', style: { shape: 'triangle', width: 12, height: 12, 'background-color': '#722ed1' } },
  { selector: 'node.root', style: { 'border-width': 4, 'border-color': '#1d39c4' } },
  { selector: 'node.owner', style: { 'border-width': 4, 'border-color': '#08979c', 'font-weight': 'bold' } },
  { selector: 'node:selected', style: { 'border-width': 4, 'border-color': '#000' } },
  { selector: 'node.endpoint', style: { 'border-width': 5, 'border-color': '#eb2f96' } },
  { selector: 'node[kind = "group"]', style: { shape: 'round-octagon', 'background-color': '#d9d9d9', 'border-width': 2, 'border-color': '#595959', 'border-style': 'double',
    'text-valign': 'center', 'text-margin-y': 0, 'font-weight': 'bold', 'text-background-opacity': 0 } },
  { selector: 'node.pinned', style: { 'border-width': 4, 'border-style': 'dashed', 'border-color': '#2f54eb' } },
  { selector: '.filtered', style: { display: 'none' } },
  { selector: 'edge', style: {
    width: 1.2, 'line-color': '#9aa5b1', 'curve-style': 'bezier', 'control-point-step-size': 36, 'target-arrow-shape': 'triangle', 'target-arrow-color': '#9aa5b1',
    'arrow-scale': 0.7, label: 'data(label)', 'font-size': 8, 'min-zoomed-font-size': 9, 'text-rotation': 'autorotate',
    color: '#555', 'text-background-color': '#fff', 'text-background-opacity': 0.8 } },
  ...Object.entries(EDGE).map(([ty, e]) => ({ selector: `edge[type = "${ty}"]`, style: { 'line-color': e.color, 'target-arrow-color': e.color, 'line-style': e.line } })),
  { selector: 'edge[type = "HOLDS_SHARES"]', style: { width: 'mapData(ratio, 0, 1, 1, 5)' } },
  { selector: 'edge[type = "RELATED_TO"]', style: { width: 2.5, 'target-arrow-shape': 'none' } },
  // Many edges: labels only on the selected node's edges (no pile of overlapping labels).
  { selector: 'edge.quiet', style: { label: '' } },
  { selector: 'edge.quiet.near, edge.quiet:selected, edge.quiet.hl', style: { label: 'data(label)' } },
  { selector: 'edge:selected', style: { width: 3, 'line-color': '#000', 'target-arrow-color': '#000' } },
  // Evidence highlight.
  { selector: '.faded', style: { opacity: 0.15 } },
  { selector: 'node.hl', style: { 'border-width': 5, 'border-color': '#fa541c' } },
  { selector: 'edge.hl', style: { width: 4, 'line-color': '#fa541c', 'target-arrow-color': '#fa541c', 'z-index': 10 } },
  // Large graphs: straight "haystack" edges without arrows (several times cheaper to draw);
  // edge labels still show from the side panel and the exports.
  { selector: 'edge.big', style: { 'curve-style': 'haystack', 'haystack-radius': 0, 'target-arrow-shape': 'none', label: '', 'text-rotation': 'none' } },
];

// legendItems: what each colour, shape and line means (the legend panel and the exports).
function legendItems() {
  return {
    grades: [['A', gradeColor.A], ['B', gradeColor.B], ['C', gradeColor.C], ['D', gradeColor.D], ['–', noGrade]],
    shapes: [['enterprise', '■'], ['person', '●'], ['record', '▲'], ['group', '⯃']],
    edges: TYPES.map((ty) => [ty, EDGE[ty].color, EDGE[ty].line]),
  };
}
function legendText() {
  const l = legendItems();
  return [t('legendGrades') + ': ' + l.grades.map(([g]) => g + ' ' + t('gradeMeaning' + (g === '–' ? 'None' : g))).join('; '),
    t('legendShapes') + ': ' + l.shapes.map(([k, s]) => s + ' ' + t(k)).join('; ') + '; ' + t('legendSize'),
    t('legendEdges') + ': ' + l.edges.map(([ty, c, line]) => t(ty) + ' ' + c + ' ' + t('line_' + line)).join('; ') + '; ' + t('legendWidth')];
}

export function create() {
  const state = {
    mode: 'network', root: '', depth: 2, limit: 500, types: new Set(TYPES), selected: null,
    pending: new Map(), // node id → neighbours not shown yet
    from: null, to: null, // path end points {id, name}
    data: null, // last answer shown (for the side panel's ownership list)
    paths: [], // the paths of the last path search
    lastRender: 0, seq: 0,
    hidden: new Set(), // nodes hidden by hand
    hiddenGrades: new Set(), hiddenKinds: new Set(), // filters in the graph
    asOf: '', // the date slider's day ('' = today, no date filter)
    group: true, // leaves of one kind grouped under one node
    expandBy: 'all', // what Expand adds: all, down (holdings), up (holders), officers
  };
  const groups = new Map(); // group node id → { parent, nodes: [element json], edges: [element json] }
  let cy = null;
  let elementsVersion = 1; // bumped when elements are added or removed

  // --- search box (combobox with suggestions) ---
  const input = h('input', { id: 'search', type: 'search', role: 'combobox', 'aria-expanded': 'false', 'aria-controls': 'suggest',
    'aria-autocomplete': 'list', autocomplete: 'off', 'data-i18n-ph': 'search', placeholder: t('search') });
  const list = h('ul', { id: 'suggest', role: 'listbox', class: 'suggest', hidden: true });
  let hits = [], active = -1, seq = 0, timer = 0;
  const context = new Map(); // pid → what tells a person apart ("法定代表人 · 某公司")
  function personContext(pid) {
    if (context.has(pid)) return context.get(pid);
    const p = api(`/persons/${enc(pid)}/network?depth=1&limit=6&types=LEGAL_REP_OF,OFFICER_OF,HOLDS_SHARES`).then((r) => {
      const names = new Map(r.nodes.map((n) => [n.id, n.label]));
      const rank = { LEGAL_REP_OF: 0, OFFICER_OF: 1, HOLDS_SHARES: 2 };
      const e = [...r.edges].sort((a, b) => rank[a.type] - rank[b.type])[0];
      return e ? edgeLabel(e) + ' · ' + (names.get(e.to) || '') : '';
    }).catch(() => '');
    context.set(pid, p);
    return p;
  }
  function renderHits() {
    // Persons with the same name: show what tells them apart (role and enterprise, pid suffix).
    const count = new Map();
    for (const hit of hits) if (hit.ref.kind === 'person') count.set(hit.name, (count.get(hit.name) || 0) + 1);
    list.replaceChildren(...hits.map((hit, i) => {
      const ctx = h('small', { class: 'ctx' });
      if (hit.ref.kind === 'person' && count.get(hit.name) > 1) personContext(hit.ref.key).then((c) => { ctx.textContent = c ? ' · ' + c : ''; });
      return h('li', { role: 'option', id: 'sg' + i, 'aria-selected': String(i === active),
        class: i === active ? 'active' : '', onmousedown: (e) => { e.preventDefault(); pick(hit); } },
      h('span', { class: 'kind' }, t(hit.ref.kind)), ' ', hit.name || hit.ref.key,
      hit.uscc ? h('small', {}, ' ' + hit.uscc) : null,
      hit.ref.kind === 'person' ? h('small', { class: 'pid', title: 'pid' }, ' ' + pidTail(hit.ref.key)) : null, ctx);
    }));
    if (!hits.length && input.value.trim().length >= 2) list.replaceChildren(h('li', { class: 'muted' }, t('noHits')));
    list.hidden = !input.value.trim() || input.value.trim().length < 2;
    input.setAttribute('aria-expanded', String(!list.hidden));
    if (active >= 0) input.setAttribute('aria-activedescendant', 'sg' + active); else input.removeAttribute('aria-activedescendant');
  }
  input.addEventListener('input', () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q.length < 2) { hits = []; renderHits(); return; }
    timer = setTimeout(async () => {
      const my = ++seq;
      list.hidden = false; list.replaceChildren(h('li', { class: 'muted' }, t('loading')));
      try {
        const r = await api('/search?limit=10&q=' + enc(q));
        if (my !== seq) return;
        hits = r.hits || []; active = hits.length ? 0 : -1; renderHits();
      } catch (e) {
        if (my === seq) list.replaceChildren(h('li', { class: 'error', role: 'alert' }, t('error') + ': ' + e.message));
      }
    }, 200);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' && hits.length) { active = (active + 1) % hits.length; renderHits(); e.preventDefault(); }
    else if (e.key === 'ArrowUp' && hits.length) { active = (active - 1 + hits.length) % hits.length; renderHits(); e.preventDefault(); }
    else if (e.key === 'Enter' && active >= 0 && hits[active]) { e.preventDefault(); pick(hits[active]); }
    else if (e.key === 'Escape') { list.hidden = true; input.setAttribute('aria-expanded', 'false'); }
  });
  input.addEventListener('blur', () => setTimeout(() => { list.hidden = true; input.setAttribute('aria-expanded', 'false'); }, 150));
  function pick(hit) {
    const id = idOfRef(hit.ref);
    list.hidden = true; input.value = hit.name || hit.ref.key; hits = [];
    if (state.mode === 'path') {
      const end = { id, name: hit.name || hit.ref.key };
      if (!state.from) state.from = end; else state.to = end;
      renderPathBar();
      return;
    }
    location.hash = '#/explorer/' + enc(apiRef(id));
  }

  // --- toolbar ---
  const depthSel = h('select', { id: 'depth', 'data-i18n-label': 'depth', 'aria-label': t('depth') },
    [1, 2, 3].map((d) => h('option', { value: d, selected: d === state.depth }, String(d))));
  depthSel.addEventListener('change', () => { state.depth = +depthSel.value; reload(); });
  const limitSel = h('select', { id: 'limit', 'data-i18n-label': 'limit', 'aria-label': t('limit') },
    [100, 500, 2000, 5000].map((d) => h('option', { value: d, selected: d === state.limit }, String(d))));
  limitSel.addEventListener('change', () => { state.limit = +limitSel.value; reload(); });
  const typeBoxes = TYPES.map((ty) => {
    const cb = h('input', { type: 'checkbox', id: 'type-' + ty, value: ty, checked: true });
    cb.addEventListener('change', () => { if (cb.checked) state.types.add(ty); else state.types.delete(ty); reload(); });
    return h('label', { class: 'chk' }, cb, h('i', { class: 'swatch line-' + EDGE[ty].line, style: `border-color:${EDGE[ty].color}`, 'aria-hidden': 'true' }),
      h('span', { 'data-i18n': ty }, t(ty)));
  });
  const modeBtns = ['network', 'path', 'ownership', 'investments'].map((m) => h('button', { type: 'button', id: 'mode-' + m, 'aria-pressed': String(m === state.mode),
    onclick: () => setMode(m) }, h('span', { 'data-i18n': 'mode' + m[0].toUpperCase() + m.slice(1) }, t('mode' + m[0].toUpperCase() + m.slice(1)))));
  const exportBtns = [
    h('button', { type: 'button', id: 'export-png', onclick: exportPNG, 'data-i18n': 'exportPng' }, t('exportPng')),
    h('button', { type: 'button', id: 'export-csv', onclick: exportCSV, 'data-i18n': 'exportCsv' }, t('exportCsv')),
    h('button', { type: 'button', id: 'export-json', onclick: exportJSON, 'data-i18n': 'exportJson' }, t('exportJson')),
  ];
  // --- case files: save, share, export (docs/ui.md, "Case files") ---
  const caseBtn = (id, key, onclick) => h('button', { type: 'button', id, 'data-i18n': key, onclick }, t(key));
  const caseSaveBtn = caseBtn('case-save', 'caseSave', () => openCaseDialog());
  const caseShareBtn = caseBtn('case-share', 'caseShare', () => shareCase());
  const caseHtmlBtn = caseBtn('case-export-html', 'caseExportHtml', () => exportCase('html'));
  const casePdfBtn = caseBtn('case-export-pdf', 'caseExportPdf', () => exportCase('pdf'));
  const caseName = h('span', { id: 'case-name', class: 'muted small', role: 'status' }, t('caseNone'));
  const caseShareBox = h('span', { id: 'case-share-box', class: 'small', hidden: true });
  const caseNotesText = h('p', { class: 'case-notes small' });
  const caseNotesView = h('details', { id: 'case-notes-view', hidden: true }, h('summary', { 'data-i18n': 'caseNotes' }, t('caseNotes')), caseNotesText);
  const caseTools = h('div', { class: 'group case-tools', role: 'group', 'aria-label': t('caseTools'), 'data-i18n-label': 'caseTools' },
    caseSaveBtn, caseShareBtn, caseHtmlBtn, casePdfBtn, caseName, caseShareBox);
  const legendBtn = h('button', { type: 'button', id: 'legend-toggle', 'aria-expanded': 'true', 'aria-controls': 'legend', 'data-i18n': 'legend',
    onclick: () => { legend.hidden = !legend.hidden; legend.classList.toggle('open', !legend.hidden); legendBtn.setAttribute('aria-expanded', String(!legend.hidden)); } }, t('legend'));
  const toolbar = h('div', { class: 'toolbar' },
    h('div', { class: 'searchbox' }, h('label', { for: 'search', class: 'sr-only', 'data-i18n': 'searchLabel' }, t('searchLabel')), input, list),
    h('div', { class: 'group', role: 'group', 'aria-label': 'mode' }, modeBtns),
    h('label', {}, h('span', { 'data-i18n': 'depth' }, t('depth')), ' ', depthSel),
    h('label', {}, h('span', { 'data-i18n': 'limit' }, t('limit')), ' ', limitSel),
    h('fieldset', { class: 'types' }, h('legend', { 'data-i18n': 'types' }, t('types')), typeBoxes),
    h('div', { class: 'group' }, h('button', { type: 'button', id: 'fit', onclick: () => cy && cy.fit(undefined, 30), 'data-i18n': 'fit' }, t('fit')), legendBtn, exportBtns),
    caseTools);

  // --- filters in the graph: grade, kind, date (as the network stood), grouping, hidden ---
  const chk = (id, label, checked, onchange) => {
    const cb = h('input', { type: 'checkbox', id, checked });
    cb.addEventListener('change', () => onchange(cb.checked));
    return h('label', { class: 'chk' }, cb, label);
  };
  const gradeBoxes = GRADE_KEYS.map((g) => chk('show-grade-' + g, h('span', { class: 'grade g' + g }, g === 'none' ? '–' : g), true, (on) => {
    if (on) state.hiddenGrades.delete(g); else state.hiddenGrades.add(g);
    applyView();
  }));
  const kindBoxes = KINDS.map((k) => chk('show-kind-' + k, h('span', { 'data-i18n': k }, t(k)), true, (on) => {
    if (on) state.hiddenKinds.delete(k); else state.hiddenKinds.add(k);
    applyView();
  }));
  const groupBox = chk('group-leaves', h('span', { 'data-i18n': 'groupLeaves' }, t('groupLeaves')), true, (on) => {
    state.group = on;
    if (!cy) return;
    if (on) { cy.startBatch(); groupLeaves(cy.nodes()); cy.endBatch(); } else ungroupAll();
    applyView();
  });
  // The date slider: days from the earliest date on the canvas to today.
  const DAY = 86400e3;
  const asOfRange = h('input', { type: 'range', id: 'asof-range', min: 0, max: 0, value: 0, step: 1, 'aria-describedby': 'asof-note',
    'data-i18n-label': 'asOfSlider', 'aria-label': t('asOfSlider') });
  const asOfLabel = h('output', { id: 'asof-label', for: 'asof-range' }, t('today'));
  const asOfNote = h('small', { id: 'asof-note', class: 'muted', 'data-i18n': 'asOfApprox' }, t('asOfApprox'));
  let sliderFrom = Date.now();
  const dayOf = (v) => new Date(sliderFrom + v * DAY).toISOString().slice(0, 10);
  asOfRange.addEventListener('input', () => {
    const v = +asOfRange.value;
    state.asOf = v >= +asOfRange.max ? '' : dayOf(v);
    asOfLabel.textContent = state.asOf || t('today');
    asOfRange.setAttribute('aria-valuetext', state.asOf || t('today'));
    applyView();
  });
  const asOfClear = h('button', { type: 'button', id: 'asof-clear', 'data-i18n': 'today', onclick: () => setAsOf('') }, t('today'));
  function setAsOf(day) {
    updateSlider();
    const v = day ? Math.round((Date.parse(day) - sliderFrom) / DAY) : +asOfRange.max;
    asOfRange.value = String(Math.max(0, Math.min(+asOfRange.max, v)));
    state.asOf = day && v < +asOfRange.max ? dayOf(+asOfRange.value) : '';
    asOfLabel.textContent = state.asOf || t('today');
    asOfRange.setAttribute('aria-valuetext', state.asOf || t('today'));
    applyView();
  }
  // updateSlider: the slider spans the canvas's earliest date to today.
  function updateSlider() {
    let min = Date.now();
    if (cy) {
      const see = (d) => { const x = realDate(d); if (x) min = Math.min(min, Date.parse(x)); };
      cy.nodes().forEach((n) => { const p = n.data('props') || {}; see(p.established); see(p.decided); });
      cy.edges().forEach((e) => { const p = e.data('props') || {}; see(p.since); });
    }
    const keep = state.asOf;
    sliderFrom = Math.floor(min / DAY) * DAY;
    const max = Math.max(0, Math.ceil((Date.now() - sliderFrom) / DAY));
    asOfRange.max = String(max);
    asOfRange.value = String(keep ? Math.round((Date.parse(keep) - sliderFrom) / DAY) : max);
  }
  const showHidden = h('button', { type: 'button', id: 'show-hidden', hidden: true, onclick: () => { state.hidden.clear(); applyView(); } });
  const viewNote = h('span', { id: 'view-note', class: 'muted', role: 'status' });
  const relayout = h('button', { type: 'button', id: 'relayout', 'data-i18n': 'relayout', onclick: () => {
    if (!cy) return;
    const vis = cy.elements(':visible');
    const layout = networkLayout(vis.nodes().map((n) => ({ id: n.id(), size: n.data('size') })), vis.edges().map((e) => ({ from: e.data('source'), to: e.data('target') })), state.root);
    // A re-layout starts from where the nodes are (randomize: false), which
    // fcose supports only at quality 'proof' (its documentation): with
    // 'default' or 'draft' it skips the spectral step it then needs, and the
    // page could hang in the layout (issue18's filters check, twice in CI).
    if (layout.name === 'fcose') layout.quality = 'proof';
    vis.layout({ ...layout, animate: false, fit: true, padding: 30, randomize: false }).run();
  } }, t('relayout'));
  const viewBar = h('div', { class: 'toolbar viewbar', id: 'viewbar', role: 'group', 'aria-label': t('viewFilters'), 'data-i18n-label': 'viewFilters' },
    h('fieldset', { class: 'types' }, h('legend', { 'data-i18n': 'grade' }, t('grade')), gradeBoxes),
    h('fieldset', { class: 'types' }, h('legend', { 'data-i18n': 'nodeKinds' }, t('nodeKinds')), kindBoxes),
    groupBox,
    h('span', { class: 'asof' }, h('label', { for: 'asof-range', 'data-i18n': 'asOfSlider' }, t('asOfSlider')), ' ', asOfRange, ' ', asOfLabel, ' ', asOfClear, ' ', asOfNote),
    showHidden, relayout, viewNote);

  // --- path bar ---
  const pathBar = h('div', { class: 'pathbar', id: 'pathbar', hidden: true });
  const maxHops = h('select', { id: 'max-hops', 'aria-label': t('maxDepth') }, [2, 3, 4, 5, 6, 7, 8].map((d) => h('option', { value: d, selected: d === 6 }, String(d))));
  function renderPathBar() {
    pathBar.replaceChildren(
      h('span', {}, t('pathFrom') + ': '), h('strong', { id: 'path-from' }, state.from ? state.from.name : '—'),
      h('span', {}, ' → ' + t('pathTo') + ': '), h('strong', { id: 'path-to' }, state.to ? state.to.name : '—'),
      h('label', {}, ' ' + t('maxDepth') + ' ', maxHops),
      h('button', { type: 'button', id: 'find-path', disabled: !(state.from && state.to), onclick: findPath }, t('findPath')));
  }

  // --- canvas, status, legend, tooltip, side panel ---
  const canvas = h('div', { id: 'cy', class: 'canvas', role: 'application', tabindex: '0', 'aria-roledescription': 'graph',
    'aria-label': t('canvasKeys'), 'data-i18n-label': 'canvasKeys' });
  // Keyboard: arrows walk through the selected node's neighbours, Enter expands,
  // Home returns to the root, + and - zoom, Escape clears a highlight.
  let walk = { from: null, i: -1 };
  canvas.addEventListener('keydown', (e) => {
    if (!cy || !cy.nodes().length) return;
    const sel = state.selected || state.root;
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown' || e.key === 'ArrowLeft' || e.key === 'ArrowUp') {
      if (walk.from !== sel && !(walk.from && cy.getElementById(walk.from).neighborhood('node').some((m) => m.id() === sel))) walk = { from: sel, i: -1 };
      const nbs = cy.getElementById(walk.from).neighborhood('node');
      if (!nbs.length) return;
      walk.i = (walk.i + (e.key === 'ArrowRight' || e.key === 'ArrowDown' ? 1 : nbs.length - 1)) % nbs.length;
      const n = nbs[walk.i];
      select(n.id());
      cy.center(n);
    } else if (e.key === 'Enter') { walk = { from: sel, i: -1 }; expand(sel); }
    else if (e.key === 'Home') { walk = { from: null, i: -1 }; select(state.root); cy.center(cy.getElementById(state.root)); }
    else if (e.key === '+' || e.key === '=') cy.zoom({ level: cy.zoom() * 1.25, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
    else if (e.key === '-') cy.zoom({ level: cy.zoom() / 1.25, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
    else if (e.key === 'Escape') clearHighlight();
    else return;
    e.preventDefault();
  });
  // The status line sits on top of the graph, where the eye is; errors are alerts.
  const status = h('div', { id: 'graph-status', class: 'status', role: 'status', 'aria-live': 'polite' }, t('start'));
  const busy = h('div', { id: 'graph-loading', class: 'graph-loading', hidden: true }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), h('span', {}, t('loading')));
  const legend = h('div', { id: 'legend', class: 'legend-box', role: 'region', 'aria-label': t('legend') });
  const tip = h('div', { id: 'graph-tip', class: 'tip', role: 'tooltip', hidden: true });
  const side = h('aside', { id: 'side', class: 'side', 'aria-label': 'details', tabindex: '-1' }, h('p', { class: 'muted' }, t('selectNode')));
  const graphBox = h('div', { class: 'graph' }, status, canvas, busy, legend, tip);
  const split = h('div', { class: 'split' }, graphBox, side);
  const el = h('section', { class: 'explorer' }, toolbar, caseNotesView, viewBar, pathBar, split);
  // The graph fills the window below the toolbar (which wraps to one or two
  // lines), so its status line and its bottom stay in view.
  function fitHeight() {
    if (!el.isConnected) return;
    if (window.innerWidth <= 1100) split.style.height = '';
    else split.style.height = Math.max(384, window.innerHeight - (split.getBoundingClientRect().top + window.scrollY) - 12) + 'px';
    if (cy) cy.resize();
  }
  window.addEventListener('resize', fitHeight);

  function renderLegend() {
    const l = legendItems();
    legend.replaceChildren(h('h3', {}, t('legend')),
      h('ul', { class: 'lg' },
        h('li', {}, h('span', { class: 'lgk' }, t('legendGrades')), l.grades.map(([g, c]) => h('span', { class: 'lgi', title: t('gradeMeaning' + (g === '–' ? 'None' : g)) },
          h('i', { class: 'dot', style: `background:${c}` }), g))),
        h('li', {}, h('span', { class: 'lgk' }, t('legendShapes')), l.shapes.map(([k, sym]) => h('span', { class: 'lgi' }, h('b', { 'aria-hidden': 'true' }, sym), t(k))),
          h('span', { class: 'lgi muted' }, t('legendSize'))),
        h('li', {}, h('span', { class: 'lgk' }, t('legendEdges')), l.edges.map(([ty, c, line]) => h('span', { class: 'lgi', 'data-type': ty },
          h('i', { class: 'swatch line-' + line, style: `border-color:${c}` }), t(ty))), h('span', { class: 'lgi muted' }, t('legendWidth'))),
        h('li', {}, h('span', { class: 'lgk' }, t('legendBorders')), [['root', '#1d39c4'], ['owner', '#08979c'], ['endpoint', '#eb2f96'], ['evidence', '#fa541c'], ['pinned', '#2f54eb']]
          .map(([k, c]) => h('span', { class: 'lgi' }, h('i', { class: 'ring', style: `border-color:${c}` }), t('border_' + k))))));
  }
  renderLegend();

  function setStatus(text, kind) {
    status.textContent = text;
    status.className = 'status' + (kind ? ' ' + kind : '');
    status.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  }
  function setBusy(on) {
    busy.hidden = !on;
    canvas.classList.toggle('stale', on);
    if (on) { canvas.setAttribute('aria-busy', 'true'); setStatus(t('loading'), 'loading'); } else canvas.removeAttribute('aria-busy');
  }

  function setMode(m) {
    state.mode = m;
    for (const b of modeBtns) b.setAttribute('aria-pressed', String(b.id === 'mode-' + m));
    pathBar.hidden = m !== 'path';
    requestAnimationFrame(fitHeight);
    if (m === 'path') {
      if (!state.from && state.selected) state.from = { id: state.selected, name: cy.getElementById(state.selected).data('name') };
      renderPathBar();
    } else if (m === 'ownership' || m === 'investments') {
      const id = state.selected && /^(enterprise|person):/.test(state.selected) && (m === 'investments' || state.selected.startsWith('enterprise:')) ? state.selected : state.root;
      if (id) ownership(id, m === 'investments' ? 'down' : 'up');
    } else if (state.root) reload();
  }

  // --- rendering ---
  function ensureCy() {
    if (cy) return cy;
    cy = cytoscape({ container: canvas, style, minZoom: 0.05, maxZoom: 4, wheelSensitivity: 0.3, boxSelectionEnabled: false });
    cy.on('tap', 'node', (e) => select(e.target.id()));
    cy.on('tap', 'edge', (e) => selectEdge(e.target.id()));
    cy.on('dbltap', 'node', (e) => expand(e.target.id()));
    cy.on('mouseover', 'node, edge', (e) => showTip(e.target, e.renderedPosition || (e.target.isNode() ? e.target.renderedPosition() : e.target.renderedMidpoint())));
    cy.on('mouseout', 'node, edge', () => { tip.hidden = true; });
    cy.on('viewport', () => { tip.hidden = true; });
    // Large graphs: the next frame rebuilds the layers at once when it must (warmLayers).
    cy.on('add remove', () => { elementsVersion++; });
    cy.on('render', warmLayers);
    window.__rg = window.__rg || {};
    window.__rg.cy = cy;
    return cy;
  }

  // Tooltip: the key facts of a node or an edge.
  function showTip(ele, pos) {
    const d = ele.data();
    let lines;
    if (ele.isNode()) {
      lines = [h('strong', {}, d.name), h('div', {}, t(d.kind) + (d.grade ? ' · ' + t('grade') + ' ' + d.grade : '') + (d.score != null ? ' · ' + t('score') + ' ' + fmtScore(d.score) : ''))];
      if (d.kind === 'enterprise') lines.push(h('div', { class: 'muted' }, [d.props.uscc || apiRef(d.id), statusName(d.props.status)].filter(Boolean).join(' · ')));
      if (d.kind === 'person') lines.push(h('div', { class: 'muted' }, 'pid ' + pidTail(d.id.slice(7))));
      if (d.kind === 'record') lines.push(h('div', { class: 'muted' }, [realDate(d.props.decided), d.props.authority].filter(Boolean).join(' · ')));
      if (d.risk && d.risk.flags && d.risk.flags.length) lines.push(h('div', {}, d.risk.flags.map((f) => h('span', { class: 'flag' }, term(f)))));
    } else {
      lines = [h('strong', {}, t(d.type) + (d.label && d.label !== t(d.type) ? ' · ' + d.label : '')),
        h('div', {}, labelOf(d.source) + ' → ' + labelOf(d.target)), edgeFacts(d).length ? h('div', { class: 'muted' }, edgeFacts(d).map(([k, v]) => t(k) + ' ' + v).join(' · ')) : null];
    }
    tip.replaceChildren(...lines);
    tip.hidden = false;
    const w = graphBox.clientWidth;
    tip.style.left = Math.min(pos.x + 14, w - 260) + 'px';
    tip.style.top = (pos.y + canvas.offsetTop + 14) + 'px';
  }
  function edgeFacts(d) {
    const p = d.props || {};
    const out = [];
    if (p.ratio != null) out.push(['ratio', pct(p.ratio)]);
    if (p.amount != null) out.push(['amount', String(p.amount)]);
    if (p.title) out.push(['title', titleName(p.title)]);
    if (p.title_text) out.push(['titleText', p.title_text]);
    if (p.kind && d.type === 'RELATED_TO') out.push(['relation', relationName(p.kind)]);
    if (realDate(p.since)) out.push(['since', realDate(p.since)]);
    if (realDate(p.until)) out.push(['until', realDate(p.until)]);
    return out;
  }

  function elementsOf(nodes, edges) {
    const ids = new Set(nodes.map((n) => n.id));
    const els = nodes.map((n) => ({ group: 'nodes', data: nodeData(n) }));
    for (const e of edges) {
      if (!ids.has(e.from) || !ids.has(e.to)) continue;
      els.push({ group: 'edges', data: edgeData(e) });
    }
    return els;
  }

  // tidy: persons sharing a name get their pid's tail in the label; many
  // edges are labelled only around the selection.
  function tidy() {
    const byName = new Map();
    cy.nodes('[kind = "person"]').forEach((n) => { const k = n.data('name'); byName.set(k, (byName.get(k) || 0) + 1); });
    cy.nodes('[kind = "person"]').forEach((n) => {
      const name = n.data('name');
      const want = byName.get(name) > 1 ? name + ' ' + pidTail(n.id().slice(7)) : name;
      if (n.data('label') !== want && !n.hasClass('owner')) n.data('label', want);
    });
    cy.edges().toggleClass('quiet', cy.edges().length > QUIET);
  }

  // --- grouping: leaves of one kind on one node under a collapsible node ---
  // A leaf is a node with one relationship (not the root, not pinned). The
  // leaves a node reaches by the same relationship type and direction, of
  // one kind (records: of one record kind), become one group node ("37
  // 行政处罚") once there are GROUP_MIN; expanding it puts them back.
  function groupLabel(memberKind, recKind, type, dir, n) {
    if (memberKind === 'record') return t('groupRecords', { n, what: term(recKind) });
    return t('groupOf', { n, what: t(memberKind), rel: t(type) + (type === 'HOLDS_SHARES' ? (dir === 'out' ? ' ↓' : ' ↑') : '') });
  }
  function groupLeaves(scope) {
    const drop = [], add = [];
    scope.forEach((n) => {
      if (n.data('kind') === 'group') return;
      const buckets = new Map();
      const nid = n.id();
      n.connectedEdges().forEach((e) => {
        const out = e.data('source') === nid;
        const m = out ? e.target() : e.source();
        if (m.degree(false) !== 1 || m.id() === state.root || m.data('kind') === 'group' || m.hasClass('pinned')) return;
        const rec = m.data('kind') === 'record' ? (m.data('props') || {}).kind || '' : '';
        const key = m.data('kind') + '|' + rec + '|' + e.data('type') + '|' + (out ? 'out' : 'in');
        let b = buckets.get(key);
        if (!b) buckets.set(key, (b = { ms: [], es: [] }));
        b.ms.push(m); b.es.push(e);
      });
      for (const [key, { ms, es }] of buckets) {
        if (ms.length < GROUP_MIN) continue;
        drop.push(...ms);
        add.push(...groupElements(nid, key, ms.map(nodeJSON), es.map(nodeJSON), centre(ms)));
      }
    });
    if (drop.length) { cy.collection(drop).remove(); cy.add(add); }
  }
  const nodeJSON = (x) => ({ group: x.isNode() ? 'nodes' : 'edges', data: x.data(), classes: x.classes() });
  function centre(ms) {
    let x = 0, y = 0;
    for (const m of ms) { const p = m.position(); x += p.x; y += p.y; }
    return { x: x / ms.length, y: y / ms.length };
  }
  // groupPlain groups the leaves of a new answer's elements (as elementsOf
  // makes them, before they are added: grouping on the canvas would add
  // every leaf and remove it again) the way groupLeaves does; returns the
  // elements to draw.
  function groupPlain(els, rootId) {
    const nodes = new Map(), deg = new Map(), inc = new Map();
    for (const x of els) if (x.group === 'nodes') { nodes.set(x.data.id, x); deg.set(x.data.id, 0); inc.set(x.data.id, []); }
    const loops = new Map();
    for (const x of els) {
      if (x.group !== 'edges') continue;
      const { source, target } = x.data;
      if (source === target) { loops.set(source, [...(loops.get(source) || []), x]); continue; }
      deg.set(source, deg.get(source) + 1); deg.set(target, deg.get(target) + 1);
      inc.get(source).push(x); inc.get(target).push(x);
    }
    const drop = new Set(), add = [];
    for (const [nid, n] of nodes) {
      if (n.data.kind === 'group') continue;
      const buckets = new Map();
      for (const e of inc.get(nid)) {
        const out = e.data.source === nid;
        const mid = out ? e.data.target : e.data.source;
        const m = nodes.get(mid);
        if (deg.get(mid) !== 1 || mid === rootId || m.data.kind === 'group' || /(^|\s)pinned(\s|$)/.test(m.classes || '')) continue;
        const rec = m.data.kind === 'record' ? (m.data.props || {}).kind || '' : '';
        const key = m.data.kind + '|' + rec + '|' + e.data.type + '|' + (out ? 'out' : 'in');
        let b = buckets.get(key);
        if (!b) buckets.set(key, (b = { ms: [], es: [] }));
        b.ms.push(m); b.es.push(e);
      }
      for (const [key, { ms, es }] of buckets) {
        if (ms.length < GROUP_MIN) continue;
        for (const m of ms) { drop.add(m.data.id); es.push(...(loops.get(m.data.id) || [])); }
        add.push(...groupElements(nid, key, ms.map((m) => ({ group: 'nodes', data: m.data })), es.map((e) => ({ group: 'edges', data: e.data }))));
      }
    }
    if (!drop.size) return els;
    return [...els.filter((x) => (x.group === 'nodes' ? !drop.has(x.data.id) : !drop.has(x.data.source) && !drop.has(x.data.target))), ...add];
  }
  // groupElements records the group of the leaves members (element JSON,
  // reached from nid over the edges es; key: kind|record kind|type|direction)
  // and returns its node, at position (if given), and its edge.
  function groupElements(nid, key, members, es, position) {
    const [kind, rec, type, dir] = key.split('|');
    const gid = 'group:' + nid + '|' + key;
    const label = groupLabel(kind, rec, type, dir, members.length);
    groups.set(gid, { parent: nid, kind, nodes: members, edges: es });
    return [{ group: 'nodes', ...(position ? { position } : {}), data: { id: gid, kind: 'group', memberKind: kind, name: label, label, grade: '', score: null,
      color: '#d9d9d9', size: Math.round(26 + 6 * Math.sqrt(members.length)), props: {}, risk: {}, count: members.length } },
    { group: 'edges', data: { id: 'gedge:' + gid, source: dir === 'out' ? nid : gid, target: dir === 'out' ? gid : nid, type, label: String(members.length), ratio: 0, props: {} } }];
  }
  // restoreGroup collapses the nodes ids into the group gid again (a case
  // file's group, at its saved place).
  function restoreGroup(gid, ids, position) {
    const parts = gid.slice('group:'.length).split('|');
    if (parts.length < 5) return;
    const key = parts.slice(-4).join('|'), nid = parts.slice(0, -4).join('|');
    const ms = ids.map((id) => cy.getElementById(id)).filter((m) => m.nonempty());
    if (!ms.length || cy.getElementById(nid).empty()) return;
    const es = cy.collection(ms).connectedEdges().toArray();
    const add = groupElements(nid, key, ms.map(nodeJSON), es.map(nodeJSON), position);
    cy.collection(ms).remove();
    cy.add(add);
  }
  // ungroup puts a group's members back on free space around it.
  function ungroup(gid) {
    const g = groups.get(gid);
    if (!g || !cy) return;
    const gn = cy.getElementById(gid);
    const center = gn.nonempty() ? { ...gn.position() } : cy.getElementById(g.parent).position();
    groups.delete(gid);
    cy.startBatch();
    gn.remove();
    const spots = freeSpots(center, g.nodes.length);
    cy.add(g.nodes.map((j, i) => ({ ...j, position: spots[i] || center })));
    cy.add(g.edges.filter((j) => cy.getElementById(j.data.source).nonempty() && cy.getElementById(j.data.target).nonempty()));
    if (cy.elements().length > BIG) cy.edges().addClass('big');
    tidy();
    cy.endBatch();
    updateSlider();
  }
  // groupedIds: the nodes inside groups (on the canvas as their group).
  function groupedIds() {
    const ids = new Set();
    for (const g of groups.values()) for (const j of g.nodes) ids.add(j.data.id);
    return ids;
  }
  function ungroupAll() { for (const gid of [...groups.keys()]) ungroup(gid); }
  // reveal ungroups the groups holding any of ids (evidence, a selection).
  function reveal(ids) {
    const want = new Set(ids);
    for (const [gid, g] of [...groups]) if (g.nodes.some((j) => want.has(j.data.id))) ungroup(gid);
  }

  // --- filters in the graph ---
  // applyView hides (display: none) what the filters leave out: nodes hidden
  // by hand; nodes of an unchecked grade or kind (the root and pinned nodes
  // stay); and, with the date slider before today, the network as it stood
  // on that day — as far as the data has dates: relationships that began
  // after it or ended before it, enterprises established after it, records
  // decided after it or removed by it, and then whatever lost every
  // relationship. Undated relationships and nodes always show.
  function applyView() {
    if (!cy) return;
    const day = state.asOf;
    const after = (d) => { const x = realDate(d); return !!(day && x && x > day); };
    const before = (d) => { const x = realDate(d); return !!(day && x && x < day); };
    // No filter on (a new graph, say): nothing to look at but what is still hidden.
    const on = state.hidden.size || state.hiddenGrades.size || state.hiddenKinds.size || day;
    cy.batch(() => {
      const was = cy.elements('.filtered');
      if (was.nonempty()) was.removeClass('filtered');
      if (!on) return;
      cy.nodes().forEach((n) => {
        const d = n.data();
        if (n.id() === state.root) return;
        if (state.hidden.has(n.id())) { n.addClass('filtered'); return; }
        if (n.hasClass('pinned')) return;
        const p = d.props || {};
        const kind = d.kind === 'group' ? d.memberKind : d.kind;
        if (state.hiddenKinds.has(kind) || (d.kind !== 'record' && d.kind !== 'group' && state.hiddenGrades.has(d.grade || 'none'))
          || after(p.established) || after(p.decided) || (day && realDate(p.removed) && realDate(p.removed) <= day)) n.addClass('filtered');
      });
      cy.edges().forEach((e) => {
        const p = e.data('props') || {};
        if (e.source().hasClass('filtered') || e.target().hasClass('filtered') || after(p.since) || before(p.until)) e.addClass('filtered');
      });
      if (day) {
        cy.nodes().forEach((n) => {
          if (n.id() === state.root || n.hasClass('pinned') || n.hasClass('filtered')) return;
          const es = n.connectedEdges();
          if (es.nonempty() && es.every((e) => e.hasClass('filtered'))) n.addClass('filtered');
        });
      }
    });
    const gone = cy.nodes('.filtered').length;
    viewNote.textContent = gone ? t('filteredOut', { n: gone }) : '';
    showHidden.hidden = !state.hidden.size;
    showHidden.textContent = t('showHidden', { n: state.hidden.size });
    window.__rg.visible = cy.nodes().length - gone;
  }

  // draw replaces the graph and lays it out; resolves once it is drawn.
  // layout may be a function of the elements (the network view's, chosen
  // after grouping); group: leaves of one kind go under one node (on the
  // elements, before they are added); select: the node selected on the
  // canvas before the first frame (its side panel is select's to fill).
  function draw(els, layout, rootId, group = false, selected = null) {
    const t0 = performance.now();
    ensureCy();
    clearHighlight(true);
    groups.clear();
    state.hidden.clear();
    // Where the time goes (benchmarks/ui.sh prints it): ms per phase.
    const phases = {}, mark = (k, since) => { phases[k] = performance.now() - since; return performance.now(); };
    let tp = performance.now();
    if (group && state.group) els = groupPlain(els, rootId);
    window.__rg.lastGroup = performance.now() - tp;
    tp = mark('group', tp);
    if (typeof layout === 'function') layout = layout(els);
    // A layout computed here (large networks): positions set as the elements are added.
    if (layout.positions && layout.bbox) {
      for (const x of els) if (x.group === 'nodes') x.position = layout.positions(x.data.id);
    }
    const big = els.length > BIG; // nodes + edges
    tp = mark('layout', tp);
    cy.startBatch();
    cy.elements().remove();
    cy.add(els);
    if (rootId) cy.getElementById(rootId).addClass('root');
    if (big) cy.edges().addClass('big');
    tidy();
    if (selected && cy.getElementById(selected).nonempty()) { cy.getElementById(selected).select(); markNear(selected); }
    cy.endBatch();
    tp = mark('add', tp);
    updateSlider();
    applyView();
    tp = mark('filters', tp);
    cy.hideEdgesOnViewport = big;
    cy.textureOnViewport = big;
    return new Promise((resolve) => {
      const l = cy.layout(layout.bbox ? { name: 'preset', animate: false, fit: false } : { ...layout, animate: false, fit: true, padding: 30 });
      l.one('layoutstop', () => {
        if (layout.bbox) fitBox(layout.bbox);
        if (cy.zoom() > 1.5) { cy.zoom(1.5); cy.center(); } // small graphs: no giant nodes
        warmLayers();
        tp = mark('place', tp); // running the layout (fCoSE) or placing the computed one, and the fit
      });
      l.one('layoutstop', () => requestAnimationFrame(() => {
        mark('frame', tp); // styles, edge geometry, layers: Cytoscape's first frame
        window.__rg.phases = phases;
        state.lastRender = performance.now() - t0;
        window.__rg.lastRender = state.lastRender;
        window.__rg.renders = (window.__rg.renders || 0) + 1;
        renderCaseBar();
        resolve();
      }));
      l.run();
    });
  }

  // fitBox fits the viewport to bb (model coordinates) as cy.fit would,
  // without measuring every element (and its label) again.
  function fitBox(bb, padding = 30) {
    const w = cy.width(), hh = cy.height();
    if (!bb.w || !bb.h || !w || !hh) { cy.fit(undefined, padding); return; }
    const z = Math.max(cy.minZoom(), Math.min(cy.maxZoom(), (w - 2 * padding) / bb.w, (hh - 2 * padding) / bb.h));
    cy.viewport({ zoom: z, pan: { x: (w - z * (bb.x1 + bb.x2)) / 2, y: (hh - z * (bb.y1 + bb.y2)) / 2 } });
  }
  // warmLayers: Cytoscape's canvas renderer draws a large graph from
  // "layers", textures holding the whole graph at the zoom level. After a
  // change (a selection, a filter) or at a new zoom level it rebuilds them
  // a few elements per frame, drawing every element one by one in each of
  // those frames meanwhile (in a graph of more than BIG elements about ten
  // frames of 100–300 ms). Called after each frame, this has the next
  // frame rebuild them at once (one such frame; at a new zoom level the
  // layers of the nearest complete level stand in meanwhile, as before).
  // It sets a flag of the renderer's layered texture cache (cytoscape
  // 3.35, pinned in package.json); without the flag nothing changes but
  // the speed.
  let sized = 0, large = false;
  function warmLayers() {
    if (!cy) return;
    if (sized !== elementsVersion) { large = cy.elements().length > BIG; sized = elementsVersion; }
    if (!large) return;
    const r = cy.renderer && cy.renderer();
    const cache = r && r.data && r.data.lyrTxrCache;
    if (cache && 'firstGet' in cache) cache.firstGet = true;
  }

  // networkLayout: fCoSE (a maintained force-directed layout with good
  // separation) up to LARGE nodes; larger neighbourhoods a packed tree from
  // the root, each node's leaves around it (biglayout.js, no simulation).
  // nodes: [{id, size}]; edges: [{from, to}].
  function networkLayout(nodes, edges, rootId) {
    if (nodes.length <= LARGE) {
      return { name: 'fcose', quality: nodes.length > 300 ? 'draft' : 'default', randomize: true, nodeDimensionsIncludeLabels: nodes.length <= 200,
        nodeRepulsion: () => 9000, idealEdgeLength: (e) => (e.data('type') === 'HAS_RECORD' ? 45 : 90), nodeSeparation: 90, numIter: 2500, packComponents: true };
    }
    const { positions, bbox } = packedLayout(nodes, edges, rootId);
    const at = (id) => ({ ...(positions.get(id) || { x: 0, y: 0 }) });
    return { name: 'preset', positions: (n) => at(typeof n === 'string' ? n : n.id()), bbox };
  }
  // networkLayoutOf: the network layout of elements (element JSON).
  function networkLayoutOf(els, rootId) {
    const nodes = [], edges = [];
    for (const x of els) {
      if (x.group === 'nodes') nodes.push({ id: x.data.id, size: x.data.size });
      else edges.push({ from: x.data.source, to: x.data.target });
    }
    return networkLayout(nodes, edges, rootId);
  }

  function countText(extra) {
    return `${cy.nodes().length} ${t('nodes')} · ${cy.edges().length} ${t('edges')}` + (extra ? ' · ' + extra : '');
  }
  const typesParam = () => (state.types.size === TYPES.length ? '' : '&types=' + [...state.types].join(','));

  async function reload() {
    if (!state.root) return;
    if (state.mode === 'ownership') return ownership(state.root);
    if (state.mode === 'investments') return ownership(state.root, 'down');
    state.mode = 'network';
    for (const b of modeBtns) b.setAttribute('aria-pressed', String(b.id === 'mode-network'));
    pathBar.hidden = true;
    requestAnimationFrame(fitHeight);
    const my = ++state.seq;
    setBusy(true);
    try {
      const r = await api(entityPath(state.root) + `/network?depth=${state.depth}&limit=${state.limit}` + typesParam());
      if (my !== state.seq) return;
      state.pending.clear();
      state.data = r;
      await draw(elementsOf(r.nodes, r.edges), (els) => networkLayoutOf(els, state.root), state.root, true, state.root);
      setBusy(false);
      setStatus(countText(r.truncated ? t('truncated') : ''), r.truncated ? 'warn' : '');
      select(state.root);
    } catch (e) {
      if (my !== state.seq) return;
      setBusy(false);
      if (cy) cy.elements().remove();
      side.replaceChildren(h('p', { class: 'muted' }, t('selectNode')));
      setStatus(t('error') + ': ' + e.message, 'error');
    }
  }

  // --- expansion ---
  // expand adds a node's neighbours: all of them (under the type filter),
  // or only its holdings (down), its holders (up), or its officers and
  // legal representatives (for a person: the enterprises they serve).
  async function expand(id, how = 'all') {
    if (!cy || id.startsWith('record:')) return;
    if (id.startsWith('group:')) { ungroup(id); applyView(); return; }
    if (!state.pending.has(id) || state.pending.get(id).how !== how) {
      setBusy(true);
      try {
        const types = how === 'down' || how === 'up' ? '&types=HOLDS_SHARES' : how === 'officers' ? '&types=OFFICER_OF,LEGAL_REP_OF' : typesParam();
        const r = await api(entityPath(id) + '/network?depth=1&limit=1000' + types);
        let edges = r.edges;
        if (how === 'down') edges = edges.filter((e) => e.type === 'HOLDS_SHARES' && e.from === id);
        else if (how === 'up') edges = edges.filter((e) => e.type === 'HOLDS_SHARES' && e.to === id);
        else if (how === 'officers') edges = edges.filter((e) => (e.type === 'OFFICER_OF' || e.type === 'LEGAL_REP_OF') && (e.from === id || e.to === id));
        const ends = new Set(edges.flatMap((e) => [e.from, e.to]));
        const grouped = groupedIds();
        const fresh = r.nodes.filter((n) => cy.getElementById(n.id).empty() && !grouped.has(n.id) && (how === 'all' || ends.has(n.id)));
        fresh.sort((a, b) => ((b.risk && b.risk.score) || 0) - ((a.risk && a.risk.score) || 0));
        state.pending.set(id, { how, nodes: fresh, edges });
      } catch (e) {
        setBusy(false);
        setStatus(t('error') + ': ' + e.message, 'error');
        return;
      }
      setBusy(false);
    }
    showMore(id);
  }

  // freeSpots finds n positions around center, at least GAP from every
  // node on the canvas and from each other, preferring the side that faces
  // away from the rest of the graph (new neighbours never land on old ones).
  function freeSpots(center, n) {
    const cell = GAP, grid = new Map();
    const keyOf = (x, y) => Math.floor(x / cell) + ',' + Math.floor(y / cell);
    const put = (p) => { const k = keyOf(p.x, p.y); if (!grid.has(k)) grid.set(k, []); grid.get(k).push(p); };
    let cx = 0, cyy = 0, m = 0;
    cy.nodes().forEach((node) => { const p = node.position(); put({ x: p.x, y: p.y }); cx += p.x; cyy += p.y; m++; });
    const free = (p) => {
      const gx = Math.floor(p.x / cell), gy = Math.floor(p.y / cell);
      for (let i = -1; i <= 1; i++) for (let j = -1; j <= 1; j++) {
        for (const q of grid.get((gx + i) + ',' + (gy + j)) || []) if (Math.hypot(q.x - p.x, q.y - p.y) < GAP) return false;
      }
      return true;
    };
    const away = m > 1 ? Math.atan2(center.y - cyy / m, center.x - cx / m) : 0;
    const out = [];
    for (let r = GAP * 1.4; out.length < n && r < GAP * 400; r += GAP * 0.9) {
      const steps = Math.max(6, Math.floor((2 * Math.PI * r) / GAP));
      for (let k = 0; k < steps && out.length < n; k++) {
        const a = away + (k % 2 ? 1 : -1) * Math.ceil(k / 2) * ((2 * Math.PI) / steps);
        const p = { x: center.x + r * Math.cos(a), y: center.y + r * Math.sin(a) };
        if (free(p)) { out.push(p); put(p); }
      }
    }
    return out;
  }

  function showMore(id) {
    const p = state.pending.get(id);
    const batch = p.nodes.splice(0, PAGE).filter((n) => cy.getElementById(n.id).empty());
    const spots = freeSpots(cy.getElementById(id).position(), batch.length);
    cy.startBatch();
    batch.forEach((n, i) => cy.add({ group: 'nodes', data: nodeData(n), position: spots[i] }));
    for (const e of p.edges) {
      if (cy.getElementById(e.id).nonempty() || cy.getElementById(e.from).empty() || cy.getElementById(e.to).empty()) continue;
      cy.add({ group: 'edges', data: edgeData(e) });
    }
    tidy();
    cy.endBatch();
    if (batch.length) {
      const added = cy.collection(batch.map((n) => cy.getElementById(n.id)));
      const ext = cy.extent(), bb = added.boundingBox();
      if (bb.x1 < ext.x1 || bb.x2 > ext.x2 || bb.y1 < ext.y1 || bb.y2 > ext.y2) cy.fit(undefined, 30);
    }
    applyView();
    setStatus(countText(batch.length ? t('expanded', { n: batch.length }) : t('allShown')));
    if (state.selected === id) { renderActions(id); markNear(id); }
  }

  // --- path mode ---
  async function findPath() {
    const { from, to } = state;
    const my = ++state.seq;
    setBusy(true);
    try {
      const r = await api(`/paths?from=${enc(apiRef(from.id))}&to=${enc(apiRef(to.id))}&max_depth=${maxHops.value}&limit=10` + typesParam());
      if (my !== state.seq) return;
      if (!r.paths.length) {
        setBusy(false);
        setStatus(t('noPath') + ' (' + from.name + ' → ' + to.name + ', ' + t('maxDepth') + ' ' + maxHops.value + ')', 'warn');
        return;
      }
      const nodes = new Map(), edges = new Map();
      for (const p of r.paths) { for (const n of p.nodes) nodes.set(n.id, n); for (const e of p.edges) edges.set(e.id, e); }
      state.data = r;
      state.paths = r.paths;
      await draw(elementsOf([...nodes.values()], [...edges.values()]), { name: 'breadthfirst', roots: [from.id], spacingFactor: 1.3 }, null);
      setBusy(false);
      cy.getElementById(from.id).addClass('endpoint');
      cy.getElementById(to.id).addClass('endpoint');
      setStatus(t('pathsFound', { n: r.paths.length, hops: r.paths[0].edges.length }) + ' · ' + countText());
      renderPaths();
    } catch (e) {
      if (my !== state.seq) return;
      setBusy(false);
      setStatus(t('error') + ': ' + e.message, 'error');
    }
  }
  // renderPaths lists each shortest path on its own (paths sharing nodes,
  // or running over parallel relationships, are told apart); a click
  // highlights that path's nodes and relationships.
  function renderPaths() {
    side.replaceChildren(h('h2', {}, t('pathsFound', { n: state.paths.length, hops: state.paths[0].edges.length })),
      h('ol', { id: 'paths', class: 'paths' }, state.paths.map((p, i) => h('li', {},
        h('button', { type: 'button', class: 'link', 'data-path': i, onclick: () => highlight(p.nodes.map((n) => n.id), p.edges.map((e) => e.id), t('pathN', { n: i + 1 })) },
          t('pathN', { n: i + 1 })), ' ',
        h('span', {}, p.nodes.map((n, k) => {
          const e = k && p.edges[k - 1];
          // The arrow follows the relationship, not the walk: holder → held, officer → enterprise.
          const link = !e ? null : e.from === p.nodes[k - 1].id ? ' —' + edgeLabel(e) + '→ ' : ' ←' + edgeLabel(e) + '— ';
          return [link ? h('span', { class: 'muted' }, link) : null, n.label || labelOf(n.id)];
        }))))));
  }

  // --- ownership penetration ---
  // ownership draws the holders above an enterprise (dir up, with its
  // beneficial owners) or the downstream investments below an enterprise
  // or a person (dir down: what it holds, and what those hold).
  async function ownership(id, dir = 'up') {
    const down = dir === 'down';
    state.mode = down ? 'investments' : 'ownership';
    for (const b of modeBtns) b.setAttribute('aria-pressed', String(b.id === 'mode-' + state.mode));
    pathBar.hidden = true;
    if (!id.startsWith('enterprise:') && !(down && id.startsWith('person:'))) return;
    const my = ++state.seq;
    setBusy(true);
    try {
      if (down) return await investments(id, my);
      const key = enc(apiRef(id));
      const [tree, owners] = await Promise.all([
        api(`/enterprises/${key}/ownership?direction=up&depth=6&limit=500`),
        // Owners are computed from the store (no scoring run needed).
        api(`/enterprises/${key}/owners`).catch((e) => ({ error: e.message })),
      ]);
      if (my !== state.seq) return;
      const nodes = new Map(), edges = [];
      const walk = (n) => {
        const nid = idOfRef(n.ref);
        if (!nodes.has(nid)) nodes.set(nid, { id: nid, ref: n.ref, label: n.name || n.ref.key, risk: n.risk });
        for (const c of n.children || []) {
          const cid = idOfRef(c.ref);
          edges.push({ id: cid + '->' + nid, from: cid, to: nid, type: 'HOLDS_SHARES', props: { ratio: c.ratio, cycle: c.cycle } });
          if (!c.cycle) walk(c); else if (!nodes.has(cid)) nodes.set(cid, { id: cid, ref: c.ref, label: c.name || c.ref.key, risk: c.risk });
        }
      };
      walk(tree.root);
      const uniq = [...new Map(edges.map((e) => [e.id, e])).values()];
      state.data = { ownership: tree, owners };
      const rootId = idOfRef(tree.root.ref);
      await draw(elementsOf([...nodes.values()], uniq), { name: 'breadthfirst', roots: [rootId], directed: false, spacingFactor: 1.1,
        transform: (_n, pos) => ({ x: pos.x, y: -pos.y }) }, rootId);
      setBusy(false);
      for (const o of owners.beneficial_owners || []) {
        const n = cy.getElementById('person:' + o.person);
        if (n.nonempty()) { n.addClass('owner'); n.data('label', n.data('name') + ' · ' + pct(o.share)); }
      }
      setStatus(t('ownershipOf', { name: tree.root.name || tree.root.ref.key }) + ' · ' + countText(tree.truncated ? t('truncated') : ''), tree.truncated ? 'warn' : '');
      state.selected = null;
      for (const o of owners.beneficial_owners || []) if (o.name && !names.has('person:' + o.person)) names.set('person:' + o.person, o.name);
      renderOwners(tree, owners);
      // Chains and a branch's head office (Art. 8) may run outside the tree drawn: their names in one batch.
      const ids = [...(owners.beneficial_owners || []).flatMap((o) => (o.chains || []).flatMap((c) => c.path)),
        ...(owners.head_office ? [idOfRef(owners.head_office)] : [])];
      fetchNames(ids, () => { if (my === state.seq) renderOwners(tree, owners); });
    } catch (e) {
      if (my !== state.seq) return;
      setBusy(false);
      setStatus(t('error') + ': ' + e.message, 'error');
    }
  }

  // investments: the tree of holdings below id (GET …/ownership?direction=down
  // for an enterprise; a person's holdings first, each then followed down).
  async function investments(id, my) {
    let tree;
    if (id.startsWith('enterprise:')) tree = await api(`/enterprises/${enc(apiRef(id))}/ownership?direction=down&depth=6&limit=500`);
    else {
      const r = await api(entityPath(id) + '/network?depth=1&limit=1000&types=HOLDS_SHARES');
      const me = r.nodes.find((n) => n.id === id) || { ref: { kind: 'person', key: id.slice(7) }, label: labelOf(id) };
      const held = r.edges.filter((e) => e.from === id);
      const names = new Map(r.nodes.map((n) => [n.id, n]));
      const kids = await Promise.all(held.slice(0, 50).map(async (e) => {
        const sub = await api(`/enterprises/${enc(apiRef(e.to))}/ownership?direction=down&depth=5&limit=200`).catch(() => null);
        const n = names.get(e.to) || {};
        return { ...(sub ? sub.root : { ref: n.ref, name: n.label }), ratio: e.props && e.props.ratio, risk: (sub && sub.root.risk) || n.risk };
      }));
      tree = { root: { ref: me.ref, name: me.label || me.name, risk: me.risk, children: kids }, truncated: held.length > 50 };
    }
    if (my !== state.seq) return;
    const nodes = new Map(), edges = [];
    const walk = (n) => {
      const nid = idOfRef(n.ref);
      if (!nodes.has(nid)) nodes.set(nid, { id: nid, ref: n.ref, label: n.name || n.ref.key, risk: n.risk });
      for (const c of n.children || []) {
        const cid = idOfRef(c.ref);
        edges.push({ id: nid + '->' + cid, from: nid, to: cid, type: 'HOLDS_SHARES', props: { ratio: c.ratio, cycle: c.cycle } });
        if (!c.cycle) walk(c); else if (!nodes.has(cid)) nodes.set(cid, { id: cid, ref: c.ref, label: c.name || c.ref.key, risk: c.risk });
      }
    };
    walk(tree.root);
    const uniq = [...new Map(edges.map((e) => [e.id, e])).values()];
    state.data = { investments: tree };
    const rootId = idOfRef(tree.root.ref);
    await draw(elementsOf([...nodes.values()], uniq), { name: 'breadthfirst', roots: [rootId], directed: true, spacingFactor: 1.1 }, rootId);
    setBusy(false);
    const name = tree.root.name || tree.root.ref.key;
    setStatus(t('investmentsOf', { name }) + ' · ' + countText(tree.truncated ? t('truncated') : ''), tree.truncated ? 'warn' : '');
    state.selected = null;
    // The side panel lists the holdings by depth, with the direct share.
    const rows = [];
    const list = (n, depth) => { for (const c of n.children || []) { rows.push([c, depth]); if (!c.cycle) list(c, depth + 1); } };
    list(tree.root, 1);
    side.replaceChildren(h('h2', {}, t('investmentsOf', { name })),
      rows.length ? h('ol', { id: 'investments', class: 'owners' }, rows.slice(0, 200).map(([c, depth]) => h('li', { 'data-depth': depth },
        h('span', { class: 'muted' }, '↳'.repeat(depth) + ' '), h('button', { type: 'button', class: 'link', onclick: () => select(idOfRef(c.ref)) }, c.name || c.ref.key),
        ' ', h('strong', {}, t('direct') + ' ' + pct(c.ratio)), c.cycle ? h('span', { class: 'muted' }, ' (' + t('cycle') + ')') : null)))
        : h('p', { class: 'muted' }, t('noInvestments')));
  }

  // renderOwners lists the beneficial owners of the 2024 rules (GET
  // /owners, docs/beneficial-owners.md): each owner's criterion and every
  // criterion met, the integrated equity, voting and income shares, the
  // office of a manager or branch executive, how a controller controls,
  // and the chains; the filing status with its reason, the fallback and a
  // foreign company's branch (Art. 8) said in words.
  function renderOwners(tree, owners) {
    const thr = Math.round((owners.beneficial_threshold ?? 0.25) * 100);
    const bo = owners.beneficial_owners || [];
    const crit = (c) => t('crit_' + c, { t: thr });
    const ctl = owners.actual_controller;
    const partyName = (id) => (ctl && idOfRef(ctl.ref) === id && ctl.name) || bo.find((o) => 'person:' + o.person === id)?.name || labelOf(id);
    const filing = owners.filing || {};
    const body = owners.quiet ? h('p', { class: 'muted' }, owners.error) : owners.error ? h('p', { class: 'state error', role: 'alert' }, t('error') + ': ' + owners.error)
      : h('div', {},
        h('h3', {}, t('boTitle', { t: thr })),
        filing.status ? h('p', { id: 'owners-filing', 'data-status': filing.status }, t('filing') + '：', h('strong', {}, t('filing_' + filing.status)),
          ' ', h('span', { class: 'muted' }, `（${filing.article}）${filing.reason || ''}`)) : null,
        owners.head_office ? h('p', { id: 'owners-head-office' }, t('boHeadOffice', { name: labelOf(idOfRef(owners.head_office)) })) : null,
        owners.fallback ? h('p', { id: 'owners-fallback', class: 'state warn' }, t('boFallback')) : null,
        owners.truncated ? h('p', { class: 'state warn' }, t('boTruncated')) : null,
        bo.length ? h('ol', { id: 'owners', class: 'owners' }, bo.map((o) => h('li', { 'data-person': o.person, 'data-criterion': o.criterion },
          h('button', { type: 'button', class: 'link', onclick: () => select('person:' + o.person) }, o.name || o.person), ' ',
          h('strong', { class: 'criterion' }, crit(o.criterion)),
          (o.criteria || []).length > 1 ? h('span', { class: 'muted criteria' }, ' · ' + t('alsoMeets') + ' ' + o.criteria.filter((c) => c !== o.criterion).map(crit).join('、')) : null,
          o.title ? h('span', { class: 'title' }, ' · ' + (titleName(o.title) || o.title)) : null,
          o.criterion === 'senior_manager' || (o.criterion === 'branch_executive' && !o.share) ? null
            : h('div', { class: 'shares' }, `${t('shareEquity')} ${pct(o.share, 2)} · ${t('shareVoting')} ${pct(o.voting, 2)} · ${t('shareIncome')} ${pct(o.income, 2)}`),
          o.control ? h('div', { class: 'control' }, t('controlVia') + '：' + t('basis_' + o.control.basis),
            o.control.jointly && (o.control.with || []).length ? '，' + t('jointlyWith', { names: o.control.with.map(partyName).join('、') }) : '') : null,
          h('ul', {}, (o.chains || []).slice(0, 3).map((c) => h('li', { class: 'muted chain' },
            h('button', { type: 'button', class: 'link', onclick: () => highlight(c.path, null, t('integrated') + ' ' + pct(c.share)) }, c.path.map(labelOf).join(' → ')), ' (' + pct(c.share, 2) + ')'))),
          (o.chains_total || 0) > Math.min(3, (o.chains || []).length) ? h('p', { class: 'muted' }, t('chainsTotal', { n: o.chains_total })) : null)))
          : h('p', { class: 'muted' }, t('noOwners')),
        ctl ? h('p', {}, t('controller') + ': ', h('strong', { id: 'controller' }, ctl.name || ctl.ref.key), ctl.basis ? ' · ' + t('basis_' + ctl.basis) : '') : null);
    side.replaceChildren(h('h2', {}, t('ownershipOf', { name: tree.root.name || tree.root.ref.key })), body);
  }

  function labelOf(id) {
    const n = cy && cy.getElementById(id);
    if (n && n.nonempty()) return n.data('name');
    if (names.has(id)) return names.get(id);
    return id.startsWith('person:') ? t('person') + ' ' + pidTail(id.slice(7)) : id.replace(/^(enterprise|person|record):/, '').slice(0, 18);
  }
  // Names of entities outside the graph (flag evidence), fetched in one batch.
  const names = new Map();
  async function fetchNames(ids, then) {
    const keys = [...new Set(ids.filter((id) => id.startsWith('enterprise:') && !names.has(id) && !(cy && cy.getElementById(id).nonempty())).map((id) => id.slice(11)))];
    if (!keys.length) return;
    try {
      const r = await api('/enterprises:batch', { method: 'POST', body: { keys } });
      for (const e of r.enterprises || []) names.set('enterprise:' + e.key, e.name);
      then();
    } catch { /* names stay as keys */ }
  }

  // --- evidence highlight ---
  // highlight marks the nodes (and the edges between consecutive ones, or
  // the given edges) of a flag's evidence, a contribution's path or a
  // path, and fades the rest; Escape or "clear" undoes it.
  function highlight(ids, edgeIds, what) {
    if (!cy) return;
    reveal(ids);
    clearHighlight(true);
    const nodes = cy.collection(ids.map((id) => cy.getElementById(id)).filter((n) => n.nonempty()));
    let edges;
    if (edgeIds) edges = cy.collection(edgeIds.map((id) => cy.getElementById(id)).filter((e) => e.nonempty()));
    else {
      edges = cy.collection();
      for (let i = 1; i < ids.length; i++) edges = edges.union(cy.getElementById(ids[i - 1]).edgesWith(cy.getElementById(ids[i])));
      if (ids.length > 2 && edges.empty()) edges = nodes.edgesWith(nodes);
    }
    cy.elements().addClass('faded');
    nodes.removeClass('faded').addClass('hl');
    edges.removeClass('faded').addClass('hl');
    state.highlighted = true;
    if (nodes.nonempty()) cy.fit(nodes, 60);
    if (cy.zoom() > 1.5) { cy.zoom(1.5); cy.center(nodes); }
    hlBar.hidden = false;
    hlText.textContent = t('highlighted', { what, n: nodes.length, m: ids.length });
    window.__rg.highlight = { nodes: nodes.map((n) => n.id()), edges: edges.map((e) => e.id()), asked: ids };
  }
  function clearHighlight(quiet) {
    if (cy) cy.elements().removeClass('faded hl');
    hlBar.hidden = true;
    state.highlighted = false;
    if (!quiet && window.__rg) window.__rg.highlight = null;
  }
  const hlText = h('span', { id: 'hl-text' });
  const hlBar = h('div', { class: 'hlbar', id: 'hl-bar', hidden: true, role: 'status' }, hlText, ' ',
    h('button', { type: 'button', id: 'hl-clear', onclick: () => clearHighlight() }, t('clear')));
  graphBox.append(hlBar);

  // --- side panel ---
  // markNear marks the node's edges (labelled in a quiet graph); only
  // what changes is restyled.
  function markNear(id) {
    const want = cy.getElementById(id).connectedEdges();
    cy.edges('.near').not(want).removeClass('near');
    want.not('.near').addClass('near');
  }
  function select(id) {
    if (!cy) return;
    const t0 = performance.now();
    requestAnimationFrame(() => { window.__rg.lastSelect = performance.now() - t0; });
    if (cy.getElementById(id).empty()) reveal([id]);
    const n = cy.getElementById(id);
    if (n.empty()) return;
    cy.elements(':selected').not(n).unselect();
    if (!n.selected()) n.select();
    markNear(id);
    state.selected = id;
    const d = n.data();
    if (d.kind === 'group') return selectGroup(n);
    const actions = h('div', { class: 'actions', id: 'actions' });
    const timeline = h('div', { class: 'section', id: 'timeline' });
    const neighbours = h('div', { class: 'section' });
    const profile = h('div', { class: 'section', id: 'profile' });
    const expl = h('div', { class: 'section', id: 'explanation' });
    const records = h('div', { class: 'section', id: 'records' });
    side.replaceChildren(h('h2', { id: 'side-title' }, d.name),
      h('p', {}, gradeBadge(d.grade), ' ', t(d.kind), d.kind === 'person' ? ' · pid ' + pidTail(id.slice(7)) : '', d.score != null ? ' · ' + t('score') + ' ' + fmtScore(d.score) : ''),
      actions, profile, expl, records, timeline, neighbours);
    renderActions(id);
    if (d.kind !== 'record') renderTimeline(timeline, n, []);
    renderNeighbours(neighbours, n);
    if (d.kind === 'enterprise') {
      const key = enc(apiRef(id));
      load(profile, async () => [...profileView(await api('/enterprises/' + key)), creditReportLinks(apiRef(id), d.name)].flat());
      // Not scored yet (ingested after the last run): say so instead of asking.
      if (d.risk && d.risk.run) load(expl, async () => explanationView(await api('/enterprises/' + key + '/risk')));
      else expl.replaceChildren(h('h3', {}, t('explanation')), h('p', { class: 'muted', id: 'not-scored' }, t('notScored')));
      load(records, async () => { const r = await api('/enterprises/' + key + '/records?limit=20'); renderTimeline(timeline, n, r.records.items || []); return recordsView(r); });
    } else if (d.kind === 'person') {
      const pid = enc(id.slice(7));
      load(profile, async () => {
        const p = (await api('/persons/' + pid)).person;
        return [h('h3', {}, t('profile')), h('dl', {}, dl('pid', p.pid)), rolesView(n)];
      });
      if (d.risk && d.risk.details) {
        const det = d.risk.details;
        expl.replaceChildren(...explanationView({ ...det, score: d.risk.score, grade: d.risk.grade, flags: det.flags && det.flags.length ? det.flags : d.risk.flags || [] }));
      }
      load(records, async () => { const r = await api('/persons/' + pid + '/records?limit=20'); renderTimeline(timeline, n, r.records.items || []); return recordsView(r); });
    } else {
      profile.replaceChildren(h('h3', {}, t('profile')), h('dl', {}, Object.entries(d.props).map(([k, v]) =>
        dl(k, k === 'kind' ? term(v) : k === 'decided' || k === 'removed' ? realDate(v) : v))));
      // The record's life: state, objections and repair, and the actions on them.
      records.replaceChildren(h('h3', {}, t('recLife')), recordFile(id.slice(7)));
    }
  }

  // selectGroup: a group node's members and the button that expands it.
  function selectGroup(n) {
    const g = groups.get(n.id());
    const members = g ? [...g.nodes].sort((a, b) => (b.data.score || 0) - (a.data.score || 0)) : [];
    side.replaceChildren(...[h('h2', { id: 'side-title' }, n.data('name')),
      h('div', { class: 'actions', id: 'actions' },
        h('button', { type: 'button', id: 'expand-group', onclick: () => { ungroup(n.id()); applyView(); select(g.parent); } }, t('expandGroup'))),
      h('p', { class: 'muted' }, t('groupHelp')),
      h('ul', { class: 'nblist', id: 'group-members' }, members.slice(0, 50).map((j) => h('li', { 'data-id': j.data.id },
        gradeBadge(j.data.grade), ' ', j.data.name, j.data.kind === 'record' && j.data.props ? h('small', { class: 'muted' }, ' ' + realDate(j.data.props.decided)) : null))),
      members.length > 50 ? h('p', { class: 'muted' }, t('andMore', { n: members.length - 50 })) : null].filter(Boolean));
  }

  // renderTimeline: the entity's dated facts on a time axis — its
  // establishment, the start and end of its relationships on the canvas
  // (holdings, roles, relations) and its records (decided, removed); each
  // date sets the date slider, showing the network as it stood that day.
  function renderTimeline(el, n, recs) {
    const ev = [];
    const add = (date, cat, text) => { const d = realDate(date); if (d) ev.push({ d, cat, text }); };
    const p = n.data('props') || {};
    add(p.established, 'established', t('established'));
    n.connectedEdges().forEach((e) => {
      const ty = e.data('type');
      if (ty === 'HAS_RECORD' || e.id().startsWith('gedge:')) return;
      const other = e.source().id() === n.id() ? e.target() : e.source();
      const ep = e.data('props') || {};
      const what = edgeLabel({ type: ty, props: ep }) + ' · ' + other.data('name');
      add(ep.since, ty, what + ' ' + t('tlBegins'));
      add(ep.until, ty, what + ' ' + t('tlEnds'));
    });
    const seen = new Set();
    const rec = (r) => {
      if (!r || seen.has(r.id)) return;
      seen.add(r.id);
      add(r.decided, 'record', term(r.kind) + (r.authority ? ' · ' + r.authority : ''));
      add(r.removed, 'record', term(r.kind) + ' ' + t('tlRemoved'));
    };
    recs.forEach(rec);
    n.neighborhood('node[kind = "record"]').forEach((m) => rec({ id: m.id().slice(7), ...m.data('props') }));
    ev.sort((a, b) => (a.d < b.d ? -1 : a.d > b.d ? 1 : 0));
    if (!ev.length) { el.replaceChildren(h('h3', {}, t('timeline')), h('p', { class: 'muted' }, t('tlNone'))); return; }
    const t0 = Date.parse(ev[0].d), t1 = Math.max(Date.parse(ev.at(-1).d), t0 + 86400e3);
    const x = (d) => 8 + (284 * (Date.parse(d) - t0)) / (t1 - t0);
    const colour = (cat) => (EDGE[cat] ? EDGE[cat].color : cat === 'record' ? '#722ed1' : '#1d39c4');
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 300 34'); svg.setAttribute('class', 'tl-axis'); svg.setAttribute('aria-hidden', 'true');
    const mk = (tag, attrs) => { const e = document.createElementNS(ns, tag); for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v); svg.append(e); return e; };
    mk('line', { x1: 8, x2: 292, y1: 14, y2: 14, stroke: '#999' });
    const y0 = +ev[0].d.slice(0, 4), y1 = +ev.at(-1).d.slice(0, 4);
    const step = Math.max(1, Math.ceil((y1 - y0 + 1) / 6));
    for (let y = y0; y <= y1 + 1; y += step) {
      const d = y + '-01-01';
      if (Date.parse(d) < t0 || Date.parse(d) > t1) continue;
      mk('line', { x1: x(d), x2: x(d), y1: 10, y2: 18, stroke: '#999' });
      mk('text', { x: x(d), y: 30, 'font-size': 8, 'text-anchor': 'middle', fill: '#666' }).textContent = String(y);
    }
    for (const e of ev) mk('circle', { cx: x(e.d), cy: 14, r: 3.5, fill: colour(e.cat), 'fill-opacity': 0.8 });
    el.replaceChildren(...[h('h3', {}, t('timeline') + ` (${ev.length})`), svg,
      h('ol', { class: 'timeline', id: 'timeline-list' }, ev.slice(0, 60).map((e) => h('li', { 'data-date': e.d, 'data-cat': e.cat },
        h('i', { class: 'dot', style: `background:${colour(e.cat)}`, 'aria-hidden': 'true' }), ' ',
        h('button', { type: 'button', class: 'link tl-date', 'aria-label': t('tlShowDay', { d: e.d }), onclick: () => setAsOf(e.d) }, e.d), ' ', e.text))),
      ev.length > 60 ? h('p', { class: 'muted' }, t('andMore', { n: ev.length - 60 })) : null,
      h('p', { class: 'muted small' }, t('tlApprox'))].filter(Boolean));
  }

  // rolesView: what the person is to the enterprises and persons on the
  // canvas (title and the original free-text title, relation kinds).
  function rolesView(n) {
    const items = n.connectedEdges().filter((e) => e.data('type') !== 'HAS_RECORD').map((e) => {
      const other = e.source().id() === n.id() ? e.target() : e.source();
      const p = e.data('props') || {};
      const what = e.data('type') === 'OFFICER_OF' ? t('OFFICER_OF') + ' ' + titleName(p.title) + (p.title_text ? '（' + p.title_text + '）' : '')
        : e.data('type') === 'RELATED_TO' ? relationName(p.kind) : e.data('label');
      return h('li', { 'data-type': e.data('type') }, what, ' · ', h('button', { type: 'button', class: 'link', onclick: () => select(other.id()) }, other.data('name')));
    });
    return items.length ? [h('h3', {}, t('roles')), h('ul', { class: 'roles', id: 'roles' }, items)] : null;
  }

  // selectEdge: the relationship's facts (type, ends, share, title and its
  // original text, relation kind, dates).
  function selectEdge(id) {
    const e = cy.getElementById(id);
    if (e.empty()) return;
    cy.elements(':selected').unselect();
    e.select();
    state.selected = null;
    const d = e.data();
    side.replaceChildren(h('h2', { id: 'side-title' }, t(d.type)),
      h('p', {}, h('button', { type: 'button', class: 'link', onclick: () => select(d.source) }, labelOf(d.source)), ' → ',
        h('button', { type: 'button', class: 'link', onclick: () => select(d.target) }, labelOf(d.target))),
      h('dl', { id: 'edge-facts' }, edgeFacts(d).map(([k, v]) => dl(k, v))));
  }

  function renderActions(id) {
    const el = side.querySelector('#actions');
    if (!el) return;
    const p = state.pending.get(id);
    const kind = id.split(':')[0];
    const by = h('select', { id: 'expand-by', 'aria-label': t('expandBy') }, EXPAND_BY.map((b) => h('option', { value: b, selected: b === state.expandBy }, t('expandBy_' + b))));
    by.addEventListener('change', () => { state.expandBy = by.value; });
    const pinned = cy.getElementById(id).hasClass('pinned');
    el.replaceChildren(...[
      kind !== 'record' ? h('span', { class: 'expand-group' }, h('button', { type: 'button', id: 'expand', onclick: () => expand(id, state.expandBy) }, t('expand')), by) : null,
      p && p.nodes.length ? h('button', { type: 'button', id: 'show-more', onclick: () => showMore(id) }, t('showMore', { n: p.nodes.length })) : null,
      kind !== 'record' ? h('button', { type: 'button', id: 'set-from', onclick: () => { state.from = { id, name: labelOfFull(id) }; setMode('path'); } }, t('setFrom')) : null,
      kind !== 'record' ? h('button', { type: 'button', id: 'set-to', onclick: () => { state.to = { id, name: labelOfFull(id) }; setMode('path'); } }, t('setTo')) : null,
      kind === 'enterprise' ? h('button', { type: 'button', id: 'open-ownership', onclick: () => ownership(id) }, t('modeOwnership')) : null,
      kind !== 'record' ? h('button', { type: 'button', id: 'open-investments', onclick: () => ownership(id, 'down') }, t('modeInvestments')) : null,
      h('button', { type: 'button', id: 'pin-node', 'aria-pressed': String(pinned), onclick: () => togglePin(id) }, t('pin')),
      id !== state.root ? h('button', { type: 'button', id: 'hide-node', onclick: () => hideNode(id) }, t('hide')) : null,
      kind !== 'record' && id !== state.root ? h('button', { type: 'button', id: 're-root', onclick: () => { location.hash = '#/explorer/' + enc(apiRef(id)); } }, t('modeNetwork')) : null].filter(Boolean));
  }
  function labelOfFull(id) { return cy.getElementById(id).data('name') || id; }
  // Pin: the node keeps its place (layouts and dragging leave it) and the
  // filters do not hide it. Hide: out of the view until "show hidden".
  function togglePin(id) {
    const n = cy.getElementById(id);
    if (n.hasClass('pinned')) { n.removeClass('pinned'); n.unlock(); } else { n.addClass('pinned'); n.lock(); }
    applyView();
    renderActions(id);
    const b = side.querySelector('#pin-node');
    if (b) b.focus();
  }
  function hideNode(id) {
    state.hidden.add(id);
    applyView();
    select(state.root);
    setStatus(countText(t('hiddenOne', { name: labelOfFull(id) })));
  }

  function renderNeighbours(el, n) {
    const rank = (m) => (m.data('kind') === 'record' ? 1 : 0);
    const nb = n.neighborhood('node').toArray().sort((a, b) => rank(a) - rank(b) || (b.data('score') || 0) - (a.data('score') || 0)).slice(0, 30);
    el.replaceChildren(h('h3', {}, t('neighbours') + ` (${n.neighborhood('node').length})`),
      h('ul', { class: 'nblist' }, nb.map((m) => h('li', {}, h('button', { type: 'button', class: 'link', 'data-kind': m.data('kind'), onclick: () => select(m.id()) },
        gradeBadge(m.data('grade')), ' ', m.data('name'),
        m.data('kind') === 'person' ? h('small', { class: 'muted' }, ' ' + pidTail(m.id().slice(7))) : null)))));
  }

  function dl(k, v) { return [h('dt', {}, t(k)), h('dd', {}, v == null || v === '' ? '—' : String(v))]; }

  function profileView(r) {
    const e = r.enterprise;
    const reg = r.region ? [r.region.province, r.region.city, r.region.county].filter(Boolean).join(' ') : e.region;
    return [h('h3', {}, t('profile')), h('dl', {}, dl('code', e.uscc || e.key), dl('status', statusName(e.status)), dl('region', reg), dl('industry', industryLabel(e.industry)),
      dl('capital', e.capital != null ? e.capital + ' ' + (e.currency || '') : ''), dl('established', realDate(e.established)), dl('address', e.address))];
  }

  // flagView: one flag with its label, what it measured, its evidence
  // (entities, records) and its dates when it has real ones.
  function flagView(f) {
    if (typeof f === 'string') return h('li', { class: 'flag-item' }, h('span', { class: 'flag' }, term(f)));
    const from = realDate(f.from), to = realDate(f.to);
    const when = from && to && from !== to ? from + ' – ' + to : from || to;
    const ev = f.evidence || [];
    const evList = h('span', { class: 'evidence-list' });
    const fill = () => evList.replaceChildren(...ev.flatMap((id, i) => [i ? '、' : '', h('button', { type: 'button', class: 'link', onclick: () => select(id) }, labelOf(id))]),
      f.more ? ' ' + t('andMore', { n: f.more }) : '');
    fill();
    fetchNames(ev, fill);
    return h('li', { class: 'flag-item', 'data-flag': f.kind },
      h('span', { class: 'flag' }, term(f.kind)), f.value ? ' ' + f.value : '', f.count && f.threshold ? h('span', { class: 'muted' }, ` (${f.count} / ${t('threshold')} ${f.threshold})`) : null,
      when ? h('div', { class: 'when' }, t('flagDates') + ': ' + when) : null,
      ev.length ? h('div', {}, t('evidence') + ': ', evList, ' ', h('button', { type: 'button', class: 'hl-btn', onclick: () => highlight(ev, null, term(f.kind)) }, t('showInGraph'))) : null,
      f.records && f.records.length ? h('div', { class: 'muted' }, t('records') + ': ' + f.records.map((r) => labelOf('record:' + r)).join('、')) : null);
  }

  function explanationView(r) {
    const flags = r.flags || [];
    return [h('h3', {}, t('flags')), flags.length ? h('ul', { class: 'flags' }, flags.map(flagView)) : h('p', { class: 'muted' }, t('none')),
      h('h3', {}, t('explanation')),
      h('p', {}, t('score') + ' ' + fmtScore(r.score) + (r.grade ? ' · ' + t('grade') + ' ' + r.grade : '') + ' · ' + t('intrinsic') + ' ' + fmtScore(r.intrinsic)),
      h('table', { class: 'contrib' }, h('thead', {}, h('tr', {}, h('th', {}, t('kind')), h('th', {}, t('via')), h('th', {}, t('contribution')))),
        h('tbody', {}, (r.contributions || []).map((c) => h('tr', {}, h('td', {}, term(c.kind)),
          h('td', {}, (c.path || []).length > 1 ? h('button', { type: 'button', class: 'link', onclick: () => highlight(c.path, null, term(c.kind)) }, c.path.map(labelOf).join(' → '))
            : (c.path || []).map(labelOf).join(' → ')),
          h('td', { class: 'num' }, fmtScore(c.amount)))),
        r.remainder ? h('tr', {}, h('td', { colspan: 2 }, t('remainder')), h('td', { class: 'num' }, fmtScore(r.remainder))) : null))];
  }

  // creditReportLinks: the enterprise's credit report (issue 17) as JSON,
  // HTML and PDF, each fetched with the key and opened in a new tab as a
  // blob (a link cannot carry the Authorization header).
  function creditReportLinks(key, name) {
    if (!can('creditReport')) return null;
    const types = { json: 'application/json', html: 'text/html', pdf: 'application/pdf' };
    const status = h('span', { class: 'small', role: 'status' });
    return h('p', { class: 'credit-report', id: 'credit-report' }, h('span', { class: 'muted' }, t('creditReport') + ': '),
      Object.entries(types).map(([f, type]) => [h('button', { type: 'button', class: 'link', id: 'credit-report-' + f, 'data-format': f,
        'aria-label': t('creditReportAria', { name, f: f.toUpperCase() }),
        onclick: () => { status.textContent = ''; openBlob(() => apiBlob('/enterprises/' + enc(key) + '/credit-report?format=' + f, type))
          .catch((e) => { status.className = 'small error'; status.setAttribute('role', 'alert'); status.textContent = t('error') + ': ' + e.message; }); } },
      f.toUpperCase()), ' ']), status);
  }

  // recordsView lists the newest records with their state (record_life);
  // each opens its life — history, objections, repair and their actions.
  function recordsView(r) {
    const rec = r && r.records;
    const items = (rec && rec.items) || [];
    const life = new Map(((r && r.record_life) || []).map((s) => [s.record, s]));
    return [h('h3', {}, t('records') + ` (${rec ? rec.total ?? items.length : 0})`), items.length ? h('ul', { class: 'records' }, items.map((x) => {
      const badges = h('span', {}, stateBadges(life.get(x.id)));
      const slot = h('div', { class: 'recslot', id: 'recfile-' + cssId(x.id), hidden: true });
      const btn = h('button', { type: 'button', class: 'link rec-open', 'aria-expanded': 'false', 'aria-controls': slot.id,
        'aria-label': t('recOpenAria', { kind: term(x.kind), d: realDate(x.decided) }), onclick: () => {
          const open = slot.hidden;
          slot.hidden = !open; btn.setAttribute('aria-expanded', String(open));
          if (open && !slot.firstChild) slot.append(recordFile(x.id, (st) => badges.replaceChildren(stateBadges(st))));
        } }, t(can('recordActions') ? 'recOpen' : 'recHistory'));
      return h('li', { 'data-record': x.id },
        h('strong', {}, term(x.kind)), ' ', realDate(x.decided), ' ', x.authority || '', x.amount ? ' · ' + x.amount : '', ' ', badges, ' ', btn,
        x.reason ? h('div', { class: 'muted' }, x.reason) : null, slot);
    })) : h('p', { class: 'muted' }, t('none'))];
  }
  const cssId = (s) => Array.from(s, (c) => (/[\w-]/.test(c) ? c : '_' + c.codePointAt(0).toString(16))).join('');

  // --- exports: every file carries a title, the data's as-of time and a legend ---
  function stamp() { return (state.root ? apiRef(state.root).replace(/[^\w-]/g, '_') : 'graph') + '-' + state.mode; }
  function title() {
    const rootName = state.root && cy && cy.getElementById(state.root).nonempty() ? cy.getElementById(state.root).data('name') : apiRef(state.root || '');
    if (state.mode === 'path' && state.from && state.to) return t('modePath') + ': ' + state.from.name + ' → ' + state.to.name;
    if (state.mode === 'ownership' && state.data && state.data.ownership) return t('ownershipOf', { name: state.data.ownership.root.name || state.data.ownership.root.ref.key });
    if (state.mode === 'investments' && state.data && state.data.investments) return t('investmentsOf', { name: state.data.investments.root.name || state.data.investments.root.ref.key });
    return t('modeNetwork') + ': ' + rootName + ' (' + t('depth') + ' ' + state.depth + ')';
  }
  async function exportMeta() {
    let asOf = '', run = '';
    try {
      const r = (await api('/runs?limit=1')).runs || [];
      if (r[0]) { asOf = r[0].finished || r[0].started || ''; run = r[0].id; }
    } catch { /* no runs: as of now */ }
    const exported = new Date().toISOString();
    return { title: 'riskgraph · ' + title(), as_of: asOf || exported, run, exported, legend: legendText(),
      line: t('asOf') + ' ' + (asOf || exported).slice(0, 19).replace('T', ' ') + ' UTC' + (run ? ' (' + run + ')' : '') + ' · ' + t('exported') + ' ' + exported.slice(0, 19).replace('T', ' ') + ' UTC' };
  }
  async function exportPNG() {
    if (!cy) return;
    const meta = await exportMeta();
    const img = await createImageBitmap(cy.png({ output: 'blob', full: true, scale: 2, bg: '#ffffff' }));
    const l = legendItems();
    const W = Math.max(img.width, 1400), head = 110, foot = 120;
    const c = document.createElement('canvas');
    c.width = W; c.height = head + img.height + foot;
    const g = c.getContext('2d');
    g.fillStyle = '#fff'; g.fillRect(0, 0, c.width, c.height);
    const font = '"Noto Sans CJK SC", "WenQuanYi Micro Hei", "PingFang SC", "Microsoft YaHei", sans-serif';
    g.fillStyle = '#1f2329'; g.font = `600 34px ${font}`; g.fillText(meta.title, 30, 48);
    g.fillStyle = '#555'; g.font = `22px ${font}`; g.fillText(meta.line, 30, 88);
    g.drawImage(img, Math.round((W - img.width) / 2), head);
    let x = 30, y = head + img.height + 40;
    g.font = `22px ${font}`;
    const text = (s) => { g.fillStyle = '#333'; g.fillText(s, x, y + 8); x += g.measureText(s).width + 26; };
    for (const [gr, col] of l.grades) { g.fillStyle = col; g.fillRect(x, y - 10, 22, 22); x += 30; text(gr); }
    x += 20;
    for (const [k, sym] of l.shapes) text(sym + ' ' + t(k));
    x = 30; y += 50;
    for (const [ty, col, line] of l.edges) {
      g.strokeStyle = col; g.lineWidth = 4; g.setLineDash(line === 'dashed' ? [10, 6] : line === 'dotted' ? [3, 5] : []);
      g.beginPath(); g.moveTo(x, y); g.lineTo(x + 44, y); g.stroke(); x += 54; text(t(ty));
    }
    const blob = await new Promise((res) => c.toBlob(res, 'image/png'));
    download(`riskgraph-${stamp()}.png`, blob);
  }
  function rows() {
    const nodes = cy ? cy.nodes().map((n) => ({ id: n.id(), kind: n.data('kind'), name: n.data('name'), grade: n.data('grade'), score: n.data('score') })) : [];
    const edges = cy ? cy.edges().map((e) => ({ id: e.id(), source: e.data('source'), target: e.data('target'), type: e.data('type'), ratio: e.data('props').ratio ?? null,
      label: e.data('label') })) : [];
    return { nodes, edges };
  }
  function csvCell(v) { const s = v == null ? '' : String(v); return /[",\n#]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s; }
  async function exportCSV() {
    const meta = await exportMeta();
    const { nodes, edges } = rows();
    const lines = ['# ' + meta.title, '# ' + meta.line, ...meta.legend.map((x) => '# ' + x), 'element,id,kind,name,grade,score,source,target,type,ratio,label'];
    for (const n of nodes) lines.push(['node', n.id, n.kind, n.name, n.grade, n.score, '', '', '', '', ''].map(csvCell).join(','));
    for (const e of edges) lines.push(['edge', e.id, '', '', '', '', e.source, e.target, e.type, e.ratio, e.label].map(csvCell).join(','));
    download(`riskgraph-${stamp()}.csv`, new Blob(['\ufeff' + lines.join('\n') + '\n'], { type: 'text/csv' }));
  }
  async function exportJSON() {
    const meta = await exportMeta();
    const { title: ti, as_of: asOf, run, exported, legend: lg } = meta;
    download(`riskgraph-${stamp()}.json`, new Blob([JSON.stringify({ title: ti, as_of: asOf, run, exported, legend: lg, ...rows() }, null, 1)], { type: 'application/json' }));
  }

  // --- case files ---
  // A case file saves the canvas as the inspector holds it: every node
  // (those inside a group too) at its place, pins, hidden nodes, groups,
  // the relationships drawn, the toolbar's and the filters' settings and
  // the viewport. Opening one (#/case/<id>) draws the saved nodes at their
  // places from the API's graph of the case (names, grades as they are
  // now), so another inspector sees the same view.
  state.caseInfo = null; // the open case (without its view)
  const round = (x) => Math.round(x * 10) / 10;
  function captureView() {
    const nodes = [], edges = [], grps = [];
    const seen = new Set();
    const addEdge = (d) => {
      const k = d.source + '|' + d.target + '|' + d.type;
      if (!seen.has(k)) { seen.add(k); edges.push({ from: d.source, to: d.target, type: d.type }); }
    };
    if (cy) {
      cy.nodes().forEach((n) => {
        const p = n.position();
        if (n.data('kind') === 'group') { if (groups.has(n.id())) grps.push({ id: n.id(), x: round(p.x), y: round(p.y) }); return; }
        nodes.push({ id: n.id(), x: round(p.x), y: round(p.y), pinned: n.hasClass('pinned') || undefined, hidden: state.hidden.has(n.id()) || undefined,
          owner: n.hasClass('owner') || undefined });
      });
      for (const [gid, g] of groups) {
        const gn = cy.getElementById(gid);
        if (gn.empty()) continue;
        const p = gn.position();
        for (const j of g.nodes) nodes.push({ id: j.data.id, x: round(p.x), y: round(p.y), group: gid, hidden: state.hidden.has(j.data.id) || undefined });
        for (const j of g.edges) addEdge(j.data);
      }
      cy.edges().forEach((e) => { if (!e.id().startsWith('gedge:')) addEdge(e.data()); });
    }
    const on = (id) => (id && cy && cy.getElementById(id).nonempty() ? id : undefined);
    const pan = cy ? cy.pan() : { x: 0, y: 0 };
    return { mode: state.mode, root: on(state.root), from: state.mode === 'path' ? on(state.from && state.from.id) : undefined,
      to: state.mode === 'path' ? on(state.to && state.to.id) : undefined, depth: state.depth, limit: state.limit,
      types: state.types.size === TYPES.length ? undefined : [...state.types], expand_by: state.expandBy, group: state.group,
      hidden_grades: [...state.hiddenGrades], hidden_kinds: [...state.hiddenKinds], as_of: state.asOf || undefined, selected: state.selected || undefined,
      zoom: cy ? round(cy.zoom() * 1000) / 1000 : undefined, pan: { x: round(pan.x), y: round(pan.y) }, nodes, edges, groups: grps };
  }
  // syncControls makes the toolbar and the filters show the state.
  function syncControls() {
    depthSel.value = String(state.depth);
    if (![...limitSel.options].some((o) => +o.value === state.limit)) limitSel.append(h('option', { value: state.limit }, String(state.limit)));
    limitSel.value = String(state.limit);
    for (const ty of TYPES) el.querySelector('#type-' + ty).checked = state.types.has(ty);
    for (const g of GRADE_KEYS) el.querySelector('#show-grade-' + g).checked = !state.hiddenGrades.has(g);
    for (const k of KINDS) el.querySelector('#show-kind-' + k).checked = !state.hiddenKinds.has(k);
    el.querySelector('#group-leaves').checked = state.group;
    for (const b of modeBtns) b.setAttribute('aria-pressed', String(b.id === 'mode-' + state.mode));
  }
  function renderCaseBar() {
    const c = state.caseInfo;
    caseName.textContent = c ? t('caseCurrent', { title: c.title, v: c.version }) + (c.archived ? ' · ' + t('caseArchivedTag') : '') : t('caseNone');
    caseNotesView.hidden = !(c && c.notes);
    caseNotesText.textContent = c ? c.notes || '' : '';
    for (const b of [caseShareBtn, caseHtmlBtn, casePdfBtn]) b.disabled = !c;
    caseSaveBtn.disabled = !cy || !cy.nodes().length;
    if (window.__rg) window.__rg.caseId = c ? c.id : null;
  }
  // openCase draws case id as it was saved.
  async function openCase(id) {
    const my = ++state.seq;
    ensureCy();
    setBusy(true);
    try {
      const r = await api('/cases/' + enc(id));
      if (my !== state.seq) return;
      const c = r.case, v = c.view;
      state.mode = v.mode; state.root = v.root || ''; state.depth = v.depth || 2; state.limit = v.limit || 500;
      state.types = new Set(v.types && v.types.length ? v.types : TYPES); state.expandBy = v.expand_by || 'all'; state.group = !!v.group;
      state.hiddenGrades = new Set(v.hidden_grades || []); state.hiddenKinds = new Set(v.hidden_kinds || []);
      state.pending.clear(); state.paths = []; state.data = r;
      syncControls();
      pathBar.hidden = state.mode !== 'path';
      const at = new Map(v.nodes.map((n) => [n.id, n]));
      const want = new Set(v.edges.map((e) => e.from + '|' + e.to + '|' + e.type));
      const els = elementsOf(r.graph.nodes, r.graph.edges.filter((e) => want.has(e.from + '|' + e.to + '|' + e.type)))
        .map((x) => (x.group === 'nodes' ? { ...x, position: { x: at.get(x.data.id).x, y: at.get(x.data.id).y } } : x));
      await draw(els, { name: 'preset' }, state.root || null, false);
      if (my !== state.seq) return;
      cy.startBatch();
      for (const n of v.nodes) {
        const node = cy.getElementById(n.id);
        if (n.pinned) node.addClass('pinned').lock();
        if (n.owner) node.addClass('owner');
      }
      for (const g of v.groups || []) restoreGroup(g.id, v.nodes.filter((n) => n.group === g.id).map((n) => n.id), { x: g.x, y: g.y });
      tidy();
      cy.endBatch();
      const name = (nid) => labelOf(nid);
      state.from = v.from ? { id: v.from, name: name(v.from) } : null;
      state.to = v.to ? { id: v.to, name: name(v.to) } : null;
      if (state.mode === 'path') {
        renderPathBar();
        for (const e of [v.from, v.to]) if (e) cy.getElementById(e).addClass('endpoint');
      }
      state.hidden = new Set(v.nodes.filter((n) => n.hidden).map((n) => n.id));
      setAsOf(v.as_of || '');
      if (v.zoom) cy.zoom(v.zoom);
      if (v.pan) cy.pan(v.pan);
      setBusy(false);
      state.caseInfo = { ...c, view: undefined };
      renderCaseBar();
      setStatus(t('caseOpened', { title: c.title, n: v.nodes.length }) + (r.missing && r.missing.length ? ' · ' + t('caseMissing', { n: r.missing.length }) : '') + ' · ' + countText(),
        r.missing && r.missing.length ? 'warn' : '');
      caseNotesView.open = !!c.notes;
      if (v.selected && cy.getElementById(v.selected).nonempty()) select(v.selected);
      window.__rg.caseOpened = (window.__rg.caseOpened || 0) + 1;
    } catch (e) {
      if (my !== state.seq) return;
      setBusy(false);
      setStatus(t('error') + ': ' + e.message, 'error');
    }
  }
  // The save dialog: title and notes; an open case is replaced (with the
  // version it was read at) unless "save as new" is ticked.
  const caseTitleIn = h('input', { id: 'case-title-input', required: true, maxlength: 200, autocomplete: 'off' });
  const caseNotesIn = h('textarea', { id: 'case-notes-input', rows: 6, maxlength: 20000 });
  const caseAsNew = h('input', { type: 'checkbox', id: 'case-as-new' });
  const caseAsNewLabel = h('label', { class: 'chk' }, caseAsNew, h('span', { 'data-i18n': 'caseSaveAsNew' }, t('caseSaveAsNew')));
  const caseMsg = h('p', { id: 'case-msg', class: 'small error', role: 'alert', hidden: true });
  const caseDialog = h('dialog', { id: 'case-dialog', class: 'case-dialog', 'aria-labelledby': 'case-dialog-title' },
    h('form', { onsubmit: (e) => { e.preventDefault(); saveCase(); } },
      h('h2', { id: 'case-dialog-title', 'data-i18n': 'caseDialog' }, t('caseDialog')),
      h('label', { for: 'case-title-input', 'data-i18n': 'caseTitle' }, t('caseTitle')), caseTitleIn,
      h('label', { for: 'case-notes-input', 'data-i18n': 'caseNotes' }, t('caseNotes')), caseNotesIn,
      caseAsNewLabel, caseMsg,
      h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'case-submit', 'data-i18n': 'caseSubmit' }, t('caseSubmit')),
        h('button', { type: 'button', id: 'case-cancel', 'data-i18n': 'caseCancel', onclick: () => caseDialog.close() }, t('caseCancel')))));
  el.append(caseDialog);
  function openCaseDialog() {
    const c = state.caseInfo;
    caseTitleIn.value = c ? c.title : title();
    caseNotesIn.value = c ? c.notes || '' : '';
    caseAsNew.checked = !!(c && c.archived);
    caseAsNew.disabled = !!(c && c.archived);
    caseAsNewLabel.hidden = !c;
    caseMsg.hidden = true;
    caseDialog.showModal();
    caseTitleIn.focus();
  }
  async function saveCase() {
    const c = state.caseInfo;
    const body = { title: caseTitleIn.value.trim(), notes: caseNotesIn.value, view: captureView() };
    const replace = c && !caseAsNew.checked;
    try {
      const saved = replace ? await api('/cases/' + enc(c.id), { method: 'PUT', body: { version: c.version, ...body } })
        : await api('/cases', { method: 'POST', body });
      state.caseInfo = { ...saved, view: undefined };
      history.replaceState(null, '', '#/case/' + enc(saved.id));
      caseDialog.close();
      renderCaseBar();
      setStatus(t('caseSaved', { v: saved.version }));
    } catch (e) {
      let msg = t('error') + ': ' + e.message;
      if (e.status === 409 && replace && !c.archived) {
        const now = await api('/cases/' + enc(c.id)).catch(() => null);
        msg = t('caseStale', { v: now ? now.case.version : '?' }) + ' (' + e.message + ')';
        if (now && now.case.archived) msg = t('caseArchivedReadOnly');
      }
      caseMsg.hidden = false;
      caseMsg.textContent = msg;
    }
  }
  function shareCase() {
    const c = state.caseInfo;
    if (!c) return;
    const url = location.origin + location.pathname + '#/case/' + enc(c.id);
    const box = h('input', { id: 'case-share-url', type: 'text', readonly: true, value: url, size: 40, 'aria-label': t('caseShare') });
    caseShareBox.replaceChildren(h('span', { class: 'muted' }, t('caseShareHelp') + ' '), box);
    caseShareBox.hidden = false;
    box.select();
    if (navigator.clipboard) navigator.clipboard.writeText(url).catch(() => {});
  }
  function exportCase(format) {
    const c = state.caseInfo;
    if (!c) return;
    const type = format === 'pdf' ? 'application/pdf' : 'text/html';
    openBlob(() => apiBlob('/cases/' + enc(c.id) + '/export?format=' + format, type)).catch((e) => setStatus(t('error') + ': ' + e.message, 'error'));
  }
  renderCaseBar();

  return {
    el,
    show(arg) {
      fitHeight();
      if (!pathBar.hidden) requestAnimationFrame(fitHeight);
      if (!arg) { input.focus(); return; }
      const id = arg.startsWith('person:') ? arg : 'enterprise:' + arg.replace(/^enterprise:/, '');
      if (id === state.root && state.mode === 'network' && cy && cy.nodes().length) return;
      state.root = id; state.from = null; state.to = null;
      reload();
    },
    relabel() {
      applyI18n(el);
      renderLegend();
      if (cy) cy.edges().forEach((e) => e.data('label', edgeLabel({ type: e.data('type'), props: e.data('props') })));
      if (state.selected) select(state.selected);
      if (!pathBar.hidden) renderPathBar();
      renderCaseBar();
    },
    // openCase draws the case file id as it was saved (#/case/<id>).
    openCase(id) { fitHeight(); return openCase(id); },
  };
}
