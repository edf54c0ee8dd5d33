// Swagger UI for /openapi.json, loaded from the app itself (no CDN, no inline script).
window.ui = window.SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
});
