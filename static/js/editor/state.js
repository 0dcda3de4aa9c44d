// The page's data, the workflow definition and the editor's state, shared by every module.
//
// The definition (graph.nodes / graph.edges, exactly the shape the API stores) is the source of
// truth; drawflow is a view of it (canvas.js). `defn` is replaced as a whole by undo/redo, import and
// restore: other modules read the live binding and replace it only through setDefn().

export let URLS = null, CAN_EDIT = false, CSRF = "";
export const CATALOG = {};
export const GENERATOR = "operator_generator";
export const NODE_W = 200, NODE_H = 100;

export function clone(x) { return JSON.parse(JSON.stringify(x)); }

export let defn = null;
export const state = {};
export function setDefn(d) { defn = d; }

// Reads the page's data (the #editor-data JSON) once, at start.
export function load(DATA) {
  URLS = DATA.urls;
  CAN_EDIT = !!DATA.can_edit;
  CSRF = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  DATA.catalog.forEach(function (t) { CATALOG[t.type] = t; });
  defn = clone(DATA.definition || {});
  defn.graph = defn.graph || {};
  defn.graph.nodes = defn.graph.nodes || [];
  defn.graph.edges = defn.graph.edges || [];
  Object.assign(state, {
    selected: null, problems: DATA.problems || [], blocking: DATA.blocking || 0,
    undo: [], redo: [], pendingBefore: null, rendering: false,
    lastSaved: JSON.stringify(defn), saving: false, saveAgain: false, pendingName: null,
    saveTimer: null, version: DATA.version, importResult: null, saves: 0, writingSince: 0,
    conflict: null, force: false, discarding: false,    // autosave.js, conflict.js
    changeCheckMs: DATA.change_check_ms || 0
  });
}

// ---- catalog helpers -------------------------------------------------------------------------
export function nodeById(id) { return defn.graph.nodes.find(function (n) { return n.id === id; }) || null; }
export function spec(node) { return CATALOG[node && node.type] || null; }
export function displayName(node) { return (node && node.name) || (spec(node) ? spec(node).name : (node && node.type) || "?"); }
export function isValidator(node) { return !!spec(node) && spec(node).category === "validation"; }
export function portIndex(ports, name) { for (var i = 0; i < ports.length; i++) if (ports[i].name === name) return i + 1; return 0; }

export function newNodeId(type) {
  var base = type.replace(/^(operator|validator|source|sink)_/, "").replace(/_/g, "-");
  var n = 1;
  while (nodeById(base + "-" + n)) n++;
  return base + "-" + n;
}
export function newEdgeId() {
  var used = {}, n = defn.graph.edges.length + 1;
  defn.graph.edges.forEach(function (e) { used[e.id] = true; });
  while (used["e" + n]) n++;
  return "e" + n;
}
