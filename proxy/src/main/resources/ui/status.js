// Status as it holds now (GET /status): what the sandbox state means for new versions, the last
// infrastructure failures with their causes, and each upstream's health with its last error.
import { api } from './api.js';
import { h, facts, markNav, setView, table, when } from './dom.js';

export async function statusView() {
  markNav('status');
  setView('Status', h('p', { class: 'muted' }, 'Loading...'));
  let s;
  try {
    s = await api('GET', '/status');
  } catch (e) {
    setView('Status', h('p', { class: 'error' }, e.message));
    return;
  }
  const sb = s.sandbox || null;
  const failures = (s.infrastructureFailures && s.infrastructureFailures.recent) || [];
  const byCause = (s.infrastructureFailures && s.infrastructureFailures.byCause) || {};
  const upstreams = s.upstreams || [];
  setView('Status',
    h('section', { class: 'panel', 'aria-labelledby': 'h-new' }, h('h2', { id: 'h-new' }, 'New versions right now'),
      h('p', { id: 'new-versions' }, sb ? sb.newVersions : 'This Airlock runs without a sandbox status.'),
      sb ? facts([['Sandbox', sb.available ? 'available' : 'unavailable'], ['Status', sb.status], ['Runtime', sb.runtime],
        ['Cause', sb.cause], ['Warning', sb.warning], ['Requires sandbox', String(sb.requireSandbox)],
        ['Waiting for a sandbox', s.analysisWaitingForSandbox !== undefined ? String(s.analysisWaitingForSandbox) : '']]) : null),
    h('section', { class: 'panel', 'aria-labelledby': 'h-policy' }, h('h2', { id: 'h-policy' }, 'Policy'),
      facts([['Mode', s.mode], ['Hold versions newer than', s.holdNewerThan], ['Hold wait', s.holdWait],
        ['Minimum age', s.minimumAge], ['Analysis queue', String(s.queueDepth)], ['Downloads waiting', String(s.waitingDownloads)],
        ['Overrides', String(s.overrides)], ['Malware feed records', String(s.feedRecords)],
        ['Versions', s.versions ? Object.entries(s.versions).map(([k, v]) => k + ' ' + v).join(', ') : '']])),
    h('section', { class: 'panel', 'aria-labelledby': 'h-infra' }, h('h2', { id: 'h-infra' }, 'Last infrastructure failures'),
      h('p', { class: 'muted' }, 'Never a verdict: the job is retried and the version keeps its state. Since start: '
        + (Object.entries(byCause).map(([k, v]) => k + ' ' + v).join(', ') || 'none') + '.'),
      table(failures.length + ' recent failure(s)', ['When', 'Job', 'Cause', 'Attempt', 'Detail'],
        failures.map((f) => [when(f.at), f.job, h('span', { class: 'code' }, f.cause), String(f.attempt),
          h('pre', {}, (f.detail || '').split('\n').slice(0, 6).join('\n'))]), 'No infrastructure failure since start.')),
    h('section', { class: 'panel', 'aria-labelledby': 'h-up' }, h('h2', { id: 'h-up' }, 'Upstreams'),
      table(upstreams.length + ' upstream(s)', ['Name', 'Circuit', 'Last success', 'Last error', 'When'],
        upstreams.map((u) => [u.name, u.breaker, when(u.lastSuccessAt), u.lastError || 'none', when(u.lastErrorAt)]),
        'No upstream health reported.')));
}
