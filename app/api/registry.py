"""Every API endpoint is declared through `endpoint(...)`, which records what OpenAPI needs."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint


@dataclass
class EndpointSpec:
    rule: str
    methods: tuple[str, ...]
    view: str
    sdk: str | None
    summary: str
    scope: str | None
    tag: str
    status: int = 200
    query: dict = field(default_factory=dict)      # name -> (type, description)
    body: dict = field(default_factory=dict)       # name -> (type, required, description)
    response: str = "object"
    auth: bool = True
    workspace_header: str = "optional"             # none | optional | required


ENDPOINTS: list[EndpointSpec] = []


def endpoint(bp: Blueprint, rule: str, methods=("GET",), *, sdk: str | None = None, scope: str | None = None,
             tag: str = "", status: int = 200, query: dict | None = None, body: dict | None = None,
             response: str = "object", auth: bool = True, workspace_header: str = "optional"):
    def decorator(fn):
        doc = (fn.__doc__ or "").strip()
        prefix = bp.url_prefix or ""
        ENDPOINTS.append(EndpointSpec(
            rule=prefix + rule, methods=tuple(methods), view=f"{bp.name}.{fn.__name__}", sdk=sdk,
            summary=doc.splitlines()[0] if doc else fn.__name__, scope=scope, tag=tag, status=status,
            query=query or {}, body=body or {}, response=response, auth=auth, workspace_header=workspace_header))
        bp.add_url_rule(rule, view_func=fn, methods=list(methods))
        return fn
    return decorator
