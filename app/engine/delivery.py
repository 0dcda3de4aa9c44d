"""sink_preview: what a delivered line's file is.

Sinks run inline in the scheduler (no job): when a take is routed to a sink, a sink take is created
already done. What it points to depends on the sink's ``format``:

- ``wav``: the generator's own file. Every take is already stored as 16-bit PCM mono WAV,
  loudness-normalised, so the sink keeps a reference instead of a copy.
- ``mp3``: an MP3 made with soundfile (libsndfile's LAME; no ffmpeg) and stored under
  ``ws/<ws>/runs/<run>/outputs/<sink>/<line 5 digits>_<locale>-a<attempt>.mp3``.
  It is encoded by ``prepare`` in the worker that finished the take feeding the sink, right after the
  node's plugin and *outside* the transaction that routes the result (which holds a share lock on the
  run and row locks on the takes), so delivery itself stays a few row writes. ``attach`` then points
  the sink take at that file. If no MP3 was prepared (the encode failed, or a caller that never ran
  ``prepare``), ``attach`` encodes it there and then, so an MP3 sink never hands out a WAV.

ZIP exports (app/services/exports.py) read each sink take's own file, name it
``<line_index>_<locale>.<format>`` and add manifest.json/.csv; the run outputs list the sink's file
(content type, playback URL). See docs/engine.md.
"""
from __future__ import annotations

import logging

from app.storage import get_store, workspace_key

log = logging.getLogger("onepin.engine.delivery")
SINK = "sink_preview"
FORMATS = ("wav", "mp3")
CONTENT_TYPES = {"wav": "audio/wav", "mp3": "audio/mpeg"}
MP3_TYPES = ("audio/mpeg", "audio/mp3")


def sink_format(config: dict | None) -> str:
    fmt = str((config or {}).get("format") or "wav").lower()
    return fmt if fmt in FORMATS else "wav"


def file_name(line_index: int, locale: str, fmt: str, width: int = 3) -> str:
    """The name a delivered line gets in exports: ``007_en-us.mp3``."""
    return f"{line_index:0{width}d}_{locale}.{fmt}"


def output_key(workspace_id: str, run_id: str, sink_id: str, line_index: int, locale: str, attempt: int,
               fmt: str) -> str:
    return workspace_key(workspace_id, "runs", run_id, "outputs", sink_id,
                         f"{line_index:05d}_{locale}-a{attempt}.{fmt}")


def _mp3_sinks(plan, node_id: str, port: str) -> list[str]:
    return [target for target, _retry in plan.successors(node_id, port)
            if plan.node_type(target) == SINK and sink_format(plan.config(target)) == "mp3"]


def _encode_mp3(source_key: str, dest_key: str) -> None:
    from app.speech import audio as audio_ops
    store = get_store()
    data = store.get_bytes(source_key)
    store.put_bytes(dest_key, audio_ops.to_mp3_bytes(audio_ops.decode(data)), "audio/mpeg")


def prepare(take, out, plan, ctx) -> None:
    """After a node's plugin produced ``out`` for ``take`` (a plain snapshot): if the result goes
    straight to MP3 sinks, encode the MP3 now and note it in ``out.meta['deliveries']``. Never raises:
    a failed encode only means ``attach`` does it later."""
    if out is None:
        return
    port = out.port or "lines"
    if port == "fail":                # a rejected line is never delivered
        return
    try:
        sinks = _mp3_sinks(plan, take.node_id, port)
        if not sinks:
            return
        source_key = out.audio_key
        if not source_key:
            source = ctx.audio_take(take)
            source_key = source.audio_key if source is not None else None
        if not source_key:
            return
        deliveries = {}
        for sink_id in sinks:
            key = output_key(take.workspace_id, take.run_id, sink_id, take.line_index, take.locale, take.attempt,
                             "mp3")
            _encode_mp3(source_key, key)
            deliveries[sink_id] = {"audio_key": key, "content_type": "audio/mpeg", "source_key": source_key}
        out.meta = {**(out.meta or {}), "deliveries": {**(out.meta or {}).get("deliveries", {}), **deliveries}}
    except Exception:  # noqa: BLE001 - delivery falls back to encoding in attach()
        log.exception("could not prepare the MP3 of take %s", getattr(take, "id", "?"))


def attach(sink, carrier, audio, fmt: str) -> None:
    """Points the new sink take at its file: the generator's WAV, or the MP3 prepared for this sink
    (encoded here when it was not). ``carrier`` is the take routed to the sink, ``audio`` the take
    that owns the audio."""
    sink.audio_key, sink.duration_ms, sink.content_type = audio.audio_key, audio.duration_ms, audio.content_type
    if fmt != "mp3" or not audio.audio_key or (audio.content_type or "").lower() in MP3_TYPES:
        return
    prepared = ((carrier.meta or {}).get("deliveries") or {}).get(sink.node_id)
    if prepared and prepared.get("source_key") == audio.audio_key:
        sink.audio_key, sink.content_type = prepared["audio_key"], prepared["content_type"]
        return
    key = output_key(sink.workspace_id, sink.run_id, sink.node_id, sink.line_index, sink.locale, sink.attempt, "mp3")
    try:
        _encode_mp3(audio.audio_key, key)
    except Exception:  # noqa: BLE001 - the WAV stays; the export converts it
        log.exception("could not encode the MP3 of sink take %s", sink.id)
        return
    log.info("encoded the MP3 of sink take %s at delivery (not prepared)", sink.id)
    sink.audio_key, sink.content_type = key, "audio/mpeg"
