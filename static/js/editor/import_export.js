// Export (saves first when there are unsaved changes) and import: the server validates the file and
// every problem is shown before anything changes; the canvas is replaced only when nothing blocks a
// save, as one undo step.
import { URLS, CAN_EDIT, defn, setDefn, state, clone } from "./state.js";
import { $, bind } from "./dom.js";
import { render, fitView, toast } from "./canvas.js";
import { begin } from "./history.js";
import { flushSave } from "./autosave.js";
import { closePanel } from "./panels.js";
import { problemClass } from "./problems.js";
import { jsonFetch } from "./server.js";

export function listenToExport() {
  var exportLink = $("#export");
  if (exportLink && CAN_EDIT) {
    exportLink.addEventListener("click", function (e) {
      if (state.lastSaved === JSON.stringify(defn) && !state.saving) return;
      e.preventDefault();
      flushSave().then(function () { window.location.href = exportLink.href; });
    });
  }
}

export function listenToImport() {
  var importInput = $("#import-file");
  if (importInput) {
    importInput.addEventListener("change", function () {
      var file = importInput.files && importInput.files[0];
      if (!file) return;
      file.text().then(function (text) {
        return jsonFetch(URLS.import, { text: text });
      }).then(showImport).catch(function (err) { toast("Import failed: " + err.message); })
        .then(function () { importInput.value = ""; });
    });
  }
  bind("import-apply", applyImport);
  bind("import-cancel", function () { $("#import-dialog").close(); });
}

function showImport(res) {
  state.importResult = res;
  var g = res.definition && res.definition.graph;
  $("#import-summary").textContent = res.ok
    ? "The file is valid: " + g.nodes.length + " nodes and " + g.edges.length + " connections" +
      (res.name ? " from “" + res.name + "”" : "") + ". It replaces what is on the canvas (you can undo)." +
      (res.laid_out ? " It had no positions: it will be arranged left to right." : "")
    : "The file cannot be imported: " + res.blocking + " problem" + (res.blocking === 1 ? "" : "s") + " must be fixed first. Nothing was changed.";
  var ul = $("#import-problems");
  ul.innerHTML = "";
  (res.problems || []).forEach(function (p) {
    var li = document.createElement("li");
    li.className = "problem problem-" + problemClass(p) + (p.blocks_save ? " blocks-save" : "");
    li.textContent = (p.node_id ? p.node_id + ": " : "") + p.message;
    ul.appendChild(li);
  });
  $("#import-apply").disabled = !res.ok;
  $("#import-dialog").showModal();
}

function applyImport() {
  var res = state.importResult;
  if (!res || !res.ok) return;
  begin();
  var keep = {};
  Object.keys(defn).forEach(function (k) { if (k !== "graph") keep[k] = defn[k]; });
  setDefn(Object.assign(keep, clone(res.definition)));
  state.selected = null;
  closePanel();
  render();
  fitView();
  $("#import-dialog").close();
}
