// The inspector's review pages of matching (docs/matching.md, docs/ingest.md):
//   #/review      the match review queue: entries the loader held with their
//                 query and candidates (GET /match/review?status=pending);
//                 accept a candidate or reject them all (POST /match/review/{id});
//   #/duplicates  candidate duplicate pairs (GET /xref/pairs?status=…) with
//                 both enterprises' names (POST /enterprises:batch); confirm,
//                 reject, undo (POST /xref/pairs/{id}); admins start an xref
//                 run (POST /xref) and the page polls it (GET /xref/runs/{id}).
import { t, applyI18n } from './i18n.js';
import { api, can, enc, session } from './api.js';
import { h, fmtScore, evidence } from './ui.js';

const PAGE = 50;
const QUERY_FIELDS = ['name', 'org_code', 'reg_no', 'address', 'phone', 'region', 'legal_rep'];
const PAIR_STATUSES = ['candidate', 'confirmed', 'rejected', 'undone'];

function entityLink(key, name) {
  const text = name || key;
  return can('explorer') ? h('a', { href: '#/explorer/' + enc(key), class: 'cand-name' }, text) : h('span', { class: 'cand-name' }, text);
}
function rowsHeld(rows) {
  return Object.values(rows || {}).reduce((n, v) => n + (Array.isArray(v) ? v.length : 0), 0);
}

export function create(name) {
  return name === 'duplicates' ? duplicates() : review();
}

// page builds the frame both pages share: a heading with help, a toolbar,
// a live status line, the list and a "more" button for the next page.
function frame(id, tools) {
  const status = h('p', { id: id + '-status', class: 'state', role: 'status', 'aria-live': 'polite' });
  const list = h('div', { id: id + '-list' });
  const more = h('button', { type: 'button', id: id + '-more', hidden: true, 'data-i18n': 'more' }, t('more'));
  const el = h('section', { class: 'review-page', 'aria-labelledby': 'h-' + id },
    h('div', { class: 'card' }, h('h2', { id: 'h-' + id, 'data-i18n': id + 'Title' }, t(id + 'Title')),
      h('p', { class: 'muted small', 'data-i18n': id + 'Help' }, t(id + 'Help')), h('div', { class: 'toolbar' }, tools)),
    status, list, more);
  const setStatus = (cls, text) => { status.className = 'state ' + cls; status.textContent = text; status.setAttribute('role', cls === 'error' ? 'alert' : 'status'); };
  return { el, status, list, more, setStatus };
}

// --- the match review queue ---
function review() {
  const reload = h('button', { type: 'button', id: 'review-reload', 'data-i18n': 'reload', onclick: () => fetchPage('') }, t('reload'));
  const f = frame('review', [reload]);
  let entries = []; // {e: review entry, outcome: null | {kind, text}}
  let next = '';
  let seq = 0;
  f.more.addEventListener('click', () => fetchPage(next));

  async function fetchPage(cursor) {
    const my = ++seq;
    f.setStatus('loading', t('loading'));
    f.list.setAttribute('aria-busy', 'true');
    try {
      const r = await api(`/match/review?status=pending&limit=${PAGE}` + (cursor ? '&cursor=' + enc(cursor) : ''));
      if (my !== seq) return;
      if (!cursor) entries = [];
      entries.push(...r.entries.map((e) => ({ e, outcome: null })));
      next = r.next || '';
      render();
    } catch (e) {
      if (my === seq) f.setStatus('error', t('error') + ': ' + e.message);
    } finally {
      if (my === seq) f.list.removeAttribute('aria-busy');
    }
  }

  function summary() {
    const open = entries.filter((x) => !x.outcome || x.outcome.kind === 'error').length;
    f.setStatus('', entries.length ? t('reviewCount', { n: open, m: entries.length - open }) + (next ? ' ' + t('moreFollow') : '') : t('reviewEmpty'));
  }
  function render() {
    f.list.replaceChildren(...entries.map(entryView));
    f.more.hidden = !next;
    summary();
  }

  function entryView(x) {
    const e = x.e;
    const hid = 'rv-' + e.id;
    const decided = x.outcome && x.outcome.kind !== 'error';
    const q = e.query || {};
    const where = [e.file && e.line ? `${e.file}:${e.line}` : e.file, t('reviewField') + ' ' + e.field + (e.column ? ` (${e.column})` : ''), t('reviewSource') + ' ' + e.source].filter(Boolean);
    const cands = (e.candidates || []).map((c, i) => h('tr', { 'data-key': c.key },
      h('td', { class: 'num' }, String(i + 1)),
      h('td', {}, entityLink(c.key, c.name), ' ', h('code', { class: 'small' }, c.key)),
      h('td', { class: 'num score' }, fmtScore(c.score)),
      h('td', {}, evidence(c.features)),
      h('td', {}, h('button', { type: 'button', class: 'accept', disabled: decided, 'aria-label': t('acceptAria', { name: c.name || c.key }),
        onclick: (ev) => decide(x, { decision: 'accept', key: c.key }, ev.currentTarget) }, t('accept')))));
    const out = x.outcome ? h('p', { class: 'outcome ' + x.outcome.kind, tabindex: '-1', role: x.outcome.kind === 'error' ? 'alert' : null }, x.outcome.text) : null;
    return h('article', { class: 'card entry' + (decided ? ' decided' : ''), id: hid, 'data-id': e.id, 'aria-labelledby': hid + '-h' },
      h('h3', { id: hid + '-h' }, q.name || q.org_code || q.reg_no || q.phone || e.id, ' ', h('small', { class: 'muted' }, where.join(' · '))),
      h('div', { class: 'query' }, h('span', { class: 'muted' }, t('reviewQuery') + ': '),
        QUERY_FIELDS.filter((k) => q[k]).map((k) => h('span', { class: 'ev', 'data-feature': k }, h('span', { class: 'evk' }, t('f_' + k)), ' ', q[k])),
        ' ', h('span', { class: 'muted' }, t('reviewRows', { n: rowsHeld(e.rows) }))),
      cands.length ? h('table', { class: 'cand-table' },
        h('caption', { class: 'sr-only' }, t('matchCandidates')),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '#'), h('th', { scope: 'col' }, t('name')), h('th', { scope: 'col' }, t('matchScore')),
          h('th', { scope: 'col' }, t('evidence')), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, t('actions'))))),
        h('tbody', {}, cands)) : h('p', { class: 'muted' }, t('matchNone')),
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'reject', disabled: decided, onclick: (ev) => decide(x, { decision: 'reject' }, ev.currentTarget) }, t('rejectAll'))),
      out);
  }

  async function decide(x, body, btn) {
    const art = btn.closest('article');
    for (const b of art.querySelectorAll('button')) b.disabled = true;
    try {
      const r = await api('/match/review/' + enc(x.e.id), { method: 'POST', body });
      const c = r.review.status === 'accepted' && (x.e.candidates || []).find((k) => k.key === r.review.key);
      x.outcome = r.review.status === 'accepted'
        ? { kind: 'accepted', text: t('reviewAccepted', { name: c ? c.name : r.review.key, key: r.review.key, n: r.written }) }
        : { kind: 'rejected', text: t('reviewRejected') };
    } catch (e) {
      // 409: decided meanwhile (by someone else): final like a decision here.
      x.outcome = { kind: e.status === 409 ? 'rejected' : 'error', text: t('error') + ': ' + e.message };
    }
    const fresh = entryView(x);
    art.replaceWith(fresh);
    summary();
    const o = fresh.querySelector('.outcome');
    if (o) o.focus();
  }

  return {
    el: f.el,
    show() { fetchPage(''); },
    relabel() { applyI18n(f.el); if (entries.length) render(); },
  };
}

// --- duplicate pairs ---
function duplicates() {
  const statusSel = h('select', { id: 'pairs-status', 'aria-label': t('pairStatus'), 'data-i18n-label': 'pairStatus' },
    PAIR_STATUSES.map((s) => h('option', { value: s }, t('pair_' + s))));
  statusSel.addEventListener('change', () => fetchPage(''));
  const runBtn = h('button', { type: 'button', id: 'xref-start', hidden: session.role !== 'admin', 'data-i18n': 'xrefStart', onclick: () => startRun() }, t('xrefStart'));
  const runState = h('span', { id: 'xref-run', class: 'muted', role: 'status', 'aria-live': 'polite' });
  const f = frame('dupes', [h('label', {}, h('span', { 'data-i18n': 'pairStatus' }, t('pairStatus')), ' ', statusSel), runBtn, runState]);
  const names = new Map(); // key → name
  let pairs = [], next = '', seq = 0, polling = 0;
  f.more.addEventListener('click', () => fetchPage(next));

  async function lookUp(keys) {
    const want = [...new Set(keys.filter((k) => !names.has(k)))];
    for (let i = 0; i < want.length; i += 1000) {
      const r = await api('/enterprises:batch', { method: 'POST', body: { keys: want.slice(i, i + 1000) } });
      for (const e of r.enterprises || []) names.set(e.key, e.name);
      for (const m of r.missing || []) names.set(m.key, '');
    }
  }

  async function fetchPage(cursor) {
    const my = ++seq;
    f.setStatus('loading', t('loading'));
    f.list.setAttribute('aria-busy', 'true');
    try {
      const r = await api(`/xref/pairs?status=${statusSel.value}&limit=${PAGE}` + (cursor ? '&cursor=' + enc(cursor) : ''));
      await lookUp(r.pairs.flatMap((p) => [p.a, p.b]));
      if (my !== seq) return;
      if (!cursor) pairs = [];
      pairs.push(...r.pairs);
      next = r.next || '';
      render();
    } catch (e) {
      if (my === seq) f.setStatus('error', t('error') + ': ' + e.message);
    } finally {
      if (my === seq) f.list.removeAttribute('aria-busy');
    }
  }

  function render(msg) {
    f.list.replaceChildren(pairs.length ? h('div', { class: 'scroll-x' }, h('table', { class: 'pairs-table', id: 'pairs' },
      h('caption', { class: 'sr-only' }, t('dupesTitle')),
      h('thead', {}, h('tr', {}, [t('matchScore'), t('pairA'), t('pairB'), t('evidence'), t('pairStatus'), t('actions')].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, pairs.map(pairRow)))) : h('p', { class: 'muted', id: 'pairs-empty' }, t('pairsEmpty', { s: t('pair_' + statusSel.value) })));
    f.more.hidden = !next;
    f.setStatus('', msg || t('pairsCount', { n: pairs.length, s: t('pair_' + statusSel.value) }) + (next ? ' ' + t('moreFollow') : ''));
  }

  function side(key) {
    const n = names.get(key);
    return h('td', {}, entityLink(key, n), n === '' ? h('small', { class: 'error' }, ' ' + t('pairGone')) : null, h('div', {}, h('code', { class: 'small' }, key)));
  }
  function pairRow(p) {
    const label = (names.get(p.a) || p.a) + ' / ' + (names.get(p.b) || p.b);
    const can = p.status === 'candidate' || p.status === 'undone' ? ['confirm', 'reject'] : ['undo'];
    const last = (p.history || []).at(-1);
    return h('tr', { 'data-id': p.id, 'data-status': p.status },
      h('td', { class: 'num score' }, fmtScore(p.score)),
      side(p.a), side(p.b),
      h('td', {}, evidence(p.evidence), p.blocks && p.blocks.length ? h('div', { class: 'muted small' }, t('pairBlocks') + ': ' + p.blocks.join(', ')) : null),
      h('td', {}, h('span', { class: 'pair-status st-' + p.status }, t('pair_' + p.status)),
        last ? h('div', { class: 'muted small' }, t('decidedBy', { by: last.by, at: (last.at || '').slice(0, 16).replace('T', ' ') })) : null),
      h('td', { class: 'actions' }, can.map((d) => h('button', { type: 'button', class: 'decide-' + d, 'aria-label': t('pairAria_' + d, { pair: label }),
        onclick: (ev) => decide(p, d, ev.currentTarget) }, t('decide_' + d)))));
  }

  async function decide(p, decision, btn) {
    const tr = btn.closest('tr');
    for (const b of tr.querySelectorAll('button')) b.disabled = true;
    let msg;
    try {
      const got = await api('/xref/pairs/' + enc(p.id), { method: 'POST', body: { decision } });
      Object.assign(p, got);
      msg = t('pairDone_' + decision, { a: names.get(p.a) || p.a, b: names.get(p.b) || p.b });
    } catch (e) {
      for (const b of tr.querySelectorAll('button')) b.disabled = false;
      f.setStatus('error', t('error') + ': ' + e.message);
      return;
    }
    const fresh = pairRow(p);
    tr.replaceWith(fresh);
    f.setStatus('', msg);
    const b = fresh.querySelector('button');
    if (b) b.focus();
  }

  // startRun: POST /xref (admin), then poll the run until it ends; a run
  // already in progress (409) is polled instead.
  async function startRun() {
    runBtn.disabled = true;
    let id;
    try {
      id = (await api('/xref', { method: 'POST' })).run;
    } catch (e) {
      const m = e.status === 409 && /xref run (\S+) is in progress/.exec(e.message);
      if (!m) { runState.textContent = t('error') + ': ' + e.message; runState.className = 'error'; runBtn.disabled = false; return; }
      id = m[1];
    }
    const my = ++polling;
    runState.className = 'muted';
    for (;;) {
      runState.textContent = t('xrefRunning', { id });
      let run;
      try { run = await api('/xref/runs/' + enc(id)); } catch (e) { run = { status: 'failed', error: e.message }; }
      if (my !== polling) return;
      if (run.status !== 'running') {
        runBtn.disabled = false;
        const s = run.summary || {};
        if (run.status === 'completed') runState.textContent = t('xrefDone', { id, found: s.found ?? 0, added: s.added ?? 0 });
        else { runState.textContent = t('error') + ': ' + (run.error || run.status); runState.className = 'error'; }
        fetchPage('');
        return;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  return {
    el: f.el,
    show() { runBtn.hidden = session.role !== 'admin'; fetchPage(''); },
    relabel() {
      applyI18n(f.el);
      for (const o of statusSel.options) o.textContent = t('pair_' + o.value);
      if (pairs.length || f.status.textContent) render();
    },
  };
}
