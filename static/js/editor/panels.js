// Selection and the node's settings panel (a server-rendered partial): opening and closing it, the
// config it sends back (onepin:config), its actions (delete, duplicate, voices, script upload).
import { URLS, CAN_EDIT, defn, state, nodeById } from "./state.js";
import { $, $$ } from "./dom.js";
import { container, df, nodeEl, refreshCard } from "./canvas.js";
import { begin } from "./history.js";
import { removeNode, duplicate } from "./graph.js";
import { showFieldProblems } from "./problems.js";
import { request, supersede, jsonFetch } from "./server.js";
import { pickVoice, playSample } from "./voice_picker.js";

export function select(nid) {
  if (!nid || !nodeById(nid)) return;
  state.selected = nid;
  markSelected();
  openPanel(nid);
}
export function markSelected() {
  $$(".drawflow-node.is-selected", container).forEach(function (el) { el.classList.remove("is-selected"); });
  var el = state.selected && nodeEl(state.selected);
  if (el) {
    el.classList.add("is-selected");
    if (CAN_EDIT && !df.node_selected) { df.node_selected = el; el.classList.add("selected"); }
  }
}
export function openPanel(nid) {
  var node = nodeById(nid);
  if (!node) return closePanel();
  var focusId = document.activeElement && document.activeElement.closest && document.activeElement.closest("#node-panel-body")
    ? document.activeElement.id : null;
  return request("POST", URLS.panel, "#node-panel-body", { definition: JSON.stringify(defn), node_id: nid })
    .then(function (current) {
      if (!current) return;
      showFieldProblems();
      if (focusId && document.getElementById(focusId)) document.getElementById(focusId).focus();
    });
}
export function closePanel() {
  state.selected = null;
  supersede("#node-panel-body");
  var body = $("#node-panel-body");
  if (body) body.innerHTML = '<p class="muted small" id="panel-empty">Select a node to see its settings.</p>';
  markSelected();
}

export function listenToPanel() {
  document.body.addEventListener("onepin:config", function (e) {
    var d = e.detail || {}, node = nodeById(d.node_id);
    if (!node || !CAN_EDIT) return;
    begin();
    node.config = d.config || {};
    if (d.name) {
      var rebuilt = { id: node.id, type: node.type, name: d.name };
      Object.keys(node).forEach(function (k) { if (!(k in rebuilt)) rebuilt[k] = node[k]; });
      Object.keys(node).forEach(function (k) { delete node[k]; });
      Object.assign(node, rebuilt);
    } else {
      delete node.name;
    }
    var hidden = $("#node-config-json");
    if (hidden) hidden.value = JSON.stringify(node.config);
    refreshCard(node);
  });

  // ---- panel actions -------------------------------------------------------------------------
  document.addEventListener("click", function (e) {
    var btn = e.target.closest("[data-action]");
    if (!btn) return;
    var action = btn.getAttribute("data-action"), node = nodeById(state.selected);
    if (action === "close-dialog") { var d = btn.closest("dialog"); if (d) d.close(); return; }
    if (action === "play-sample") { playSample(btn); return; }
    if (!CAN_EDIT) return;
    if (action === "delete-node" && node) removeNode(node.id);
    else if (action === "duplicate-node" && node) duplicate(node);
    else if (action === "pick-voice" && node) pickVoice(node, btn.getAttribute("data-locale"), btn.getAttribute("data-current"));
    else if (action === "pick-voice-other" && node) pickVoice(node, ($("#add-locale") || {}).value, "");
    else if (action === "remove-voice" && node) {
      begin();
      var vm = Object.assign({}, (node.config || {}).voice_map || {});
      delete vm[btn.getAttribute("data-locale")];
      node.config.voice_map = vm;
      refreshCard(node);
      setTimeout(function () { openPanel(node.id); }, 0);
    } else if (action === "remove-upload" && node) {
      begin();
      node.config.upload_id = null;
      refreshCard(node);
      setTimeout(function () { openPanel(node.id); }, 0);
    } else if (action === "upload-script" && node) uploadScript(node);
  });
}

function uploadScript(node) {
  var input = $("#script-file"), status = $("#upload-status");
  var file = input && input.files && input.files[0];
  var say = function (msg) { if (status) status.textContent = msg; };
  if (!file) { say("Choose a file first."); return; }
  say("Uploading " + file.name + "…");
  jsonFetch(URLS.uploads, { filename: file.name }).then(function (created) {
    return fetch(created.upload_url, { method: "PUT", body: file, credentials: "same-origin",
                                       headers: { "Content-Type": created.upload.content_type } })
      .then(function (r) {
        if (!r.ok) throw new Error("The storage refused the file (HTTP " + r.status + ").");
        return jsonFetch(URLS.confirm_upload.replace("UPLOAD_ID", created.upload.id), {});
      });
  }).then(function (confirmed) {
    begin();
    node.config.upload_id = confirmed.upload.id;
    refreshCard(node);
    say("Uploaded: " + confirmed.line_count + " lines.");
    setTimeout(function () { openPanel(node.id).then(function () { var s = $("#upload-status"); if (s) s.textContent = "Uploaded: " + confirmed.line_count + " lines."; }); }, 0);
  }).catch(function (err) { say("Upload failed: " + err.message); });
}
