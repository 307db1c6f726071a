// The credit-check page (#/checks, docs/credit-checks.md): a scenario of the
// server's measures catalogue (GET /credit-checks/scenarios), an optional
// as-of day and pasted subjects — USCCs or keys one a line, or for a
// scenario that checks persons "name, identity number" — checked in one
// POST /credit-checks:batch; a verdict table with each measure's rule,
// legal basis, evidence and end, and each stored check's certificate
// (GET /credit-checks/{id}?format=html, opened with the key as a blob).
import { t, term, getLang, applyI18n } from './i18n.js';
import { api, apiBlob, can, enc } from './api.js';
import { h, realDate, openBlob } from './ui.js';

export const MAX_SUBJECTS = 10000; // the batch route's MaxItems

// parseSubjects reads one subject a line; blank lines are skipped and each
// subject keeps its line number. A line with a comma, tab or 、 is a person
// "name, identity number" (for scenarios that check persons).
export function parseSubjects(text) {
  const out = [];
  text.replace(/\r\n?/g, '\n').split('\n').forEach((l, i) => {
    const s = l.trim();
    if (!s) return;
    const m = /^(.+?)\s*[,，\t、]\s*([0-9Xx]{15,18})$/.exec(s);
    out.push(m ? { line: i + 1, shown: m[1], subject: { name: m[1], id_number: m[2] } } : { line: i + 1, shown: s, subject: s });
  });
  return out;
}

export function create() {
  const scenarioSel = h('select', { id: 'check-scenario', required: true }, h('option', { value: '' }, t('loading')));
  const asOf = h('input', { type: 'date', id: 'check-asof', max: new Date().toISOString().slice(0, 10) });
  const input = h('textarea', { id: 'check-input', rows: 8, spellcheck: 'false', 'aria-describedby': 'check-help', autocomplete: 'off',
    'data-i18n-ph': 'checkPlaceholder', placeholder: t('checkPlaceholder') });
  const submit = h('button', { type: 'submit', id: 'check-submit', 'data-i18n': 'checkSubmit' }, t('checkSubmit'));
  const count = h('span', { id: 'check-count', class: 'muted' });
  const status = h('p', { id: 'check-status', class: 'state', role: 'status', 'aria-live': 'polite' });
  const results = h('div', { id: 'check-results' });
  let scenarios = [], last = null, busy = false;

  const form = h('form', { class: 'card check-form', 'aria-labelledby': 'h-checks', onsubmit: (e) => { e.preventDefault(); run(); } },
    h('h2', { id: 'h-checks', 'data-i18n': 'checksTitle' }, t('checksTitle')),
    h('p', { id: 'check-help', class: 'muted small', 'data-i18n': 'checkHelp' }, t('checkHelp')),
    h('div', { class: 'toolbar' },
      h('label', { for: 'check-scenario' }, h('span', { 'data-i18n': 'checkScenario' }, t('checkScenario'))), scenarioSel,
      h('label', { for: 'check-asof' }, h('span', { 'data-i18n': 'checkAsOf' }, t('checkAsOf'))), asOf),
    h('label', { for: 'check-input', class: 'sr-only', 'data-i18n': 'checkSubjects' }, t('checkSubjects')), input,
    h('div', { class: 'toolbar' }, submit, count));
  const el = h('section', { class: 'checks' }, form, status, results);

  const label = (s) => (getLang() === 'en' ? s.en : s.zh) || s.id;
  function fillScenarios() {
    const keep = scenarioSel.value || 'bidding';
    scenarioSel.replaceChildren(...scenarios.map((s) => h('option', { value: s.id, selected: s.id === keep, 'data-subjects': s.subjects.join(',') },
      label(s) + (s.subjects.includes('person') ? ' · ' + t('person') : ''))));
  }
  async function loadScenarios() {
    try {
      scenarios = (await api('/credit-checks/scenarios')).scenarios;
      fillScenarios();
    } catch (e) {
      setStatus('error', t('error') + ': ' + e.message);
    }
  }
  function countLines() {
    const n = parseSubjects(input.value).length;
    count.textContent = n ? t('checkLines', { n }) : '';
    count.className = n > MAX_SUBJECTS ? 'error' : 'muted';
  }
  input.addEventListener('input', countLines);
  function setStatus(cls, text) { status.className = 'state ' + cls; status.textContent = text; status.setAttribute('role', cls === 'error' ? 'alert' : 'status'); }

  async function run() {
    if (busy) return;
    const subjects = parseSubjects(input.value);
    if (!scenarioSel.value) { setStatus('error', t('checkNoScenario')); return; }
    if (!subjects.length) { setStatus('error', t('checkEmpty')); return; }
    if (subjects.length > MAX_SUBJECTS) { setStatus('error', t('checkTooMany', { n: subjects.length, max: MAX_SUBJECTS })); return; }
    busy = true; submit.disabled = true; results.setAttribute('aria-busy', 'true');
    setStatus('loading', t('checkRunning', { n: subjects.length }));
    try {
      const body = { scenario: scenarioSel.value, subjects: subjects.map((s) => s.subject) };
      if (asOf.value) body.as_of = asOf.value;
      const r = await api('/credit-checks:batch', { method: 'POST', body });
      last = { subjects, r };
      render();
      // The identity numbers pasted for persons are not kept on the page once sent.
      if (subjects.some((s) => typeof s.subject !== 'string')) input.value = subjects.map((s) => (typeof s.subject === 'string' ? s.subject : s.shown + ', ' + t('idHidden'))).join('\n');
    } catch (e) {
      setStatus('error', t('error') + ': ' + e.message);
    } finally {
      busy = false; submit.disabled = false; results.removeAttribute('aria-busy');
    }
  }

  function verdictBadge(v, incentives) {
    return [h('span', { class: 'verdict v-' + v }, t('verdict_' + v)), incentives ? h('span', { class: 'verdict v-incentive' }, t('incentives')) : null];
  }
  function measureView(m) {
    const rec = m.record || {};
    const path = (m.path && m.path.nodes) || [];
    const holder = path.length > 1 ? path.map((n) => n.name || n.ref.key).join(' → ') : '';
    const until = realDate(m.period && m.period.until);
    return h('li', { class: 'measure', 'data-measure': m.measure, 'data-rule': m.rule.id },
      h('span', { class: 'verdict m-' + m.measure }, t('measure_' + m.measure)), ' ',
      h('span', { class: 'rule' }, (getLang() === 'en' ? m.rule.en : m.rule.zh) || m.rule.id), ' ',
      h('code', { class: 'small muted' }, m.rule.id),
      h('div', { class: 'small' }, h('span', { class: 'muted' }, t('checkBasis') + ': '),
        (m.basis || []).map((b) => b.number + (b.provision ? ' ' + b.provision : '')).join('；')),
      h('div', { class: 'small evidence-rec' }, h('span', { class: 'muted' }, t('evidence') + ': '),
        t('rel_' + m.relation), ' · ', term(rec.kind), realDate(rec.decided) ? ' ' + realDate(rec.decided) : '', rec.authority ? ' · ' + rec.authority : '',
        holder ? h('div', { class: 'path' }, t('checkPath') + ': ', holder) : null),
      h('div', { class: 'small' }, h('span', { class: 'muted' }, t('checkUntil') + ': '), until ? t('checkUntilDay', { d: until }) : m.period ? t('period_' + m.period.kind) : '—'));
  }
  function subjectCell(s, a) {
    const subj = a && a.result.subject;
    const key = subj && subj.ref.kind === 'enterprise' ? subj.ref.key : '';
    const name = subj ? subj.name || s.shown : s.shown;
    return h('td', {}, key && can('explorer') ? h('a', { href: '#/explorer/' + enc(key) }, name) : h('span', {}, name),
      subj && subj.uscc ? h('div', { class: 'small muted' }, subj.uscc) : key ? h('div', { class: 'small muted' }, key) : null,
      subj && subj.ref.kind === 'person' ? h('div', { class: 'small muted' }, 'pid …' + subj.ref.key.slice(-4) + (subj.found ? '' : ' · ' + t('checkNotFound'))) : null);
  }

  function render() {
    const { subjects, r } = last;
    const v = r.verdicts || {};
    setStatus('', t('checkDone', { n: subjects.length, p: v.prohibited || 0, r: v.restricted || 0, s: v.strict_review || 0, c: v.clear || 0, e: r.errors.length }));
    // The batch answers checks in input order, skipping the subjects listed under errors.
    const errs = new Map(r.errors.map((e) => [e.index, e]));
    let k = 0;
    const rows = subjects.map((s, i) => {
      if (errs.has(i)) {
        return h('tr', { 'data-line': s.line, class: 'check-error' }, h('td', { class: 'muted' }, String(s.line)), subjectCell(s, null),
          h('td', { colspan: 3, class: 'error' }, errs.get(i).reason));
      }
      const a = r.checks[k++];
      const res = a.result;
      return h('tr', { 'data-line': s.line, 'data-verdict': res.verdict, class: 'v-row-' + res.verdict },
        h('td', { class: 'muted' }, String(s.line)), subjectCell(s, a),
        h('td', {}, verdictBadge(res.verdict, res.incentives)),
        h('td', {}, res.measures.length ? h('ul', { class: 'measures' }, res.measures.map(measureView)) : h('span', { class: 'muted' }, t('checkNoMeasures'))),
        h('td', {}, h('button', { type: 'button', class: 'link cert', 'data-check': a.id, 'aria-label': t('checkCertAria', { name: res.subject.name || s.shown }),
          onclick: () => openBlob(() => apiBlob('/credit-checks/' + enc(a.id) + '?format=html', 'text/html')).catch((e) => setStatus('error', t('error') + ': ' + e.message)) },
        t('checkCert')), h('div', { class: 'small muted' }, h('code', {}, a.id))));
    });
    results.replaceChildren(h('div', { class: 'scroll-x' }, h('table', { class: 'check-table' },
      h('caption', { class: 'sr-only' }, t('checksTitle')),
      h('thead', {}, h('tr', {}, [t('matchLine'), t('checkSubject'), t('checkVerdict'), t('checkMeasures'), t('checkCert')].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, rows))));
  }

  return {
    el,
    show() { if (!scenarios.length) loadScenarios(); input.focus(); },
    relabel() {
      applyI18n(el);
      if (scenarios.length) fillScenarios();
      countLines();
      if (last) render();
    },
  };
}
