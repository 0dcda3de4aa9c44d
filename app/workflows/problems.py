"""A validation problem: one rule broken at one place (node, edge, field path)."""
from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Problem:
    """`rule` is a stable machine id; `field` is a path from the definition root, e.g.
    "graph.nodes[1].config.threshold" or "graph.edges[2].targetPort"."""
    rule: str
    message: str
    severity: str = ERROR
    node_id: str | None = None
    node_name: str | None = None
    edge_id: str | None = None
    field: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def to_dict(self) -> dict:
        """ValidationDetailOut (rule, message, node_id?, node_name?) plus edge_id, field, severity."""
        return {k: v for k, v in asdict(self).items() if v is not None}
