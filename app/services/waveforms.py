"""Waveforms of run audio, computed once per audio take and kept in its meta["waveform"]
({"v": 1, "peaks": [0-100 ...]}); the page draws them as inline SVG (no audio decoding in the
browser). Takes without a readable file get no waveform, never an error.

API clients get the same peaks as JSON from a signed link in each run-data card (`waveform_url`,
15 minutes like the playback URL, fetchable without auth, served by app.web.waveform_links); the peaks
are computed on the link's first use, so listing run data never decodes audio."""
from __future__ import annotations

import logging

from sqlalchemy import select

from app.errors import Forbidden, NotFound
from app.extensions import db
from app.models import Take
from app.services.playback import PLAYBACK_SECONDS
from app.storage import get_store
from app.storage.signing import external_url, sign, verify

log = logging.getLogger("onepin.waveforms")
VERSION = 1
HEIGHT = 32.0
_LINK = "WAVEFORM"       # the signed links' method: a storage link cannot be used as a waveform link, or back


def cached(take: Take | None) -> list[int] | None:
    wf = ((take.meta or {}) if take is not None else {}).get("waveform")
    if isinstance(wf, dict) and wf.get("v") == VERSION and isinstance(wf.get("peaks"), list):
        return wf["peaks"]
    return None


def ensure(takes: list[Take]) -> int:
    """Computes and stores the peaks of every take that has audio but no waveform yet; returns how
    many were computed (the caller commits)."""
    from app.speech import audio as audio_ops
    from app.speech.waveform import peaks
    made = 0
    store = None
    for take in takes:
        if take is None or not take.audio_key or take.status != "done" or cached(take) is not None:
            continue
        store = store or get_store()
        try:
            values = peaks(audio_ops.decode(store.get_bytes(take.audio_key)))
        except Exception as exc:  # noqa: BLE001 - a missing or unreadable file just has no waveform
            log.warning("no waveform for take %s: %s", take.id, exc)
            continue
        take.meta = {**(take.meta or {}), "waveform": {"v": VERSION, "peaks": values}}
        made += 1
    if made:
        db.session.flush()
    return made


def svg_path(values: list[int] | None) -> str | None:
    """One vertical stroke per bin, centred on the mid line of a `len(values)` x HEIGHT box."""
    if not values:
        return None
    mid = HEIGHT / 2
    parts = []
    for i, v in enumerate(values):
        h = max(1.0, (HEIGHT - 2) * v / 100)
        parts.append(f"M{i + 0.5:.1f} {mid - h / 2:.1f}v{h:.1f}")
    return "".join(parts)


def signed_url(take: Take) -> str:
    """A link to the take's peaks as JSON, bound to the take and its workspace, valid for 15 minutes."""
    token = sign({"m": _LINK, "t": take.id, "w": take.workspace_id}, PLAYBACK_SECONDS)
    return external_url("waveform_links.peaks_GET", token)


def for_link(token: str) -> dict:
    """What a waveform link shows: {bins, peaks (0-100 of full scale, one per equal slice), duration_ms}.
    Forbidden for a forged or expired link, NotFound for a take without (readable) audio. Computes and
    keeps the peaks on first use (the caller commits)."""
    claims = verify(token, _LINK)
    if claims is None:
        raise Forbidden("This link is invalid or has expired.")
    take = db.session.scalar(select(Take).where(Take.id == str(claims.get("t")),
                                                Take.workspace_id == str(claims.get("w"))))
    if take is None or not take.audio_key or take.status != "done":
        raise NotFound("This take has no audio.")
    ensure([take])
    values = cached(take)
    if values is None:
        raise NotFound("The audio of this take could not be read.")
    return {"bins": len(values), "peaks": values, "duration_ms": take.duration_ms}
