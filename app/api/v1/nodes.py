"""nodes.*: the node catalog (v1 list without auth, v1 and v2 detail)."""
from app.api import api_v1, api_v2
from app.api.context import workspace
from app.api.envelope import ok, ok_list
from app.api.registry import endpoint
from app.errors import NotFound
from app.services.catalog import catalog
from app.workflows.nodes import list_nodes, node_detail

T = "Nodes"


@endpoint(api_v1, "/nodes", sdk="nodes.list_nodes", tag=T, auth=False, workspace_header="none",
          response="list[NodePortsOut]")
def list_node_types():
    """Static catalog of every node type: ports, input_schema and a flat config_schema map."""
    rows = list_nodes()
    return ok_list(rows, limit=len(rows), has_more=False)


def _detail(node_type: str, version: int):
    ws, _m = workspace("catalog:read")
    out = node_detail(node_type, catalog(ws.id), api_version=version)
    if out is None:
        raise NotFound(f"Unknown node type {node_type!r}.")
    return ok(out)


@endpoint(api_v1, "/nodes/<node_type>", sdk="nodes.get_node_detail", scope="catalog:read", tag=T,
          response="NodeDetailOut")
def node_detail_v1(node_type):
    """Deprecated: node definition with the TTS model catalog inlined under options.models_by_provider."""
    return _detail(node_type, 1)


@endpoint(api_v2, "/nodes/<node_type>", sdk="nodes.get_node_detail_v2", scope="catalog:read", tag=T,
          response="NodeDetailOut")
def node_detail_v2(node_type):
    """Node definition, category and runtime options (providers and voices hrefs)."""
    return _detail(node_type, 2)
