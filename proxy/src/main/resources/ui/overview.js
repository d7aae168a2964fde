// The overview: charts of the history Airlock keeps (GET /overview) and what holds right now (GET /status).
import { api, hashFor } from './api.js';
import { $, h, duration, facts, markNav, setView, stateBadge, table, when } from './dom.js';
import { barChart, lineChart, rankChart } from './charts.js';

const STATES = [
  { key: 'state.allowed', label: 'allowed', cls: 's-allowed' },
  { key: 'state.pending', label: 'pending', cls: 's-pending' },
  { key: 'state.quarantined', label: 'quarantined', cls: 's-quarantined' },
  { key: 'state.blocked', label: 'blocked', cls: 's-blocked' },
];
let range = '24h';

export function overviewView() {
  markNav('overview');
  const sel = h('select', { id: 'ov-range', onchange: (e) => { range = e.target.value; load(); } },
    [['6h', 'Last 6 hours'], ['24h', 'Last 24 hours'], ['7d', 'Last 7 days'], ['30d', 'Last 30 days']]
      .map(([v, t]) => h('option', { value: v, selected: v === range }, t)));
  setView('Overview',
    h('form', { class: 'filters', onsubmit: (e) => e.preventDefault(), 'aria-label': 'Overview range' },
      h('div', {}, h('label', { for: 'ov-range' }, 'Range'), sel)),
    h('div', { id: 'overview' }, h('p', { class: 'muted' }, 'Loading...')));
  load();
}

function seconds(s) {
  if (s === null || s === undefined) return 'no samples';
  if (s < 0) return 'over a week';
  return 'under ' + duration(s);
}

async function load() {
  const box = $('#overview');
  let o;
  let st = {};
  try {
    o = await api('GET', '/overview?range=' + encodeURIComponent(range));
    st = await api('GET', '/status').catch(() => ({}));
  } catch (e) {
    box.replaceChildren(h('p', { class: 'error', role: 'alert' }, 'Could not load the overview: ' + e.message));
    return;
  }
  const failureKeys = [...new Set(o.points.flatMap((p) => Object.keys(p.counters || {})))]
    .filter((k) => k.startsWith('failures.')).sort();
  const refused = Object.entries(o.totals || {}).filter(([k]) => k.startsWith('refused.'))
    .map(([k, v]) => [k.slice('refused.'.length), v]).sort((a, b) => b[1] - a[1]);
  const ttv = o.timeToVerdict || {};
  const sandbox = st.sandbox || {};
  box.replaceChildren(
    h('section', { class: 'panel', 'aria-labelledby': 'h-now' }, h('h2', { id: 'h-now' }, 'Right now'),
      facts([['New versions', sandbox.newVersions || ''], ['Policy mode', st.mode || ''],
        ['Analysis queue', st.queueDepth !== undefined ? String(st.queueDepth) + ' waiting or running' : ''],
        ['Downloads waiting', st.waitingDownloads !== undefined ? String(st.waitingDownloads) : ''],
        ['Versions', st.versions ? Object.entries(st.versions).map(([k, v]) => k + ' ' + v).join(', ') : '']])),
    h('div', { class: 'charts' },
      lineChart('chart-states', 'Versions by state', o.points, STATES),
      barChart('chart-decided', 'Verdicts reached', o.points, STATES.map((x) => ({ ...x, key: x.key.replace('state.', 'decided.') }))),
      rankChart('chart-reasons', 'Refusals by reason', refused),
      lineChart('chart-queue', 'Analysis queue depth', o.points, [{ key: 'queue.depth', label: 'queue depth', cls: 's-queue' }]),
      barChart('chart-sandbox', 'Sandbox runs and infrastructure failures by cause', o.points,
        [{ key: 'sandbox.runs', label: 'sandbox runs', cls: 's-allowed' },
          ...failureKeys.map((k, i) => ({ key: k, label: k.slice('failures.'.length), cls: 's-fail' + (i % 4) }))])),
    h('section', { class: 'panel', 'aria-labelledby': 'h-ttv' }, h('h2', { id: 'h-ttv' }, 'Time from first sight to verdict'),
      h('div', { id: 'ttv' }, facts([['Versions decided', String(ttv.samples || 0)], ['p50', seconds(ttv.p50Seconds)],
        ['p95', seconds(ttv.p95Seconds)]]))),
    h('section', { class: 'panel', 'aria-labelledby': 'h-waiting' }, h('h2', { id: 'h-waiting' }, 'Held versions people download most'),
      h('div', { id: 'held-downloads' }, table('Who is waiting on what', ['Package', 'Version', 'State', 'Reason', 'Downloads', 'Clients', 'Last'],
        (o.heldMostDownloaded || []).map((v) => [h('a', { href: hashFor(v.ecosystem, v.name, v.version) }, v.ecosystem + ':' + v.name),
          v.version, stateBadge(v.state), h('span', { class: 'code' }, v.reason), String(v.downloads), String(v.clients),
          when(v.lastDownload)]), 'No held version has been downloaded through Airlock.'))),
    h('p', { class: 'muted' }, 'From ' + when(o.from) + ' to ' + when(o.to) + ', one point per ' + duration(o.stepSeconds) + '.'));
}
