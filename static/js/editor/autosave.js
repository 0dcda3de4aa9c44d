// Saving: autosave 600 ms after the last change, one request at a time; the server answers the
// problems. The name is saved through the same queue. Each save names the version this page started
// from (base_version): the version each save answers is the next one's base, so saves from this page
// never conflict with themselves. When someone else saved in between, the server refuses (409) and
// autosave stops until the person chooses (conflict.js). Also the guard against leaving unsaved work.
import { URLS, CAN_EDIT, defn, state } from "./state.js";
import { $ } from "./dom.js";
import { jsonFetch } from "./server.js";
import { showProblems } from "./problems.js";
import { refreshEstimate } from "./run_dialog.js";
import { refreshVersions } from "./versions.js";
import { conflictFound, showConflict } from "./conflict.js";

var SAVE_TEXT = { dirty: "Unsaved changes", saving: "Saving…", error: "Not saved",
                  conflict: "Not saved: changed elsewhere" };
export function setSaveState(kind, text) {
  var el = $("#save-state");
  if (!el) return;
  el.setAttribute("data-state", kind);
  el.textContent = text || SAVE_TEXT[kind] || (state.version ? "Saved · version " + state.version : "Saved");
}
export function scheduleSave() {
  if (!CAN_EDIT) return;
  if (state.conflict) { setSaveState("conflict"); showConflict(); return; }   // (the note now names the edits)
  clearTimeout(state.saveTimer);
  state.saveTimer = setTimeout(save, 600);
}
export function unsaved() {          // (a viewer's page has nothing to save)
  return CAN_EDIT && (state.lastSaved !== JSON.stringify(defn) || state.pendingName !== null);
}
function save() {
  clearTimeout(state.saveTimer);
  if (!CAN_EDIT || state.conflict) return Promise.resolve();
  if (state.saving) { state.saveAgain = true; return state.saving; }
  var sent = JSON.stringify(defn), name = state.pendingName;
  if (!unsaved()) { setSaveState("saved"); return Promise.resolve(); }
  var body = { base_version: state.version };
  if (sent !== state.lastSaved) body.definition = JSON.parse(sent);
  if (name !== null) body.name = name;
  if (state.force) body.force = true;
  setSaveState("saving");
  state.saves += 1;
  var t0 = performance.now();
  state.saving = jsonFetch(URLS.save, body).then(function (res) {
    state.version = Math.max(res.version || 0, state.version || 0) || res.version;   // the next save's base
    state.force = false;
    if (name !== null) {
      if (state.pendingName === name) state.pendingName = null;
      document.title = res.name + " · Editor · OnePin";
    }
    if (body.definition) {
      state.problems = res.problems || [];
      state.blocking = res.blocking || 0;
      window.onepinEditor.lastSaveMs = performance.now() - t0;
      if (res.saved || !res.blocking) state.lastSaved = sent;
    }
    if (body.definition && res.blocking && !res.saved) {
      setSaveState("blocked", "Not saved: fix " + res.blocking + " problem" + (res.blocking === 1 ? "" : "s"));
    } else {
      setSaveState(unsaved() ? "dirty" : "saved");
    }
    if (body.definition) { showProblems(); refreshEstimate(); }
    refreshVersions();
  }).catch(function (err) {
    if (err.status === 409 && err.body && err.body.error && err.body.error.code === "EDIT_CONFLICT") {
      conflictFound(err.body.error.latest || {});
      return;
    }
    setSaveState("error", "Not saved: " + err.message);
    if (!err.status || err.status >= 500) setTimeout(scheduleSave, 3000);
  }).then(function () {
    state.saving = false;
    if (state.saveAgain) { state.saveAgain = false; return save(); }
  });
  return state.saving;
}
export function flushSave() {
  clearTimeout(state.saveTimer);
  return Promise.resolve(state.saving).then(save);
}
// "Keep mine": save what is on this page over the newer version, as a new version of its own.
export function keepMine() {
  state.conflict = null;
  state.force = true;
  return flushSave();
}

export function listenToName() {
  var nameInput = $("#wf-name"), nameTimer = null;
  if (nameInput) {
    nameInput.addEventListener("input", function () {
      clearTimeout(nameTimer);
      nameTimer = setTimeout(function () {
        var name = nameInput.value.trim();
        if (!name) return;
        state.pendingName = name;
        if (state.conflict) { setSaveState("conflict"); return; }
        flushSave();
      }, 500);
    });
  }
}

export function guardUnsaved() {
  window.addEventListener("beforeunload", function (e) {
    if (CAN_EDIT && !state.discarding && unsaved()) { e.preventDefault(); e.returnValue = ""; }
  });
}
