// Page state in the URL hash (#s=<base64url JSON>), so a link reopens exactly the same page.
// The state is only ever parsed as JSON and read as data: nothing from the URL is evaluated
// or inserted as markup.

function toBase64Url(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(encoded) {
  const padded = encoded.replaceAll("-", "+").replaceAll("_", "/");
  const binary = atob(padded + "=".repeat((4 - (padded.length % 4)) % 4));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** Encode a state object as a URL hash fragment. */
export function encodeState(state) {
  return `#s=${toBase64Url(JSON.stringify(state))}`;
}

/** The state object in `hash` (default: the current URL), or null if absent or unreadable. */
export function readState(hash = window.location.hash) {
  const match = /^#s=([A-Za-z0-9_-]+)$/.exec(hash);
  if (!match) return null;
  try {
    const state = JSON.parse(fromBase64Url(match[1]));
    return state && typeof state === "object" && !Array.isArray(state) ? state : null;
  } catch {
    return null;
  }
}

/** Replace the URL's hash with `state` without adding a history entry. */
export function writeState(state) {
  const url = new URL(window.location.href);
  url.hash = encodeState(state).slice(1);
  window.history.replaceState(null, "", url.toString());
}

// ---- the page's state, declared once as a table (as TF Playground's state.ts PROPS) ----------
//
// A table is a list of properties: {name, type, default, ...}. Types and their checks:
//   "number" (min, max, minExclusive, maxExclusive, integer), "int" (a number, integer),
//   "bool", "enum" (values), "string" (maxLength), "array" (of: an item type, minLength,
//   maxLength; dropBad: leave out bad items instead of falling back), "object" (props: a nested
//   table), "json" (any JSON value, checked by the page against other fields).
// `nullable: true` also accepts null. Any setting may be a function, read when a state is
// cleaned (bounds that come from the catalog). A value that fails falls back to its default;
// keys the table does not name are dropped.

const resolve = (setting) => (typeof setting === "function" ? setting() : setting);

function valid(spec, value) {
  if (value === null) return Boolean(spec.nullable);
  switch (spec.type) {
    case "int":
    case "number": {
      if (typeof value !== "number" || !Number.isFinite(value)) return false;
      if ((spec.type === "int" || spec.integer) && !Number.isInteger(value)) return false;
      const min = resolve(spec.min);
      const max = resolve(spec.max);
      if (min !== undefined && (spec.minExclusive ? value <= min : value < min)) return false;
      return max === undefined || (spec.maxExclusive ? value < max : value <= max);
    }
    case "bool":
      return typeof value === "boolean";
    case "enum":
      return resolve(spec.values).includes(value);
    case "string":
      return typeof value === "string" && value.length <= (resolve(spec.maxLength) ?? Infinity);
    case "json":
      return value !== undefined;
    default:
      return false;
  }
}

/** `value` checked against one property's spec: the clean value, or undefined if it fails. */
function cleanValue(spec, value) {
  if (spec.type === "object") {
    return value && typeof value === "object" && !Array.isArray(value) ? cleanObject(spec.props, value) : undefined;
  }
  if (spec.type === "array") {
    if (!Array.isArray(value)) return undefined;
    const items = value.map((item) => cleanValue(spec.of, item));
    const kept = spec.dropBad ? items.filter((item) => item !== undefined) : items;
    const unique = spec.unique ? [...new Set(kept)] : kept;
    const tooShort = unique.length < (resolve(spec.minLength) ?? 0);
    const tooLong = unique.length > (resolve(spec.maxLength) ?? Infinity);
    return tooShort || tooLong || unique.includes(undefined) ? undefined : unique;
  }
  return valid(spec, value) ? structuredClone(value) : undefined;
}

function cleanObject(props, raw) {
  const src = raw && typeof raw === "object" && !Array.isArray(raw) ? raw : {};
  const state = {};
  for (const spec of props) {
    const value = Object.hasOwn(src, spec.name) ? cleanValue(spec, src[spec.name]) : undefined;
    state[spec.name] = value !== undefined ? value : structuredClone(resolve(spec.default));
  }
  return state;
}

/**
 * A page's URL state from its table: `clean(raw)` (any object → a valid state), `read()`
 * (the URL's state, cleaned; the defaults when the URL has none), `inUrl()`, `write(state)`.
 */
export function defineState(props) {
  return {
    props,
    clean: (raw) => cleanObject(props, raw),
    defaults: () => cleanObject(props, {}),
    read: (hash = window.location.hash) => cleanObject(props, readState(hash) ?? {}),
    inUrl: (hash = window.location.hash) => readState(hash) !== null,
    write: (state) => writeState(cleanObject(props, state)),
  };
}
