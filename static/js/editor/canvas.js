// drawflow, a view of the definition: the instance, drawing the definition into it (one drawflow
// node per definition node, ports by the catalog), the node cards, the view (zoom, pan, fit) and
// the canvas's toast. Gestures on the canvas are read back into the definition by graph.js.
import { CAN_EDIT, NODE_W, NODE_H, defn, state, spec, nodeById, portIndex } from "./state.js";
import { $, $$, bind } from "./dom.js";
import { cardHtml } from "./cards.js";
import { closePanel, markSelected } from "./panels.js";
import { showProblems } from "./problems.js";

export let container = null, df = null, precanvas = null;
export let dfOf = {}, nidOf = {};   // our node id <-> drawflow id

export function startCanvas() {
  container = document.getElementById("drawflow");
  df = new window.Drawflow(container);
  df.reroute = false;
  df.editor_mode = CAN_EDIT ? "edit" : "view";
  df.zoom_min = 0.3;
  df.start();
  precanvas = container.querySelector(".drawflow");
}

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

export function render() {
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

export function nodeEl(nid) { return dfOf[nid] ? document.getElementById("node-" + dfOf[nid]) : null; }

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

export function refreshCard(node) {
  var el = nodeEl(node.id);
  if (!el) return;
  var content = el.querySelector(".drawflow_content_node");
  if (content) content.innerHTML = cardHtml(node);
  if (df.drawflow.drawflow.Home.data[dfOf[node.id]]) df.drawflow.drawflow.Home.data[dfOf[node.id]].html = cardHtml(node);
  showProblems();
}

export function focusNode(nid) {
  var node = nodeById(nid);
  if (!node) return;
  var r = container.getBoundingClientRect(), z = df.zoom;
  setView(z, r.width / 2 - (node.position.x + NODE_W / 2) * z, r.height / 2 - (node.position.y + NODE_H / 2) * z);
}

export function toast(msg) {
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
export function fitView() {
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
export function zoomBy(delta) {
  var r = container.getBoundingClientRect(), z0 = df.zoom;
  var z = Math.min(df.zoom_max, Math.max(df.zoom_min, Math.round((z0 + delta) * 10) / 10));
  var cx = r.width / 2, cy = r.height / 2;
  setView(z, cx - (cx - df.canvas_x) * z / z0, cy - (cy - df.canvas_y) * z / z0);
}

export function bindZoomButtons() {
  bind("zoom-in", function () { zoomBy(0.1); });
  bind("zoom-out", function () { zoomBy(-0.1); });
  bind("zoom-reset", function () { zoomBy(1 - df.zoom); });
}
