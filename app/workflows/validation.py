"""The one validator of workflow definitions (DESIGN §1.4): API 422s, editor red nodes, template
writer, run launcher and POST /workflows/validate all call `validate_definition`.

It never stops at the first problem: every problem comes back with its rule (a stable machine
id), a message, and where it is (node_id/node_name, edge_id, and `field`, a path from the
definition root such as "graph.nodes[1].config.threshold" or "graph.edges[2].targetPort").

The definition is checked as it will be stored: snake_case edge ports are normalized and old
node configs migrated first (field paths still point at the same list indexes).

Save time vs run time:
- Saving (`for_run=False`) rejects malformed structure: shapes, ids, unknown types, edges and
  ports, port kinds, cycles, config types/ranges/enums, voice_map against the catalog. It allows
  incomplete drafts: `{}` and an empty graph are valid, and so is a graph without source or sink.
- Running (`for_run=True`, `validate_for_run`) adds: no_source, no_sink, unreachable_sink,
  missing_voice (a generator without a voice for a locale it will receive: the source language
  plus every upstream translator target), empty_script, and unknown voices become errors.

Wiring decisions:
- Fan-in is allowed: several edges may end on one input port (a generator fed by a normalizer
  and by a validator's fail edge). An exact duplicate connection is a warning.
- A validator `fail` edge back to an upstream generator is a retry loop, not a cycle; a `fail`
  edge to another generator is fine when it closes no cycle. Any other cycle is an error.
- Port kinds (see nodes.py): text ports feed text operators and generators; validators, the
  pronunciation corrector and sinks need audio (a generator upstream).
"""
from __future__ import annotations

import math

from app.workflows.catalog import ProviderCatalog, default_catalog
from app.workflows.config_check import check_config
from app.workflows.config_migrations import migrate_definition
from app.workflows.definition import (dag_edges, graph_lists, normalize_definition,
                                      strongly_connected)
from app.workflows.nodes import ANY, get_spec
from app.workflows.problems import ERROR, WARNING, Problem
from app.workflows.run_gates import check_run_gates

RULES = (
    "invalid_shape", "unknown_node_type", "unsupported_config_version", "duplicate_node_id",
    "duplicate_edge_id", "duplicate_connection", "edge_unknown_source", "edge_unknown_target",
    "unknown_source_port", "unknown_target_port", "wrong_port_direction", "incompatible_ports",
    "validator_without_audio", "cycle", "config_unknown_key", "config_type", "config_out_of_range",
    "config_enum", "config_duplicate", "voice_map_locale", "voice_map_provider", "voice_map_model",
    "voice_map_model_locale", "voice_map_shape", "voice_map_voice", "execution_unknown_step",
    # run-time only
    "no_source", "no_sink", "unreachable_sink", "disconnected_node", "missing_voice", "empty_script",
)
_EDGE_KEYS = ("id", "source", "sourcePort", "target", "targetPort")


class _Checker:
    def __init__(self, catalog: ProviderCatalog, for_run: bool):
        self.catalog, self.for_run = catalog, for_run
        self.problems: list[Problem] = []
        self.nodes: dict[str, tuple[int, dict]] = {}  # id -> (index, node), first occurrence

    def add(self, rule, message, *, severity=ERROR, node=None, edge_id=None, field=None):
        node_id = node_name = None
        if isinstance(node, dict):
            node_id = node.get("id") if isinstance(node.get("id"), str) else None
            node_name = node.get("name") if isinstance(node.get("name"), str) else None
        self.problems.append(Problem(rule, message, severity, node_id, node_name, edge_id, field))

    def node_reporter(self, node):
        def report(rule, message, *, field=None, severity=ERROR):
            self.add(rule, message, severity=severity, node=node, field=field)
        return report

    # -- nodes ---------------------------------------------------------------------------
    def check_nodes(self, nodes: list) -> None:
        for i, node in enumerate(nodes):
            base = f"graph.nodes[{i}]"
            if not isinstance(node, dict):
                self.add("invalid_shape", "a node must be an object.", field=base)
                continue
            nid = node.get("id")
            if not isinstance(nid, str) or not nid.strip():
                self.add("invalid_shape", "a node needs an id (a non-empty string).",
                         field=f"{base}.id", node=node)
            elif nid in self.nodes:
                self.add("duplicate_node_id", f"node id {nid!r} is used twice.", node=node,
                         field=f"{base}.id")
            else:
                self.nodes[nid] = (i, node)
            self._check_node_fields(node, base)

    def _check_node_fields(self, node: dict, base: str) -> None:
        ntype = node.get("type")
        spec = get_spec(ntype)
        if not isinstance(ntype, str) or not ntype:
            self.add("invalid_shape", "a node needs a type.", node=node, field=f"{base}.type")
        elif spec is None:
            self.add("unknown_node_type", f"unknown node type {ntype!r}.", node=node,
                     field=f"{base}.type")
        pos = node.get("position")
        if not isinstance(pos, dict):
            self.add("invalid_shape", "a node needs a position {x, y}.", node=node,
                     field=f"{base}.position")
        else:
            for axis in ("x", "y"):
                v = pos.get(axis)
                if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                    self.add("invalid_shape", f"position.{axis} must be a number.", node=node,
                             field=f"{base}.position.{axis}")
        if node.get("name") is not None and not isinstance(node["name"], str):
            self.add("invalid_shape", "name must be a string.", node=node, field=f"{base}.name")
        version = node.get("config_version")
        if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
            self.add("invalid_shape", "config_version must be an integer.", node=node,
                     field=f"{base}.config_version")
        elif spec is not None and version is not None and not 1 <= version <= spec.version:
            self.add("unsupported_config_version", f"config_version {version} is not known for "
                     f"{ntype} (current is {spec.version}).", node=node,
                     field=f"{base}.config_version")
            return
        if spec is not None:
            check_config(spec, node.get("config"), base, self.node_reporter(node), self.catalog,
                         for_run=self.for_run)

    # -- edges ---------------------------------------------------------------------------
    def check_edges(self, edges: list) -> list[tuple[int, dict]]:
        """Check every edge; returns the (index, edge) pairs that connect known ports."""
        seen_ids: set = set()
        seen_links: set = set()
        good: list[tuple[int, dict]] = []
        for i, edge in enumerate(edges):
            base = f"graph.edges[{i}]"
            if not isinstance(edge, dict):
                self.add("invalid_shape", "an edge must be an object.", field=base)
                continue
            eid = edge.get("id") if isinstance(edge.get("id"), str) and edge.get("id") else None
            missing = [k for k in _EDGE_KEYS
                       if not isinstance(edge.get(k), str) or not edge.get(k).strip()]
            for key in missing:
                self.add("invalid_shape", f"an edge needs {key} (a non-empty string).",
                         edge_id=eid, field=f"{base}.{key}")
            if eid is not None and eid in seen_ids:
                self.add("duplicate_edge_id", f"edge id {eid!r} is used twice.", edge_id=eid,
                         field=f"{base}.id")
            elif eid is not None:
                seen_ids.add(eid)
            if any(k in missing for k in _EDGE_KEYS[1:]):
                continue
            if self._check_edge_ends(edge, eid, base):
                link = tuple(edge[k] for k in _EDGE_KEYS[1:])
                if link in seen_links:
                    self.add("duplicate_connection", "the same connection is drawn twice.",
                             severity=WARNING, edge_id=eid, field=base)
                seen_links.add(link)
                good.append((i, edge))
        return good

    def _check_edge_ends(self, edge: dict, eid, base: str) -> bool:
        src = self.nodes.get(edge["source"])
        dst = self.nodes.get(edge["target"])
        if src is None:
            self.add("edge_unknown_source", f"edge starts at unknown node {edge['source']!r}.",
                     edge_id=eid, field=f"{base}.source")
        if dst is None:
            self.add("edge_unknown_target", f"edge ends at unknown node {edge['target']!r}.",
                     edge_id=eid, field=f"{base}.target")
        if src is None or dst is None:
            return False
        s_spec, d_spec = get_spec(src[1].get("type")), get_spec(dst[1].get("type"))
        if s_spec is None or d_spec is None:
            return True  # unknown type already reported; its ports cannot be judged
        ok = True
        out_port = s_spec.output_port(edge["sourcePort"])
        if out_port is None:
            ok = False
            if s_spec.input_port(edge["sourcePort"]) is not None:
                self.add("wrong_port_direction", f"{edge['sourcePort']!r} is an input of "
                         f"{s_spec.display_name}; an edge must start at an output.", node=src[1],
                         edge_id=eid, field=f"{base}.sourcePort")
            else:
                self.add("unknown_source_port", f"{s_spec.display_name} has no output "
                         f"{edge['sourcePort']!r} (outputs: "
                         f"{', '.join(p.name for p in s_spec.outputs) or 'none'}).",
                         node=src[1], edge_id=eid, field=f"{base}.sourcePort")
        in_port = d_spec.input_port(edge["targetPort"])
        if in_port is None:
            ok = False
            if d_spec.output_port(edge["targetPort"]) is not None:
                self.add("wrong_port_direction", f"{edge['targetPort']!r} is an output of "
                         f"{d_spec.display_name}; an edge must end at an input.", node=dst[1],
                         edge_id=eid, field=f"{base}.targetPort")
            else:
                self.add("unknown_target_port", f"{d_spec.display_name} has no input "
                         f"{edge['targetPort']!r} (inputs: "
                         f"{', '.join(p.name for p in d_spec.inputs) or 'none'}).",
                         node=dst[1], edge_id=eid, field=f"{base}.targetPort")
        if ok and in_port.kind != ANY and in_port.kind != out_port.kind:
            if d_spec.category == "validation":
                self.add("validator_without_audio", f"{d_spec.display_name} checks audio, but "
                         f"{s_spec.display_name} sends text: put a Voice Generator before it.",
                         node=dst[1], edge_id=eid, field=base)
            else:
                self.add("incompatible_ports", f"{s_spec.display_name} sends {out_port.kind} "
                         f"but {d_spec.display_name} takes {in_port.kind}.", node=dst[1],
                         edge_id=eid, field=base)
            ok = False
        return ok

    # -- graph ---------------------------------------------------------------------------
    def types(self) -> dict:
        return {nid: n.get("type") for nid, (_, n) in self.nodes.items()}

    def check_cycles(self, edges: list[tuple[int, dict]]) -> None:
        order = list(self.nodes)
        kept = dag_edges(edges, self.types())
        for comp in strongly_connected(order, kept):
            members = set(comp)
            idx, edge = next((i, e) for i, e in kept
                             if e["source"] in members and e["target"] in members)
            self.add("cycle", "these nodes form a loop: " + " → ".join(comp) + ". Only a "
                     "validator's fail edge may lead back to an upstream generator.",
                     node=self.nodes[comp[0]][1], edge_id=edge.get("id"),
                     field=f"graph.edges[{idx}]")

    def check_execution(self, execution: object) -> None:
        if execution is None:
            return
        if not isinstance(execution, dict):
            self.add("invalid_shape", "execution must be an object.", field="execution")
            return
        steps = execution.get("steps")
        if steps is not None and not isinstance(steps, list):
            self.add("invalid_shape", "execution.steps must be a list of node ids.",
                     field="execution.steps")
        for i, step in enumerate(steps or []):
            if not isinstance(step, str):
                self.add("invalid_shape", "a step must be a node id.", field=f"execution.steps[{i}]")
            elif step not in self.nodes:
                self.add("execution_unknown_step", f"step {step!r} is not a node.",
                         severity=WARNING, field=f"execution.steps[{i}]")
        if execution.get("params") is not None and not isinstance(execution["params"], dict):
            self.add("invalid_shape", "execution.params must be an object.",
                     field="execution.params")


def _check_top(defn: object, c: _Checker) -> tuple[list, list] | None:
    if defn is None:
        return [], []
    if not isinstance(defn, dict):
        c.add("invalid_shape", "the definition must be an object.", field="")
        return None
    graph = defn.get("graph")
    if graph is None:
        return [], []
    if not isinstance(graph, dict):
        c.add("invalid_shape", "graph must be an object with nodes and edges.", field="graph")
        return None
    nodes, edges = graph.get("nodes"), graph.get("edges")
    if nodes is not None and not isinstance(nodes, list):
        c.add("invalid_shape", "graph.nodes must be a list.", field="graph.nodes")
    if edges is not None and not isinstance(edges, list):
        c.add("invalid_shape", "graph.edges must be a list.", field="graph.edges")
    return (nodes if isinstance(nodes, list) else [], edges if isinstance(edges, list) else [])


def validate_definition(defn: object, catalog: ProviderCatalog | None = None, *,
                        for_run: bool = False, script_override: bool = False,
                        source_language: str | None = None) -> list[Problem]:
    """Every problem of the definition, errors and warnings (see the module docstring).

    `script_override` / `source_language` are the run-scoped overrides (for_run only).
    """
    c = _Checker(catalog or default_catalog(), for_run)
    defn = migrate_definition(normalize_definition(defn))
    parts = _check_top(defn, c)
    if parts is None:
        return c.problems
    nodes, edges = parts
    c.check_nodes(nodes)
    good = c.check_edges(edges)
    c.check_cycles(good)
    c.check_execution(defn.get("execution") if isinstance(defn, dict) else None)
    if for_run:
        check_run_gates(c, good, script_override=script_override,
                        source_language=source_language)
    return c.problems


def validate_for_run(defn: object, catalog: ProviderCatalog | None = None, **overrides
                     ) -> list[Problem]:
    """`validate_definition` with the run-start gates (what the launcher and /validate use)."""
    return validate_definition(defn, catalog, for_run=True, **overrides)


def split(problems: list[Problem]) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings)."""
    return ([p for p in problems if p.severity == ERROR],
            [p for p in problems if p.severity != ERROR])


def validation_report(defn: object, catalog: ProviderCatalog | None = None, *,
                      for_run: bool = True, blocked: list[dict] | None = None,
                      **overrides) -> dict:
    """WorkflowValidateOut: {valid, summary, errors, warnings, blocked}."""
    problems = validate_definition(defn, catalog, for_run=for_run, **overrides)
    errors, warnings = split(problems)
    node_list, edge_list = graph_lists(defn)
    blocked = list(blocked or [])
    return {
        "valid": not errors and not blocked,
        "summary": {
            "node_count": len(node_list),
            "edge_count": len(edge_list),
            "error_count": len(errors),
            "warning_count": len(warnings),
        },
        "errors": [p.to_dict() for p in errors],
        "warnings": [p.to_dict() for p in warnings],
        "blocked": blocked,
    }
