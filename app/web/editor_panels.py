"""The editor's side panels, rendered by the server: a node's settings form (from its config
schema), the generator's voice picker (with previews), the source's script (typed or uploaded in
two steps) and its lines.

Voices come from the voice catalog (app/services/voice_picker.py); previews are the catalog's rendered
samples, served by signed URL. The canvas sends the node (and the definition, for what reaches it) and receives HTML; a settings
change comes back as the node's new config in an `onepin:config` HX-Trigger event, a chosen voice
as `onepin:voice`. The definition itself is only ever saved by the editor's autosave.
"""
from __future__ import annotations

import json
from urllib.parse import urlsplit

from flask import Blueprint, Response, jsonify, request
from flask_login import current_user, login_required

from app.auth.permissions import require_role, role_allows
from app.errors import DomainError, NotFound, ValidationFailed
from app.extensions import db
from app.services import script_source, voice_picker
from app.services import uploads as up_svc
from app.services import workflows as wf_svc
from app.storage import get_store
from app.web.context import require_workspace
from app.web.editor import json_body, json_error
from app.web.ui import render
from app.workflows import config_form
from app.workflows.locales import LOCALE_DISPLAY_NAMES, SUPPORTED_LOCALES
from app.workflows.nodes import GENERATOR, SOURCE, get_spec

bp = Blueprint("editor_panels", __name__)
MAX_PREVIEW_LINES = 200


def _workflow(workflow_id):
    ws, membership = require_workspace()
    return ws, membership, wf_svc.get(ws, workflow_id)


def _json_field(name: str, default=None):
    raw = request.form.get(name)
    if raw is None:
        return default
    try:
        return json.loads(raw)
    except ValueError:
        raise ValidationFailed([{"field": name, "message": "must be JSON"}]) from None


def source_lines(ws, config: dict) -> dict:
    """What the source node will read: {origin: text|upload|empty, lines, total, upload}."""
    lines = script_source.split_lines(config.get("text"))
    upload = None
    if isinstance(config.get("upload_id"), str) and config["upload_id"]:
        try:
            upload = {"id": config["upload_id"], "lines": [ln.get("text", "") for ln in
                                                          up_svc.lines_for_upload(ws, config["upload_id"])]}
            upload["filename"] = _upload_name(config["upload_id"])
        except DomainError as exc:
            upload = {"id": config["upload_id"], "lines": [], "error": exc.message, "filename": None}
    origin = "text" if lines else ("upload" if upload and upload["lines"] else "empty")
    shown = lines if origin == "text" else (upload["lines"] if origin == "upload" else [])
    return {"origin": origin, "lines": shown[:MAX_PREVIEW_LINES], "total": len(shown), "upload": upload}


def _upload_name(upload_id: str) -> str | None:
    from app.models import Upload
    u = db.session.get(Upload, upload_id)
    return u.filename if u else None


@bp.post("/workflows/<workflow_id>/editor/panel")
@login_required
def panel_POST(workflow_id):
    """Form fields: definition (JSON), node_id. Answers the node's settings panel."""
    ws, membership, wf = _workflow(workflow_id)
    defn = _json_field("definition", {}) or {}
    node_id = request.form.get("node_id", "")
    nodes = ((defn.get("graph") or {}).get("nodes") or []) if isinstance(defn, dict) else []
    node = next((n for n in nodes if isinstance(n, dict) and n.get("id") == node_id), None)
    spec = get_spec(node.get("type")) if node else None
    if spec is None:
        raise NotFound("That node is not on the canvas.")
    config = node.get("config") if isinstance(node.get("config"), dict) else {}
    ctx = {"wf": wf, "node": node, "spec": spec, "config": config, "fields": config_form.fields(spec, config),
           "can_edit": role_allows(membership.role, "content.write"), "null": config_form.NULL}
    if spec.node_type == GENERATOR:
        reached, detected = config_form.generator_locales(defn, node_id)
        voice_map = config.get("voice_map") if isinstance(config.get("voice_map"), dict) else {}
        shown = reached + [loc for loc in voice_map if loc not in reached]
        ctx["voice_rows"] = [{"locale": loc, "label": LOCALE_DISPLAY_NAMES.get(loc, loc), "reached": loc in reached,
                              "entries": voice_map.get(loc) if isinstance(voice_map.get(loc), list) else []}
                             for loc in shown]
        ctx["detected"] = detected
        ctx["other_locales"] = [(loc, LOCALE_DISPLAY_NAMES[loc]) for loc in SUPPORTED_LOCALES if loc not in shown]
    if spec.node_type == SOURCE:
        ctx["script"] = source_lines(ws, config)
    return render("editor/_node_panel.html", **ctx)


@bp.post("/workflows/<workflow_id>/editor/config")
@login_required
def config_POST(workflow_id):
    """The settings form, read back into the node's config (see app/workflows/config_form.py)."""
    ws, membership, _wf = _workflow(workflow_id)
    require_role(membership.role, "content.write", "Viewers cannot edit workflows.")
    spec = get_spec(request.form.get("node_type"))
    if spec is None:
        raise ValidationFailed([{"field": "node_type", "message": "unknown node type"}])
    current = _json_field("config", {})
    config = config_form.parse(spec, request.form, current if isinstance(current, dict) else {})
    event = {"node_id": request.form.get("node_id"), "name": config_form.parse_name(request.form),
             "config": config}
    body = render("editor/_source_lines.html", script=source_lines(ws, config)) if spec.node_type == SOURCE \
        else Response("")
    body.headers["HX-Trigger"] = json.dumps({"onepin:config": event})
    return body


@bp.get("/workflows/<workflow_id>/editor/voices")
@login_required
def voices_GET(workflow_id):
    """The voice picker for one locale of a generator (filters: language, gender, provider, search)."""
    ws, membership, _wf = _workflow(workflow_id)
    locale = request.args.get("locale", "")
    if locale not in SUPPORTED_LOCALES:
        raise ValidationFailed([{"field": "locale", "message": "is not a supported language"}])
    options = voice_picker.language_options(locale)
    language = request.args.get("language") or locale
    language = language if language in dict(options) else locale
    gender = request.args.get("gender") if request.args.get("gender") in voice_picker.GENDERS else None
    providers = voice_picker.providers(ws)
    provider = request.args.get("provider") if request.args.get("provider") in dict(providers) else None
    rows, total = voice_picker.voices(ws, language=language, gender=gender, provider=provider,
                                      search=request.args.get("search"))
    for row in rows:
        row["sample"] = _same_origin(row["sample_url"]) if row["sample_url"] else None
        row["speaks_slot"] = voice_picker.speaks(row["languages"], locale)
    template = "editor/_voice_results.html" if request.headers.get("HX-Target") == "voice-results" \
        else "editor/_voice_picker.html"
    return render(template, wf_id=workflow_id, locale=locale, locale_label=LOCALE_DISPLAY_NAMES[locale],
                  node_id=request.args.get("node_id", ""), current=request.args.get("current", ""),
                  options=options, language=language, gender=gender or "", provider=provider or "",
                  providers=providers, search=request.args.get("search", ""), rows=rows, total=total,
                  can_edit=role_allows(membership.role, "content.write"))


@bp.post("/workflows/<workflow_id>/editor/voices/choose")
@login_required
def voice_choose_POST(workflow_id):
    ws, membership, _wf = _workflow(workflow_id)
    require_role(membership.role, "content.write", "Viewers cannot edit workflows.")
    locale = request.form.get("locale", "")
    assignment = voice_picker.assignment(ws, request.form.get("voice_id", ""), locale)
    resp = Response("")
    resp.headers["HX-Trigger"] = json.dumps({"onepin:voice": {
        "node_id": request.form.get("node_id"), "locale": locale, "assignment": assignment}})
    return resp


def _same_origin(url: str) -> str:
    """LocalStore's signed URLs point at this app (at its public URL): give the browser a path on the
    origin it is on. S3 URLs are left as they are."""
    if get_store().kind == "local":
        parts = urlsplit(url)
        return parts.path + ("?" + parts.query if parts.query else "")
    return url


@bp.post("/workflows/<workflow_id>/editor/uploads")
@login_required
def upload_create_POST(workflow_id):
    """Step 1 of the browser's two-step upload: {filename} -> {upload, upload_url} (PUT the bytes)."""
    try:
        ws, membership, _wf = _workflow(workflow_id)
        data = json_body()
        u, url = up_svc.create(ws, membership, current_user, {"filename": data.get("filename"), "category": "script"})
        out = up_svc.upload_out(u)
        db.session.commit()
    except DomainError as exc:
        return json_error(exc)
    return jsonify({"upload": out, "upload_url": _same_origin(url)})


@bp.post("/workflows/<workflow_id>/editor/uploads/<upload_id>/confirm")
@login_required
def upload_confirm_POST(workflow_id, upload_id):
    """Step 2: check the bytes and bind the upload to this workflow; answers its lines."""
    try:
        ws, membership, wf = _workflow(workflow_id)
        u = up_svc.confirm(ws, membership, current_user, upload_id, {"context_type": "workflow",
                                                                     "context_id": wf.id})
        out = up_svc.upload_out(u)
        lines = [ln.get("text", "") for ln in (u.lines or [])]
        db.session.commit()
    except DomainError as exc:
        return json_error(exc)
    return jsonify({"upload": out, "line_count": len(lines), "lines": lines[:MAX_PREVIEW_LINES]})
