// The admin API client: the token kept for this tab, JSON in and out, errors as ApiError.
const TOKEN_KEY = 'airlock.adminToken';
export const API = '../api/v1';

export class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

export function token() { return sessionStorage.getItem(TOKEN_KEY); }
export function keepToken(value) { sessionStorage.setItem(TOKEN_KEY, value); }
export function dropToken() { sessionStorage.removeItem(TOKEN_KEY); }

let onUnauthorized = () => {};
export function whenUnauthorized(f) { onUnauthorized = f; }

export async function api(method, path, body) {
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
    onUnauthorized('Your token was refused (401). Sign in again.');
    throw new ApiError(401, 'unauthorized');
  }
  if (!res.ok) {
    // The request id finds this answer's line in Airlock's access log.
    const rid = res.headers.get('X-Request-Id');
    throw new ApiError(res.status, ((data && data.error) || (res.status + ' ' + res.statusText))
      + (rid ? ' (request ' + rid + ')' : ''));
  }
  return data;
}

function segment(name) {
  // Scoped npm names travel as @scope%2fname, the form the admin API documents.
  return encodeURIComponent(name).replace(/^%40/, '@');
}

export function versionPath(eco, name, version) {
  return '/packages/' + encodeURIComponent(eco) + '/' + segment(name) + (version ? '/' + encodeURIComponent(version) : '');
}

export function hashFor(eco, name, version) {
  return '#/package/' + encodeURIComponent(eco) + '/' + encodeURIComponent(name) + (version ? '/' + encodeURIComponent(version) : '');
}

export function key(v) { return v.ecosystem + ':' + v.name + '@' + v.version; }
