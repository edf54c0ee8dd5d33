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

async function request(method, path, body) {
  const init = { method, headers: { accept: "application/json" } };
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const data = await response.json().catch(() => ({ detail: response.statusText }));
  if (!response.ok) throw new ApiError(response.status, data.detail ?? data);
  return data;
}

export const getJSON = (path) => request("GET", path);
export const postJSON = (path, body) => request("POST", path, body);

/** Format a number for display: fixed significant digits, "—" for null. */
export function fmt(value, digits = 4) {
  if (value === null || value === undefined) return "—";
  if (value === 0) return "0";
  const abs = Math.abs(value);
  if (abs >= 1e5 || abs < 1e-4) return value.toExponential(digits - 1);
  return Number(value.toPrecision(digits)).toString();
}

/** Show an API error in an element (role="alert"), or clear it with null. */
export function showError(element, error) {
  if (!element) return;
  element.hidden = !error;
  element.textContent = error ? error.message : "";
}
