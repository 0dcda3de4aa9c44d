// Saving: autosave 600 ms after the last change, one request at a time; the server answers the
// problems. Also the workflow's name (saved on its own) and the guard against leaving unsaved work.
import { URLS, CAN_EDIT, defn, state } from "./state.js";
import { $ } from "./dom.js";
import { jsonFetch } from "./server.js";
import { showProblems } from "./problems.js";
import { refreshEstimate } from "./run_dialog.js";
import { refreshVersions } from "./versions.js";

var SAVE_TEXT = { dirty: "Unsaved changes", saving: "Saving…", error: "Not saved" };
export function setSaveState(kind, text) {
  var el = $("#save-state");
  if (!el) return;
  el.setAttribute("data-state", kind);
  el.textContent = text || SAVE_TEXT[kind] || (state.version ? "Saved · version " + state.version : "Saved");
}
export function scheduleSave() {
  if (!CAN_EDIT) return;
  clearTimeout(state.saveTimer);
  state.saveTimer = setTimeout(save, 600);
}
function save() {
  clearTimeout(state.saveTimer);
  if (!CAN_EDIT) return Promise.resolve();
  if (state.saving) { state.saveAgain = true; return state.saving; }
  var sent = JSON.stringify(defn);
  if (sent === state.lastSaved) { setSaveState("saved"); return Promise.resolve(); }
  setSaveState("saving");
  var t0 = performance.now();
  state.saving = jsonFetch(URLS.save, { definition: JSON.parse(sent) }).then(function (res) {
    state.problems = res.problems || [];
    state.blocking = res.blocking || 0;
    window.onepinEditor.lastSaveMs = performance.now() - t0;
    if (res.saved || !res.blocking) {
      state.lastSaved = sent;
      state.version = res.version;
      setSaveState("saved");
    } else {
      setSaveState("blocked", "Not saved: fix " + res.blocking + " problem" + (res.blocking === 1 ? "" : "s"));
    }
    showProblems();
    refreshEstimate();
    refreshVersions();
  }).catch(function (err) {
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

export function listenToName() {
  var nameInput = $("#wf-name"), nameTimer = null;
  if (nameInput) {
    nameInput.addEventListener("input", function () {
      clearTimeout(nameTimer);
      nameTimer = setTimeout(function () {
        var name = nameInput.value.trim();
        if (!name) return;
        setSaveState("saving");
        jsonFetch(URLS.save, { name: name }).then(function (res) {
          state.version = res.version;
          document.title = name + " · Editor · OnePin";
          setSaveState(state.lastSaved === JSON.stringify(defn) ? "saved" : "dirty");
          refreshVersions();
        }).catch(function (err) { setSaveState("error", "Name not saved: " + err.message); });
      }, 500);
    });
  }
}

export function guardUnsaved() {
  window.addEventListener("beforeunload", function (e) {
    if (CAN_EDIT && state.lastSaved !== JSON.stringify(defn)) { e.preventDefault(); e.returnValue = ""; }
  });
}
