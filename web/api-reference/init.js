// The API reference of this server (/api-reference): Scalar's standalone bundle, served by the server
// itself (no CDN), reading the server's own /openapi.json. No telemetry, no web fonts, no AI agent: the page
// talks to this origin only (its CSP says so too).
window.Scalar.createApiReference('#api-reference', {
  url: '/openapi.json',
  telemetry: false,
  withDefaultFonts: false,
  agent: { disabled: true },
  showDeveloperTools: 'never',
});
