// Someone else saved this workflow (another tab, the API, the CLI) after the version this page
// started from. The page hears of it when the server refuses a save (409), or sooner: every
// changeCheckMs while the page is in view it asks for the current version (watchForChanges).
// Autosave stops, and the note says who and when, and offers the two ways out: reload the latest
// (this page's changes, if any, are discarded after a confirmation) or keep mine (saved over it as a
// new version: the other edits stay in the history).
import { URLS, state } from "./state.js";
import { $, bind } from "./dom.js";
import { toast } from "./canvas.js";
import { jsonFetch } from "./server.js";
import { keepMine, setSaveState, unsaved } from "./autosave.js";

function describe(latest) {
  var when = latest.at ? new Date(latest.at).toLocaleString() : "";
  var who = latest.by_you ? "by you, in another tab or from the API" : (latest.by ? "by " + latest.by : "");
  return "This workflow was changed elsewhere: version " + latest.number + " was saved" +
    (who ? " " + who : "") + (when ? " at " + when : "") + ". " +
    (unsaved() ? "Your changes on this page are not saved yet."
               : "This page still shows version " + state.version + ": reload to see the latest.");
}

export function showConflict() {
  var note = $("#conflict-note");
  if (!note) return;
  var mine = unsaved(), keep = $("#conflict-keep");
  $("#conflict-reload").textContent = mine ? "Reload the latest (discard mine)…" : "Reload the latest";
  if (keep) keep.hidden = !mine;                // with nothing of this page's to keep, reloading is the way on
  note.hidden = false;
  $("#conflict-text").textContent = describe(state.conflict || {});   // after unhiding, so it is announced
}

export function conflictFound(latest) {
  state.conflict = latest;
  state.saveAgain = false;
  clearTimeout(state.saveTimer);
  setSaveState("conflict", unsaved() ? undefined : "Changed elsewhere");
  showConflict();
}

// Asks for the workflow's current version while the page is in view (and at once when it comes back
// into view). An answer that crossed one of this page's saves proves nothing (the save may be the
// newer version) and is dropped; the next check or the next save tells.
export function watchForChanges() {
  if (!state.changeCheckMs || !URLS.latest) return;
  function busy() {            // a save or a restore of this page's own is on its way
    return state.saving || Date.now() - (state.writingSince || 0) < 15000;
  }
  function check() {
    if (document.hidden || state.conflict || busy()) return;
    var base = state.version, saves = state.saves;
    jsonFetch(URLS.latest, undefined, "GET").then(function (res) {
      if (state.conflict || busy() || state.saves !== saves || state.version !== base) return;
      if (res.latest && res.version !== state.version) conflictFound(res.latest);
    }).catch(function () { /* offline or signed out: the next save says so */ });
  }
  setInterval(check, state.changeCheckMs);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) check(); });
}

export function hideConflict() {
  var note = $("#conflict-note");
  if (note) note.hidden = true;
}

function reloadLatest() {
  var n = state.conflict && state.conflict.number;
  if (unsaved() && !window.confirm("Discard your changes on this page and load version " + n + "? This cannot be undone.")) return;
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
