// Entry: session (key or insecure dev mode), language, hash routing between
// the explorer (#/explorer[/<key>]), the dashboard (#/dashboard), the match
// page (#/match), the match review queue (#/review), duplicate pairs
// (#/duplicates), credit checks (#/checks) and case files (#/cases; one
// case opens in the explorer at #/case/<id>).
import './style.css';
import { t, getLang, setLang, applyI18n } from './i18n.js';
import { session, whoami, setKey, can } from './api.js';
import { h } from './ui.js';

const main = document.getElementById('main');
const views = {};
// Each screen's code is a chunk of its own, loaded on first use.
const loaders = {
  explorer: () => import('./explorer.js'), dashboard: () => import('./dashboard.js'), match: () => import('./match.js'),
  review: () => import('./review.js'), duplicates: () => import('./review.js'), checks: () => import('./checks.js'),
  cases: () => import('./cases.js'),
};
const NAMES = Object.keys(loaders);
const home = () => ['explorer', 'dashboard', 'checks'].find((n) => can(n)) || null;
let current = null;
let routes = 0;

async function view(name) {
  if (!views[name]) {
    const mod = await loaders[name]();
    views[name] = mod.create(name);
  }
  return views[name];
}

async function route() {
  if (!session.role) return;
  const hash = location.hash || '';
  let [, name, arg] = hash.match(/^#\/(\w+)(?:\/(.*))?$/) || [];
  // #/case/<id>: a case file, drawn by the explorer as it was saved.
  const caseId = name === 'case' && arg ? arg : null;
  if (caseId !== null) name = 'explorer';
  if (!loaders[name] || !can(name)) name = home();
  for (const n of NAMES) {
    const tab = document.getElementById('tab-' + n);
    tab.hidden = !can(n);
    if (n === name) tab.setAttribute('aria-current', 'page'); else tab.removeAttribute('aria-current');
  }
  if (!name) {
    main.replaceChildren(h('p', { class: 'state' }, t('roleNoView', { role: session.role })));
    return;
  }
  const my = ++routes;
  const v = await view(name);
  if (my !== routes) return; // the hash changed again while the view's code loaded
  if (current !== v) {
    current = v;
    main.replaceChildren(v.el);
  }
  // A key may hold ':', '/', '%' and CJK: the hash carries it escaped
  // (encodeURIComponent); a hand-typed one that does not decode is used as it is.
  let a = arg || '';
  try { a = decodeURIComponent(a); } catch { /* not escaped */ }
  if (caseId !== null && name === 'explorer') v.openCase(a); else v.show(a);
}

function banner() {
  const b = document.getElementById('banner');
  const msg = session.insecure ? t('insecure') : session.role === 'dashboard' ? t('masked') : '';
  b.textContent = msg; b.hidden = !msg;
  b.className = 'banner' + (session.insecure ? ' warn' : '');
  const badge = document.getElementById('role-badge');
  badge.hidden = !session.role; badge.textContent = session.role || '';
  document.getElementById('logout').hidden = !session.role || session.insecure;
}

function loginForm() {
  const input = h('input', { id: 'apikey', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' });
  const msg = h('p', { class: 'state error', role: 'alert', hidden: true });
  const form = h('form', { class: 'login card', onsubmit: async (e) => {
    e.preventDefault();
    setKey(input.value.trim()); input.value = '';
    try {
      if (await whoami()) { start(); return; }
      msg.textContent = t('loginFailed'); msg.hidden = false;
    } catch (err) { msg.textContent = t('loginFailed') + ': ' + err.message; msg.hidden = false; }
  } },
  h('h2', {}, t('loginTitle')), h('p', {}, t('loginHelp')),
  h('label', { for: 'apikey' }, t('apiKey')), input, h('button', { type: 'submit' }, t('login')), msg);
  main.replaceChildren(form);
  input.focus();
}

function start() {
  banner();
  if (!location.hash && home()) location.hash = '#/' + home();
  route();
}

document.getElementById('lang').addEventListener('click', () => {
  setLang(getLang() === 'zh' ? 'en' : 'zh');
  document.getElementById('lang').textContent = getLang() === 'zh' ? 'English' : '中文';
  applyI18n();
  banner();
  for (const v of Object.values(views)) v.relabel();
  if (!session.role) loginForm();
});
document.getElementById('logout').addEventListener('click', () => {
  setKey(''); session.role = null; location.hash = '';
  for (const k of Object.keys(views)) delete views[k];
  current = null; banner(); loginForm();
});
window.addEventListener('hashchange', route);

document.getElementById('lang').textContent = getLang() === 'zh' ? 'English' : '中文';
applyI18n();
async function boot() {
  main.replaceChildren(h('p', { class: 'state loading', role: 'status' }, t('loading')));
  try {
    if (await whoami()) start(); else loginForm();
  } catch (e) {
    main.replaceChildren(h('div', { class: 'state error', role: 'alert' }, t('error') + ': ' + e.message + ' ',
      h('button', { type: 'button', onclick: boot }, t('retry'))));
  }
}
boot();
