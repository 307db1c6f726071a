// Small DOM helpers: element builder, panels with loading and error states,
// downloads.
import { t } from './i18n.js';

export function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  // Children may be nested arrays at any depth (lists of [dt, dd] pairs…):
  // flattened fully, so an element never turns into "[object HTMLElement]".
  for (const c of kids.flat(Infinity)) if (c != null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

// realDate: a date the data really has, or '' — the engine writes day 0
// (1970-01-01) for findings without dates, Go's zero time is 0001-01-01.
export function realDate(d) {
  if (!d || typeof d !== 'string') return '';
  const s = d.slice(0, 10);
  return s === '1970-01-01' || s.startsWith('0001-') ? '' : s;
}

// load runs fn and fills el with its result, showing a loading state while
// it runs and an error with a retry button when it fails.
export async function load(el, fn) {
  el.setAttribute('aria-busy', 'true');
  el.replaceChildren(h('p', { class: 'state loading', role: 'status' }, t('loading')));
  try {
    const content = await fn();
    el.replaceChildren(...[content].flat(Infinity).filter((c) => c != null && c !== false));
  } catch (e) {
    el.replaceChildren(h('div', { class: 'state error', role: 'alert' },
      h('strong', {}, t('error') + ': '), e.message || String(e), ' ',
      h('button', { type: 'button', onclick: () => load(el, fn) }, t('retry'))));
  } finally {
    el.removeAttribute('aria-busy');
  }
}

export function download(name, blob) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name });
  document.body.append(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export const gradeColor = { A: '#2e9d57', B: '#d4b106', C: '#e8742a', D: '#cf1322' };
export const noGrade = '#8c8c8c';

export function pct(x, digits = 1) { return x == null ? '—' : (x * 100).toFixed(digits) + '%'; }
export function fmtScore(x) { return x == null ? '—' : x.toFixed(3); }
export function gradeBadge(g) {
  return h('span', { class: 'grade g' + (g || 'none'), title: g || '' }, g || '–');
}

// Features the matcher compares, in the order evidence is shown (docs/matching.md).
export const FEATURES = ['name', 'uscc', 'org_code', 'reg_no', 'legal_form', 'region', 'branch', 'address', 'phone', 'email', 'legal_rep'];

// evidence shows how far each feature agreed, as small labelled values
// (green ≥ 0.9, red 0). f is a map (feature → agreement) or a list of
// {feature, agreement} (a review entry's candidates).
export function evidence(f) {
  const m = Array.isArray(f) ? Object.fromEntries(f.map((x) => [x.feature, x.agreement])) : f || {};
  const keys = [...FEATURES.filter((k) => m[k] != null), ...Object.keys(m).filter((k) => !FEATURES.includes(k))];
  return h('span', { class: 'evidence' }, keys.map((k) =>
    h('span', { class: 'ev' + (m[k] >= 0.9 ? ' ok' : m[k] === 0 ? ' bad' : ''), 'data-feature': k },
      h('span', { class: 'evk' }, t('f_' + k)), ' ', Number(m[k]).toFixed(2))));
}

// openBlob fetches an HTML page the API serves (a report, a check
// certificate) with the key and opens it in a new tab as a blob: URL — a
// link cannot carry the Authorization header, and the key never goes into
// a URL. The tab is opened first, inside the click (no pop-up blocker).
export async function openBlob(fetchBlob) {
  const w = window.open('', '_blank');
  try {
    const blob = await fetchBlob();
    if (w) w.location = URL.createObjectURL(blob);
  } catch (e) {
    if (w) w.close();
    throw e;
  }
}
