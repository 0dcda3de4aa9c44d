// Changes, undo and redo. Changes made in the same tick are one undo step (a node deleted with its
// connections); a change schedules the autosave.
import { CAN_EDIT, defn, setDefn, state } from "./state.js";
import { $, bind } from "./dom.js";
import { render } from "./canvas.js";
import { openPanel } from "./panels.js";
import { setSaveState, scheduleSave } from "./autosave.js";

export function begin() {
  if (state.pendingBefore !== null) return;
  state.pendingBefore = JSON.stringify(defn);
  setTimeout(end, 0);
}
function end() {
  var before = state.pendingBefore;
  state.pendingBefore = null;
  if (before === null || before === JSON.stringify(defn)) return;
  state.undo.push(before);
  if (state.undo.length > 200) state.undo.shift();
  state.redo = [];
  changed();
}
function changed() {
  updateUndoButtons();
  if (state.lastSaved === JSON.stringify(defn)) { setSaveState("saved"); return; }
  setSaveState("dirty");
  scheduleSave();
}
function restore(json) {
  setDefn(JSON.parse(json));
  render();
  if (state.selected) openPanel(state.selected);
  changed();
}
export function undo() {
  if (!CAN_EDIT || !state.undo.length) return;
  state.redo.push(JSON.stringify(defn));
  restore(state.undo.pop());
}
export function redo() {
  if (!CAN_EDIT || !state.redo.length) return;
  state.undo.push(JSON.stringify(defn));
  restore(state.redo.pop());
}
export function updateUndoButtons() {
  var u = $("#undo"), r = $("#redo");
  if (u) u.disabled = !state.undo.length;
  if (r) r.disabled = !state.redo.length;
}
export function bindUndoButtons() {
  bind("undo", undo);
  bind("redo", redo);
}
