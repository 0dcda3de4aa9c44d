// Graph edits: what is done on the canvas (move, connect, disconnect, delete, select) read back into
// the definition, the connection rules checked on the spot, and the edits that change the definition
// and redraw (add from the palette, paste, duplicate, arrange).
import { URLS, CAN_EDIT, CATALOG, GENERATOR, NODE_W, defn, state, clone, nodeById, spec, displayName, isValidator,
         newNodeId, newEdgeId } from "./state.js";
import { $$, bind } from "./dom.js";
import { container, df, precanvas, dfOf, nidOf, render, fitView, toast } from "./canvas.js";
import { begin } from "./history.js";
import { select, openPanel, closePanel } from "./panels.js";
import { jsonFetch } from "./server.js";

// ---- canvas events ---------------------------------------------------------------------------
export function listenToCanvas() {
  df.on("nodeMoved", function (id) {
    var node = nodeById(nidOf[id]), d = df.drawflow.drawflow.Home.data[id];
    if (!node || !d) return;
    begin();
    node.position = { x: Math.round(d.pos_x), y: Math.round(d.pos_y) };
  });

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
}

// ---- connection rules (the server checks them again on save) ----------------------------------
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

// ---- adding nodes ----------------------------------------------------------------------------
function canvasPoint(clientX, clientY) {
  var r = precanvas.getBoundingClientRect();
  return { x: Math.round((clientX - r.x) / df.zoom), y: Math.round((clientY - r.y) / df.zoom) };
}
export function addNode(type, x, y, base) {
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
export function freeSpot() {
  var r = container.getBoundingClientRect();
  var p = canvasPoint(r.x + r.width / 2 - NODE_W / 2, r.y + r.height / 3);
  var taken = function (x, y) {
    return defn.graph.nodes.some(function (n) { return Math.abs(n.position.x - x) < 60 && Math.abs(n.position.y - y) < 60; });
  };
  var k = 0;
  while (taken(p.x + k * 30, p.y + k * 30) && k < 50) k++;
  return { x: p.x + k * 30, y: p.y + k * 30 };
}

export function listenToPalette() {
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
}

export function removeNode(nid) {
  if (!dfOf[nid]) return;
  df.removeNodeId("node-" + dfOf[nid]);
}
export function duplicate(node) {
  addNode(node.type, node.position.x + 40, node.position.y + 40, node);
}
export function arrange() {
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
export function bindArrangeButton() {
  bind("arrange", arrange);
}
