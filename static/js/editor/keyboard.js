// Keyboard shortcuts (the list is the shortcuts dialog in edit.html) and the node clipboard (copy
// and paste, across tabs through localStorage).
import { CAN_EDIT, CATALOG, state, clone, nodeById, displayName } from "./state.js";
import { $, bind } from "./dom.js";
import { toast, zoomBy } from "./canvas.js";
import { addNode, freeSpot, duplicate, removeNode, arrange } from "./graph.js";
import { undo, redo } from "./history.js";
import { flushSave } from "./autosave.js";
import { closePanel } from "./panels.js";
import { openRunDialog } from "./run_dialog.js";

// ---- clipboard -------------------------------------------------------------------------------
var clipboardKey = "onepin.editor.clipboard";
function copy() {
  var node = nodeById(state.selected);
  if (!node) return;
  try { localStorage.setItem(clipboardKey, JSON.stringify(node)); } catch (e) { /* private mode */ }
  copy.memory = clone(node);
  toast("Copied " + displayName(node) + ".");
}
function paste() {
  var node = copy.memory;
  try { var raw = localStorage.getItem(clipboardKey); if (raw) node = JSON.parse(raw); } catch (e) { /* keep memory */ }
  if (!node || !CATALOG[node.type]) return;
  var p = freeSpot();
  addNode(node.type, p.x, p.y, node);
}

// ---- keyboard --------------------------------------------------------------------------------
export function listenToKeys() {
  bind("shortcuts-toggle", function () { $("#shortcuts-dialog").showModal(); });
  document.addEventListener("keydown", function (e) {
    var t = e.target, typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
    var mod = e.ctrlKey || e.metaKey, key = e.key.toLowerCase();
    if (mod && key === "s") { e.preventDefault(); flushSave(); return; }
    if (mod && e.key === "Enter") { e.preventDefault(); if ($("#run-button")) openRunDialog(); return; }
    if (typing || document.querySelector("dialog[open]")) return;
    if (e.key === "?") { e.preventDefault(); $("#shortcuts-dialog").showModal(); }
    else if (mod && key === "z" && !e.shiftKey) { e.preventDefault(); undo(); }
    else if (mod && ((key === "z" && e.shiftKey) || key === "y")) { e.preventDefault(); redo(); }
    else if (mod && key === "c") { if (state.selected) { e.preventDefault(); copy(); } }
    else if (mod && key === "v") { if (CAN_EDIT) { e.preventDefault(); paste(); } }
    else if (mod && key === "d") { e.preventDefault(); var n = nodeById(state.selected); if (n && CAN_EDIT) duplicate(n); }
    else if (e.shiftKey && key === "l") { e.preventDefault(); arrange(); }
    else if (e.key === "Backspace" && !mod && state.selected && CAN_EDIT) { e.preventDefault(); removeNode(state.selected); }
    else if (e.key === "+" || e.key === "=") zoomBy(0.1);
    else if (e.key === "-") zoomBy(-0.1);
    else if (e.key === "Escape" && state.selected) { state.selected = null; closePanel(); }
  });
}
