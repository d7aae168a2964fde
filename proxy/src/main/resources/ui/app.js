// Airlock admin UI: plain browser JavaScript modules, no build step and no third-party code.
// The router and sign-in; each view lives in its own module.
import { API, dropToken, keepToken, token, whenUnauthorized } from './api.js';
import { $ } from './dom.js';
import { auditView } from './audit.js';
import { overviewView } from './overview.js';
import { queueView } from './queue.js';
import { statusView } from './status.js';
import { versionView } from './version.js';

let pollTimer = null;

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
    case 'queue': queueView((t) => { pollTimer = t; }); break;
    case 'audit': auditView(); break;
    case 'status': statusView(); break;
    default: overviewView();
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
  dropToken();
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
    const res = await fetch(API + '/versions?state=quarantined&limit=1', { headers: { 'Authorization': 'Bearer ' + value } });
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
  keepToken(value);
  $('#token').value = '';
  // Signing in is for work: the queue. The overview is the landing page of a signed-in visit.
  if (!location.hash || location.hash === '#') location.hash = '#/queue'; else route();
}

whenUnauthorized(signOut);
$('#sign-in-form').addEventListener('submit', signIn);
$('#sign-out').addEventListener('click', () => { signOut('Signed out.'); location.hash = ''; });
window.addEventListener('hashchange', route);
route();
