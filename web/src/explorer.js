// The inspector's network explorer: search, graph canvas (Cytoscape.js),
// expansion with "show more", type filter and depth, path mode, the
// ownership-penetration view, a side panel and exports.
import cytoscape from 'cytoscape';
import { t, term, applyI18n } from './i18n.js';
import { api, enc } from './api.js';
import { h, load, download, gradeColor, noGrade, pct, fmtScore, gradeBadge } from './ui.js';

const TYPES = ['HOLDS_SHARES', 'LEGAL_REP_OF', 'OFFICER_OF', 'BRANCH_OF', 'HAS_RECORD'];
const PAGE = 50; // nodes added per expansion or "show more"

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
function short(s, n = 10) { return s && s.length > n ? s.slice(0, n) + '…' : s || ''; }

function edgeLabel(e) {
  const ratio = e.props && e.props.ratio;
  return t(e.type) + (ratio != null ? ' ' + pct(ratio, ratio < 0.1 ? 1 : 0) : '');
}

function nodeData(n) {
  const kind = n.ref ? n.ref.kind : n.id.split(':')[0];
  const risk = n.risk || {};
  const score = risk.score ?? null;
  return {
    id: n.id, kind, name: kind === 'record' ? term(n.label) : n.label || n.name || n.id,
    label: short(kind === 'record' ? term(n.label) : n.label || n.name || n.id),
    grade: risk.grade || '', score, color: gradeColor[risk.grade] || noGrade,
    size: Math.round(16 + 44 * Math.sqrt(score || 0)), props: n.props || {}, risk,
  };
}

const style = [
  { selector: 'node', style: {
    'background-color': 'data(color)', width: 'data(size)', height: 'data(size)', label: 'data(label)',
    'font-size': 10, 'min-zoomed-font-size': 8, 'text-valign': 'bottom', 'text-margin-y': 3, color: '#222',
    'border-width': 1, 'border-color': '#fff' } },
  { selector: 'node[kind = "enterprise"]', style: { shape: 'round-rectangle' } },
  { selector: 'node[kind = "person"]', style: { shape: 'ellipse' } },
  { selector: 'node[kind = "record"]', style: { shape: 'triangle', width: 12, height: 12, 'background-color': '#722ed1' } },
  { selector: 'node.root', style: { 'border-width': 4, 'border-color': '#1d39c4' } },
  { selector: 'node.owner', style: { 'border-width': 4, 'border-color': '#08979c', 'font-weight': 'bold' } },
  { selector: 'node:selected', style: { 'border-width': 4, 'border-color': '#000' } },
  { selector: 'node.endpoint', style: { 'border-width': 5, 'border-color': '#eb2f96' } },
  { selector: 'edge', style: {
    width: 1.2, 'line-color': '#9aa5b1', 'curve-style': 'straight', 'target-arrow-shape': 'triangle', 'target-arrow-color': '#9aa5b1',
    'arrow-scale': 0.7, label: 'data(label)', 'font-size': 8, 'min-zoomed-font-size': 9, 'text-rotation': 'autorotate',
    color: '#555', 'text-background-color': '#fff', 'text-background-opacity': 0.8 } },
  { selector: 'edge[type = "HOLDS_SHARES"]', style: { 'line-color': '#1677ff', 'target-arrow-color': '#1677ff', width: 'mapData(ratio, 0, 1, 1, 5)' } },
  { selector: 'edge[type = "HAS_RECORD"]', style: { 'line-color': '#b37feb', 'target-arrow-color': '#b37feb', 'line-style': 'dashed' } },
  { selector: 'edge[type = "LEGAL_REP_OF"]', style: { 'line-color': '#fa8c16', 'target-arrow-color': '#fa8c16' } },
  // Large graphs: straight "haystack" edges without arrows (several times cheaper to draw);
  // edge labels still show from the side panel and the exports.
  { selector: 'edge.big', style: { 'curve-style': 'haystack', 'haystack-radius': 0, 'target-arrow-shape': 'none', label: '' } },
];

export function create() {
  const state = {
    mode: 'network', root: '', depth: 2, limit: 500, types: new Set(TYPES), selected: null,
    pending: new Map(), // node id → neighbours not shown yet
    from: null, to: null, // path end points {id, name}
    data: null, // last answer shown (for the side panel's ownership list)
    lastRender: 0,
  };
  let cy = null;

  // --- search box (combobox with suggestions) ---
  const input = h('input', { id: 'search', type: 'search', role: 'combobox', 'aria-expanded': 'false', 'aria-controls': 'suggest',
    'aria-autocomplete': 'list', autocomplete: 'off', 'data-i18n-ph': 'search', placeholder: t('search') });
  const list = h('ul', { id: 'suggest', role: 'listbox', class: 'suggest', hidden: true });
  let hits = [], active = -1, seq = 0, timer = 0;
  function renderHits() {
    list.replaceChildren(...hits.map((hit, i) => h('li', { role: 'option', id: 'sg' + i, 'aria-selected': String(i === active),
      class: i === active ? 'active' : '', onmousedown: (e) => { e.preventDefault(); pick(hit); } },
    h('span', { class: 'kind' }, t(hit.ref.kind)), ' ', hit.name || hit.ref.key, hit.uscc ? h('small', {}, ' ' + hit.uscc) : null)));
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
    return h('label', { class: 'chk' }, cb, h('span', { 'data-i18n': ty }, t(ty)));
  });
  const modeBtns = ['network', 'path', 'ownership'].map((m) => h('button', { type: 'button', id: 'mode-' + m, 'aria-pressed': String(m === state.mode),
    onclick: () => setMode(m) }, h('span', { 'data-i18n': 'mode' + m[0].toUpperCase() + m.slice(1) }, t('mode' + m[0].toUpperCase() + m.slice(1)))));
  const exportBtns = [
    h('button', { type: 'button', id: 'export-png', onclick: exportPNG, 'data-i18n': 'exportPng' }, t('exportPng')),
    h('button', { type: 'button', id: 'export-csv', onclick: exportCSV, 'data-i18n': 'exportCsv' }, t('exportCsv')),
    h('button', { type: 'button', id: 'export-json', onclick: exportJSON, 'data-i18n': 'exportJson' }, t('exportJson')),
  ];
  const toolbar = h('div', { class: 'toolbar' },
    h('div', { class: 'searchbox' }, h('label', { for: 'search', class: 'sr-only', 'data-i18n': 'searchLabel' }, t('searchLabel')), input, list),
    h('div', { class: 'group', role: 'group', 'aria-label': 'mode' }, modeBtns),
    h('label', {}, h('span', { 'data-i18n': 'depth' }, t('depth')), ' ', depthSel),
    h('label', {}, h('span', { 'data-i18n': 'limit' }, t('limit')), ' ', limitSel),
    h('fieldset', { class: 'types' }, h('legend', { 'data-i18n': 'types' }, t('types')), typeBoxes),
    h('div', { class: 'group' }, h('button', { type: 'button', id: 'fit', onclick: () => cy && cy.fit(undefined, 30), 'data-i18n': 'fit' }, t('fit')), exportBtns));

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

  // --- canvas, status, side panel ---
  const canvas = h('div', { id: 'cy', class: 'canvas', role: 'application', tabindex: '0', 'aria-roledescription': 'graph',
    'aria-label': t('canvasKeys'), 'data-i18n-label': 'canvasKeys' });
  // Keyboard: arrows walk through the selected node's neighbours, Enter expands,
  // Home returns to the root, + and - zoom.
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
    else return;
    e.preventDefault();
  });
  const status = h('div', { id: 'graph-status', class: 'status', role: 'status', 'aria-live': 'polite' }, t('start'));
  const side = h('aside', { id: 'side', class: 'side', 'aria-label': 'details', tabindex: '-1' }, h('p', { class: 'muted' }, t('selectNode')));
  const el = h('section', { class: 'explorer' }, toolbar, pathBar, h('div', { class: 'split' }, h('div', { class: 'graph' }, canvas, status), side));

  function setMode(m) {
    state.mode = m;
    for (const b of modeBtns) b.setAttribute('aria-pressed', String(b.id === 'mode-' + m));
    pathBar.hidden = m !== 'path';
    if (m === 'path') {
      if (!state.from && state.selected) state.from = { id: state.selected, name: cy.getElementById(state.selected).data('name') };
      renderPathBar();
    } else if (m === 'ownership') {
      const id = state.selected && state.selected.startsWith('enterprise:') ? state.selected : state.root;
      if (id) ownership(id);
    } else if (state.root) reload();
  }

  // --- rendering ---
  function ensureCy() {
    if (cy) return cy;
    cy = cytoscape({ container: canvas, style, minZoom: 0.05, maxZoom: 4, wheelSensitivity: 0.3, boxSelectionEnabled: false });
    cy.on('tap', 'node', (e) => select(e.target.id()));
    cy.on('dbltap', 'node', (e) => expand(e.target.id()));
    window.__rg = window.__rg || {};
    window.__rg.cy = cy;
    return cy;
  }

  function elementsOf(nodes, edges) {
    const ids = new Set(nodes.map((n) => n.id));
    const els = nodes.map((n) => ({ group: 'nodes', data: nodeData(n) }));
    for (const e of edges) {
      if (!ids.has(e.from) || !ids.has(e.to)) continue;
      els.push({ group: 'edges', data: { id: e.id, source: e.from, target: e.to, type: e.type, label: edgeLabel(e),
        ratio: e.props && e.props.ratio != null ? e.props.ratio : 0, props: e.props || {} } });
    }
    return els;
  }

  // draw replaces the graph and lays it out; resolves once it is drawn.
  function draw(els, layout, rootId) {
    const t0 = performance.now();
    ensureCy();
    const big = els.length > 2000; // nodes + edges
    cy.startBatch();
    cy.elements().remove();
    cy.add(els);
    if (big) cy.edges().addClass('big');
    cy.endBatch();
    cy.hideEdgesOnViewport = big;
    cy.textureOnViewport = big;
    if (rootId) cy.getElementById(rootId).addClass('root');
    return new Promise((resolve) => {
      const l = cy.layout({ ...layout, animate: false, fit: true, padding: 30 });
      l.one('layoutstop', () => {
        if (cy.zoom() > 1.5) { cy.zoom(1.5); cy.center(); } // small graphs: no giant nodes
      });
      l.one('layoutstop', () => requestAnimationFrame(() => {
        state.lastRender = performance.now() - t0;
        window.__rg.lastRender = state.lastRender;
        window.__rg.renders = (window.__rg.renders || 0) + 1;
        resolve();
      }));
      l.run();
    });
  }

  function networkLayout(nodes, edges, rootId) {
    if (nodes.length <= 120) return { name: 'cose', randomize: false, numIter: 600, nodeRepulsion: () => 8000, idealEdgeLength: () => 70 };
    // Rings by distance from the root: linear time, readable for large neighbourhoods.
    const adj = new Map();
    for (const e of edges) {
      if (!adj.has(e.from)) adj.set(e.from, []);
      if (!adj.has(e.to)) adj.set(e.to, []);
      adj.get(e.from).push(e.to); adj.get(e.to).push(e.from);
    }
    const dist = new Map([[rootId, 0]]);
    const q = [rootId];
    for (let i = 0; i < q.length; i++) {
      for (const nb of adj.get(q[i]) || []) if (!dist.has(nb)) { dist.set(nb, dist.get(q[i]) + 1); q.push(nb); }
    }
    return { name: 'concentric', concentric: (node) => 10 - (dist.get(node.id()) ?? 9), levelWidth: () => 1, minNodeSpacing: 4, avoidOverlap: nodes.length < 800 };
  }

  function setStatus(text) { status.textContent = text; }
  function countText(extra) {
    return `${cy.nodes().length} ${t('nodes')} · ${cy.edges().length} ${t('edges')}` + (extra ? ' · ' + extra : '');
  }

  async function reload() {
    if (!state.root) return;
    if (state.mode === 'ownership') return ownership(state.root);
    state.mode = 'network';
    for (const b of modeBtns) b.setAttribute('aria-pressed', String(b.id === 'mode-network'));
    pathBar.hidden = true;
    const types = state.types.size === TYPES.length ? '' : '&types=' + [...state.types].join(',');
    setStatus(t('loading')); status.className = 'status loading';
    canvas.setAttribute('aria-busy', 'true');
    try {
      const r = await api(entityPath(state.root) + `/network?depth=${state.depth}&limit=${state.limit}` + types);
      state.pending.clear();
      state.data = r;
      await draw(elementsOf(r.nodes, r.edges), networkLayout(r.nodes, r.edges, state.root), state.root);
      status.className = 'status';
      setStatus(countText(r.truncated ? t('truncated') : ''));
      select(state.root);
    } catch (e) {
      status.className = 'status error';
      setStatus(t('error') + ': ' + e.message);
    } finally {
      canvas.removeAttribute('aria-busy');
    }
  }

  // --- expansion ---
  async function expand(id) {
    if (!cy || id.startsWith('record:')) return;
    if (!state.pending.has(id)) {
      const types = state.types.size === TYPES.length ? '' : '&types=' + [...state.types].join(',');
      setStatus(t('loading'));
      try {
        const r = await api(entityPath(id) + '/network?depth=1&limit=1000' + types);
        const fresh = r.nodes.filter((n) => cy.getElementById(n.id).empty());
        fresh.sort((a, b) => ((b.risk && b.risk.score) || 0) - ((a.risk && a.risk.score) || 0));
        state.pending.set(id, { nodes: fresh, edges: r.edges });
      } catch (e) {
        setStatus(t('error') + ': ' + e.message);
        return;
      }
    }
    showMore(id);
  }

  function showMore(id) {
    const p = state.pending.get(id);
    const batch = p.nodes.splice(0, PAGE).filter((n) => cy.getElementById(n.id).empty());
    const center = cy.getElementById(id).position();
    const r = 90 + batch.length * 3;
    cy.startBatch();
    batch.forEach((n, i) => {
      const a = (2 * Math.PI * i) / Math.max(batch.length, 1);
      cy.add({ group: 'nodes', data: nodeData(n), position: { x: center.x + r * Math.cos(a), y: center.y + r * Math.sin(a) } });
    });
    for (const e of p.edges) {
      if (cy.getElementById(e.id).nonempty() || cy.getElementById(e.from).empty() || cy.getElementById(e.to).empty()) continue;
      cy.add({ group: 'edges', data: { id: e.id, source: e.from, target: e.to, type: e.type, label: edgeLabel(e),
        ratio: e.props && e.props.ratio != null ? e.props.ratio : 0, props: e.props || {} } });
    }
    cy.endBatch();
    setStatus(countText(batch.length ? t('expanded', { n: batch.length }) : t('allShown')));
    if (state.selected === id) renderActions(id);
  }

  // --- path mode ---
  async function findPath() {
    const { from, to } = state;
    setStatus(t('loading'));
    try {
      const types = state.types.size === TYPES.length ? '' : '&types=' + [...state.types].join(',');
      const r = await api(`/paths?from=${enc(apiRef(from.id))}&to=${enc(apiRef(to.id))}&max_depth=${maxHops.value}&limit=10` + types);
      if (!r.paths.length) { setStatus(t('noPath')); return; }
      const nodes = new Map(), edges = new Map();
      for (const p of r.paths) { for (const n of p.nodes) nodes.set(n.id, n); for (const e of p.edges) edges.set(e.id, e); }
      state.data = r;
      await draw(elementsOf([...nodes.values()], [...edges.values()]), { name: 'breadthfirst', roots: [from.id], spacingFactor: 1.2 }, null);
      cy.getElementById(from.id).addClass('endpoint');
      cy.getElementById(to.id).addClass('endpoint');
      setStatus(t('pathsFound', { n: r.paths.length, hops: r.paths[0].edges.length }) + ' · ' + countText());
    } catch (e) {
      setStatus(t('error') + ': ' + e.message);
    }
  }

  // --- ownership penetration ---
  async function ownership(id) {
    state.mode = 'ownership';
    for (const b of modeBtns) b.setAttribute('aria-pressed', String(b.id === 'mode-ownership'));
    pathBar.hidden = true;
    if (!id.startsWith('enterprise:')) return;
    setStatus(t('loading'));
    try {
      const key = enc(apiRef(id));
      const [tree, owners] = await Promise.all([
        api(`/enterprises/${key}/ownership?direction=up&depth=6&limit=500`),
        api(`/enterprises/${key}/owners`).catch((e) => ({ error: e.message })),
      ]);
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
      for (const o of owners.beneficial_owners || []) {
        const n = cy.getElementById('person:' + o.person);
        if (n.nonempty()) { n.addClass('owner'); n.data('label', short(n.data('name')) + ' · ' + pct(o.share)); }
      }
      setStatus(t('ownershipOf', { name: tree.root.name || tree.root.ref.key }) + ' · ' + countText(tree.truncated ? t('truncated') : ''));
      state.selected = null;
      renderOwners(tree, owners);
    } catch (e) {
      setStatus(t('error') + ': ' + e.message);
    }
  }

  function renderOwners(tree, owners) {
    const thr = Math.round((owners.beneficial_threshold ?? 0.25) * 100);
    const bo = owners.beneficial_owners || [];
    const body = owners.error ? h('p', { class: 'state error', role: 'alert' }, t('error') + ': ' + owners.error)
      : h('div', {},
        h('h3', {}, t('owners', { t: thr })),
        bo.length ? h('ol', { id: 'owners', class: 'owners' }, bo.map((o) => h('li', {},
          h('button', { type: 'button', class: 'link', onclick: () => select('person:' + o.person) }, o.name || o.person), ' ',
          h('strong', {}, t('integrated') + ' ' + pct(o.share)),
          h('ul', {}, (o.chains || []).slice(0, 3).map((c) => h('li', { class: 'muted' }, c.path.map(labelOf).join(' → ') + ' (' + pct(c.share) + ')'))))))
          : h('p', { class: 'muted' }, t('noOwners')),
        owners.actual_controller ? h('p', {}, t('controller') + ': ', h('strong', { id: 'controller' }, owners.actual_controller.name || owners.actual_controller.ref.key)) : null);
    side.replaceChildren(h('h2', {}, t('ownershipOf', { name: tree.root.name || tree.root.ref.key })), body);
  }

  function labelOf(id) {
    const n = cy && cy.getElementById(id);
    return n && n.nonempty() ? n.data('name') : id.replace(/^(enterprise|person|record):/, '').slice(0, 12);
  }

  // --- side panel ---
  function select(id) {
    if (!cy) return;
    const t0 = performance.now();
    requestAnimationFrame(() => { window.__rg.lastSelect = performance.now() - t0; });
    const n = cy.getElementById(id);
    if (n.empty()) return;
    cy.nodes(':selected').unselect();
    n.select();
    state.selected = id;
    const d = n.data();
    const actions = h('div', { class: 'actions', id: 'actions' });
    const neighbours = h('div', { class: 'section' });
    const profile = h('div', { class: 'section', id: 'profile' });
    const expl = h('div', { class: 'section', id: 'explanation' });
    const records = h('div', { class: 'section', id: 'records' });
    side.replaceChildren(h('h2', { id: 'side-title' }, d.name), h('p', {}, gradeBadge(d.grade), ' ', t(d.kind), d.score != null ? ' · ' + t('score') + ' ' + fmtScore(d.score) : ''),
      actions, profile, expl, records, neighbours);
    renderActions(id);
    renderNeighbours(neighbours, n);
    if (d.kind === 'enterprise') {
      const key = enc(apiRef(id));
      load(profile, async () => profileView(await api('/enterprises/' + key)));
      load(expl, async () => explanationView(await api('/enterprises/' + key + '/risk')));
      load(records, async () => recordsView((await api('/enterprises/' + key + '/records?limit=20')).records));
    } else if (d.kind === 'person') {
      const pid = enc(id.slice(7));
      load(profile, async () => {
        const p = (await api('/persons/' + pid)).person;
        return [h('h3', {}, t('profile')), h('dl', {}, dl('pid', p.pid))];
      });
      if (d.risk && d.risk.details) expl.replaceChildren(explanationView({ ...d.risk.details, score: d.risk.score, flags: d.risk.flags || [] }));
      load(records, async () => recordsView((await api('/persons/' + pid + '/records?limit=20')).records));
    } else {
      profile.replaceChildren(h('h3', {}, t('profile')), h('dl', {}, Object.entries(d.props).map(([k, v]) => dl(k, v))));
    }
  }

  function renderActions(id) {
    const el = side.querySelector('#actions');
    if (!el) return;
    const p = state.pending.get(id);
    const kind = id.split(':')[0];
    el.replaceChildren(...[
      kind !== 'record' ? h('button', { type: 'button', id: 'expand', onclick: () => expand(id) }, t('expand')) : null,
      p && p.nodes.length ? h('button', { type: 'button', id: 'show-more', onclick: () => showMore(id) }, t('showMore', { n: p.nodes.length })) : null,
      kind !== 'record' ? h('button', { type: 'button', id: 'set-from', onclick: () => { state.from = { id, name: labelOfFull(id) }; setMode('path'); } }, t('setFrom')) : null,
      kind !== 'record' ? h('button', { type: 'button', id: 'set-to', onclick: () => { state.to = { id, name: labelOfFull(id) }; setMode('path'); } }, t('setTo')) : null,
      kind === 'enterprise' ? h('button', { type: 'button', id: 'open-ownership', onclick: () => ownership(id) }, t('modeOwnership')) : null,
      kind !== 'record' && id !== state.root ? h('button', { type: 'button', id: 're-root', onclick: () => { location.hash = '#/explorer/' + enc(apiRef(id)); } }, t('modeNetwork')) : null].filter(Boolean));
  }
  function labelOfFull(id) { return cy.getElementById(id).data('name') || id; }

  function renderNeighbours(el, n) {
    const rank = (m) => (m.data('kind') === 'record' ? 1 : 0);
    const nb = n.neighborhood('node').toArray().sort((a, b) => rank(a) - rank(b) || (b.data('score') || 0) - (a.data('score') || 0)).slice(0, 30);
    el.replaceChildren(h('h3', {}, t('neighbours') + ` (${n.neighborhood('node').length})`),
      h('ul', { class: 'nblist' }, nb.map((m) => h('li', {}, h('button', { type: 'button', class: 'link', 'data-kind': m.data('kind'), onclick: () => select(m.id()) },
        gradeBadge(m.data('grade')), ' ', m.data('name'))))));
  }

  function dl(k, v) { return [h('dt', {}, t(k)), h('dd', {}, v == null || v === '' ? '—' : String(v))]; }

  function profileView(r) {
    const e = r.enterprise;
    const reg = r.region ? [r.region.province, r.region.city, r.region.county].filter(Boolean).join(' ') : e.region;
    return [h('h3', {}, t('profile')), h('dl', {}, dl('code', e.uscc || e.key), dl('status', e.status), dl('region', reg), dl('industry', e.industry),
      dl('capital', e.capital != null ? e.capital + ' ' + (e.currency || '') : ''), dl('established', e.established), dl('address', e.address))];
  }

  function explanationView(r) {
    const flags = r.flags || [];
    return [h('h3', {}, t('flags')), flags.length ? h('ul', { class: 'flags' }, flags.map((f) => h('li', { class: 'flag' }, term(typeof f === 'string' ? f : f.flag || JSON.stringify(f))))) : h('p', { class: 'muted' }, t('none')),
      h('h3', {}, t('explanation')),
      h('p', {}, t('score') + ' ' + fmtScore(r.score) + (r.grade ? ' · ' + t('grade') + ' ' + r.grade : '') + ' · ' + t('intrinsic') + ' ' + fmtScore(r.intrinsic)),
      h('table', { class: 'contrib' }, h('thead', {}, h('tr', {}, h('th', {}, t('kind')), h('th', {}, t('via')), h('th', {}, t('contribution')))),
        h('tbody', {}, (r.contributions || []).map((c) => h('tr', {}, h('td', {}, term(c.kind)), h('td', {}, (c.path || []).map(labelOf).join(' → ')), h('td', { class: 'num' }, fmtScore(c.amount)))),
          r.remainder ? h('tr', {}, h('td', { colspan: 2 }, t('remainder')), h('td', { class: 'num' }, fmtScore(r.remainder))) : null))];
  }

  function recordsView(rec) {
    const items = (rec && rec.items) || [];
    return [h('h3', {}, t('records') + ` (${rec ? rec.total ?? items.length : 0})`), items.length ? h('ul', { class: 'records' }, items.map((x) => h('li', {},
      h('strong', {}, term(x.kind)), ' ', x.decided || '', ' ', x.authority || '', x.amount ? ' · ' + x.amount : '', x.reason ? h('div', { class: 'muted' }, x.reason) : null)))
      : h('p', { class: 'muted' }, t('none'))];
  }

  // --- exports ---
  function stamp() { return (state.root ? apiRef(state.root).replace(/[^\w-]/g, '_') : 'graph') + '-' + state.mode; }
  function exportPNG() { if (cy) download(`riskgraph-${stamp()}.png`, cy.png({ output: 'blob', full: true, scale: 2, bg: '#ffffff' })); }
  function rows() {
    const nodes = cy ? cy.nodes().map((n) => ({ id: n.id(), kind: n.data('kind'), name: n.data('name'), grade: n.data('grade'), score: n.data('score') })) : [];
    const edges = cy ? cy.edges().map((e) => ({ id: e.id(), source: e.data('source'), target: e.data('target'), type: e.data('type'), ratio: e.data('props').ratio ?? null })) : [];
    return { nodes, edges };
  }
  function csvCell(v) { const s = v == null ? '' : String(v); return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s; }
  function exportCSV() {
    const { nodes, edges } = rows();
    const lines = ['element,id,kind,name,grade,score,source,target,type,ratio'];
    for (const n of nodes) lines.push(['node', n.id, n.kind, n.name, n.grade, n.score, '', '', '', ''].map(csvCell).join(','));
    for (const e of edges) lines.push(['edge', e.id, '', '', '', '', e.source, e.target, e.type, e.ratio].map(csvCell).join(','));
    download(`riskgraph-${stamp()}.csv`, new Blob(['\ufeff' + lines.join('\n') + '\n'], { type: 'text/csv' }));
  }
  function exportJSON() {
    download(`riskgraph-${stamp()}.json`, new Blob([JSON.stringify(rows(), null, 1)], { type: 'application/json' }));
  }

  return {
    el,
    show(arg) {
      if (cy) cy.resize();
      if (!arg) { input.focus(); return; }
      const id = arg.startsWith('person:') ? arg : 'enterprise:' + arg.replace(/^enterprise:/, '');
      if (id === state.root && state.mode === 'network' && cy && cy.nodes().length) return;
      state.root = id; state.from = null; state.to = null;
      reload();
    },
    relabel() {
      applyI18n(el);
      if (cy) cy.edges().forEach((e) => e.data('label', edgeLabel({ type: e.data('type'), props: e.data('props') })));
      if (state.selected) select(state.selected);
      if (!pathBar.hidden) renderPathBar();
    },
  };
}
