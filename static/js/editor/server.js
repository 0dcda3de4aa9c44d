// Talking to the server: server-rendered partials (request) and the JSON endpoints (jsonFetch).
import { CSRF } from "./state.js";

// Server-rendered partials. A newer request for the same target wins: a slow answer for a node
// that is no longer selected never replaces the panel of the one that is.
var latest = {};
export function request(verb, url, target, values) {
  var seq = (latest[target] = (latest[target] || 0) + 1);
  var body = new URLSearchParams(values || {});
  var opts = { method: verb, credentials: "same-origin", headers: { "X-CSRFToken": CSRF, "HX-Request": "true" } };
  if (verb === "GET") url += (url.indexOf("?") < 0 ? "?" : "&") + body.toString();
  else opts.body = body;
  return fetch(url, opts).then(function (r) { return r.text(); }).then(function (html) {
    var el = document.querySelector(target);
    if (seq !== latest[target] || !el) return false;
    el.innerHTML = html;
    window.htmx.process(el);
    return true;
  });
}
// An answer still on its way for `target` is dropped when it comes.
export function supersede(target) {
  latest[target] = (latest[target] || 0) + 1;
}

export function jsonFetch(url, body, method) {
  return fetch(url, { method: method || "POST", credentials: "same-origin",
                      headers: { "Content-Type": "application/json", "X-CSRFToken": CSRF, "Accept": "application/json" },
                      body: body === undefined ? undefined : JSON.stringify(body) })
    .then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (!r.ok) {
          var err = new Error((j.error && j.error.message) || ("HTTP " + r.status));
          err.status = r.status; err.body = j;
          throw err;
        }
        return j;
      });
    });
}
