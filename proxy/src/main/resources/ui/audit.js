// The audit log, newest first, filtered and paged by the server ({count, entries, next}).
import { api } from './api.js';
import { h, announce, markNav, setView, table, when } from './dom.js';

const AUDIT_PAGE = 100;

// Shows the audit log a page at a time, newest first; "Older entries" asks the server for the
// page before the last line shown (its cursor is the page's next), with the same filters.
export async function auditPager(box, filters, empty) {
  let entries = [];
  const load = async (before) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
    q.set('limit', String(AUDIT_PAGE));
    if (before) q.set('before', String(before));
    const data = await api('GET', '/audit?' + q.toString());
    const page = data.entries;
    entries = entries.concat(page);
    const next = data && data.next;
    const older = next ? h('button', { type: 'button', class: 'older-entries', onclick: async (e) => {
      e.currentTarget.disabled = true;
      try {
        await load(next);
        announce(entries.length + ' audit entries shown');
      } catch (err) {
        box.append(h('p', { class: 'error', role: 'alert' }, 'Could not load older entries: ' + err.message));
      }
    } }, 'Older entries') : null;
    box.replaceChildren(auditTable(entries, empty), older || '');
  };
  await load(null);
}

export function auditTable(entries, empty) {
  return table(entries.length + ' entr' + (entries.length === 1 ? 'y' : 'ies'), ['When', 'Who', 'Action', 'Target', 'Change', 'Reason'],
    entries.map((e) => [when(e.at), e.who || '', h('span', { class: 'code' }, e.action || ''),
      e.target || '', (e.previousState || e.newState) ? (e.previousState || '-') + ' -> ' + (e.newState || '-') : '', e.reason || '']), empty);
}

export async function auditView() {
  markNav('audit');
  const field = (id, label, attrs) => {
    const input = h('input', Object.assign({ id, type: 'text' }, attrs));
    return [input, h('div', {}, h('label', { for: id }, label), input)];
  };
  const [target, targetBox] = field('audit-target', 'Target', { placeholder: 'npm:left-pad or npm:left-pad@1.3.1' });
  const [actor, actorBox] = field('audit-actor', 'Who', { placeholder: 'exact identity' });
  const [action, actionBox] = field('audit-action', 'Action', { placeholder: 'override_block' });
  const [since, sinceBox] = field('audit-since', 'Since (ISO-8601)', { placeholder: '2026-01-31T00:00:00Z' });
  const box = h('div', { id: 'audit-table' }, h('p', { class: 'muted' }, 'Loading...'));
  const load = async () => {
    try {
      await auditPager(box, { target: target.value.trim(), actor: actor.value.trim(), action: action.value.trim(),
        since: since.value.trim() }, 'No audit entries.');
    } catch (e) {
      box.replaceChildren(h('p', { class: 'error', role: 'alert' }, e.message));
    }
  };
  setView('Audit log',
    h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter the audit log', onsubmit: (e) => { e.preventDefault(); load(); } },
      targetBox, actorBox, actionBox, sinceBox,
      h('button', { type: 'submit' }, 'Apply filters')),
    box);
  load();
}
