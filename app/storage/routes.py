"""LocalStore's signed URLs: PUT (uploads, no auth header: the signature is the credential) and GET."""
from __future__ import annotations

from flask import Blueprint, Response, request, send_file

from app.storage import StorageError, get_store
from app.storage.signing import verify

bp = Blueprint("storage", __name__, url_prefix="/_storage")


def _refuse(status: int, message: str):
    return Response(message + "\n", status=status, mimetype="text/plain")


@bp.put("/put/<token>")
def put_object(token):
    claims = verify(token, "PUT")
    if claims is None:
        return _refuse(403, "This upload link is invalid or has expired.")
    sent_type = (request.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if sent_type != (claims.get("ct") or "").lower():
        return _refuse(403, f"Content-Type must be {claims.get('ct')} for this link.")
    length = request.content_length
    if length is not None and length > claims["max"]:
        return _refuse(413, f"The file is larger than the {claims['max']} bytes allowed.")
    store = get_store()

    def chunks():
        while True:
            block = request.stream.read(64 * 1024)
            if not block:
                return
            yield block

    try:
        size = store.put_stream(claims["k"], chunks(), claims["ct"], max_bytes=claims["max"])
    except StorageError as exc:
        return _refuse(413, str(exc))
    return Response(status=200, headers={"ETag": f'"{size}"'})


@bp.get("/get/<token>")
def get_object(token):
    claims = verify(token, "GET")
    if claims is None:
        return _refuse(403, "This link is invalid or has expired.")
    store = get_store()
    info = store.head(claims["k"])
    if info is None:
        return _refuse(404, "Not found.")
    return send_file(store.path_for(claims["k"]), mimetype=claims.get("ct") or info.content_type or "application/octet-stream",
                     as_attachment=bool(claims.get("fn")), download_name=claims.get("fn") or None, max_age=0)
