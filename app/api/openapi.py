"""OpenAPI 3.1 document built from the endpoint registry, plus a browsable docs page."""
from __future__ import annotations

import re

from flask import jsonify, render_template

from app.api import api_meta
from app.api.registry import ENDPOINTS

_TYPES = {"str": {"type": "string"}, "int": {"type": "integer"}, "float": {"type": "number"},
          "bool": {"type": "boolean"}, "datetime": {"type": "string", "format": "date-time"},
          "list[str]": {"type": "array", "items": {"type": "string"}},
          "WorkspaceRole": {"type": "string", "enum": ["admin", "editor", "viewer"]}}


def _schema(kind) -> dict:
    if isinstance(kind, tuple):
        kind = kind[0]
    return dict(_TYPES.get(kind, {"type": "object", "description": kind}))


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-zA-Z_]+)>", r"{\1}", rule)


_ENVELOPE = {
    "Meta": {"type": "object", "required": ["request_id", "timestamp"],
             "properties": {"request_id": {"type": "string"}, "timestamp": {"type": "string", "format": "date-time"}}},
    "Pagination": {"type": "object", "required": ["limit"],
                   "properties": {"limit": {"type": "integer"}, "total": {"type": "integer"},
                                  "next": {"type": ["string", "null"]}, "prev": {"type": ["string", "null"]}}},
    "Error": {"type": "object", "required": ["error", "meta"], "properties": {
        "error": {"type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "string"}, "message": {"type": "string"},
            "details": {"type": "array", "items": {"type": "object", "properties": {
                "field": {"type": ["string", "null"]}, "message": {"type": "string"}}}}}},
        "meta": {"$ref": "#/components/schemas/Meta"}}},
}

_ERRORS = {"401": "Missing or invalid credentials (INVALID_API_KEY)", "403": "Role or scope refused (FORBIDDEN)",
           "404": "Not found, or in another workspace (NOT_FOUND)", "422": "Invalid input (VALIDATION_ERROR)"}


def build_document() -> dict:
    paths: dict = {}
    for spec in ENDPOINTS:
        path = _openapi_path(spec.rule)
        for method in spec.methods:
            op = {"operationId": spec.sdk or spec.view, "summary": spec.summary, "tags": [spec.tag or "API"],
                  "parameters": [], "responses": {}}
            for name in re.findall(r"{([a-zA-Z_]+)}", path):
                op["parameters"].append({"name": name, "in": "path", "required": True, "schema": {"type": "string"}})
            for name, kind in spec.query.items():
                op["parameters"].append({"name": name, "in": "query", "required": False, "schema": _schema(kind)})
            if spec.workspace_header != "none":
                op["parameters"].append({"name": "X-Workspace-Id", "in": "header",
                                         "required": spec.workspace_header == "required",
                                         "schema": {"type": "string"},
                                         "description": "Workspace to act in (API keys default to their own)."})
            if spec.body:
                props = {k: _schema(v) for k, v in spec.body.items()}
                required = [k for k, v in spec.body.items() if isinstance(v, tuple) and len(v) > 1 and v[1]]
                op["requestBody"] = {"required": bool(required), "content": {"application/json": {"schema": {
                    "type": "object", "properties": props, **({"required": required} if required else {})}}}}
            is_list = spec.response.startswith("list[")
            data_schema = {"type": "array", "items": {"type": "object"}} if is_list else {"type": "object"}
            envelope = {"type": "object", "required": ["data", "meta"], "properties": {
                "data": {**data_schema, "description": spec.response},
                "meta": {"$ref": "#/components/schemas/Meta"}}}
            if is_list:
                envelope["required"].append("pagination")
                envelope["properties"]["pagination"] = {"$ref": "#/components/schemas/Pagination"}
            op["responses"][str(spec.status)] = {"description": spec.response,
                                                 "content": {"application/json": {"schema": envelope}}}
            for code, text in _ERRORS.items():
                if code == "401" and not spec.auth:
                    continue
                op["responses"][code] = {"description": text, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Error"}}}}
            if spec.scope:
                op["x-required-scope"] = spec.scope
            op["security"] = [{"bearer": []}] if spec.auth else []
            paths.setdefault(path, {})[method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "OnePin Server API", "version": "1",
                 "description": "Self-hosted, API-compatible OnePin. Every response is {data, meta}; "
                                "errors are {error: {code, message, details?}, meta}."},
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": _ENVELOPE, "securitySchemes": {"bearer": {
            "type": "http", "scheme": "bearer", "description": "op_live_ API key or a browser token"}}},
    }


@api_meta.get("/openapi.json")
def openapi_json():
    return jsonify(build_document())


@api_meta.get("/docs")
def docs_page():
    doc = build_document()
    groups: dict[str, list] = {}
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            groups.setdefault(op["tags"][0], []).append((method.upper(), path, op))
    return render_template("docs/api.html", groups=dict(sorted(groups.items())), doc=doc)
