/* OnePin canvas editor, the entry: drawflow shows the graph; the modules in this folder keep the
 * workflow definition.
 *
 * The definition (graph.nodes / graph.edges, exactly the shape the API stores) is the source of
 * truth. Drawflow is a view of it: structural edits made on the canvas (move, connect, delete) are
 * read back into the definition; everything else (add, paste, undo, layout, import) changes the
 * definition and redraws. Each user action is one undo step. Every change is saved (debounced) to
 * the server, which validates it with the one validator and answers the problems, drawn on the
 * nodes, the connections, the settings fields and the problems list.
 *
 * Panels (node settings, voice picker, versions, run dialog, estimate) are server-rendered HTMX
 * partials; the editor only asks for them and applies the `onepin:*` events they send back.
 *
 * Loaded by templates/editor/edit.html as an ES module (after drawflow, which is a deferred classic
 * script). The other modules only declare; this file starts them, in this order:
 *   state.js         the page's data, the definition, the editor's state, catalog helpers
 *   canvas.js        the drawflow instance, drawing the definition, cards (cards.js), zoom, toast
 *   graph.js         canvas gestures read back, connection rules, add / remove / arrange nodes
 *   panels.js        selection and the settings panel; voice_picker.js, versions.js
 *   history.js       undo steps; autosave.js  saving and the name; run_dialog.js  estimate, Run…
 *   conflict.js      someone else saved since this page's version (heard at a save, or by asking now and
 *                    then): reload the latest or keep mine
 *   problems.js      problems on nodes, connections, fields and the list
 *   import_export.js import and export; keyboard.js  shortcuts and clipboard
 *   server.js, dom.js  requests to the server, small DOM helpers
 */
import { load, defn, state, clone } from "./state.js";
import { container, startCanvas, render, fitView, bindZoomButtons } from "./canvas.js";
import { listenToCanvas, listenToPalette, bindArrangeButton } from "./graph.js";
import { select, listenToPanel } from "./panels.js";
import { listenToVoicePicker } from "./voice_picker.js";
import { listenToVersions } from "./versions.js";
import { undo, redo, updateUndoButtons, bindUndoButtons } from "./history.js";
import { flushSave, unsaved, listenToName, guardUnsaved } from "./autosave.js";
import { listenToConflict, watchForChanges } from "./conflict.js";
import { refreshEstimate, bindRunButton } from "./run_dialog.js";
import { listenToExport, listenToImport } from "./import_export.js";
import { listenToKeys } from "./keyboard.js";

function start(dataEl) {
  load(JSON.parse(dataEl.textContent));
  startCanvas();
  listenToCanvas();
  listenToPalette();
  listenToPanel();
  listenToVoicePicker();
  listenToVersions();
  listenToName();
  listenToConflict();
  watchForChanges();
  bindUndoButtons();
  bindArrangeButton();
  bindZoomButtons();
  bindRunButton();
  listenToExport();
  listenToImport();
  listenToKeys();
  guardUnsaved();

  window.onepinEditor = {
    definition: function () { return clone(defn); },
    problems: function () { return clone(state.problems); },
    saved: function () { return !unsaved() && !state.saving && !state.conflict; },
    conflict: function () { return state.conflict && clone(state.conflict); },
    save: flushSave, undo: undo, redo: redo, select: select, render: render,
    undoDepth: function () { return state.undo.length; },
    version: function () { return state.version || 0; },
    lastSaveMs: null
  };
  render();
  fitView();
  updateUndoButtons();
  refreshEstimate();
  window.onepinEditor.readyMs = performance.now();
  container.setAttribute("data-ready", "true");
}

var dataEl = document.getElementById("editor-data");
if (dataEl && typeof window.Drawflow === "function") start(dataEl);
