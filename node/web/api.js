// Calls to the node's /v1 API from the console, with the session token.
//
// The token comes from the `#session=` link that `xianjie login` prints and
// is kept in sessionStorage (this tab only, gone when it closes). It is sent
// as `Authorization: Bearer`, never in a URL the server sees.

const TOKEN_KEY = "xianjie.session";
const TOKEN_PATTERN = /^[0-9a-f]{64}$/;

/** Takes a token from `#session=TOKEN` into sessionStorage; true if one was there. */
export function adoptTokenFromFragment() {
  const match = /(?:^#|&)session=([0-9a-f]{64})(?:&|$)/.exec(location.hash);
  if (!match) return false;
  sessionStorage.setItem(TOKEN_KEY, match[1]);
  // Drop the token from the address bar and the history.
  history.replaceState(null, "", `${location.pathname}#/verify`);
  return true;
}

/** The session token, or null. */
export function sessionToken() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token && TOKEN_PATTERN.test(token) ? token : null;
}

/** Forgets the token. */
export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

function headers() {
  const result = { Accept: "application/json" };
  const token = sessionToken();
  if (token) result.Authorization = `Bearer ${token}`;
  return result;
}

/**
 * `method path` → `{ok, status, body, code, message}`; `body` is parsed by
 * `parseJsonExact`. Network failures become `{ok: false, status: 0}`.
 */
export async function call(path, method = "GET") {
  let response;
  try {
    response = await fetch(path, { method, headers: headers(), cache: "no-store" });
  } catch (error) {
    return { ok: false, status: 0, body: null, code: "unreachable", message: String(error) };
  }
  const text = await response.text();
  let body = null;
  try {
    body = text ? parseJsonExact(text) : null;
  } catch (error) {
    body = null;
  }
  const detail = body && body.error ? body.error : {};
  return {
    ok: response.ok,
    status: response.status,
    body,
    code: detail.code ?? null,
    message: detail.message ?? (response.ok ? null : `HTTP ${response.status}`),
  };
}

/** `GET path` as a file: `{ok, blob}` or the error as `call` gives it. */
export async function download(path) {
  let response;
  try {
    response = await fetch(path, { headers: headers(), cache: "no-store" });
  } catch (error) {
    return { ok: false, status: 0, code: "unreachable", message: String(error) };
  }
  if (response.ok) return { ok: true, status: response.status, blob: await response.blob() };
  const text = await response.text();
  let detail = {};
  try {
    detail = JSON.parse(text).error ?? {};
  } catch (error) {
    detail = {};
  }
  return { ok: false, status: response.status, code: detail.code ?? null, message: detail.message ?? `HTTP ${response.status}` };
}

/**
 * JSON.parse, except that integers JavaScript numbers cannot hold exactly
 * (u64 nonces, amounts above 2^53) become strings instead of being rounded.
 * Strings are skipped whole, so digits inside them are never touched.
 */
export function parseJsonExact(text) {
  let out = "";
  let copiedUpTo = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i += 1;
      while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      i += 1;
      continue;
    }
    if (c === "-" || (c >= "0" && c <= "9")) {
      let end = i + 1;
      while (end < text.length && /[0-9.eE+-]/.test(text[end])) end += 1;
      const literal = text.slice(i, end);
      if (/^-?\d+$/.test(literal) && !Number.isSafeInteger(Number(literal))) {
        out += `${text.slice(copiedUpTo, i)}"${literal}"`;
        copiedUpTo = end;
      }
      i = end;
      continue;
    }
    i += 1;
  }
  return JSON.parse(out + text.slice(copiedUpTo));
}
