/* OnePin canvas editor: drawflow shows the graph; this file keeps the workflow definition.
 *
 * The definition (graph.nodes / graph.edges, exactly the shape the API stores) is the source of
 * truth. Drawflow is a view of it: structural edits made on the canvas (move, connect, delete) are
 * read back into the definition; everything else (add, paste, undo, layout, import) changes the
 * definition and redraws. Each user action is one undo step. Every change is saved (debounced) to
 * the server, which validates it with the one validator and answers the problems, drawn on the
 * nodes, the connections, the settings fields and the problems list.
 *
 * Panels (node settings, voice picker, versions, run dialog, estimate) are server-rendered HTMX
 * partials; this file only asks for them and applies the `onepin:*` events they send back.
 */
(function () {
  "use strict";

  var dataEl = document.getElementById("editor-data");
  if (!dataEl || typeof window.Drawflow !== "function") return;
  var DATA = JSON.parse(dataEl.textContent);
  var URLS = DATA.urls;
  var CAN_EDIT = !!DATA.can_edit;
  var CSRF = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var CATALOG = {};
  DATA.catalog.forEach(function (t) { CATALOG[t.type] = t; });
  var GENERATOR = "operator_generator";
  var NODE_W = 200, NODE_H = 100;

  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  var $$ = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };

  function clone(x) { return JSON.parse(JSON.stringify(x)); }
  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // ---- state -----------------------------------------------------------------------------------
  var defn = clone(DATA.definition || {});
  defn.graph = defn.graph || {};
  defn.graph.nodes = defn.graph.nodes || [];
  defn.graph.edges = defn.graph.edges || [];
  var state = {
    selected: null, problems: DATA.problems || [], blocking: DATA.blocking || 0,
    undo: [], redo: [], pendingBefore: null, rendering: false,
    lastSaved: JSON.stringify(defn), saving: false, saveAgain: false,
    saveTimer: null, version: DATA.version, importResult: null
  };
  var dfOf = {}, nidOf = {};   // our node id <-> drawflow id

  // ---- catalog helpers -------------------------------------------------------------------------
  function nodeById(id) { return defn.graph.nodes.find(function (n) { return n.id === id; }) || null; }
  function spec(node) { return CATALOG[node && node.type] || null; }
  function displayName(node) { return (node && node.name) || (spec(node) ? spec(node).name : (node && node.type) || "?"); }
  function isValidator(node) { return !!spec(node) && spec(node).category === "validation"; }
  function portIndex(ports, name) { for (var i = 0; i < ports.length; i++) if (ports[i].name === name) return i + 1; return 0; }

  function newNodeId(type) {
    var base = type.replace(/^(operator|validator|source|sink)_/, "").replace(/_/g, "-");
    var n = 1;
    while (nodeById(base + "-" + n)) n++;
    return base + "-" + n;
  }
  function newEdgeId() {
    var used = {}, n = defn.graph.edges.length + 1;
    defn.graph.edges.forEach(function (e) { used[e.id] = true; });
    while (used["e" + n]) n++;
    return "e" + n;
  }

  // ---- node cards ------------------------------------------------------------------------------
  var LOCALE_SHORT = function (loc) { return String(loc).toUpperCase(); };
  function summary(node) {
    var c = node.config || {}, s = spec(node);
    if (!s) return "Unknown type";
    switch (node.type) {
      case "source_script": {
        var lines = (c.text || "").split(/\r?\n/).filter(function (l) { return l.trim(); }).length;
        var lang = c.source_language === null ? "language detected" : LOCALE_SHORT(c.source_language || "en-us");
        if (!lines && c.upload_id) return "Uploaded file · " + lang;
        return lines + " line" + (lines === 1 ? "" : "s") + " · " + lang;
      }
      case GENERATOR: {
        var vm = c.voice_map || {}, keys = Object.keys(vm).filter(function (k) { return vm[k] && vm[k].length; });
        if (!keys.length) return "No voice yet";
        return keys.map(function (k) { return LOCALE_SHORT(k) + ": " + (vm[k][0].voice_name || vm[k][0].voice_id); }).join(" · ");
      }
      case "operator_translator":
        return (c.target_languages || []).length ? "→ " + c.target_languages.map(LOCALE_SHORT).join(", ") : "No languages yet";
      case "sink_preview": return String(c.format || "wav").toUpperCase() + " files";
      default:
        if (s.category === "validation") {
          var t = c.threshold != null ? c.threshold : s.defaults.threshold;
          var r = c.max_retries != null ? c.max_retries : s.defaults.max_retries;
          return "Pass at " + t + " · " + r + " retr" + (r === 1 ? "y" : "ies");
        }
        var flags = Object.keys(s.defaults).filter(function (k) { return typeof s.defaults[k] === "boolean"; });
        if (flags.length) {
          var on = flags.filter(function (k) { return (k in c ? c[k] : s.defaults[k]) === true; }).length;
          return on + " of " + flags.length + " rules on";
        }
        return s.description;
    }
  }
  function cardHtml(node) {
    var s = spec(node);
    return '<div class="node-card">' +
      '<div class="node-head"><span class="node-title">' + esc(displayName(node)) + '</span>' +
      '<span class="node-flag" aria-hidden="true"></span></div>' +
      '<div class="node-sub">' + esc(s ? s.name : node.type) + '</div>' +
      '<div class="node-summary">' + esc(summary(node)) + "</div></div>";
  }

  // ---- drawflow --------------------------------------------------------------------------------
  var container = document.getElementById("drawflow");
  var df = new window.Drawflow(container);
  df.reroute = false;
  df.editor_mode = CAN_EDIT ? "edit" : "view";
  df.zoom_min = 0.3;
  df.start();
  var precanvas = container.querySelector(".drawflow");

  function toDrawflow() {
    dfOf = {}; nidOf = {};
    var data = {};
    defn.graph.nodes.forEach(function (node, i) {
      var id = String(i + 1);
      dfOf[node.id] = id; nidOf[id] = node.id;
      var s = spec(node) || { inputs: [], outputs: [], category: "unknown" };
      var inputs = {}, outputs = {};
      s.inputs.forEach(function (p, k) { inputs["input_" + (k + 1)] = { connections: [] }; });
      s.outputs.forEach(function (p, k) { outputs["output_" + (k + 1)] = { connections: [] }; });
      var pos = node.position || { x: 0, y: 0 };
      data[id] = { id: +id, name: node.type, data: { nid: node.id }, class: "cat-" + s.category + " type-" + node.type,
                   html: cardHtml(node), typenode: false, inputs: inputs, outputs: outputs,
                   pos_x: Number(pos.x) || 0, pos_y: Number(pos.y) || 0 };
    });
    defn.graph.edges.forEach(function (e) {
      var a = data[dfOf[e.source]], b = data[dfOf[e.target]];
      if (!a || !b) return;
      var oi = portIndex(spec(nodeById(e.source)).outputs, e.sourcePort);
      var ii = portIndex(spec(nodeById(e.target)).inputs, e.targetPort);
      if (!oi || !ii) return;
      var out = a.outputs["output_" + oi], inp = b.inputs["input_" + ii];
      if (out.connections.some(function (c) { return c.node === String(b.id) && c.output === "input_" + ii; })) return;
      out.connections.push({ node: String(b.id), output: "input_" + ii });
      inp.connections.push({ node: String(a.id), input: "output_" + oi });
    });
    return { drawflow: { Home: { data: data } } };
  }

  function render() {
    state.rendering = true;
    try {
      df.import(toDrawflow(), false);
    } finally {
      state.rendering = false;
    }
    df.node_selected = null; df.connection_selected = null;
    defn.graph.nodes.forEach(decorateNode);
    if (state.selected && !nodeById(state.selected)) closePanel();
    markSelected();
    showProblems();
  }

  function nodeEl(nid) { return dfOf[nid] ? document.getElementById("node-" + dfOf[nid]) : null; }

  function decorateNode(node) {
    var el = nodeEl(node.id), s = spec(node);
    if (!el || !s) return;
    el.setAttribute("data-node-id", node.id);
    el.setAttribute("data-node-type", node.type);
    $$(".outputs .output", el).forEach(function (port, k) {
      var p = s.outputs[k]; if (!p) return;
      port.setAttribute("data-port", p.name); port.setAttribute("data-kind", p.kind);
      port.title = p.name + " (" + p.kind + ")";
    });
    $$(".inputs .input", el).forEach(function (port, k) {
      var p = s.inputs[k]; if (!p) return;
      port.setAttribute("data-port", p.name); port.setAttribute("data-kind", p.kind);
      port.title = p.name + " (takes " + (p.kind === "any" ? "text or audio" : p.kind) + ")";
    });
  }

  function refreshCard(node) {
    var el = nodeEl(node.id);
    if (!el) return;
    var content = el.querySelector(".drawflow_content_node");
    if (content) content.innerHTML = cardHtml(node);
    if (df.drawflow.drawflow.Home.data[dfOf[node.id]]) df.drawflow.drawflow.Home.data[dfOf[node.id]].html = cardHtml(node);
    showProblems();
  }

  // ---- changes, undo, redo ---------------------------------------------------------------------
  function begin() {
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
    defn = JSON.parse(json);
    render();
    if (state.selected) openPanel(state.selected);
    changed();
  }
  function undo() {
    if (!CAN_EDIT || !state.undo.length) return;
    state.redo.push(JSON.stringify(defn));
    restore(state.undo.pop());
  }
  function redo() {
    if (!CAN_EDIT || !state.redo.length) return;
    state.undo.push(JSON.stringify(defn));
    restore(state.redo.pop());
  }
  function updateUndoButtons() {
    var u = $("#undo"), r = $("#redo");
    if (u) u.disabled = !state.undo.length;
    if (r) r.disabled = !state.redo.length;
  }

  // ---- canvas events ---------------------------------------------------------------------------
  df.on("nodeMoved", function (id) {
    var node = nodeById(nidOf[id]), d = df.drawflow.drawflow.Home.data[id];
    if (!node || !d) return;
    begin();
    node.position = { x: Math.round(d.pos_x), y: Math.round(d.pos_y) };
  });

  function portName(node, cls, dir) {
    var s = spec(node), k = parseInt(String(cls).split("_")[1], 10) - 1;
    var ports = dir === "out" ? s.outputs : s.inputs;
    return ports[k] ? ports[k].name : null;
  }

  function connectionProblem(src, sport, dst, dport) {
    if (src.id === dst.id) return "A node cannot feed itself.";
    var out = spec(src).outputs.find(function (p) { return p.name === sport; });
    var inp = spec(dst).inputs.find(function (p) { return p.name === dport; });
    if (!out || !inp) return "These ports cannot be connected.";
    if (inp.kind !== "any" && inp.kind !== out.kind) {
      if (isValidator(dst)) return displayName(dst) + " checks audio, but " + displayName(src) + " sends text: put a Voice Generator before it.";
      return displayName(src) + " sends " + out.kind + " but " + displayName(dst) + " takes " + inp.kind + ".";
    }
    var retry = isValidator(src) && sport === "fail" && dst.type === GENERATOR;
    if (!retry && reaches(dst.id, src.id)) return "That would make a loop: only a validator's fail output may lead back to a generator.";
    return null;
  }
  function reaches(from, to) {
    var adj = {};
    defn.graph.edges.forEach(function (e) {
      var s = nodeById(e.source), t = nodeById(e.target);
      if (s && t && isValidator(s) && e.sourcePort === "fail" && t.type === GENERATOR) return;
      (adj[e.source] = adj[e.source] || []).push(e.target);
    });
    var seen = {}, stack = [from];
    while (stack.length) {
      var n = stack.pop();
      if (n === to) return true;
      if (seen[n]) continue;
      seen[n] = true;
      (adj[n] || []).forEach(function (m) { stack.push(m); });
    }
    return false;
  }

  df.on("connectionCreated", function (c) {
    if (state.rendering) return;
    var src = nodeById(nidOf[c.output_id]), dst = nodeById(nidOf[c.input_id]);
    if (!src || !dst) return;
    var sport = portName(src, c.output_class, "out"), dport = portName(dst, c.input_class, "in");
    var problem = connectionProblem(src, sport, dst, dport);
    if (problem) {
      state.rendering = true;
      try { df.removeSingleConnection(c.output_id, c.input_id, c.output_class, c.input_class); }
      finally { state.rendering = false; }
      toast("Not connected: " + problem);
      return;
    }
    begin();
    defn.graph.edges.push({ id: newEdgeId(), source: src.id, sourcePort: sport, target: dst.id, targetPort: dport });
    if (dst.type === GENERATOR && state.selected === dst.id) setTimeout(function () { openPanel(dst.id); }, 0);
  });

  df.on("connectionRemoved", function (c) {
    if (state.rendering) return;
    var src = nodeById(nidOf[c.output_id]), dst = nodeById(nidOf[c.input_id]);
    if (!src || !dst) return;
    var sport = portName(src, c.output_class, "out"), dport = portName(dst, c.input_class, "in");
    begin();
    defn.graph.edges = defn.graph.edges.filter(function (e) {
      return !(e.source === src.id && e.target === dst.id && e.sourcePort === sport && e.targetPort === dport);
    });
  });

  df.on("nodeRemoved", function (id) {
    if (state.rendering) return;
    var nid = nidOf[id];
    if (!nid) return;
    begin();
    defn.graph.nodes = defn.graph.nodes.filter(function (n) { return n.id !== nid; });
    defn.graph.edges = defn.graph.edges.filter(function (e) { return e.source !== nid && e.target !== nid; });
    delete dfOf[nid]; delete nidOf[id];
    if (state.selected === nid) closePanel();
  });

  df.on("nodeSelected", function (id) { if (!state.rendering) select(nidOf[id]); });
  df.on("nodeUnselected", function () { if (!state.rendering) { state.selected = null; closePanel(); } });

  // viewers (drawflow's view mode selects nothing) and clicks on a node's card
  container.addEventListener("click", function (e) {
    if (CAN_EDIT) return;
    var el = e.target.closest(".drawflow-node");
    if (el && el.getAttribute("data-node-id")) select(el.getAttribute("data-node-id"));
  });

  // ---- adding nodes ----------------------------------------------------------------------------
  function canvasPoint(clientX, clientY) {
    var r = precanvas.getBoundingClientRect();
    return { x: Math.round((clientX - r.x) / df.zoom), y: Math.round((clientY - r.y) / df.zoom) };
  }
  function addNode(type, x, y, base) {
    var s = CATALOG[type];
    if (!s || !CAN_EDIT) return null;
    begin();
    var node = base ? clone(base) : { id: null, type: type, position: null, config: clone(s.defaults), config_version: s.version };
    node.id = newNodeId(type);
    node.position = { x: Math.max(0, Math.round(x)), y: Math.max(0, Math.round(y)) };
    var ordered = { id: node.id, type: node.type };
    if (node.name) ordered.name = node.name;
    ordered.position = node.position;
    ordered.config = node.config || {};
    ordered.config_version = node.config_version || s.version;
    defn.graph.nodes.push(ordered);
    render();
    select(ordered.id);
    return ordered;
  }
  function freeSpot() {
    var r = container.getBoundingClientRect();
    var p = canvasPoint(r.x + r.width / 2 - NODE_W / 2, r.y + r.height / 3);
    var taken = function (x, y) {
      return defn.graph.nodes.some(function (n) { return Math.abs(n.position.x - x) < 60 && Math.abs(n.position.y - y) < 60; });
    };
    var k = 0;
    while (taken(p.x + k * 30, p.y + k * 30) && k < 50) k++;
    return { x: p.x + k * 30, y: p.y + k * 30 };
  }

  $$(".palette-item").forEach(function (item) {
    item.addEventListener("dragstart", function (e) {
      e.dataTransfer.setData("application/x-onepin-node", item.getAttribute("data-node-type"));
      e.dataTransfer.effectAllowed = "copy";
    });
    item.addEventListener("click", function () {
      var p = freeSpot();
      addNode(item.getAttribute("data-node-type"), p.x, p.y);
    });
  });
  container.addEventListener("dragover", function (e) { if (CAN_EDIT) { e.preventDefault(); e.dataTransfer.dropEffect = "copy"; } });
  container.addEventListener("drop", function (e) {
    var type = e.dataTransfer.getData("application/x-onepin-node");
    if (!type) return;
    e.preventDefault();
    var p = canvasPoint(e.clientX, e.clientY);
    addNode(type, p.x - 20, p.y - 20);
  });

  // ---- selection and the settings panel --------------------------------------------------------
  function select(nid) {
    if (!nid || !nodeById(nid)) return;
    state.selected = nid;
    markSelected();
    openPanel(nid);
  }
  function markSelected() {
    $$(".drawflow-node.is-selected", container).forEach(function (el) { el.classList.remove("is-selected"); });
    var el = state.selected && nodeEl(state.selected);
    if (el) {
      el.classList.add("is-selected");
      if (CAN_EDIT && !df.node_selected) { df.node_selected = el; el.classList.add("selected"); }
    }
  }
  // Server-rendered partials. A newer request for the same target wins: a slow answer for a node
  // that is no longer selected never replaces the panel of the one that is.
  var latest = {};
  function request(verb, url, target, values) {
    var seq = (latest[target] = (latest[target] || 0) + 1);
    var body = new URLSearchParams(values || {});
    var opts = { method: verb, credentials: "same-origin", headers: { "X-CSRFToken": CSRF, "HX-Request": "true" } };
    if (verb === "GET") url += (url.indexOf("?") < 0 ? "?" : "&") + body.toString();
    else opts.body = body;
    return fetch(url, opts).then(function (r) { return r.text(); }).then(function (html) {
      var el = document.querySelector(target);
      if (seq !== latest[target] || !el) return false;
      el.innerHTML = html;
      window.htmx.process(el);
      return true;
    });
  }
  function openPanel(nid) {
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
  function closePanel() {
    state.selected = null;
    latest["#node-panel-body"] = (latest["#node-panel-body"] || 0) + 1;
    var body = $("#node-panel-body");
    if (body) body.innerHTML = '<p class="muted small" id="panel-empty">Select a node to see its settings.</p>';
    markSelected();
  }

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

  document.body.addEventListener("onepin:voice", function (e) {
    var d = e.detail || {}, node = nodeById(d.node_id);
    if (!node) return;
    begin();
    node.config = node.config || {};
    var vm = Object.assign({}, node.config.voice_map || {});
    vm[d.locale] = [d.assignment];
    node.config.voice_map = vm;
    refreshCard(node);
    var dlg = $("#voice-dialog");
    if (dlg && dlg.open) dlg.close();
    setTimeout(function () { openPanel(node.id); }, 0);
  });

  document.body.addEventListener("onepin:restored", function (e) {
    var d = e.detail || {};
    begin();
    defn = clone(d.definition);
    state.lastSaved = JSON.stringify(defn);
    state.version = d.version;
    render();
    if (state.selected) openPanel(state.selected);
  });

  // ---- panel actions ---------------------------------------------------------------------------
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

  function removeNode(nid) {
    if (!dfOf[nid]) return;
    df.removeNodeId("node-" + dfOf[nid]);
  }
  function duplicate(node) {
    addNode(node.type, node.position.x + 40, node.position.y + 40, node);
  }
  function pickVoice(node, locale, current) {
    if (!locale) return;
    var values = { locale: locale, node_id: node.id, current: current || "" };
    request("GET", URLS.voices, "#voice-dialog-body", values).then(function () {
      var dlg = $("#voice-dialog");
      if (dlg && !dlg.open) dlg.showModal();
    });
  }
  function playSample(btn) {
    var player = $("#voice-sample-player");
    if (!player) return;
    $$(".voice-item.is-playing").forEach(function (li) { li.classList.remove("is-playing"); });
    var li = btn.closest(".voice-item");
    if (li) li.classList.add("is-playing");
    player.src = btn.getAttribute("data-sample");
    var p = player.play();
    if (p && p.catch) p.catch(function () { /* autoplay refused: the controls still work */ });
  }

  function jsonFetch(url, body, method) {
    return fetch(url, { method: method || "POST", credentials: "same-origin",
                        headers: { "Content-Type": "application/json", "X-CSRFToken": CSRF, "Accept": "application/json" },
                        body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (j) {
          if (!r.ok) { var err = new Error((j.error && j.error.message) || ("HTTP " + r.status)); err.status = r.status; throw err; }
          return j;
        });
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

  // ---- problems --------------------------------------------------------------------------------
  function problemClass(p) { return p.severity === "warning" ? "warning" : "error"; }
  function showProblems() {
    var byNode = {};
    $$(".drawflow-node", container).forEach(function (el) {
      el.classList.remove("has-error", "has-warning");
      var flag = el.querySelector(".node-flag");
      if (flag) { flag.textContent = ""; flag.removeAttribute("title"); }
    });
    $$("svg.connection.has-error", container).forEach(function (el) { el.classList.remove("has-error"); });
    state.problems.forEach(function (p) {
      if (p.node_id) (byNode[p.node_id] = byNode[p.node_id] || []).push(p);
      if (p.edge_id && problemClass(p) === "error") {
        var e = defn.graph.edges.find(function (x) { return x.id === p.edge_id; });
        if (e && dfOf[e.source] && dfOf[e.target]) {
          var svg = container.querySelector("svg.connection.node_in_node-" + dfOf[e.target] + ".node_out_node-" + dfOf[e.source]);
          if (svg) svg.classList.add("has-error");
        }
      }
    });
    Object.keys(byNode).forEach(function (nid) {
      var el = nodeEl(nid);
      if (!el) return;
      var list = byNode[nid], worst = list.some(function (p) { return problemClass(p) === "error"; }) ? "error" : "warning";
      el.classList.add("has-" + worst);
      var flag = el.querySelector(".node-flag");
      if (flag) { flag.textContent = worst === "error" ? "!" : "•"; flag.title = list.map(function (p) { return p.message; }).join("\n"); }
    });
    var ul = $("#problem-list"), count = $("#problem-count");
    if (count) {
      count.textContent = String(state.problems.length);
      count.className = "badge" + (state.problems.some(function (p) { return problemClass(p) === "error"; }) ? " badge-danger"
                                   : state.problems.length ? " badge-warning" : " badge-success");
    }
    if (ul) {
      ul.innerHTML = "";
      if (!state.problems.length) ul.innerHTML = '<li class="muted small problem-none">No problems: ready to run.</li>';
      state.problems.forEach(function (p) {
        var li = document.createElement("li");
        li.className = "problem problem-" + problemClass(p) + (p.blocks_save ? " blocks-save" : "");
        li.setAttribute("data-rule", p.rule || "");
        if (p.node_id) li.setAttribute("data-node-id", p.node_id);
        var where = p.node_id ? displayName(nodeById(p.node_id) || { name: p.node_name || p.node_id }) : "Workflow";
        var text = '<span class="problem-where">' + esc(where) + "</span> " + esc(p.message) +
                   (p.blocks_save ? ' <span class="badge badge-danger">blocks saving</span>' : "");
        if (p.node_id && nodeById(p.node_id)) {
          li.innerHTML = '<button type="button" class="problem-link">' + text + "</button>";
          li.firstChild.addEventListener("click", function () { select(p.node_id); focusNode(p.node_id); });
        } else {
          li.innerHTML = text;
        }
        ul.appendChild(li);
      });
    }
    showFieldProblems();
  }

  function configPath(field) {
    var m = /\.config\.(.+)$/.exec(field || "");
    return m ? m[1].replace(/\[\d+\].*$/, "") : null;
  }
  function showFieldProblems() {
    var form = $("#node-form");
    if (!form) return;
    $$("[data-problem-for]", form).forEach(function (el) { el.hidden = true; el.textContent = ""; });
    $$("[aria-invalid]", form).forEach(function (el) { el.removeAttribute("aria-invalid"); });
    var nid = form.getAttribute("data-node-id");
    state.problems.forEach(function (p) {
      if (p.node_id !== nid) return;
      var path = configPath(p.field), target = null;
      if (path) {
        var parts = path.split("."), tries = [path, parts.slice(0, 2).join("."), parts[0]];
        for (var i = 0; i < tries.length && !target; i++) target = form.querySelector('[data-problem-for="' + tries[i] + '"]');
      }
      target = target || form.querySelector('[data-problem-for=""]');
      if (!target) return;
      target.hidden = false;
      target.textContent = (target.textContent ? target.textContent + " " : "") + p.message;
      target.classList.toggle("is-warning", problemClass(p) === "warning");
      var box = path && form.querySelector('[data-config-key="' + path.split(".")[0] + '"]');
      var control = box && box.querySelector("input:not([type=hidden]), select, textarea");
      if (control && problemClass(p) === "error") control.setAttribute("aria-invalid", "true");
    });
  }

  function focusNode(nid) {
    var node = nodeById(nid);
    if (!node) return;
    var r = container.getBoundingClientRect(), z = df.zoom;
    setView(z, r.width / 2 - (node.position.x + NODE_W / 2) * z, r.height / 2 - (node.position.y + NODE_H / 2) * z);
  }

  // ---- saving ----------------------------------------------------------------------------------
  var SAVE_TEXT = { dirty: "Unsaved changes", saving: "Saving…", error: "Not saved" };
  function setSaveState(kind, text) {
    var el = $("#save-state");
    if (!el) return;
    el.setAttribute("data-state", kind);
    el.textContent = text || SAVE_TEXT[kind] || (state.version ? "Saved · version " + state.version : "Saved");
  }
  function scheduleSave() {
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
  function flushSave() {
    clearTimeout(state.saveTimer);
    return Promise.resolve(state.saving).then(save);
  }

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

  function refreshEstimate() {
    if (!$("#estimate")) return;
    request("POST", URLS.estimate, "#estimate", { definition: JSON.stringify(defn) });
  }
  function refreshVersions() {
    var panel = $("#versions-panel");
    if (panel && !panel.hidden) window.htmx.trigger("#versions-body", "load-versions");
  }

  // ---- toolbar ---------------------------------------------------------------------------------
  function toast(msg) {
    var el = $("#canvas-toast");
    if (!el) return;
    el.textContent = msg;
    el.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { el.hidden = true; }, 5000);
  }
  function setView(z, x, y) {
    df.zoom = z; df.zoom_last_value = z; df.canvas_x = x; df.canvas_y = y;
    precanvas.style.transform = "translate(" + x + "px, " + y + "px) scale(" + z + ")";
    var label = $("#zoom-reset");
    if (label) label.textContent = Math.round(z * 100) + "%";
  }
  function fitView() {
    var nodes = defn.graph.nodes;
    if (!nodes.length) return setView(1, 0, 0);
    var minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    nodes.forEach(function (n) {
      minX = Math.min(minX, n.position.x); minY = Math.min(minY, n.position.y);
      maxX = Math.max(maxX, n.position.x + NODE_W); maxY = Math.max(maxY, n.position.y + NODE_H);
    });
    var r = container.getBoundingClientRect(), pad = 40;
    var z = Math.min(1, (r.width - 2 * pad) / (maxX - minX), (r.height - 2 * pad) / (maxY - minY));
    z = Math.max(0.5, Math.round(z * 100) / 100);      // readable first; pan or zoom out for the rest
    setView(z, pad - minX * z, pad - minY * z);
  }
  function zoomBy(delta) {
    var r = container.getBoundingClientRect(), z0 = df.zoom;
    var z = Math.min(df.zoom_max, Math.max(df.zoom_min, Math.round((z0 + delta) * 10) / 10));
    var cx = r.width / 2, cy = r.height / 2;
    setView(z, cx - (cx - df.canvas_x) * z / z0, cy - (cy - df.canvas_y) * z / z0);
  }
  function arrange() {
    if (!CAN_EDIT) return;
    jsonFetch(URLS.layout, { definition: defn }).then(function (res) {
      begin();
      var pos = {};
      res.definition.graph.nodes.forEach(function (n) { pos[n.id] = n.position; });
      defn.graph.nodes.forEach(function (n) { if (pos[n.id]) n.position = pos[n.id]; });
      render();
      fitView();
    }).catch(function (err) { toast("Could not arrange: " + err.message); });
  }

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

  function bind(id, fn) { var el = document.getElementById(id); if (el) el.addEventListener("click", fn); }
  bind("undo", undo);
  bind("redo", redo);
  bind("arrange", arrange);
  bind("zoom-in", function () { zoomBy(0.1); });
  bind("zoom-out", function () { zoomBy(-0.1); });
  bind("zoom-reset", function () { zoomBy(1 - df.zoom); });
  bind("shortcuts-toggle", function () { $("#shortcuts-dialog").showModal(); });
  bind("history-toggle", function () {
    var panel = $("#versions-panel"), btn = $("#history-toggle");
    panel.hidden = !panel.hidden;
    btn.setAttribute("aria-expanded", String(!panel.hidden));
    if (!panel.hidden) window.htmx.trigger("#versions-body", "load-versions");
  });
  bind("run-button", openRunDialog);
  var exportLink = $("#export");
  if (exportLink && CAN_EDIT) {
    exportLink.addEventListener("click", function (e) {
      if (state.lastSaved === JSON.stringify(defn) && !state.saving) return;
      e.preventDefault();
      flushSave().then(function () { window.location.href = exportLink.href; });
    });
  }

  function openRunDialog() {
    flushSave().then(function () {
      return request("POST", URLS.run_preview, "#run-dialog-body", {});
    }).then(function () {
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

  // ---- import ----------------------------------------------------------------------------------
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
  bind("import-apply", function () {
    var res = state.importResult;
    if (!res || !res.ok) return;
    begin();
    var keep = {};
    Object.keys(defn).forEach(function (k) { if (k !== "graph") keep[k] = defn[k]; });
    defn = Object.assign(keep, clone(res.definition));
    state.selected = null;
    closePanel();
    render();
    fitView();
    $("#import-dialog").close();
  });
  bind("import-cancel", function () { $("#import-dialog").close(); });

  // ---- keyboard --------------------------------------------------------------------------------
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

  window.addEventListener("beforeunload", function (e) {
    if (CAN_EDIT && state.lastSaved !== JSON.stringify(defn)) { e.preventDefault(); e.returnValue = ""; }
  });

  // ---- start -----------------------------------------------------------------------------------
  window.onepinEditor = {
    definition: function () { return clone(defn); },
    problems: function () { return clone(state.problems); },
    saved: function () { return state.lastSaved === JSON.stringify(defn) && !state.saving; },
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
})();
