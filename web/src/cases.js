// The case list (#/cases, docs/ui.md "Case files"): the investigations
// inspectors saved from the explorer (GET /cases, paged, newest update
// first), each with a link that opens it in the explorer as saved
// (#/case/<id>), its HTML and PDF export (opened with the key as a blob)
// and an archive button; archived cases on request.
import { t, applyI18n } from './i18n.js';
import { api, apiBlob, enc } from './api.js';
import { h, openBlob } from './ui.js';

const PAGE = 20;

export function create() {
  const archived = h('input', { type: 'checkbox', id: 'cases-archived' });
  const mine = h('input', { type: 'checkbox', id: 'cases-mine' });
  const status = h('p', { id: 'cases-status', class: 'state', role: 'status', 'aria-live': 'polite' });
  const list = h('div', { id: 'cases-list' });
  const pager = h('div', { class: 'toolbar', id: 'cases-pager' });
  let offset = 0;
  archived.addEventListener('change', () => { offset = 0; load(); });
  mine.addEventListener('change', () => { offset = 0; load(); });
  const el = h('section', { class: 'cases' },
    h('div', { class: 'card' },
      h('h2', { id: 'h-cases', 'data-i18n': 'caseListTitle' }, t('caseListTitle')),
      h('p', { class: 'muted small', 'data-i18n': 'caseListHelp' }, t('caseListHelp')),
      h('div', { class: 'toolbar' },
        h('label', { class: 'chk' }, archived, h('span', { 'data-i18n': 'caseShowArchived' }, t('caseShowArchived'))),
        h('label', { class: 'chk' }, mine, h('span', { 'data-i18n': 'caseMine' }, t('caseMine'))))),
    status, list, pager);

  function setStatus(kind, text) {
    status.className = 'state' + (kind ? ' ' + kind : '');
    status.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    status.textContent = text;
  }
  const when = (s) => (s ? s.slice(0, 16).replace('T', ' ') : '');
  function exportBtn(c, format) {
    const type = format === 'pdf' ? 'application/pdf' : 'text/html';
    return h('button', { type: 'button', class: 'link', 'data-format': format, 'aria-label': t(format === 'pdf' ? 'caseExportPdf' : 'caseExportHtml') + ' · ' + c.title,
      onclick: () => openBlob(() => apiBlob('/cases/' + enc(c.id) + '/export?format=' + format, type)).catch((e) => setStatus('error', t('error') + ': ' + e.message)) },
    format.toUpperCase());
  }
  function row(c) {
    const archive = c.archived ? h('span', { class: 'badge' }, t('caseArchived')) : h('button', { type: 'button', class: 'archive', onclick: async () => {
      if (!confirm(t('caseArchiveConfirm', { title: c.title }))) return;
      try { await api('/cases/' + enc(c.id), { method: 'DELETE' }); load(); } catch (e) { setStatus('error', t('error') + ': ' + e.message); }
    } }, t('caseArchive'));
    return h('tr', { 'data-id': c.id },
      h('td', {}, h('a', { href: '#/case/' + enc(c.id), class: 'case-open' }, c.title), c.notes ? h('div', { class: 'muted small' }, c.notes.slice(0, 140)) : null),
      h('td', { class: 'num' }, String(c.nodes)), h('td', { class: 'num' }, String(c.version)), h('td', {}, when(c.updated)),
      h('td', {}, h('code', {}, c.created_by)), h('td', {}, exportBtn(c, 'html'), ' ', exportBtn(c, 'pdf'), ' ', archive));
  }
  async function load() {
    setStatus('loading', t('loading'));
    try {
      const q = `?offset=${offset}&limit=${PAGE}` + (archived.checked ? '&archived=true' : '') + (mine.checked ? '&mine=true' : '');
      const r = await api('/cases' + q);
      setStatus('', r.total ? t('caseTotal', { n: r.total }) : t('caseEmpty'));
      list.replaceChildren(r.cases.length ? h('table', { class: 'cases-table' },
        h('thead', {}, h('tr', {}, ['caseTitle', 'caseNodes', 'caseVersion', 'caseUpdated', 'caseCreatedBy', 'actions'].map((k) => h('th', { 'data-i18n': k }, t(k))))),
        h('tbody', {}, r.cases.map(row))) : '');
      pager.replaceChildren(
        offset > 0 ? h('button', { type: 'button', id: 'cases-prev', onclick: () => { offset = Math.max(0, offset - PAGE); load(); } }, t('prev')) : null,
        offset + PAGE < r.total ? h('button', { type: 'button', id: 'cases-next', onclick: () => { offset += PAGE; load(); } }, t('next')) : null);
    } catch (e) {
      setStatus('error', t('error') + ': ' + e.message);
    }
  }
  return {
    el,
    show() { load(); },
    relabel() { applyI18n(el); load(); },
  };
}
