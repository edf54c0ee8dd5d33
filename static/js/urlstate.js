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
