"""The OpenAPI document covers every route, and every contract endpoint of the implemented groups
is routed with the contract's method and path."""
import json
import re
from pathlib import Path

from app.api.registry import ENDPOINTS

CONTRACT = json.loads((Path(__file__).parent / "contract" / "endpoints.json").read_text())["endpoints"]
# SDK method groups implemented so far; later parts add theirs here.
IMPLEMENTED = ("client.auth.", "client.workspaces.", "client.workspace.", "client.workspace_members.",
               "client.users.get_", "client.users.update_", "client.dictionary.", "client.usage.",
               "client.voices.")


def _norm(path: str) -> str:
    return re.sub(r"{[^}]+}", "{}", re.sub(r"<(?:[a-z]+:)?[^>]+>", "{}", path))


def test_contract_endpoints_of_implemented_groups_are_routed(app):
    routed = {(m, _norm(r.rule)) for r in app.url_map.iter_rules() for m in r.methods}
    wanted = [(e["http"], _norm(e["path"]), e["sdk"]) for e in CONTRACT if e["sdk"].startswith(IMPLEMENTED)]
    assert len(wanted) == 39  # whoami, 9 workspaces.*, settings, 7 members, 4 users (me), 7 dictionary.*, 3 usage.*,
    # 7 voices.*
    missing = [(m, p, sdk) for m, p, sdk in wanted if (m, p) not in routed]
    assert not missing, missing


def test_openapi_document_lists_every_api_route(client):
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    documented = {(m.upper(), _norm(p)) for p, ops in doc["paths"].items() for m in ops}
    for spec in ENDPOINTS:
        for m in spec.methods:
            assert (m, _norm(spec.rule)) in documented, spec.rule
    op = doc["paths"]["/api/v1/workspaces/{workspace_id}/invites"]["post"]
    assert op["operationId"] == "workspace_members.create_invite"
    assert op["requestBody"]["content"]["application/json"]["schema"]["required"] == ["email", "role"]
    assert "422" in op["responses"] and "404" in op["responses"]
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_docs_page_renders(client):
    html = client.get("/api/docs").get_data(as_text=True)
    assert "/api/v1/workspaces/{workspace_id}/members" in html and "workspace_members.list_members" in html
