// The public API of ../shared/API.md, on the console's own origin, with the key the user signed in with.

export class ApiError extends Error {
  constructor(status, code, message, details = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

function withQuery(path, query = {}) {
  const parameters = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") parameters.set(name, value);
  }
  const text = parameters.toString();
  return text ? `${path}?${text}` : path;
}

async function errorOf(response) {
  try {
    const { error } = await response.json();
    return new ApiError(response.status, error.code, error.message, error.details);
  } catch {
    return new ApiError(response.status, "HTTP_" + response.status, response.statusText);
  }
}

/** An answer's JSON, or null for an answer without a body (204 No Content, a 202 that only accepts). */
async function answerOf(response) {
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

export function accountPath(accountId, rest = "") {
  return `/v1/accounts/${encodeURIComponent(accountId)}${rest}`;
}

export function createApi(key) {
  async function send(method, path, { query, body } = {}) {
    const headers = { Authorization: `Bearer ${key}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(withQuery(path, query), {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw await errorOf(response);
    return response;
  }

  return {
    get: async (path, query) => answerOf(await send("GET", path, { query })),
    post: async (path, body = {}) => answerOf(await send("POST", path, { body })),
    patch: async (path, body) => answerOf(await send("PATCH", path, { body })),
    delete: async (path) => answerOf(await send("DELETE", path)),

    /** Saves an answer as a file, named as its Content-Disposition says (the key must be sent, so no plain link). */
    async download(path, query, fallbackName) {
      const response = await send("GET", path, { query });
      const disposition = response.headers.get("Content-Disposition") ?? "";
      const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallbackName;
      const url = URL.createObjectURL(await response.blob());
      const link = Object.assign(document.createElement("a"), { href: url, download: filename });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      return filename;
    },
  };
}

/** The catalog needs no key. */
export async function fetchCatalog() {
  const response = await fetch("/v1/catalog");
  if (!response.ok) throw await errorOf(response);
  return response.json();
}

/** A client id for a write (purchase_id, refund_id, ...): the same id on a retry makes the retry harmless. */
export function clientId(prefix) {
  return `${prefix}-${crypto.randomUUID()}`;
}
