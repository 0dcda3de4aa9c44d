"""A read-only drawing of a run's pinned graph: node boxes where the editor put them (or laid out
left to right by app/workflows/layout.py when the definition has no positions), edges as curves
from port to port, and each node's state and counts. The template turns this into inline SVG."""
from __future__ import annotations

from app.workflows.definition import graph_lists
from app.workflows.layout import auto_layout
from app.workflows.nodes import get_spec

NODE_W, NODE_H, PAD = 184.0, 72.0, 24.0
CATEGORY = {"source": "source", "operator": "operator", "validation": "validation", "output": "output"}


def _port_y(spec, port: str | None, outgoing: bool) -> float:
    ports = [p.name for p in ((spec.outputs if outgoing else spec.inputs) if spec else ())]
    if not ports or port not in ports:
        return NODE_H / 2
    step = NODE_H / (len(ports) + 1)
    return step * (ports.index(port) + 1)


def _counts_text(c: dict) -> str:
    t = c["totals"]
    if not t["total"]:
        return "no takes yet"
    if c["validator"]:
        text = f"{t['pass']} pass · {t['fail']} fail"
        return text + (f" · {t['dropped']} dropped" if t["dropped"] else "")
    if c["sink"]:
        return f"{t['done']} delivered"
    text = f"{t['done']}/{t['total']} done"
    return text + (f" · {t['failed']} failed" if t["failed"] else "")


def drawing(definition: dict, counts: list[dict]) -> dict:
    """{"width", "height", "view_box", "nodes": [...], "edges": [...]} for the SVG template."""
    laid = auto_layout(definition)
    nodes_raw, edges_raw = graph_lists(laid)
    by_id = {c["id"]: c for c in counts}
    nodes = {}
    for n in nodes_raw:
        if not isinstance(n, dict) or not isinstance(n.get("id"), str) or n["id"] not in by_id:
            continue
        pos = n.get("position") or {}
        c = by_id[n["id"]]
        spec = get_spec(n.get("type"))
        nodes[n["id"]] = {**c, "x": float(pos.get("x", 0)), "y": float(pos.get("y", 0)), "spec": spec,
                          "category": CATEGORY.get(spec.category if spec else "", "operator"),
                          "summary": _counts_text(c),
                          "in_ports": [_port_y(spec, p.name, False) for p in (spec.inputs if spec else ())],
                          "out_ports": [{"name": p.name, "y": _port_y(spec, p.name, True)}
                                        for p in (spec.outputs if spec else ())]}
    if not nodes:
        return {"width": 0, "height": 0, "view_box": "0 0 0 0", "nodes": [], "edges": []}
    min_x = min(n["x"] for n in nodes.values()) - PAD
    min_y = min(n["y"] for n in nodes.values()) - PAD
    max_x = max(n["x"] for n in nodes.values()) + NODE_W + PAD
    max_y = max(n["y"] for n in nodes.values()) + NODE_H + PAD
    edges = []
    for e in edges_raw:
        if not isinstance(e, dict) or e.get("source") not in nodes or e.get("target") not in nodes:
            continue
        a, b = nodes[e["source"]], nodes[e["target"]]
        port = e.get("sourcePort") or "lines"
        x1, y1 = a["x"] + NODE_W, a["y"] + _port_y(a["spec"], port, True)
        x2, y2 = b["x"], b["y"] + _port_y(b["spec"], e.get("targetPort") or "lines", False)
        bend = max(60.0, abs(x2 - x1) / 2)
        if x2 <= x1:        # a loop back (a validator's fail edge to its generator): go round below
            low = max(a["y"], b["y"]) + NODE_H + 36
            max_y = max(max_y, low + PAD)
            path = f"M{x1:.0f},{y1:.0f} C{x1 + 80:.0f},{low:.0f} {x2 - 80:.0f},{low:.0f} {x2:.0f},{y2:.0f}"
        else:
            path = f"M{x1:.0f},{y1:.0f} C{x1 + bend:.0f},{y1:.0f} {x2 - bend:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
        edges.append({"path": path, "port": port, "source": e["source"], "target": e["target"]})
    for n in nodes.values():
        n.pop("spec", None)
    width, height = max_x - min_x, max_y - min_y
    return {"width": round(width), "height": round(height),
            "view_box": f"{min_x:.0f} {min_y:.0f} {width:.0f} {height:.0f}", "node_w": NODE_W, "node_h": NODE_H,
            "nodes": list(nodes.values()), "edges": edges}
