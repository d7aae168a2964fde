// Airlock admin UI: plain browser JavaScript, no build step and no third-party code.
// Everything shown here comes from package metadata and archives an attacker may control, so
// the DOM is only ever built with createElement and text nodes, never parsed from markup.
'use strict';

(() => {
  const TOKEN_KEY = 'airlock.adminToken';
  const POLL_MS = 4000;
  const HELD_STATES = ['quarantined', 'pending', 'blocked'];
  const API = '../api/v1';
  const AUDIT_PAGE = 100;

  let pollTimer = null;
  const queueFilters = { state: 'held', ecosystem: '', search: '' };

  // ---------- small DOM helpers ----------
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }
  const $ = (sel) => document.querySelector(sel);
  function announce(text) {
    const a = $('#announcer');
    a.textContent = '';
    setTimeout(() => { a.textContent = text; }, 30);
  }

  // ---------- API access ----------
  class ApiError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }
  function token() { return sessionStorage.getItem(TOKEN_KEY); }

  async function api(method, path, body) {
    const headers = { 'Authorization': 'Bearer ' + token(), 'Accept': 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res;
    try {
      res = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      throw new ApiError(0, 'Airlock is not reachable: ' + e.message);
    }
    const text = await res.text();
    let data = null;
    if (text) {
      try { data = JSON.parse(text); } catch (e) { data = { error: text }; }
    }
    if (res.status === 401) {
      signOut('Your token was refused (401). Sign in again.');
      throw new ApiError(401, 'unauthorized');
    }
    if (!res.ok) {
      // The request id finds this answer's line in Airlock's access log.
      const rid = res.headers.get('X-Request-Id');
      throw new ApiError(res.status, ((data && (data.error || data.message)) || (res.status + ' ' + res.statusText))
        + (rid ? ' (request ' + rid + ')' : ''));
    }
    return data;
  }

  // Accepts an array or an object wrapping one, whatever name the API gives the list.
  function items(data, ...keys) {
    if (Array.isArray(data)) return data;
    if (!data || typeof data !== 'object') return [];
    for (const k of keys.concat(['items', 'results'])) {
      if (Array.isArray(data[k])) return data[k];
    }
    return [];
  }

  // One shape for a version whatever the API nests: {ecosystem, name, version, state, reasons, ...}.
  function norm(v) {
    const c = v.coordinate || {};
    const state = String(v.state || v.verdict?.state || '').toLowerCase();
    return Object.assign({}, v.verdict || {}, v, {
      ecosystem: String(v.ecosystem || c.ecosystem || v.verdict?.coordinate?.ecosystem || '').toLowerCase(),
      name: v.name || c.name || v.verdict?.coordinate?.name || '',
      version: v.version || c.version || v.verdict?.coordinate?.version || '',
      state,
      reasons: v.reasons || v.verdict?.reasons || [],
    });
  }

  function segment(name) {
    // Scoped npm names travel as @scope%2fname, the form the admin API documents.
    return encodeURIComponent(name).replace(/^%40/, '@');
  }
  function versionPath(eco, name, version) {
    return '/packages/' + encodeURIComponent(eco) + '/' + segment(name) + (version ? '/' + encodeURIComponent(version) : '');
  }
  function hashFor(eco, name, version) {
    return '#/package/' + encodeURIComponent(eco) + '/' + encodeURIComponent(name) + (version ? '/' + encodeURIComponent(version) : '');
  }

  // ---------- formatting ----------
  function stateBadge(state) {
    const s = String(state || 'unknown').toLowerCase();
    return h('span', { class: 'state state-' + s }, s);
  }
  function when(t) {
    if (!t) return '';
    const d = new Date(typeof t === 'number' && t < 1e12 ? t * 1000 : t);
    return isNaN(d) ? String(t) : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  }
  function age(t) {
    if (!t) return '';
    const d = new Date(t);
    if (isNaN(d)) return '';
    const s = Math.max(0, (Date.now() - d.getTime()) / 1000);
    if (s < 90) return Math.round(s) + ' s';
    if (s < 5400) return Math.round(s / 60) + ' min';
    if (s < 172800) return Math.round(s / 3600) + ' h';
    return Math.round(s / 86400) + ' d';
  }
  function reasonCodes(reasons) {
    return (reasons || []).map((r) => (typeof r === 'string' ? r : r.code)).filter(Boolean).join(', ');
  }
  function table(caption, headers, rows, empty) {
    if (!rows.length) return h('p', { class: 'muted' }, empty);
    return h('table', {},
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, headers.map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, r.map((cell) => h('td', {}, cell))))));
  }
  function facts(pairs) {
    const dl = h('dl', { class: 'facts' });
    for (const [k, v] of pairs) {
      if (v === null || v === undefined || v === '') continue;
      dl.append(h('dt', {}, k), h('dd', {}, v));
    }
    return dl;
  }
  // Renders any JSON value as nested lists (status view, unknown report shapes).
  function tree(value) {
    if (value === null || value === undefined) return h('span', { class: 'muted' }, 'none');
    if (Array.isArray(value)) {
      if (!value.length) return h('span', { class: 'muted' }, 'none');
      return h('ul', { class: 'plain' }, value.map((x) => h('li', {}, tree(x))));
    }
    if (typeof value === 'object') {
      return facts(Object.entries(value).map(([k, v]) => [k, tree(v)]));
    }
    return h('span', {}, String(value));
  }

  // ---------- views ----------
  function setView(title, ...content) {
    const view = $('#view');
    view.replaceChildren(h('h1', { id: 'view-title' }, title), ...content);
    document.title = title + ' - Airlock admin';
  }
  function markNav(name) {
    document.querySelectorAll('#nav a').forEach((a) => {
      if (a.dataset.view === name) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    });
  }
  function showError(e) {
    $('#view').append(h('p', { class: 'error', role: 'alert' }, e.message));
  }

  function queueView() {
    markNav('queue');
    const stateSel = h('select', { id: 'f-state', onchange: (e) => { queueFilters.state = e.target.value; refreshQueue(); } },
      [['held', 'All held (quarantined, pending, blocked)'], ['quarantined', 'Quarantined'], ['pending', 'Pending'],
        ['blocked', 'Blocked'], ['allowed', 'Allowed']].map(([v, t]) => h('option', { value: v, selected: v === queueFilters.state }, t)));
    const ecoSel = h('select', { id: 'f-eco', onchange: (e) => { queueFilters.ecosystem = e.target.value; refreshQueue(); } },
      [['', 'Any'], ['npm', 'npm'], ['pypi', 'PyPI']].map(([v, t]) => h('option', { value: v, selected: v === queueFilters.ecosystem }, t)));
    const search = h('input', { id: 'f-search', type: 'search', value: queueFilters.search, placeholder: 'name contains',
      oninput: (e) => { queueFilters.search = e.target.value; renderQueue(lastQueue); } });
    setView('Queue',
      h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter the queue', onsubmit: (e) => e.preventDefault() },
        h('div', {}, h('label', { for: 'f-state' }, 'State'), stateSel),
        h('div', {}, h('label', { for: 'f-eco' }, 'Ecosystem'), ecoSel),
        h('div', {}, h('label', { for: 'f-search' }, 'Search'), search)),
      h('p', { id: 'queue-updated', class: 'muted' }, 'Loading...'),
      h('div', { id: 'queue-table' }));
    refreshQueue();
    pollTimer = setInterval(refreshQueue, POLL_MS);
  }

  let lastQueue = [];
  let queueRequest = 0;
  async function refreshQueue() {
    const mine = ++queueRequest;
    const states = queueFilters.state === 'held' ? HELD_STATES : [queueFilters.state];
    try {
      const lists = await Promise.all(states.map((s) => {
        const q = new URLSearchParams({ state: s });
        if (queueFilters.ecosystem) q.set('ecosystem', queueFilters.ecosystem);
        return api('GET', '/versions?' + q).then((d) => items(d, 'versions').map(norm));
      }));
      if (mine !== queueRequest || !$('#queue-table')) return;
      const before = new Set(lastQueue.map(key));
      lastQueue = lists.flat();
      const fresh = lastQueue.filter((v) => !before.has(key(v))).length;
      renderQueue(lastQueue);
      $('#queue-updated').textContent = 'Updated ' + new Date().toLocaleTimeString() + '; refreshes every ' + (POLL_MS / 1000) + ' s.';
      if (before.size && fresh) announce(fresh + ' new version(s) in the queue');
    } catch (e) {
      if ($('#queue-updated')) $('#queue-updated').textContent = 'Could not load the queue: ' + e.message;
    }
  }
  function key(v) { return v.ecosystem + ':' + v.name + '@' + v.version; }

  function renderQueue(list) {
    const box = $('#queue-table');
    if (!box) return;
    const needle = queueFilters.search.trim().toLowerCase();
    const shown = list.filter((v) => !needle || v.name.toLowerCase().includes(needle))
      .sort((a, b) => String(b.firstSeen || b.decidedAt || '').localeCompare(String(a.firstSeen || a.decidedAt || '')));
    box.replaceChildren(table(shown.length + ' version(s)', ['Ecosystem', 'Package', 'Version', 'State', 'Age', 'Reasons'],
      shown.map((v) => [
        v.ecosystem,
        h('a', { href: hashFor(v.ecosystem, v.name, v.version), class: 'version-link', 'data-key': key(v) }, v.name),
        v.version,
        stateBadge(v.state),
        h('span', { title: when(v.firstSeen || v.decidedAt) }, age(v.firstSeen || v.decidedAt)),
        h('span', { class: 'code' }, reasonCodes(v.reasons)),
      ]), 'Nothing matches these filters.'));
  }

  async function versionView(eco, name, version) {
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
      const v = norm(data);
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
      parts.push(diffSection(data));
      parts.push(h('section', { class: 'panel', 'aria-labelledby': 'h-dl' }, h('h2', { id: 'h-dl' }, 'Downloads (blast radius)'),
        h('div', { id: 'downloads' }, h('p', { class: 'muted' }, 'Loading...'))));
    } else {
      const versions = items(data, 'versions').map(norm);
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
    const f = data.findings || data.analysis?.findings || [];
    return h('section', { class: 'panel', 'aria-labelledby': 'h-findings' }, h('h2', { id: 'h-findings' }, 'Findings'),
      table(f.length + ' finding(s)', ['Rule', 'Severity', 'Source', 'Message', 'Where', 'Evidence'],
        f.map((x) => [h('span', { class: 'code' }, x.rule), x.severity, x.source, x.message, x.location || '',
          x.evidence ? h('pre', {}, x.evidence) : '']), 'No findings (or no analysis yet).'));
  }

  function behaviourSection(data) {
    const b = data.behavior || data.behaviour || data.analysis?.behavior || data.sandbox;
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

  function diffSection(data) {
    const d = data.behaviorDiff || data.behaviourDiff || data.diff || data.analysis?.diff;
    return h('section', { class: 'panel', 'aria-labelledby': 'h-diff' }, h('h2', { id: 'h-diff' }, 'Behaviour compared with the previous version'),
      h('div', { id: 'diff' }, d ? tree(d) : h('p', { class: 'muted' }, 'Looking for the previous version...')));
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
    return data && (data.behavior || data.behaviour || data.analysis?.behavior);
  }

  // The server may send its own diff; otherwise compare with the version published just before this one.
  async function loadDiff(eco, name, version, data) {
    const box = $('#diff');
    if (!box || data.behaviorDiff || data.behaviourDiff || data.diff || data.analysis?.diff) return;
    const mine = behaviourOf(data);
    if (!mine || !Array.isArray(mine.phases)) {
      box.replaceChildren(h('p', { class: 'muted' }, 'No sandbox report for this version yet.'));
      return;
    }
    try {
      const pkg = items(await api('GET', versionPath(eco, name)), 'versions').map(norm);
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
      const d = items(await api('GET', versionPath(eco, name, version) + '/downloads'), 'downloads');
      box.replaceChildren(table(d.length + ' download(s)', ['Time', 'Client', 'User agent', 'File'],
        d.map((x) => [when(x.at || x.time), x.client ? x.client + ' (' + (x.clientAddress || '?') + ')' : (x.clientAddress || ''), x.userAgent || '', x.file || '']), 'Nobody has downloaded this version through Airlock.'));
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

  // Shows the audit log a page at a time, newest first; "Older entries" asks the server for the
  // page before the last line shown (its cursor is the page's next), with the same filters.
  async function auditPager(box, filters, empty) {
    let entries = [];
    const load = async (before) => {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
      q.set('limit', String(AUDIT_PAGE));
      if (before) q.set('before', String(before));
      const data = await api('GET', '/audit?' + q.toString());
      const page = items(data, 'entries', 'audit');
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

  function auditTable(entries, empty) {
    return table(entries.length + ' entr' + (entries.length === 1 ? 'y' : 'ies'), ['When', 'Who', 'Action', 'Target', 'Change', 'Reason'],
      entries.map((e) => [when(e.at || e.time), e.who || '', h('span', { class: 'code' }, e.action || ''),
        e.target || '', (e.previousState || e.newState) ? (e.previousState || '-') + ' -> ' + (e.newState || '-') : '', e.reason || '']), empty);
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
      const label = { allow: 'Allow', block: 'Block', unoverride: 'Remove the override on' }[action];
      if (!(await confirmDialog(label + ' ' + target + '?', action === 'unoverride'
        ? 'The verdict goes back to what the rules and analysis say.'
        : 'Reason: ' + text))) {
        status.className = 'muted';
        status.textContent = 'Cancelled.';
        return;
      }
      const path = versionPath(eco, name, wholePackage ? null : version) + '/override';
      try {
        if (action === 'unoverride') await api('DELETE', path + (text ? '?reason=' + encodeURIComponent(text) : ''));
        else await api('POST', path, { action, reason: text });
        status.className = 'notice';
        status.textContent = 'Done: ' + label.toLowerCase() + ' ' + target + '.';
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
        h('button', { type: 'button', id: 'action-unoverride', class: 'quiet', onclick: act('unoverride') }, 'Remove override')),
      status);
  }

  function confirmDialog(title, text) {
    const dlg = $('#confirm');
    $('#confirm-title').textContent = title;
    $('#confirm-text').textContent = text;
    return new Promise((resolve) => {
      dlg.addEventListener('close', () => resolve(dlg.returnValue === 'ok'), { once: true });
      dlg.returnValue = '';
      dlg.showModal();
      $('#confirm-ok').focus();
    });
  }

  async function auditView() {
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

  async function statusView() {
    markNav('status');
    setView('Status', h('p', { class: 'muted' }, 'Loading...'));
    try {
      const s = await api('GET', '/status');
      setView('Status', h('section', { class: 'panel' }, tree(s)));
    } catch (e) {
      setView('Status', h('p', { class: e.status === 404 ? 'muted' : 'error' },
        e.status === 404 ? 'This Airlock does not offer a status endpoint.' : e.message));
    }
  }

  // ---------- routing and sign-in ----------
  function route() {
    clearInterval(pollTimer);
    pollTimer = null;
    if (!token()) {
      showSignIn();
      return;
    }
    $('#sign-in').hidden = true;
    $('#nav').hidden = false;
    $('#sign-out').hidden = false;
    const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
    switch (parts[0]) {
      case 'package': versionView(parts[1], parts[2], parts[3]); break;
      case 'audit': auditView(); break;
      case 'status': statusView(); break;
      default: queueView();
    }
    $('#main').focus();
  }

  function showSignIn(message) {
    $('#view').replaceChildren();
    $('#nav').hidden = true;
    $('#sign-out').hidden = true;
    $('#sign-in').hidden = false;
    $('#sign-in-error').textContent = message || '';
    $('#token').focus();
  }

  function signOut(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    clearInterval(pollTimer);
    showSignIn(message);
  }

  async function signIn(e) {
    e.preventDefault();
    const value = $('#token').value.trim();
    if (!value) {
      $('#sign-in-error').textContent = 'Enter the admin token.';
      return;
    }
    try {
      const res = await fetch(API + '/versions?state=quarantined', { headers: { 'Authorization': 'Bearer ' + value } });
      if (res.status === 401) {
        $('#sign-in-error').textContent = 'That token was refused.';
        return;
      }
      if (!res.ok) {
        $('#sign-in-error').textContent = 'The admin API answered ' + res.status + '.';
        return;
      }
    } catch (err) {
      $('#sign-in-error').textContent = 'Airlock is not reachable: ' + err.message;
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, value);
    $('#token').value = '';
    if (!location.hash || location.hash === '#') location.hash = '#/queue'; else route();
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('#sign-in-form').addEventListener('submit', signIn);
    $('#sign-out').addEventListener('click', () => { signOut('Signed out.'); location.hash = ''; });
    window.addEventListener('hashchange', route);
    route();
  });
})();
