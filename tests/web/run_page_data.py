"""Runs for the run-page tests.

`naturalness_definition`: Script Input → Voice Generator (espeak-ng) → Naturalness (the real
validator: DNSMOS + pitch, pass bar 60, no fail edge) → Export. espeak's "Okay." scores about 51 and
is dropped; the longer lines score about 80 and are delivered (measured, deterministic audio).

`built_run`: a run written straight to the database (no worker) for states that are slow or
impossible to reach on purpose with real engines: a take that failed with a reason, a validator
that could not judge (unsupported), a run asked to pause, a long script for paging.
"""
from __future__ import annotations

from app.extensions import db
from app.models import Run, Take, Workflow
from app.models.base import utcnow
from app.speech import audio as audio_ops
from app.speech.tts import get_engine
from app.storage import get_store, workspace_key

LINES = ["Hello from OnePin, this is the first line.", "The second line is a little longer than the first.",
         "A third line closes the script.", "Okay."]


def naturalness_definition(text: str = "\n".join(LINES), threshold: float = 60) -> dict:
    nodes = [
        {"id": "src", "type": "source_script", "position": {"x": 0, "y": 0}, "config": {"text": text}},
        {"id": "gen", "type": "operator_generator", "position": {"x": 280, "y": 0},
         "config": {"voice_map": {"en-us": [{"voice_id": "en-us", "provider": "espeak", "model": "espeak-ng"}]}}},
        {"id": "nat", "type": "validator_naturalness", "position": {"x": 560, "y": 0},
         "config": {"threshold": threshold, "max_retries": 0}},
        {"id": "out", "type": "sink_preview", "position": {"x": 840, "y": 0}, "config": {"format": "wav"}},
    ]
    edges = [{"id": "e1", "source": "src", "sourcePort": "lines", "target": "gen", "targetPort": "lines"},
             {"id": "e2", "source": "gen", "sourcePort": "lines", "target": "nat", "targetPort": "lines"},
             {"id": "e3", "source": "nat", "sourcePort": "pass", "target": "out", "targetPort": "lines"}]
    return {"graph": {"nodes": nodes, "edges": edges}}


def _wav_key(ws_id: str, run_id: str, name: str, text: str) -> tuple[str, int]:
    audio = get_engine("espeak").synthesize(text, "en-us")
    key = workspace_key(ws_id, "runs", run_id, "audio", f"{name}.wav")
    get_store().put_bytes(key, audio_ops.to_wav_bytes(audio), "audio/wav")
    return key, audio.duration_ms


def built_run(wf: Workflow, user, *, lines: list[str], status: str = "completed", outcomes: dict | None = None,
              locales: tuple[str, ...] = ("en-us",), run_number: int = 1, audio: bool = True) -> Run:
    """A run of `wf` with one source line per text. `outcomes[(i, locale)]` is one of delivered
    (default), failed (the generator raised: error text), unsupported (delivered, the validator
    could not judge), pending (nothing done yet)."""
    outcomes = outcomes or {}
    now = utcnow()
    run = Run(workspace_id=wf.workspace_id, workflow_id=wf.id, version_id=wf.current_version_id,
              run_number=run_number, status=status, definition_snapshot=wf.definition, triggered_by=user.id,
              started_at=now, completed_at=now if status in ("completed", "failed", "cancelled") else None,
              lines=[{"index": i, "text": t, "source_node": "src", "locale": locales[0], "meta": {},
                      "translations": {loc: f"[{loc}] {t}" for loc in locales[1:]}} for i, t in enumerate(lines)],
              locales=list(locales), current_wave=1)
    db.session.add(run)
    db.session.flush()
    key = dur = None
    for i in range(len(lines)):
        for loc in locales:
            kind = outcomes.get((i, loc), "delivered")
            text = lines[i] if loc == locales[0] else f"[{loc}] {lines[i]}"
            base = dict(run_id=run.id, workspace_id=wf.workspace_id, line_index=i, locale=loc, attempt=1)
            db.session.add(Take(**base, node_id="src", node_type="source_script", status="done", port="lines",
                                text=text, started_at=now, finished_at=now))
            if kind == "pending":
                db.session.add(Take(**base, node_id="gen", node_type="operator_generator", status="pending", text=text))
                continue
            if kind == "failed":
                db.session.add(Take(**base, node_id="gen", node_type="operator_generator", status="failed", text=text,
                                    error="The voice engine refused this line: text too long for espeak.",
                                    finished_at=now))
                continue
            if audio and key is None:
                key, dur = _wav_key(wf.workspace_id, run.id, "shared", "A line of test audio.")
            gen = Take(**base, node_id="gen", node_type="operator_generator", status="done", port="lines", text=text,
                       audio_key=key, content_type="audio/wav", duration_ms=dur, finished_at=now,
                       voice={"voice_id": "en-us", "voice_name": "English (America)", "provider": "espeak"})
            db.session.add(gen)
            db.session.flush()
            gen.audio_take_id = gen.id
            scores = {"score": 81.5, "threshold": 60.0, "status": "available", "reason": None}
            if kind == "unsupported":
                scores = {"score": None, "threshold": 60.0, "status": "unsupported",
                          "reason": "Naturalness is not measured for this language."}
            db.session.add(Take(**base, node_id="nat", node_type="validator_naturalness", status="done", port="pass",
                                audio_take_id=gen.id, scores=scores, finished_at=now))
            db.session.add(Take(**base, node_id="out", node_type="sink_preview", status="done", audio_take_id=gen.id,
                                audio_key=key, content_type="audio/wav", duration_ms=dur, finished_at=now,
                                meta={"format": "wav"}))
    db.session.commit()
    return run
