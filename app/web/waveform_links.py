"""Signed waveform links (`waveform_url` in run-data cards): the peaks of one take's audio as JSON. The
signature is the credential, as for /_storage links: no session, no API key."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify

from app.errors import Forbidden, NotFound
from app.extensions import db
from app.services import waveforms

bp = Blueprint("waveform_links", __name__, url_prefix="/_waveforms")


@bp.get("/<token>")
def peaks_GET(token):
    try:
        body = waveforms.for_link(token)
    except (Forbidden, NotFound) as exc:
        return Response(exc.message + "\n", status=exc.status, mimetype="text/plain")
    db.session.commit()                      # peaks computed on this first use are kept
    resp = jsonify(body)
    resp.headers["Cache-Control"] = "private, max-age=900"
    return resp
