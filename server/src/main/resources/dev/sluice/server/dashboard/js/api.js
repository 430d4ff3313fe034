// Calls the Sluice REST API with the session cookie; adds the CSRF token to state-changing requests.
let csrfToken = null;
let onUnauthorized = () => {};

export function setCsrfToken(token) { csrfToken = token; }
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

/** An API error: the HTTP status and the problem+json document (or text). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem && problem.detail ? problem.detail : `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/**
 * method, path, body: an object (sent as JSON), a string (sent as `type`, YAML by default) or undefined.
 * Resolves to the parsed JSON (null for 204); rejects with ApiError.
 */
export async function api(method, path, body, type = 'application/yaml') {
  const headers = { Accept: 'application/json, application/problem+json' };
  let payload;
  if (typeof body === 'string') {
    headers['Content-Type'] = type;
    payload = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const response = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  if (response.status === 204) return null;
  const contentType = response.headers.get('Content-Type') || '';
  const data = contentType.includes('json') ? await response.json() : await response.text();
  if (!response.ok) {
    if (response.status === 401 && path !== '/api/v1/session') onUnauthorized();
    throw new ApiError(response.status, typeof data === 'object' ? data : { detail: String(data) });
  }
  return data;
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body);
export const del = (path) => api('DELETE', path);
