// Someone else saved this workflow (another tab, the API, the CLI) after the version this page
// started from: the server refused the save (409) and autosave has stopped. The note says who and
// when, and offers the two ways out: reload the latest (this page's changes are discarded, after a
// confirmation) or keep mine (saved over it as a new version: the other edits stay in the history).
import { state } from "./state.js";
import { $, bind } from "./dom.js";
import { toast } from "./canvas.js";
import { keepMine } from "./autosave.js";

function describe(latest) {
  var when = latest.at ? new Date(latest.at).toLocaleString() : "";
  var who = latest.by_you ? "by you, in another tab or from the API" : (latest.by ? "by " + latest.by : "");
  return "This workflow was changed elsewhere: version " + latest.number + " was saved" +
    (who ? " " + who : "") + (when ? " at " + when : "") + ". Your changes on this page are not saved yet.";
}

export function showConflict() {
  var note = $("#conflict-note");
  if (!note) return;
  note.hidden = false;
  $("#conflict-text").textContent = describe(state.conflict || {});   // after unhiding, so it is announced
}

export function hideConflict() {
  var note = $("#conflict-note");
  if (note) note.hidden = true;
}

function reloadLatest() {
  var n = state.conflict && state.conflict.number;
  if (!window.confirm("Discard your changes on this page and load version " + n + "? This cannot be undone.")) return;
  state.discarding = true;            // the unsaved-work guard lets this reload through
  window.location.reload();
}

function keep() {
  var theirs = state.conflict && state.conflict.number;
  hideConflict();
  keepMine().then(function () {
    if (state.conflict) return;
    toast("Your version is saved as version " + state.version + ". The other changes are version " + theirs +
          " in History.");
  });
}

export function listenToConflict() {
  bind("conflict-reload", reloadLatest);
  bind("conflict-keep", keep);
}
