// The API reference page (/api/docs): Swagger UI reading the OpenAPI document named in
// #swagger-ui's data-schema-url. A static file, as the Content-Security-Policy allows no inline
// script.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    domNode: root,
    // Deep links put a link inside each operation's toggle button (a control in a control).
    deepLinking: false,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // Requests "Try it out" sends go to this site only (the document's server is /api).
    tryItOutEnabled: false,
    persistAuthorization: false,
  });
  // Swagger UI's list of servers has no label of its own; it is named whenever it is drawn.
  new MutationObserver(function () {
    var servers = root.querySelector("select#servers:not([aria-label])");
    if (servers) servers.setAttribute("aria-label", "Server");
  }).observe(root, { childList: true, subtree: true });
})();
