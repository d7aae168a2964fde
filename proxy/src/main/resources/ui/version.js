// The version and package pages: verdict, files, findings, sandbox report, behaviour diff,
// every analysis the version had, downloads, overrides and the audit history.
import { api, hashFor, versionPath } from './api.js';
import { auditPager } from './audit.js';
import { $, h, announce, confirmDialog, facts, reasonCodes, setView, stateBadge, table, when, markNav } from './dom.js';

export async function versionView(eco, name, version) {
  markNav('');
  setView(name + (version ? ' ' + version : ''), h('p', { class: 'muted' }, 'Loading...'));
  let data;
  try {
    data = await api('GET', versionPath(eco, name, version));
  } catch (e) {
    setView(name + (version ? ' ' + version : ''));
    showError(e);
    return;
  }
  const parts = [];
  if (version) {
    const v = data;
    parts.push(h('p', {}, 'State: ', stateBadge(v.state), ' ', h('span', { class: 'muted' }, eco)));
    parts.push(h('section', { class: 'panel', 'aria-labelledby': 'h-verdict' },
      h('h2', { id: 'h-verdict' }, 'Verdict and how it was reached'),
      facts([['Decided by', v.decidedBy], ['Decided at', when(v.decidedAt)], ['First seen', when(v.firstSeen)],
        ['Published', when(v.publishedAt)], ['Analysis', [v.analysisStage, v.analysisState].filter(Boolean).join(' / ')],
        ['Recommendation', v.analysis && v.analysis.recommendation],
        ['SHA-256', v.sha256],
        ['Override', v.override ? (v.override.action + ' (' + (v.override.scope || 'version') + '): ' + v.override.reason
          + (v.override.by ? ', by ' + v.override.by : '') + (v.override.expires ? ', until ' + when(v.override.expires) : '')) : ''],
        ['Known malware record', v.feedRecord ? v.feedRecord.id + (v.feedRecord.summary ? ': ' + v.feedRecord.summary : '') : '']]),
      h('h3', {}, 'Reasons'),
      table('Reasons', ['Code', 'Message', 'Source'],
        (v.reasons || []).map((r) => [h('span', { class: 'code' }, r.code), r.message, r.source]), 'No reasons recorded.'),
      (v.analysisReasons && v.analysisReasons.length)
        ? [h('h3', {}, 'What the analysis said'),
          table('Analysis reasons', ['Code', 'Message', 'Source'],
            v.analysisReasons.map((r) => [h('span', { class: 'code' }, r.code), r.message, r.source]), '')]
        : null));
    const failure = failureSection(data);
    if (failure) parts.push(failure);
    parts.push(filesSection(data));
    parts.push(findingsSection(data));
    parts.push(behaviourSection(data));
    parts.push(diffSection());
    parts.push(analysisHistorySection(data));
    parts.push(h('section', { class: 'panel', 'aria-labelledby': 'h-dl' }, h('h2', { id: 'h-dl' }, 'Downloads (blast radius)'),
      h('div', { id: 'downloads' }, h('p', { class: 'muted' }, 'Loading...'))));
  } else {
    const versions = data.versions;
    parts.push(h('section', { class: 'panel', 'aria-labelledby': 'h-versions' }, h('h2', { id: 'h-versions' }, 'Versions'),
      table(versions.length + ' known version(s)', ['Version', 'State', 'Reasons', 'First seen'],
        versions.map((v) => [h('a', { href: hashFor(eco, name, v.version) }, v.version), stateBadge(v.state),
          h('span', { class: 'code' }, reasonCodes(v.reasons)), when(v.firstSeen)]), 'No versions known yet.')));
    if (data && data.override) parts.push(h('p', {}, 'Package override: ' + data.override.action + ' (' + data.override.reason + ')'));
  }
  parts.push(actionsSection(eco, name, version));
  parts.push(h('section', { class: 'panel', 'aria-labelledby': 'h-history' }, h('h2', { id: 'h-history' }, 'Audit history'),
    h('div', { id: 'history' }, h('p', { class: 'muted' }, 'Loading...'))));
  setView(name + (version ? ' ' + version : ''),
    h('p', {}, h('a', { href: '#/queue' }, 'Queue'), ' / ',
      version ? h('a', { href: hashFor(eco, name) }, name) : name), ...parts);
  if (version) {
    loadDownloads(eco, name, version);
    loadDiff(eco, name, version, data);
  }
  loadHistory(eco, name, version);
}

// Each file of the version is analysed and judged on its own; the version shows the worst.
function filesSection(data) {
  const files = data.files || [];
  const analyses = data.analyses || [];
  const byName = {};
  analyses.forEach((a) => { byName[a.file || ''] = a; });
  return h('section', { class: 'panel', 'aria-labelledby': 'h-files' }, h('h2', { id: 'h-files' }, 'Files'),
    table(files.length + ' file(s) analysed', ['File', 'Verdict', 'Analysis', 'Sandbox', 'Findings', 'Reasons'],
      files.map((f) => {
        const a = byName[f.file] || {};
        return [f.file, stateBadge(f.state), f.stage, a.sandbox ? 'ran' : 'did not run',
          String((a.findings || []).length), h('span', { class: 'code' }, reasonCodes(f.reasons))];
      }), 'No file analysed yet.'));
}

// An analysis that could not run is never a verdict; the admin sees why it is still waiting.
function failureSection(data) {
  const f = data.infrastructureFailure;
  if (!f) return null;
  return h('section', { class: 'panel', 'aria-labelledby': 'h-infra' },
    h('h2', { id: 'h-infra' }, 'Analysis could not run (retrying)'),
    facts([['Cause', f.cause], ['When', when(f.at)], ['Attempt', String(f.attempt)], ['Job', f.job]]),
    h('pre', {}, f.detail || ''));
}

function findingsSection(data) {
  const f = data.findings || [];
  return h('section', { class: 'panel', 'aria-labelledby': 'h-findings' }, h('h2', { id: 'h-findings' }, 'Findings'),
    table(f.length + ' finding(s)', ['Rule', 'Severity', 'Source', 'Message', 'Where', 'Evidence'],
      f.map((x) => [h('span', { class: 'code' }, x.rule), x.severity, x.source, x.message, x.location || '',
        x.evidence ? h('pre', {}, x.evidence) : '']), 'No findings (or no analysis yet).'));
}

function behaviourSection(data) {
  const b = data.behavior;
  const sec = h('section', { class: 'panel', 'aria-labelledby': 'h-sandbox' }, h('h2', { id: 'h-sandbox' }, 'Sandbox report'));
  if (!b || !Array.isArray(b.phases) || !b.phases.length) {
    sec.append(h('p', { class: 'muted' }, 'The sandbox has not run for this version.'));
    return sec;
  }
  sec.append(facts([['Runtime', b.runtime], ['Image', b.image]]));
  for (const p of b.phases) {
    sec.append(h('div', { class: 'phase' },
      h('h3', {}, 'Phase: ' + p.phase),
      facts([['Status', p.status], ['Exit code', p.exitCode], ['Duration', p.durationMs !== undefined ? p.durationMs + ' ms' : ''],
        ['Unparsed trace lines', p.unparsedTraceLines]]),
      list('Files', (p.files || []).map((f) => f.path + ' (' + ['read', 'write', 'delete'].filter((k) => f[k]).join(', ') + ')')),
      list('Commands', (p.commands || []).map((c) => (c.argv || []).join(' '))),
      list('Connections', (p.network || []).map((n) => n.address + ':' + n.port + (n.hostname ? ' (' + n.hostname + ')' : ''))),
      list('DNS names', (p.dns || []).map((d) => d.hostname)),
      list('Bait credentials touched', (p.baits || []).map((x) => x.bait + ' ' + x.how + ' ' + (x.path || '')))));
  }
  return sec;
}
function list(title, values) {
  return h('div', {}, h('h4', {}, title + ' (' + values.length + ')'),
    values.length ? h('ul', { class: 'plain' }, values.slice(0, 200).map((v) => h('li', { class: 'code' }, v)))
      : h('p', { class: 'muted' }, 'none'));
}

function diffSection() {
  return h('section', { class: 'panel', 'aria-labelledby': 'h-diff' }, h('h2', { id: 'h-diff' }, 'Behaviour compared with the previous version'),
    h('div', { id: 'diff' }, h('p', { class: 'muted' }, 'Looking for the previous version...')));
}

// What a phase did, as comparable strings per kind, so two versions' reports can be diffed.
const BEHAVIOUR_KINDS = {
  'Files': (p) => (p.files || []).map((f) => f.path + ' (' + ['read', 'write', 'delete'].filter((k) => f[k]).join(', ') + ')'),
  'Commands': (p) => (p.commands || []).map((c) => (c.argv || []).join(' ')),
  'Connections': (p) => (p.network || []).map((n) => n.address + ':' + n.port + (n.hostname ? ' (' + n.hostname + ')' : '')),
  'DNS names': (p) => (p.dns || []).map((x) => x.hostname),
  'Bait credentials touched': (p) => (p.baits || []).map((x) => x.bait + ' ' + x.how),
};

function behaviourOf(data) {
  return data && data.behavior;
}

// Compares with the version published just before this one, from both versions' sandbox reports.
async function loadDiff(eco, name, version, data) {
  const box = $('#diff');
  if (!box) return;
  const mine = behaviourOf(data);
  if (!mine || !Array.isArray(mine.phases)) {
    box.replaceChildren(h('p', { class: 'muted' }, 'No sandbox report for this version yet.'));
    return;
  }
  try {
    const pkg = (await api('GET', versionPath(eco, name))).versions;
    const t = (v) => Date.parse(v.publishedAt || v.firstSeen || '') || 0;
    const self = pkg.find((v) => v.version === version);
    const older = pkg.filter((v) => v.version !== version && self && t(v) < t(self)).sort((a, b) => t(b) - t(a));
    if (!older.length) {
      box.replaceChildren(h('p', { class: 'muted' }, 'No earlier version to compare with.'));
      return;
    }
    const prev = older[0];
    const theirs = behaviourOf(await api('GET', versionPath(eco, name, prev.version)));
    if (!theirs || !Array.isArray(theirs.phases)) {
      box.replaceChildren(h('p', { class: 'muted' }, 'The previous version (' + prev.version + ') has no sandbox report to compare with.'));
      return;
    }
    const out = [h('p', {}, 'Compared with ', h('a', { href: hashFor(eco, name, prev.version) }, prev.version), '.')];
    let changes = 0;
    for (const phase of mine.phases) {
      const before = theirs.phases.find((p) => p.phase === phase.phase) || {};
      const rows = [];
      for (const [kind, values] of Object.entries(BEHAVIOUR_KINDS)) {
        const a = new Set(values(before));
        const b = new Set(values(phase));
        for (const x of b) if (!a.has(x)) rows.push([kind, h('span', { class: 'code' }, '+ ' + x), 'new in ' + version]);
        for (const x of a) if (!b.has(x)) rows.push([kind, h('span', { class: 'code' }, '- ' + x), 'gone since ' + prev.version]);
      }
      changes += rows.length;
      out.push(h('h3', {}, 'Phase: ' + phase.phase),
        table(rows.length + ' change(s)', ['Kind', 'What', 'Change'], rows, 'Same behaviour as ' + prev.version + '.'));
    }
    box.replaceChildren(...out);
    if (changes) box.dataset.changes = String(changes);
  } catch (e) {
    box.replaceChildren(h('p', { class: 'error' }, 'Could not compare: ' + e.message));
  }
}

async function loadDownloads(eco, name, version) {
  const box = $('#downloads');
  try {
    const d = (await api('GET', versionPath(eco, name, version) + '/downloads')).downloads;
    // One record stands for one client's downloads within a second (count, first and last time).
    const total = d.reduce((n, x) => n + (x.count || 1), 0);
    box.replaceChildren(table(total + ' download(s)', ['Time', 'Count', 'Client', 'User agent', 'File'],
      d.map((x) => [x.last ? when(x.at) + ' - ' + when(x.last) : when(x.at), String(x.count || 1), x.client ? x.client + ' (' + (x.clientAddress || '?') + ')' : (x.clientAddress || ''), x.userAgent || '', x.file || '']), 'Nobody has downloaded this version through Airlock.'));
  } catch (e) {
    box.replaceChildren(h('p', { class: 'error' }, 'Could not load downloads: ' + e.message));
  }
}

async function loadHistory(eco, name, version) {
  const box = $('#history');
  // A package target also brings its versions' lines: the server filters, so old lines stay reachable.
  const target = eco + ':' + name + (version ? '@' + version : '');
  try {
    await auditPager(box, { target }, 'No audit entries for this ' + (version ? 'version.' : 'package.'));
  } catch (e) {
    box.replaceChildren(h('p', { class: 'error' }, 'Could not load the audit history: ' + e.message));
  }
}

function actionsSection(eco, name, version) {
  const status = h('p', { id: 'action-status', role: 'status', 'aria-live': 'polite' });
  const reason = h('textarea', { id: 'reason', required: true, 'aria-describedby': 'reason-help' });
  const scope = version
    ? h('fieldset', { class: 'scope' }, h('legend', {}, 'Applies to'),
      h('span', {}, h('input', { type: 'radio', name: 'scope', id: 'scope-version', value: 'version', checked: true }),
        h('label', { for: 'scope-version' }, ' this version (' + version + ')')),
      h('span', {}, h('input', { type: 'radio', name: 'scope', id: 'scope-package', value: 'package' }),
        h('label', { for: 'scope-package' }, ' every version of ' + name)))
    : h('p', {}, 'Applies to every version of ' + name + '.');
  const act = (action) => async () => {
    const text = reason.value.trim();
    const wholePackage = !version || document.querySelector('input[name=scope]:checked')?.value === 'package';
    const target = wholePackage ? name : name + ' ' + version;
    if (action !== 'unoverride' && !text) {
      status.className = 'error';
      status.textContent = 'A reason is required.';
      reason.focus();
      return;
    }
    const label = { allow: 'Allow', block: 'Block', unoverride: 'Remove the override on', reanalyze: 'Re-analyse' }[action];
    const shown = action === 'reanalyze' ? name + ' ' + version : target;
    if (!(await confirmDialog(label + ' ' + shown + '?', action === 'unoverride'
      ? 'The verdict goes back to what the rules and analysis say.'
      : action === 'reanalyze' ? 'The verdict stays until the new result replaces it. Reason: ' + text
        : 'Reason: ' + text))) {
      status.className = 'muted';
      status.textContent = 'Cancelled.';
      return;
    }
    const path = versionPath(eco, name, wholePackage ? null : version) + '/override';
    try {
      if (action === 'reanalyze') await api('POST', versionPath(eco, name, version) + '/reanalyze', { reason: text });
      else if (action === 'unoverride') await api('DELETE', path + (text ? '?reason=' + encodeURIComponent(text) : ''));
      else await api('POST', path, { action, reason: text });
      status.className = 'notice';
      status.textContent = 'Done: ' + label.toLowerCase() + ' ' + shown + '.';
      announce(status.textContent);
      const message = status.textContent;
      await versionView(eco, name, version);
      const again = $('#action-status');
      if (again) { again.className = 'notice'; again.textContent = message; }
    } catch (e) {
      status.className = 'error';
      status.textContent = 'Failed: ' + e.message;
    }
  };
  return h('section', { class: 'panel', 'aria-labelledby': 'h-actions' }, h('h2', { id: 'h-actions' }, 'Actions'),
    scope,
    h('label', { for: 'reason' }, 'Reason (required, shown to developers on a block)'),
    reason,
    h('p', { id: 'reason-help', class: 'muted' }, 'Say why, e.g. "reviewed install script: builds native module only".'),
    h('div', { class: 'buttons' },
      h('button', { type: 'button', id: 'action-allow', class: 'ok', onclick: act('allow') }, 'Allow'),
      h('button', { type: 'button', id: 'action-block', class: 'danger', onclick: act('block') }, 'Block'),
      h('button', { type: 'button', id: 'action-unoverride', class: 'quiet', onclick: act('unoverride') }, 'Remove override'),
      version ? h('button', { type: 'button', id: 'action-reanalyze', class: 'quiet', onclick: act('reanalyze') }, 'Re-analyse') : null),
    status);
}

// Every analysis the version had, oldest first: a re-analysis adds one and replaces the verdict.
function analysisHistorySection(data) {
  const runs = data.analysisHistory || [];
  return h('section', { class: 'panel', 'aria-labelledby': 'h-analyses' }, h('h2', { id: 'h-analyses' }, 'Analyses'),
    h('div', { id: 'analysis-history' },
      table(runs.length + ' analysis run(s)', ['When', 'File', 'Recommendation', 'State after', 'Rules', 'Findings', 'Sandbox', 'Asked'],
        runs.map((r) => [when(r.at), r.file || '(whole version)', r.recommendation || '', stateBadge(r.stateAfter),
          h('span', { class: 'code' }, (r.rules || []).join(', ')), String(r.findingCount), r.sandbox ? 'ran' : 'did not run',
          r.reanalysis ? 're-analysis' : 'first sight']), 'No analysis recorded yet.')));
}
