"""ZIP exports of a completed run's delivered audio (all sinks, or one), built once and then reused.

Layout: `<line_index 0-padded>_<locale>.<ext>` in the sink's format (one folder per sink when a run
has several), plus manifest.json and manifest.csv. The whole-run archive lives at
ws/<ws>/runs/<run>/exports/all.zip and is remembered in run.export_key; a node's archive at
exports/node-<node>.zip. Each call hands out a fresh 15-minute signed URL.
"""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import timedelta

from app.engine import delivery
from app.errors import Conflict, NotFound
from app.extensions import db
from app.models import Run, Workflow, iso, utcnow
from app.services.playback import PLAYBACK_SECONDS, audio_id
from app.services.run_data import SINK_TYPES, RunTakes, graph_nodes, kind_of
from app.speech.text import markup
from app.storage import get_store, workspace_key

MANIFEST_FIELDS = ("line_index", "locale", "text", "voice", "duration_ms", "attempts", "scores", "file")
builds = 0   # archives built by this process (tests check that the cache is used)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "node"


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", (name or "").lower()).strip("-")[:60] or "workflow"


def _require_completed(run: Run) -> None:
    if run.status != "completed":
        raise Conflict(f"The run is {run.status}; downloads are available once it has completed.",
                       code="RUN_NOT_COMPLETED")


def _sink_ids(run: Run) -> list[str]:
    return [n["id"] for n in graph_nodes(run) if n.get("type") in SINK_TYPES]


def _convert(data: bytes, content_type: str | None, fmt: str) -> bytes:
    from app.speech import audio as audio_ops
    ct = (content_type or "").lower()
    if fmt == "mp3":
        if ct in ("audio/mpeg", "audio/mp3"):
            return data
        return audio_ops.to_mp3_bytes(audio_ops.decode(data))
    if ct in ("audio/wav", "audio/x-wav", "audio/wave", ""):
        return data
    return audio_ops.to_wav_bytes(audio_ops.decode(data))


def _manifest_scores(v) -> dict:
    """A validator's verdict for the manifest: kind, score, passed, threshold, status, and its raw
    figures (numbers such as wer, snr_db, bak, ovrl, sig, f0_std_semitones)."""
    raw = v.scores or {}
    out = {"kind": kind_of(v.node_type), "score": raw.get("score"), "passed": v.port == "pass",
           "threshold": raw.get("threshold"), "status": raw.get("status") or "available"}
    for key, value in raw.items():
        if key not in out and isinstance(value, (int, float)) and not isinstance(value, bool):
            out[key] = value
    return out


def build_zip(run: Run, sink_ids: list[str], *, folders: bool) -> bytes:
    global builds
    rt = RunTakes.load(run)
    delivered = rt.delivered(set(sink_ids))
    if not delivered:
        raise NotFound("This run has no delivered audio to download.")
    store = get_store()
    width = max(3, len(str(max(len(run.lines or []), 1) - 1)))
    manifest = []
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for sink in delivered:
            audio = rt.audio_take(sink)
            if not audio.audio_key:
                audio = sink
            fmt = delivery.sink_format(sink.meta)
            name = delivery.file_name(sink.line_index, sink.locale, fmt, width)
            if folders:
                name = f"{_safe(sink.node_id)}/{name}"
            # the sink's own file: the generator's WAV, or the MP3 made at delivery (converted here only
            # for runs delivered before sinks wrote MP3s)
            data = _convert(store.get_bytes(sink.audio_key), sink.content_type, fmt)
            # WAV and MP3 are already compressed or incompressible enough: store them as they are.
            zf.writestr(zipfile.ZipInfo(name, date_time=(sink.finished_at or utcnow()).timetuple()[:6]), data,
                        compress_type=zipfile.ZIP_STORED)
            voice = audio.voice or {}
            scores = {v.node_id: _manifest_scores(v) for v in rt.validations_of.get(audio.id, [])}
            manifest.append({"line_index": sink.line_index, "locale": sink.locale,
                             "text": markup.plain(audio.text if audio.text is not None else sink.text),
                             "voice": voice.get("voice_name") or voice.get("voice_id"),
                             "duration_ms": audio.duration_ms, "attempts": audio.attempt, "scores": scores,
                             "file": name, "node_id": sink.node_id, "audio_id": audio_id(audio),
                             "provider": voice.get("provider"), "model": voice.get("model")})
        zf.writestr("manifest.json", json.dumps({"run_id": run.id, "workflow_id": run.workflow_id,
                                                 "run_number": run.run_number, "created_at": iso(utcnow()),
                                                 "files": manifest}, indent=2, ensure_ascii=False))
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=MANIFEST_FIELDS, extrasaction="ignore")
        writer.writeheader()
        for row in manifest:
            writer.writerow({**row, "scores": json.dumps(row["scores"], ensure_ascii=False) if row["scores"] else ""})
        zf.writestr("manifest.csv", out.getvalue())
    builds += 1
    return buf.getvalue()


def _signed(key: str, filename: str) -> dict:
    url = get_store().presigned_get(key, PLAYBACK_SECONDS, filename=filename, content_type="application/zip")
    return {"url": url, "filename": filename, "expires_at": iso(utcnow() + timedelta(seconds=PLAYBACK_SECONDS))}


def download_run(wf: Workflow, run: Run) -> dict:
    _require_completed(run)
    store = get_store()
    filename = f"{_slug(wf.name)}-run-{run.run_number}.zip"
    key = run.export_key
    if not key or store.head(key) is None:
        sinks = _sink_ids(run)
        data = build_zip(run, sinks, folders=len(sinks) > 1)
        key = workspace_key(run.workspace_id, "runs", run.id, "exports", "all.zip")
        store.put_bytes(key, data, "application/zip")
        run.export_key = key
        db.session.commit()
    return _signed(key, filename)


def download_node(wf: Workflow, run: Run, node_id: str) -> dict:
    node = next((n for n in graph_nodes(run) if n["id"] == node_id), None)
    if node is None or node.get("type") not in SINK_TYPES:
        raise NotFound("No output node with this id in the run.")
    _require_completed(run)
    store = get_store()
    key = workspace_key(run.workspace_id, "runs", run.id, "exports", f"node-{_safe(node_id)}.zip")
    if store.head(key) is None:
        store.put_bytes(key, build_zip(run, [node_id], folders=False), "application/zip")
    return _signed(key, f"{_slug(wf.name)}-run-{run.run_number}-{_safe(node_id)}.zip")


def audio_url(run: Run, audio: str) -> dict:
    from sqlalchemy import select

    from app.models import Take
    if not re.fullmatch(r"[0-9a-fA-F]{16}", audio or ""):
        raise NotFound("No audio with this id in the run.")
    a = audio.lower()
    prefix = f"{a[:8]}-{a[8:12]}-{a[12:16]}"
    take = db.session.scalar(select(Take).where(Take.run_id == run.id, Take.id.like(prefix + "%"),
                                                Take.audio_key.is_not(None), Take.status == "done").limit(1))
    if take is None or audio_id(take) != a:
        raise NotFound("No audio with this id in the run.")
    ext = "mp3" if (take.content_type or "").lower() in ("audio/mpeg", "audio/mp3") else "wav"
    filename = f"{take.line_index:03d}_{take.locale}.{ext}"
    url = get_store().presigned_get(take.audio_key, PLAYBACK_SECONDS, filename=filename,
                                    content_type=take.content_type or "audio/wav")
    return {"url": url, "filename": filename,
            "expires_at": iso(utcnow() + timedelta(seconds=PLAYBACK_SECONDS))}
