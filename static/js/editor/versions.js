// The version history panel: shown on demand, refreshed after a save, and "restore as new version"
// (onepin:restored), which replaces the canvas with the restored definition, already saved (so it
// also settles a conflict: the page now shows the latest version).
import { defn, setDefn, state, clone } from "./state.js";
import { $, bind } from "./dom.js";
import { render } from "./canvas.js";
import { begin } from "./history.js";
import { openPanel } from "./panels.js";
import { hideConflict } from "./conflict.js";

export function refreshVersions() {
  var panel = $("#versions-panel");
  if (panel && !panel.hidden) window.htmx.trigger("#versions-body", "load-versions");
}

export function listenToVersions() {
  bind("history-toggle", function () {
    var panel = $("#versions-panel"), btn = $("#history-toggle");
    panel.hidden = !panel.hidden;
    btn.setAttribute("aria-expanded", String(!panel.hidden));
    if (!panel.hidden) window.htmx.trigger("#versions-body", "load-versions");
  });
  // a restore writes a new version: the change check (conflict.js) must not take it for someone else's
  document.body.addEventListener("htmx:beforeRequest", function (e) {
    var elt = e.detail.elt;
    if (elt.closest && elt.closest("#versions-body") && e.detail.requestConfig.verb === "post") {
      state.writingSince = Date.now();
    }
  });
  document.body.addEventListener("onepin:restored", function (e) {
    var d = e.detail || {};
    state.writingSince = 0;
    state.saves += 1;
    begin();
    setDefn(clone(d.definition));
    state.lastSaved = JSON.stringify(defn);
    state.version = d.version;
    state.conflict = null;
    hideConflict();
    render();
    if (state.selected) openPanel(state.selected);
  });
}
