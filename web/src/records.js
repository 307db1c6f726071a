// A credit record's life in the explorer (docs/ui.md, docs/credit-checks.md
// "The credit file's life"): its state today as badges (under objection,
// withdrawn, corrected, repaired, expired, removed — from record_life or
// GET /records/{id}), its history (objections with their decisions, the
// repair) and, for inspectors and admins, the actions: file an objection
// (POST /records/{id}/objections), decide an open one
// (POST /objections/{id}/decision), record a repair (POST /records/{id}/repair).
import { t } from './i18n.js';
import { api, can, enc } from './api.js';
import { h, realDate } from './ui.js';

// stateBadges: what the record's state says, as small labelled badges.
export function stateBadges(s) {
  if (!s) return null;
  const b = (cls, text, title) => h('span', { class: 'life life-' + cls, 'data-life': cls, title: title || null }, text);
  const out = [];
  // The objection's reason shows on hover (the record's file lists it in full).
  if (s.under_objection) out.push(b('objection', t('lifeObjection', { d: realDate(s.under_objection.filed) }), s.under_objection.reason));
  if (s.reason) out.push(b(s.reason, t('life_' + s.reason) + (realDate(s.ended) ? ' ' + realDate(s.ended) : '')));
  if (s.corrected_severity != null) out.push(b('corrected', t('lifeCorrected', { s: s.corrected_severity })));
  if (!out.length) out.push(b(s.counts ? 'counts' : 'pending', t(s.counts ? 'lifeCounts' : 'lifeNotYet')));
  return h('span', { class: 'lifebadges' }, out);
}

const today = () => new Date().toISOString().slice(0, 10);

// recordFile shows record id's state, history and (for inspectors) its
// actions in a box that reloads itself after each action; onChange(state)
// is told the new state (the list's badges follow).
export function recordFile(id, onChange) {
  const box = h('div', { class: 'recfile', 'data-record': id });
  const msg = h('p', { class: 'state recmsg', role: 'status', 'aria-live': 'polite', tabindex: -1 });
  let busy = false;

  async function act(path, body, done) {
    if (busy) return;
    busy = true;
    msg.className = 'state recmsg loading'; msg.setAttribute('role', 'status'); msg.textContent = t('loading');
    try {
      await api(path, { method: 'POST', body });
      await refresh(t(done));
    } catch (e) {
      msg.className = 'state recmsg error'; msg.setAttribute('role', 'alert'); msg.textContent = t('error') + ': ' + e.message;
    } finally { busy = false; }
  }

  function field(label, input) {
    return h('label', { class: 'field' }, h('span', {}, label), input);
  }

  function objectionForm() {
    const reason = h('textarea', { rows: 2, required: true, class: 'obj-reason', maxlength: 4000 });
    const att = h('textarea', { rows: 2, class: 'obj-attachments', placeholder: t('objAttachmentsPh') });
    return h('details', { class: 'recform obj-form' }, h('summary', {}, t('objFile')),
      h('form', { onsubmit: (e) => {
        e.preventDefault();
        const attachments = att.value.split('\n').map((s) => s.trim()).filter(Boolean);
        act('/records/' + enc(id) + '/objections', { reason: reason.value.trim(), attachments }, 'objFiled');
      } }, field(t('objReason'), reason), field(t('objAttachments'), att), h('button', { type: 'submit', class: 'obj-submit' }, t('objSubmit'))));
  }

  function decisionForm(o) {
    const dec = h('select', { class: 'dec-decision' }, ['rejected', 'upheld'].map((v) => h('option', { value: v }, t('dec_' + v))));
    const out = h('select', { class: 'dec-outcome' }, ['withdrawn', 'corrected'].map((v) => h('option', { value: v }, t('out_' + v))));
    const sev = h('input', { type: 'number', class: 'dec-severity', min: 0, max: 1, step: 0.05, value: 0.3 });
    const note = h('input', { type: 'text', class: 'dec-note', maxlength: 4000 });
    const outF = field(t('decOutcome'), out), sevF = field(t('decSeverity'), sev);
    const sync = () => { outF.hidden = dec.value !== 'upheld'; sevF.hidden = outF.hidden || out.value !== 'corrected'; };
    dec.addEventListener('change', sync); out.addEventListener('change', sync); sync();
    return h('form', { class: 'recform dec-form', 'aria-label': t('decTitle'), onsubmit: (e) => {
      e.preventDefault();
      const body = { decision: dec.value, note: note.value.trim() };
      if (dec.value === 'upheld') body.outcome = out.value;
      if (dec.value === 'upheld' && out.value === 'corrected') body.severity = Number(sev.value);
      act('/objections/' + enc(o.id) + '/decision', body, 'decDone');
    } }, field(t('decDecision'), dec), outF, sevF, field(t('decNote'), note), h('button', { type: 'submit', class: 'dec-submit' }, t('decSubmit')));
  }

  function repairForm(decided) {
    const date = h('input', { type: 'date', class: 'rep-date', value: today(), min: realDate(decided) || null, required: true });
    const basis = h('textarea', { rows: 2, class: 'rep-basis', required: true, maxlength: 4000 });
    return h('details', { class: 'recform rep-form' }, h('summary', {}, t('repFile')),
      h('form', { onsubmit: (e) => { e.preventDefault(); act('/records/' + enc(id) + '/repair', { date: date.value, basis: basis.value.trim() }, 'repDone'); } },
        field(t('repDate'), date), field(t('repBasis'), basis), h('button', { type: 'submit', class: 'rep-submit' }, t('repSubmit'))));
  }

  function objectionView(o, mayAct) {
    return h('li', { class: 'objection', 'data-objection': o.id, 'data-status': o.status },
      h('strong', {}, t('obj_' + o.status)), ' ', realDate(o.filed), o.filed_by ? ' · ' + o.filed_by : '',
      h('div', {}, t('objReason') + ': ' + o.reason),
      o.attachments && o.attachments.length ? h('div', { class: 'muted small' }, t('objRefs') + ': ' + o.attachments.join('、')) : null,
      o.status !== 'open' ? h('div', { class: 'small' }, t('decDecided') + ' ' + realDate(o.decided) + (o.decided_by ? ' · ' + o.decided_by : '') +
        (o.outcome ? ' · ' + t('out_' + o.outcome) : '') + (o.severity != null ? ' (' + o.severity + ')' : '') + (o.note ? ' · ' + o.note : '')) : null,
      o.status === 'open' && mayAct ? decisionForm(o) : null);
  }

  function render(v) {
    const mayAct = can('recordActions');
    const objs = v.objections || [];
    const open = objs.some((o) => o.status === 'open');
    // replaceChildren would print a null: only what is there.
    box.replaceChildren(...[
      h('div', { class: 'recstate' }, h('span', { class: 'muted' }, t('lifeState') + ': '), stateBadges(v.state),
        realDate(v.state.published_until) ? h('span', { class: 'muted small' }, ' · ' + t('lifePublished', { d: realDate(v.state.published_until) })) : null),
      objs.length ? h('ul', { class: 'objections' }, objs.map((o) => objectionView(o, mayAct))) : null,
      v.repair ? h('p', { class: 'repair' }, h('strong', {}, t('repDoneOn', { d: realDate(v.repair.date) })), ' ', t('repBasis') + ': ' + v.repair.basis) : null,
      mayAct && !open ? objectionForm() : null,
      mayAct && !v.repair ? repairForm(v.record.decided) : null,
      msg].filter(Boolean));
  }

  async function refresh(note) {
    const v = await api('/records/' + enc(id));
    render(v);
    if (note) { msg.className = 'state recmsg ok'; msg.setAttribute('role', 'status'); msg.textContent = note; msg.focus(); }
    if (onChange) onChange(v.state);
    return v;
  }
  box.replaceChildren(h('p', { class: 'state loading', role: 'status' }, t('loading')));
  refresh().catch((e) => box.replaceChildren(h('p', { class: 'state error', role: 'alert' }, t('error') + ': ' + e.message)));
  return box;
}
