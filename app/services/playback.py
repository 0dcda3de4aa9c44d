"""Signed playback and download URLs for run audio (15 minutes, fetchable without auth)."""
from __future__ import annotations

from app.models import Take
from app.storage import get_store

PLAYBACK_SECONDS = 15 * 60


def playback_url(take: Take) -> str | None:
    if not take.audio_key:
        return None
    return get_store().presigned_get(take.audio_key, PLAYBACK_SECONDS, content_type=take.content_type or "audio/wav")


def audio_id(take: Take) -> str:
    """The stable 16-hex id of a stored audio output (embedded in run-data card ids)."""
    return take.id.replace("-", "")[:16]
