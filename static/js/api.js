// Calls to the REST API. Pages never recompute the math: they ask the API and draw the JSON.

export class ApiError extends Error {
  constructor(status, detail) {
    super(ApiError.describe(detail));
    this.status = status;
    this.detail = detail;
  }

  /** One readable line per problem: "weights → 1: expected shape [2, 2] …". */
  static describe(detail) {
    if (Array.isArray(detail)) {
      return detail
        .map((d) => `${(d.loc || []).filter((p) => p !== "body").join(" → ")}: ${d.msg}`)
        .join("\n");
    }
    return typeof detail === "string" ? detail : JSON.stringify(detail);
  }
}

async function request(method, path, body, signal) {
  const init = { method, headers: { accept: "application/json" }, signal };
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const data = await response.json().catch(() => ({ detail: response.statusText }));
  if (!response.ok) throw new ApiError(response.status, data.detail ?? data);
  return data;
}

/** GET `path`; `signal` (an AbortSignal) cancels it. */
export const getJSON = (path, signal) => request("GET", path, undefined, signal);
/** POST `body` as JSON to `path`; `signal` (an AbortSignal) cancels it. */
export const postJSON = (path, body, signal) => request("POST", path, body, signal);

/** Show an API error in an element (role="alert"), or clear it with null. */
export function showError(element, error) {
  if (!element) return;
  element.hidden = !error;
  element.textContent = error ? error.message : "";
}
