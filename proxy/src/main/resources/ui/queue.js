// The queue: filtered, sorted and paged by the server (GET /versions answers
// {count, total, offset, next, versions}), with one bulk action on everything the filters select.
import { api, hashFor, key } from './api.js';
import { $, h, age, announce, confirmDialog, markNav, reasonCodes, setView, stateBadge, table, when } from './dom.js';

const POLL_MS = 4000;
const PAGE = 50;
const filters = { state: 'held', ecosystem: '', reason: '', rule: '', search: '', olderThan: '', sort: '-firstSeen', offset: 0 };
let page = { total: 0, versions: [] };
let request = 0;
let debounce = null;

/** The filters as the API's query fields; the name search is a "contains" glob. */
export function where() {
  const w = {};
  if (filters.state && filters.state !== 'any') w.state = filters.state;
  if (filters.ecosystem) w.ecosystem = filters.ecosystem;
  if (filters.reason.trim()) w.reason = filters.reason.trim();
  if (filters.rule.trim()) w.rule = filters.rule.trim();
  if (filters.search.trim()) w.name = '*' + filters.search.trim().toLowerCase() + '*';
  if (filters.olderThan) w.olderThan = filters.olderThan;
  return w;
}

function select(id, label, options, field) {
  const el = h('select', { id, onchange: (e) => { filters[field] = e.target.value; filters.offset = 0; refresh(); } },
    options.map(([v, t]) => h('option', { value: v, selected: v === filters[field] }, t)));
  return h('div', {}, h('label', { for: id }, label), el);
}

function text(id, label, field, placeholder, local) {
  const el = h('input', { id, type: id === 'f-search' ? 'search' : 'text', value: filters[field], placeholder,
    spellcheck: 'false',
    oninput: (e) => {
      filters[field] = e.target.value;
      filters.offset = 0;
      if (local) render();
      clearTimeout(debounce);
      debounce = setTimeout(refresh, 300);
    } });
  return h('div', {}, h('label', { for: id }, label), el);
}

export function queueView(registerPoll) {
  markNav('queue');
  setView('Queue',
    h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter the queue', onsubmit: (e) => { e.preventDefault(); refresh(); } },
      select('f-state', 'State', [['held', 'All held (quarantined, pending, blocked)'], ['quarantined', 'Quarantined'],
        ['pending', 'Pending'], ['blocked', 'Blocked'], ['allowed', 'Allowed'], ['any', 'Any state']], 'state'),
      select('f-eco', 'Ecosystem', [['', 'Any'], ['npm', 'npm'], ['pypi', 'PyPI']], 'ecosystem'),
      text('f-reason', 'Reason code', 'reason', 'e.g. sandbox_error'),
      text('f-rule', 'Finding rule', 'rule', 'e.g. install_script_network'),
      text('f-search', 'Search', 'search', 'name contains', true),
      select('f-older', 'First seen', [['', 'Any time'], ['1h', 'More than 1 h ago'], ['1d', 'More than 1 day ago'],
        ['7d', 'More than 7 days ago']], 'olderThan'),
      select('f-sort', 'Sort', [['-firstSeen', 'Newest first'], ['firstSeen', 'Oldest first'], ['name', 'Name'],
        ['state', 'State'], ['-decidedAt', 'Last decided']], 'sort')),
    h('p', { id: 'queue-updated', class: 'muted' }, 'Loading...'),
    h('div', { id: 'queue-table' }),
    h('nav', { class: 'pager', 'aria-label': 'Pages' },
      h('button', { type: 'button', id: 'page-prev', class: 'quiet', onclick: () => move(-1) }, 'Previous page'),
      h('span', { id: 'page-label', class: 'muted' }),
      h('button', { type: 'button', id: 'page-next', class: 'quiet', onclick: () => move(1) }, 'Next page')),
    bulkSection());
  refresh();
  registerPoll(setInterval(refresh, POLL_MS));
}

function move(direction) {
  filters.offset = Math.max(0, filters.offset + direction * PAGE);
  refresh();
}

async function refresh() {
  const mine = ++request;
  const q = new URLSearchParams(where());
  q.set('sort', filters.sort);
  q.set('offset', String(filters.offset));
  q.set('limit', String(PAGE));
  try {
    const data = await api('GET', '/versions?' + q);
    if (mine !== request || !$('#queue-table')) return;
    const before = new Set(page.versions.map(key));
    const fresh = data.versions.filter((v) => !before.has(key(v))).length;
    page = data;
    render();
    $('#queue-updated').textContent = 'Updated ' + new Date().toLocaleTimeString() + '; refreshes every ' + (POLL_MS / 1000) + ' s.';
    if (before.size && fresh && filters.offset === 0) announce(fresh + ' new version(s) in the queue');
  } catch (e) {
    if ($('#queue-updated')) $('#queue-updated').textContent = 'Could not load the queue: ' + e.message;
  }
}

function render() {
  const box = $('#queue-table');
  if (!box) return;
  // The server filters by name too; this keeps the shown page in step while the person types.
  const needle = filters.search.trim().toLowerCase();
  const shown = page.versions.filter((v) => !needle || v.name.toLowerCase().includes(needle));
  const first = page.total ? page.offset + 1 : 0;
  box.replaceChildren(table(shown.length + ' shown of ' + page.total + ' version(s)',
    ['Ecosystem', 'Package', 'Version', 'State', 'Age', 'Reasons'],
    shown.map((v) => [
      v.ecosystem,
      h('a', { href: hashFor(v.ecosystem, v.name, v.version), class: 'version-link', 'data-key': key(v) }, v.name),
      v.version,
      stateBadge(v.state),
      h('span', { title: when(v.firstSeen || v.decidedAt) }, age(v.firstSeen || v.decidedAt)),
      h('span', { class: 'code' }, reasonCodes(v.reasons)),
    ]), 'Nothing matches these filters.'));
  $('#page-label').textContent = first + '-' + (page.offset + page.versions.length) + ' of ' + page.total;
  $('#page-prev').disabled = page.offset === 0;
  $('#page-next').disabled = page.next === null || page.next === undefined;
  const total = $('#queue-total');
  if (total) total.textContent = String(page.total);
}

function bulkSection() {
  const status = h('p', { id: 'bulk-status', role: 'status', 'aria-live': 'polite' });
  const reason = h('textarea', { id: 'bulk-reason', 'aria-describedby': 'bulk-help' });
  const act = (action) => async () => {
    const text = reason.value.trim();
    if (!text) {
      status.className = 'error';
      status.textContent = 'A reason is required.';
      reason.focus();
      return;
    }
    const w = where();
    let count;
    try {
      count = (await api('POST', '/bulk', { action, where: w, dryRun: true })).count;
    } catch (e) {
      status.className = 'error';
      status.textContent = 'Could not count the selection: ' + e.message;
      return;
    }
    const label = { allow: 'Allow', block: 'Block', reanalyze: 'Re-analyse' }[action];
    if (!count) {
      status.className = 'muted';
      status.textContent = 'No version matches these filters.';
      return;
    }
    const selection = Object.entries(w).map(([k, v]) => k + '=' + v).join(', ') || 'every version';
    if (!(await confirmDialog(label + ' ' + count + ' version(s)?',
      'Selection: ' + selection + '. Each version gets its own audit entry. Reason: ' + text))) {
      status.className = 'muted';
      status.textContent = 'Cancelled.';
      return;
    }
    try {
      const r = await api('POST', '/bulk', { action, where: w, reason: text, expect: count });
      status.className = 'notice';
      status.textContent = 'Done: ' + label.toLowerCase() + ' ' + r.count + ' version(s).';
      announce(status.textContent);
      refresh();
    } catch (e) {
      status.className = 'error';
      status.textContent = 'Failed: ' + e.message;
    }
  };
  return h('section', { class: 'panel', 'aria-labelledby': 'h-bulk' },
    h('h2', { id: 'h-bulk' }, 'Act on every version these filters select (', h('span', { id: 'queue-total' }, '0'), ')'),
    h('label', { for: 'bulk-reason' }, 'Reason (required, recorded for each version)'),
    reason,
    h('p', { id: 'bulk-help', class: 'muted' }, 'One action on the whole selection, not only this page; the confirmation says how many.'),
    h('div', { class: 'buttons' },
      h('button', { type: 'button', id: 'bulk-allow', class: 'ok', onclick: act('allow') }, 'Allow all'),
      h('button', { type: 'button', id: 'bulk-block', class: 'danger', onclick: act('block') }, 'Block all'),
      h('button', { type: 'button', id: 'bulk-reanalyze', class: 'quiet', onclick: act('reanalyze') }, 'Re-analyse all')),
    status);
}
