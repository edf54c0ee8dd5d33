// Swagger UI for /openapi.json, loaded from the app itself (no CDN, no inline script).
// deepLinking off: with it on, every operation's path is a link inside the operation's
// toggle button, a control inside a control that screen readers and keyboards trip over.
window.ui = window.SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: false,
});
