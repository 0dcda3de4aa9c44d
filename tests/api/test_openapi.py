"""/api/openapi.json and /api/docs are generated from the endpoint registry."""
import re

from app.api.registry import ENDPOINTS


def test_openapi_lists_every_registered_endpoint(client):
    resp = client.get("/api/openapi.json")
    assert resp.status_code == 200
    doc = resp.get_json()
    assert doc["openapi"].startswith("3.")
    for spec in ENDPOINTS:
        path = re.sub(r"<(?:[a-z]+:)?([a-zA-Z_]+)>", r"{\1}", spec.rule)
        assert path in doc["paths"], path
        for method in spec.methods:
            op = doc["paths"][path][method.lower()]
            if spec.sdk:
                assert op["operationId"] == spec.sdk
            if spec.scope:
                assert op["x-required-scope"] == spec.scope
    whoami = doc["paths"]["/api/v1/auth/whoami"]["get"]
    assert "200" in whoami["responses"] and "401" in whoami["responses"]
    assert doc["paths"]["/api/v1/workspaces"]["post"]["requestBody"]["content"]["application/json"]["schema"][
        "required"] == ["name"]
    slug = doc["paths"]["/api/v1/workspaces/slug-available"]["get"]
    assert any(p["name"] == "X-Workspace-Id" and p["required"] for p in slug["parameters"])


def test_docs_page_renders(client):
    resp = client.get("/api/docs")
    assert resp.status_code == 200
    assert "/api/v1/workspaces" in resp.get_data(as_text=True)
