// The match page (#/match): paste names (one per line) or a CSV with a
// header, screen them with POST /match (docs/matching.md) and show each
// line's best candidates with their score, match badge and evidence.
import { t, applyI18n } from './i18n.js';
import { api, can, enc } from './api.js';
import { h, fmtScore, evidence } from './ui.js';

export const MAX_LINES = 1000; // the route's MaxItems
const FIELDS = ['name', 'uscc', 'org_code', 'reg_no', 'address', 'phone', 'email', 'legal_rep', 'region'];
// Header aliases (lower case, spaces and _ dropped) → query field.
const ALIASES = {
  name: 'name', enterprise: 'name', company: 'name', 名称: 'name', 企业名称: 'name', 公司名称: 'name', 主体名称: 'name',
  uscc: 'uscc', creditcode: 'uscc', 统一社会信用代码: 'uscc', 信用代码: 'uscc',
  orgcode: 'org_code', 组织机构代码: 'org_code', regno: 'reg_no', 注册号: 'reg_no',
  address: 'address', addr: 'address', 地址: 'address', 住所: 'address', 注册地址: 'address',
  phone: 'phone', tel: 'phone', telephone: 'phone', 电话: 'phone', 联系电话: 'phone',
  email: 'email', mail: 'email', 邮箱: 'email', 电子邮箱: 'email',
  legalrep: 'legal_rep', 法定代表人: 'legal_rep', 法人: 'legal_rep',
  region: 'region', 地区: 'region', 所在地: 'region', 行政区划: 'region',
};
// Features a query can be looked up by; the others only support (docs/matching.md).
const LOOKUP = ['name', 'uscc', 'org_code', 'reg_no', 'phone', 'email'];

// splitCSV splits one line into cells: delimiter , or tab (or ；/;), double
// quotes around cells, "" inside them.
function splitCSV(line, delim) {
  const cells = []; let cur = '', q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') q = false; else cur += c;
    } else if (c === '"' && cur.trim() === '') { q = true; cur = ''; } else if (c === delim) { cells.push(cur.trim()); cur = ''; } else cur += c;
  }
  cells.push(cur.trim());
  return cells;
}

function headerField(cell) {
  const k = cell.replace(/^\ufeff/, '').toLowerCase().replace(/[\s_\-]/g, '');
  return ALIASES[k] || (FIELDS.includes(cell.toLowerCase()) ? cell.toLowerCase() : null);
}

// parse turns the pasted text into queries. A first line whose cells are all
// known column names (at least one) is a CSV header; otherwise every line is
// a name. Blank lines are skipped; each query keeps its line number.
export function parse(text) {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const first = lines.find((l) => l.trim() !== '') || '';
  const delim = first.includes('\t') ? '\t' : first.includes(',') ? ',' : first.includes('，') ? '，' : ',';
  const head = splitCSV(first, delim).map(headerField);
  const csv = head.some(Boolean) && head.every((f, i) => f || splitCSV(first, delim)[i] === '');
  const rows = [];
  let seenHead = false;
  lines.forEach((l, i) => {
    if (l.trim() === '') return;
    if (csv && !seenHead) { seenHead = true; return; }
    const q = {};
    if (csv) {
      splitCSV(l, delim).forEach((v, j) => { if (head[j] && v) q[head[j]] = v; });
    } else q.name = l.trim();
    rows.push({ line: i + 1, text: l.trim(), query: q, usable: LOOKUP.some((f) => q[f]) });
  });
  return { csv, columns: csv ? head.filter(Boolean) : ['name'], rows };
}

export function create() {
  const input = h('textarea', { id: 'match-input', rows: 10, spellcheck: 'false', 'aria-describedby': 'match-help',
    'data-i18n-ph': 'matchPlaceholder', placeholder: t('matchPlaceholder') });
  const limitSel = h('select', { id: 'match-limit', 'aria-label': t('matchLimit') },
    [1, 3, 5, 10].map((n) => h('option', { value: n, selected: n === 3 }, String(n))));
  const submit = h('button', { type: 'submit', id: 'match-submit', 'data-i18n': 'matchSubmit' }, t('matchSubmit'));
  const count = h('span', { id: 'match-count', class: 'muted' });
  const status = h('p', { id: 'match-status', class: 'state', role: 'status', 'aria-live': 'polite' });
  const results = h('div', { id: 'match-results' });
  const help = h('p', { id: 'match-help', class: 'muted small', 'data-i18n': 'matchHelp' }, t('matchHelp'));
  let last = null; // { parsed, answers } of the last run, to redraw on a language switch
  let busy = false;

  function countLines() {
    const p = parse(input.value);
    count.textContent = p.rows.length ? t('matchLines', { n: p.rows.length }) + (p.csv ? ' · CSV: ' + p.columns.join(', ') : '') : '';
    count.className = p.rows.length > MAX_LINES ? 'error' : 'muted';
  }
  input.addEventListener('input', countLines);

  const form = h('form', { class: 'card match-form', 'aria-labelledby': 'h-match', onsubmit: (e) => { e.preventDefault(); run(); } },
    h('h2', { id: 'h-match', 'data-i18n': 'matchTitle' }, t('matchTitle')), help,
    h('label', { for: 'match-input', class: 'sr-only', 'data-i18n': 'matchInput' }, t('matchInput')), input,
    h('div', { class: 'toolbar' }, submit, h('label', {}, h('span', { 'data-i18n': 'matchLimit' }, t('matchLimit')), ' ', limitSel), count));
  const el = h('section', { class: 'match' }, form, status, results);

  function setStatus(cls, text) { status.className = 'state ' + cls; status.textContent = text; }

  async function run() {
    if (busy) return;
    const parsed = parse(input.value);
    if (!parsed.rows.length) { setStatus('error', t('matchEmpty')); return; }
    if (parsed.rows.length > MAX_LINES) { setStatus('error', t('matchTooMany', { n: parsed.rows.length, max: MAX_LINES })); return; }
    busy = true; submit.disabled = true; results.setAttribute('aria-busy', 'true');
    setStatus('loading', t('matchRunning', { n: parsed.rows.length }));
    const answers = new Map(); // row index → candidates or an error text
    try {
      let pending = parsed.rows.map((r, i) => i).filter((i) => parsed.rows[i].usable);
      for (const i of parsed.rows.keys()) if (!parsed.rows[i].usable) answers.set(i, t('matchUnusable'));
      // A query the server cannot use (a name that is only punctuation) fails
      // the batch with "queries[i]: …": mark that line and send the rest again.
      for (let tries = 0; pending.length && tries < 50; tries++) {
        try {
          const res = await api('/match', { method: 'POST', body: { queries: pending.map((i) => parsed.rows[i].query), limit: +limitSel.value } });
          for (const r of res.results) answers.set(pending[r.query], r.candidates);
          pending = [];
        } catch (e) {
          const m = e.status === 400 && /^queries\[(\d+)\]: (.*)$/s.exec(e.message);
          if (!m || pending[+m[1]] === undefined) throw e;
          answers.set(pending[+m[1]], m[2]);
          pending = pending.filter((_, j) => j !== +m[1]);
        }
      }
      last = { parsed, answers };
      render();
    } catch (e) {
      setStatus('error', t('error') + ': ' + (e.message || String(e)));
    } finally {
      busy = false; submit.disabled = false; results.removeAttribute('aria-busy');
    }
  }

  function summary() {
    const { parsed, answers } = last;
    let matched = 0, none = 0;
    for (const i of parsed.rows.keys()) {
      const a = answers.get(i);
      if (Array.isArray(a)) { if (a.length && a[0].match) matched++; if (!a.length) none++; }
    }
    setStatus('', t('matchDone', { n: parsed.rows.length, m: matched, e: none }));
  }

  function candidate(c) {
    const name = can('explorer') ? h('a', { href: '#/explorer/' + enc(c.key), class: 'cand-name' }, c.name) : h('span', { class: 'cand-name' }, c.name);
    return h('li', { 'data-key': c.key },
      name, ' ', h('code', { class: 'small' }, c.key), ' ',
      h('span', { class: 'score', title: t('matchScore') }, fmtScore(c.score)), ' ',
      c.match ? h('span', { class: 'match-badge', title: t('matchBadgeHelp') }, t('matchBadge')) : null, ' ',
      evidence(c.features));
  }

  function render() {
    summary();
    const { parsed, answers } = last;
    const body = parsed.rows.map((r, i) => {
      const a = answers.get(i);
      const cell = typeof a === 'string' ? h('span', { class: 'error' }, a)
        : !a || !a.length ? h('span', { class: 'muted no-cands' }, t('matchNone'))
          : h('ol', { class: 'cands' }, a.map(candidate));
      const q = r.query;
      const extra = Object.entries(q).filter(([k]) => k !== 'name').map(([k, v]) => h('span', { class: 'ev' }, h('span', { class: 'evk' }, t('f_' + k)), ' ', v));
      return h('tr', { 'data-line': r.line, class: Array.isArray(a) && a.length && a[0].match ? 'matched' : '' },
        h('td', { class: 'muted' }, String(r.line)),
        h('td', {}, q.name || '', extra.length ? h('div', { class: 'evidence' }, extra) : null),
        h('td', {}, cell));
    });
    results.replaceChildren(h('table', { class: 'match-table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('matchLine')), h('th', { scope: 'col' }, t('matchInput')), h('th', { scope: 'col' }, t('matchCandidates')))),
      h('tbody', {}, body)));
  }

  return {
    el,
    show() { input.focus(); },
    relabel() {
      applyI18n(el);
      limitSel.setAttribute('aria-label', t('matchLimit'));
      countLines();
      if (last) render(); else if (status.textContent) status.textContent = '';
    },
  };
}
