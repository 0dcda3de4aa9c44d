"""Waveforms of run audio, computed once per audio take and kept in its meta["waveform"]
({"v": 1, "peaks": [0-100 ...]}); the page draws them as inline SVG (no audio decoding in the
browser). Takes without a readable file get no waveform, never an error."""
from __future__ import annotations

import logging

from app.extensions import db
from app.models import Take
from app.storage import get_store

log = logging.getLogger("onepin.waveforms")
VERSION = 1
HEIGHT = 32.0


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
