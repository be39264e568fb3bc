// The API client of the dashboard: JSON over fetch, with the board token (if any) from this tab.
const TOKEN_KEY = "routined.boardToken";

/** The server answered 401: a (valid) board token is needed. */
export class AuthRequired extends Error {}

export function storedToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** Calls `/api${path}`; resolves to the parsed body, rejects with the API's error message. */
export async function api(path, { method = "GET", body } = {}) {
  const headers = { accept: "application/json" };
  const token = storedToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`/api${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = res.status === 204 ? undefined : await res.json().catch(() => undefined);
  if (res.status === 401) throw new AuthRequired(data?.error ?? "A board token is required");
  if (!res.ok) throw new Error(data?.error ?? `${method} ${path} failed with HTTP ${res.status}`);
  return data;
}

export const enc = encodeURIComponent;
