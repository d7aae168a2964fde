// Runs as the unprivileged user under the tracer: loads an npm package's entry points (import phase)
// or calls the functions it exports with harmless arguments (execute phase), so code that only runs
// when loaded or called is seen.
// The init copies this file into the project directory, so that require() and import() resolve the
// package from there as they would for the package's users.
// Usage: node airlock_exercise.js import|execute PACKAGE_NAME [SUBPATH...]
// Prints one JSON line per load or call; never throws.
'use strict';
const CALL_MS = 2000;
const MAX_CALLS = 200;
// Names, not paths or hosts: a call that takes one as a file or URL fails fast instead of touching anything.
const HARMLESS = 'airlock-probe';

const [mode, name, ...subpaths] = process.argv.slice(2);

function say(record) {
  try {
    process.stdout.write(JSON.stringify(record).slice(0, 2000) + '\n');
  } catch (e) {
    // a package may have replaced stdout; the trace is what counts
  }
}

async function load(spec) {
  try {
    return { spec, value: require(spec) };
  } catch (e) {
    if (e && e.code === 'ERR_REQUIRE_ESM') {
      try {
        return { spec, value: await import(spec) };
      } catch (x) {
        return { spec, error: String(x).slice(0, 200) };
      }
    }
    return { spec, error: String(e).slice(0, 200) };
  }
}

function within(promise) {
  let timer;
  return Promise.race([promise, new Promise((resolve) => { timer = setTimeout(resolve, CALL_MS); })])
    .finally(() => clearTimeout(timer));
}

function functionsOf(value) {
  const found = [];
  if (typeof value === 'function') found.push(['(default)', value]);
  if (value && (typeof value === 'object' || typeof value === 'function')) {
    for (const key of Object.keys(value).sort()) {
      let v;
      try { v = value[key]; } catch (e) { continue; }
      if (typeof v === 'function' && !/^class\s/.test(Function.prototype.toString.call(v))) found.push([key, v]);
    }
  }
  return found;
}

async function main() {
  const loaded = [];
  for (const spec of [name, ...subpaths.map((s) => name + '/' + s)]) {
    const r = await load(spec);
    say(r.error ? { module: spec, imported: false, error: r.error } : { module: spec, imported: true });
    if (!r.error) loaded.push(r);
  }
  if (mode !== 'execute') return;
  let calls = 0;
  for (const { spec, value } of loaded) {
    for (const [key, fn] of functionsOf(value)) {
      if (calls++ >= MAX_CALLS) break;
      const args = Array.from({ length: Math.min(fn.length, 3) }, () => HARMLESS);
      try {
        await within(Promise.resolve(fn(...args)));
        say({ call: spec + '.' + key, ok: true });
      } catch (e) {
        say({ call: spec + '.' + key, ok: false, error: String(e).slice(0, 200) });
      }
    }
  }
}

process.on('uncaughtException', (e) => say({ uncaught: String(e).slice(0, 200) }));
process.on('unhandledRejection', (e) => say({ unhandled: String(e).slice(0, 200) }));
// Calls may leave servers or timers running: give them a moment to act, then stop.
main().then(() => { if (mode === 'execute') setTimeout(() => process.exit(0), 3000); });
