// The cost estimate in the toolbar and the Run… dialog (saves first, then shows the saved
// workflow's estimate and launch form, both server-rendered).
import { URLS, defn, state } from "./state.js";
import { $, bind } from "./dom.js";
import { request } from "./server.js";
import { flushSave } from "./autosave.js";
import { showConflict } from "./conflict.js";

export function refreshEstimate() {
  if (!$("#estimate")) return;
  request("POST", URLS.estimate, "#estimate", { definition: JSON.stringify(defn) });
}
export function openRunDialog() {
  flushSave().then(function () {
    if (state.conflict) return "conflict";      // settled first: the run would use the other version
    return request("POST", URLS.run_preview, "#run-dialog-body", {});
  }).then(function (answer) {
    if (answer === "conflict") { showConflict(); return; }
    var dlg = $("#run-dialog");
    if (state.blocking) {
      var note = document.createElement("p");
      note.className = "flash flash-warning";
      note.textContent = "The canvas has problems that keep it from being saved: the run uses the last saved version.";
      $("#run-dialog-body").prepend(note);
    }
    if (dlg && !dlg.open) dlg.showModal();
  });
}

export function bindRunButton() {
  bind("run-button", openRunDialog);
}
