"""The contract's response envelopes: {data, meta} (+ pagination) and {error, meta}."""
from __future__ import annotations

import secrets
from urllib.parse import urlencode

from flask import g, jsonify, request

from app.models.base import iso, utcnow


def request_id() -> str:
    if "request_id" not in g:
        g.request_id = "req_" + secrets.token_hex(8)
    return g.request_id


def meta() -> dict:
    return {"request_id": request_id(), "timestamp": iso(utcnow())}


def ok(data, status: int = 200, headers: dict | None = None):
    resp = jsonify({"data": data if data is not None else {}, "meta": meta()})
    resp.status_code = status
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def ok_null():
    """`data: null`, for the few answers whose schema allows "nothing" (ok() answers {} for None)."""
    return jsonify({"data": None, "meta": meta()})


def _page_link(offset: int, limit: int) -> str:
    args = request.args.to_dict(flat=False)
    args["offset"] = [str(offset)]
    args["limit"] = [str(limit)]
    return request.path + "?" + urlencode(args, doseq=True)


def ok_list(items: list, *, limit: int, offset: int = 0, total: int | None = None, has_more: bool | None = None,
            next_cursor: str | None = None, status: int = 200, headers: dict | None = None, extra_data=None):
    if has_more is None:
        has_more = (offset + len(items) < total) if total is not None else len(items) >= limit
    pagination = {"limit": limit, "offset": offset,
                  "next": next_cursor if next_cursor is not None else (_page_link(offset + limit, limit) if has_more else None),
                  "prev": _page_link(max(0, offset - limit), limit) if offset > 0 and next_cursor is None else None}
    if total is not None:
        pagination["total"] = total
    body = {"data": items if extra_data is None else extra_data, "meta": meta(), "pagination": pagination}
    resp = jsonify(body)
    resp.status_code = status
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def error(status: int, code: str, message: str, details=None, headers: dict | None = None):
    err = {"code": code, "message": message}
    if details:
        err["details"] = details
    resp = jsonify({"error": err, "meta": meta()})
    resp.status_code = status
    for k, v in (headers or {}).items():
        resp.headers[k] = str(v)
    return resp
