"""Two-step uploads: create (pending + signed PUT URL), confirm (checks, then uploaded), delete.

1. `create` registers the file (status `pending`) under ws/<workspace_id>/uploads/<upload_id>/<safe
   name> and returns a signed, expiring `upload_url` (15 min) that takes a PUT of the raw bytes with
   only a Content-Type header: LocalStore serves it itself (/_storage/put/<token>, enforcing type
   and size), S3Store hands out a boto3 presigned URL.
2. `confirm` binds the upload to its context and checks, in this order: the object exists (HEAD),
   is not empty, is not over the category cap, has the content type it was signed for (S3-compatible
   servers used in tests do not enforce the presigned policy, so we check), has the right magic bytes
   (audio) or parses as a script (lines, char_count, line_count, detected_language); finally the
   workspace's storage quota (its owner's plan; uploaded uploads only).

Decisions:
- A file rejected for its *content* (empty, too big, wrong type, wrong magic bytes, unparsable) gets
  a 422 whose message names the reason or the line; its stored object is DELETED at once (nothing is
  kept, nothing is counted) and the row stays `pending`, so the client may PUT a corrected file to
  the same URL while it is valid and confirm again.
- Over quota is a 402 and the row stays `pending` with its object kept: after freeing space the
  same upload can be confirmed again. Pending uploads never count against the quota.
- Confirming an `uploaded` upload again returns its current state unchanged (idempotent).
- Only the uploader sees their uploads through create/confirm/delete; other users' and other
  workspaces' uploads are a 404. Reading (workflow uploads, `lines_for_upload`) is per workspace.
- Delete works in any state, removes the row, then the object after the commit; quota is the sum
  of the remaining rows, so it is released at once.
"""
from __future__ import annotations

import logging
import re
import unicodedata

from sqlalchemy import func, or_, select

from app.auth.permissions import require_role
from app.errors import NotFound, PaymentRequired, ValidationFailed
from app.extensions import db
from app.models import Membership, Upload, User, Workflow, Workspace, iso, new_id
from app.services import plans, script_files
from app.storage import get_store, workspace_key
from app.validation import Validation

log = logging.getLogger(__name__)

MB = 1024 * 1024
UPLOAD_URL_TTL = 900
DOWNLOAD_URL_TTL = 900
MAX_BYTES = {"script": 20 * MB, "dictionary": 50 * MB}
CONTEXT_TYPES = ("workflow", "playground", "assistant_session")

# extension -> (format, content type), per category
FORMATS: dict[str, dict[str, tuple[str, str]]] = {
    "script": {
        "txt": ("txt", "text/plain"), "srt": ("srt", "application/x-subrip"), "csv": ("csv", "text/csv"),
        "json": ("json", "application/json"), "xliff": ("xliff", "application/xliff+xml"),
        "xlf": ("xliff", "application/xliff+xml"),
        "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        "pdf": ("pdf", "application/pdf"),
    },
    "dictionary": {
        "mp3": ("mp3", "audio/mpeg"), "wav": ("wav", "audio/wav"), "m4a": ("m4a", "audio/mp4"),
        "ogg": ("ogg", "audio/ogg"), "webm": ("webm", "audio/webm"),
    },
}

_AUDIO_MAGIC = {
    "mp3": lambda b: b[:3] == b"ID3" or (len(b) > 1 and b[0] == 0xFF and (b[1] & 0xE0) == 0xE0),
    "wav": lambda b: b[:4] == b"RIFF" and b[8:12] == b"WAVE",
    "m4a": lambda b: b[4:8] == b"ftyp",
    "ogg": lambda b: b[:4] == b"OggS",
    "webm": lambda b: b[:4] == b"\x1a\x45\xdf\xa3",
}


# ---------------------------------------------------------------- helpers

def safe_filename(name: str) -> str:
    """A storage-safe basename ([A-Za-z0-9._-], no '..', keeps the extension)."""
    base = re.split(r"[\\/]", name)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base)
    base = re.sub(r"\.{2,}", ".", base).strip("._-")
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    stem = stem.strip("._-")[:80] or "file"
    return f"{stem}.{ext[:10]}" if ext else stem


def _ext(filename: str) -> str:
    base = re.split(r"[\\/]", filename)[-1]
    return base.rpartition(".")[2].lower() if "." in base.strip(".") else ""


def _norm_type(value: str | None) -> str:
    return (value or "").split(";")[0].strip().lower()


def _storage_name(u: Upload) -> str:
    return u.storage_key.rsplit("/", 1)[-1]


def upload_out(u: Upload) -> dict:
    download_url = None
    if u.status == "uploaded":
        download_url = get_store().presigned_get(u.storage_key, DOWNLOAD_URL_TTL, filename=_storage_name(u),
                                                 content_type=u.content_type)
    return {
        "id": u.id, "user_id": u.user_id, "workspace_id": u.workspace_id, "filename": u.filename,
        "category": u.category, "content_type": u.content_type, "format": u.format, "status": u.status,
        "size_bytes": u.size_bytes, "char_count": u.char_count, "line_count": u.line_count,
        "detected_language": u.detected_language, "download_url": download_url,
        "context_type": u.context_type, "context_id": u.context_id,
        "created_at": iso(u.created_at), "updated_at": iso(u.updated_at),
    }


def storage_used(workspace_id: str) -> int:
    return int(db.session.scalar(select(func.coalesce(func.sum(Upload.size_bytes), 0)).where(
        Upload.workspace_id == workspace_id, Upload.status == "uploaded")) or 0)


def storage_limit(ws: Workspace) -> int:
    owner = db.session.get(User, ws.owner_id)
    return plans.get_plan(owner.plan if owner else None).storage_bytes_per_workspace


def own_upload(ws: Workspace, user: User, upload_id: str, *, lock: bool = False) -> Upload:
    """The caller's own upload in this workspace, else 404."""
    u = None
    if isinstance(upload_id, str) and 0 < len(upload_id) <= 36:
        u = db.session.get(Upload, upload_id, with_for_update=lock or None)
    if u is None or u.workspace_id != ws.id or u.user_id != user.id:
        raise NotFound("Upload not found.")
    return u


def upload_workspace_id(user: User, upload_id: str) -> str | None:
    """The workspace of the caller's own upload (to infer the workspace when no header is sent)."""
    u = db.session.get(Upload, upload_id) if isinstance(upload_id, str) and 0 < len(upload_id) <= 36 else None
    return u.workspace_id if u is not None and u.user_id == user.id else None


# ---------------------------------------------------------------- create

def create(ws: Workspace, membership: Membership, user: User, data: dict) -> tuple[Upload, str]:
    require_role(membership.role, "content.write", "Viewers cannot upload files.")
    v = Validation(data)
    filename = v.require("filename", str, max_len=255)
    category = v.require("category", str, choices=tuple(FORMATS))
    v.raise_if_invalid()
    if any(unicodedata.category(ch) == "Cc" for ch in filename):
        raise ValidationFailed([{"field": "filename", "message": "may not contain control characters"}])
    allowed = FORMATS[category]
    ext = _ext(filename)
    names = ", ".join("." + e for e in allowed)
    if not ext:
        raise ValidationFailed([{"field": "filename",
                                 "message": f"must have an extension; {category} uploads allow {names}"}])
    if ext not in allowed:
        raise ValidationFailed([{"field": "filename",
                                 "message": f".{ext} is not allowed for {category} uploads; use one of {names}"}])
    fmt, content_type = allowed[ext]
    upload_id = new_id()
    key = workspace_key(ws.id, "uploads", upload_id, safe_filename(filename))
    u = Upload(id=upload_id, workspace_id=ws.id, user_id=user.id, filename=filename, category=category,
               content_type=content_type, format=fmt, status="pending", storage_key=key)
    db.session.add(u)
    db.session.flush()
    url = get_store().presigned_put(key, content_type, expires=UPLOAD_URL_TTL, max_bytes=MAX_BYTES[category])
    return u, url


# ---------------------------------------------------------------- confirm

def _reject(u: Upload, message: str, field: str = "file") -> ValidationFailed:
    """Content rejected: drop the stored object (nothing kept); the row stays pending."""
    try:
        get_store().delete(u.storage_key)
    except Exception:  # noqa: BLE001 - the 422 matters more than the cleanup
        log.exception("could not delete rejected upload object %s", u.storage_key)
    return ValidationFailed([{"field": field, "message": message}], message=message)


def _check_context(ws: Workspace, data: dict) -> tuple[str, str]:
    v = Validation(data)
    context_type = v.require("context_type", str, choices=CONTEXT_TYPES)
    context_id = v.require("context_id", str, max_len=36)
    v.raise_if_invalid()
    if context_type == "workflow":
        from app.services import workflows as wf_svc
        context_id = wf_svc.get(ws, context_id).id
    return context_type, context_id


def confirm(ws: Workspace, membership: Membership, user: User, upload_id: str, data: dict) -> Upload:
    require_role(membership.role, "content.write", "Viewers cannot upload files.")
    u = own_upload(ws, user, upload_id, lock=True)
    context_type, context_id = _check_context(ws, data)
    if u.status == "uploaded":
        return u
    store = get_store()
    info = store.head(u.storage_key)
    if info is None:
        raise ValidationFailed([{"field": "file", "message": "the file was not uploaded: PUT its bytes to "
                                 "upload_url first (or the link expired; create a new upload)"}])
    cap = MAX_BYTES[u.category]
    if info.size == 0:
        raise _reject(u, "the file is empty")
    if info.size > cap:
        raise _reject(u, f"the file is {info.size} bytes; {u.category} uploads allow at most {cap} bytes")
    if _norm_type(info.content_type) != u.content_type:
        raise _reject(u, f"the file was uploaded as {_norm_type(info.content_type) or 'no content type'}; "
                         f"expected {u.content_type}")
    data_bytes = store.get_bytes(u.storage_key)
    if len(data_bytes) != info.size or len(data_bytes) > cap:
        raise _reject(u, "the stored file changed during the check; upload it again")
    lines = None
    if u.category == "script":
        try:
            lines = script_files.parse(u.format, data_bytes)
        except script_files.ScriptFileError as exc:
            raise _reject(u, exc.message) from None
    elif not _AUDIO_MAGIC[u.format](data_bytes[:16]):
        raise _reject(u, f"the file is not {u.format.upper()} audio (wrong magic bytes)")
    # Quota last, under a lock on the workspace row so concurrent confirms cannot both fit.
    db.session.execute(select(Workspace.id).where(Workspace.id == ws.id).with_for_update())
    used, limit = storage_used(ws.id), storage_limit(ws)
    if used + info.size > limit:
        raise PaymentRequired(f"Storage quota exceeded: {used} of {limit} bytes used, this file needs "
                              f"{info.size} more. Delete uploads or upgrade the plan.")
    u.size_bytes = info.size
    if lines is not None:
        stats = script_files.summary(lines)
        u.lines, u.char_count, u.line_count = lines, stats["char_count"], stats["line_count"]
        u.detected_language = stats["detected_language"]
    u.context_type, u.context_id = context_type, context_id
    u.status = "uploaded"
    db.session.flush()
    return u


# ---------------------------------------------------------------- delete

def delete(ws: Workspace, membership: Membership, user: User, upload_id: str) -> str:
    """Removes the row; returns the storage key, for the caller to delete after commit."""
    require_role(membership.role, "content.write", "Viewers cannot delete uploads.")
    u = own_upload(ws, user, upload_id, lock=True)
    key = u.storage_key
    db.session.delete(u)
    db.session.flush()
    return key


def delete_object(key: str) -> None:
    try:
        get_store().delete(key)
    except Exception:  # noqa: BLE001 - an orphaned object must not fail the request
        log.exception("could not delete upload object %s", key)


# ---------------------------------------------------------------- reading

def referenced_upload_ids(definition: dict | None) -> list[str]:
    """upload_id values of the source_script nodes of a definition."""
    nodes = ((definition or {}).get("graph") or {}).get("nodes") if isinstance(definition, dict) else None
    ids = []
    for node in nodes if isinstance(nodes, list) else []:
        cfg = node.get("config") if isinstance(node, dict) else None
        if node.get("type") == "source_script" and isinstance(cfg, dict) and isinstance(cfg.get("upload_id"), str):
            ids.append(cfg["upload_id"])
    return ids


def workflow_uploads(ws: Workspace, wf: Workflow, *, offset: int, limit: int) -> tuple[list[Upload], bool]:
    """Confirmed uploads attached to the workflow or referenced by its script nodes (newest first)."""
    refs = [i for i in referenced_upload_ids(wf.definition) if 0 < len(i) <= 36]
    cond = (Upload.context_type == "workflow") & (Upload.context_id == wf.id)
    if refs:
        cond = or_(cond, Upload.id.in_(refs))
    rows = db.session.scalars(select(Upload).where(Upload.workspace_id == ws.id, Upload.status == "uploaded", cond)
                              .order_by(Upload.created_at.desc(), Upload.id.desc())
                              .offset(offset).limit(limit + 1)).all()
    return list(rows[:limit]), len(rows) > limit


def lines_for_upload(ws: Workspace, upload_id: str) -> list[dict]:
    """The parsed lines of a confirmed script upload of this workspace (for the estimator and runs)."""
    u = db.session.get(Upload, upload_id) if isinstance(upload_id, str) and 0 < len(upload_id) <= 36 else None
    if u is None or u.workspace_id != ws.id:
        raise NotFound("Upload not found.")
    if u.category != "script":
        raise ValidationFailed([{"field": "upload_id", "message": "is not a script upload"}])
    if u.status != "uploaded":
        raise ValidationFailed([{"field": "upload_id", "message": "is not confirmed yet (still pending)"}])
    return [dict(ln) for ln in (u.lines or [])]
