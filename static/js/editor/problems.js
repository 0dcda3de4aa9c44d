// The validator's problems, drawn on the nodes (has-error / has-warning), on the connections (edge
// problems), on the fields of the open settings panel (by the problem's field path) and listed; a
// click on a listed problem selects its node.
import { defn, state, nodeById, displayName } from "./state.js";
import { $, $$, esc } from "./dom.js";
import { container, dfOf, nodeEl, focusNode } from "./canvas.js";
import { select } from "./panels.js";

export function problemClass(p) { return p.severity === "warning" ? "warning" : "error"; }
export function showProblems() {
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
export function showFieldProblems() {
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
