"""Run data: one row per source line, one card per line and locale with the line's final outcome there.

A card's outcome, in order: delivered (a sink received it), dropped (a validator rejected it for good;
only shown with include_dropped), generated (audio exists, the run is still going), pending (nothing
yet, audio not_ready), not_delivered (a take failed or the run ended first).
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from app.extensions import db
from app.models import ACTIVE, Run, Take
from app.services import waveforms
from app.services.playback import audio_id, playback_url
from app.speech.text import markup
from app.workflows.nodes import get_spec, is_validator

VALIDATOR_KINDS = {"validator_error_rate": "wer", "validator_naturalness": "naturalness",
                   "validator_noise": "noise", "validator_pronunciation": "pronunciation"}
SINK_TYPES = ("sink_preview",)
AUDIO_NODE_TYPES = ("operator_generator", "operator_pronunciation_corrector")
_SEGMENT_KEYS = ("text", "status", "start", "end")
_COUNT_KEYS = ("substitutions", "insertions", "deletions", "reference_units")


def kind_of(node_type: str) -> str:
    return VALIDATOR_KINDS.get(node_type, node_type.removeprefix("validator_"))


def graph_nodes(run: Run) -> list[dict]:
    graph = (run.definition_snapshot or {}).get("graph") or {}
    return [n for n in (graph.get("nodes") or []) if isinstance(n, dict) and n.get("id")]


def node_label(node: dict | None, node_type: str | None = None) -> str:
    node_type = node_type or (node or {}).get("type") or ""
    if node and (node.get("name") or (node.get("data") or {}).get("label")):
        return node.get("name") or node["data"]["label"]
    spec = get_spec(node_type)
    return spec.display_name if spec else node_type


def node_config(node: dict | None) -> dict:
    spec = get_spec((node or {}).get("type"))
    return {**(spec.default_config() if spec else {}), **((node or {}).get("config") or {})}


@dataclass
class RunTakes:
    """Every take of a run, indexed the ways the reports need them."""
    run: Run
    takes: list[Take]
    by_id: dict[str, Take] = field(default_factory=dict)
    by_pair: dict[tuple[int, str], list[Take]] = field(default_factory=lambda: defaultdict(list))
    validations_of: dict[str, list[Take]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def load(cls, run: Run) -> "RunTakes":
        takes = list(db.session.scalars(select(Take).where(Take.run_id == run.id)
                                        .order_by(Take.line_index, Take.locale, Take.attempt, Take.created_at)))
        rt = cls(run=run, takes=takes)
        for t in takes:
            rt.by_id[t.id] = t
            rt.by_pair[(t.line_index, t.locale)].append(t)
            if is_validator(t.node_type) and t.audio_take_id and t.status == "done":
                rt.validations_of[t.audio_take_id].append(t)
        return rt

    def audio_take(self, take: Take) -> Take:
        """The take that owns the audio a sink/validator take is about."""
        if take.audio_take_id and take.audio_take_id in self.by_id:
            return self.by_id[take.audio_take_id]
        return take

    def delivered(self, sink_ids: set[str] | None = None) -> list[Take]:
        """Delivered sink takes with audio, latest attempt per (sink, line, locale)."""
        best: dict[tuple, Take] = {}
        for t in self.takes:
            if t.node_type in SINK_TYPES and t.status == "done" and t.audio_key and \
                    (sink_ids is None or t.node_id in sink_ids):
                best[(t.node_id, t.line_index, t.locale)] = t
        return sorted(best.values(), key=lambda t: (t.line_index, t.locale, t.node_id))


# ---- cards --------------------------------------------------------------------------------

def validation_out(v: Take, nodes: dict[str, dict]) -> dict:
    s = v.scores or {}
    out = {"kind": kind_of(v.node_type), "label": node_label(nodes.get(v.node_id), v.node_type),
           "score": _num(s.get("score")),
           "status": "unsupported" if s.get("status") == "unsupported" or s.get("unsupported") else "available",
           "reason": s.get("reason"), "node_id": v.node_id, "passed": v.port == "pass",
           "threshold": _num(s.get("threshold"))}
    for key in ("wer", "cer"):
        out[key] = _num(s.get(key))
    out["transcript"] = s.get("transcript") if isinstance(s.get("transcript"), str) else None
    out["scored_on"] = s.get("scored_on") if isinstance(s.get("scored_on"), str) else None
    segs = s.get("segments")
    out["segments"] = [g for g in segs if isinstance(g, dict) and all(k in g for k in _SEGMENT_KEYS)] \
        if isinstance(segs, list) else None
    counts = s.get("error_counts")
    out["error_counts"] = {k: int(counts[k]) for k in _COUNT_KEYS} \
        if isinstance(counts, dict) and all(isinstance(counts.get(k), (int, float)) for k in _COUNT_KEYS) else None
    return out


def verdict_out(v: Take, nodes: dict[str, dict]) -> dict:
    s = v.scores or {}
    node = nodes.get(v.node_id)
    threshold = _num(s.get("threshold"))
    if threshold is None:
        threshold = _num(node_config(node).get("threshold"))
    return {"validator_node_id": v.node_id, "validator_kind": kind_of(v.node_type),
            "validator_label": node_label(node, v.node_type), "score": _num(s.get("score")), "threshold": threshold}


def _num(value):
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _voice(take: Take | None) -> dict:
    v = (take.voice if take is not None else None) or {}
    name = v.get("voice_name") or v.get("voice_id")
    if name:
        return {"display_name": name, "status": "available"}
    return {"display_name": None, "status": "unavailable", "reason": "No voice was used for this card."}


def _pseudo_id(run: Run, line_index: int, locale: str) -> str:
    return hashlib.sha256(f"{run.id}:{line_index}:{locale}".encode()).hexdigest()[:16]


def card_for(rt: RunTakes, line: dict, locale: str, nodes: dict[str, dict], *, include_dropped: bool) -> dict | None:
    run = rt.run
    idx = line["index"]
    takes = rt.by_pair.get((idx, locale), [])
    relevant = [t for t in takes if t.node_type in AUDIO_NODE_TYPES or t.node_type in SINK_TYPES
                or is_validator(t.node_type) or (t.status == "failed" and t.node_type != "source_script")]
    if not relevant:
        return None
    active = run.status in ACTIVE
    sinks = [t for t in relevant if t.node_type in SINK_TYPES and t.status == "done"]
    dropped = [t for t in relevant if is_validator(t.node_type) and t.dropped]
    gens = [t for t in relevant if t.node_type in AUDIO_NODE_TYPES and t.status == "done" and t.audio_key]
    failed = [t for t in relevant if t.status == "failed"]
    open_takes = [t for t in relevant if t.status in ("pending", "running")]
    reason = None
    verdicts = None
    if sinks:
        status, audio = "delivered", rt.audio_take(sinks[-1])
        if not audio.audio_key:
            audio = sinks[-1]
    elif dropped and not open_takes:
        if not include_dropped:
            return None
        status, audio = "dropped", rt.audio_take(dropped[-1])
        verdicts = [verdict_out(v, nodes) for v in rt.validations_of.get(audio.id, []) if v.port == "fail"] \
            or [verdict_out(dropped[-1], nodes)]
    elif active and (open_takes or not failed):
        status = "generated" if gens else None
        audio = gens[-1] if gens else (open_takes[-1] if open_takes else relevant[-1])
    else:
        status = "not_delivered"
        audio = failed[-1] if failed else (gens[-1] if gens else relevant[-1])
        reason = audio.error if failed else ("The run was cancelled before this line was delivered."
                                            if run.status == "cancelled" else "This line was not delivered.")
    has_audio = bool(audio.audio_key) and audio.status == "done"
    if has_audio:
        audio_out = {"playback_url": playback_url(audio), "status": "available", "duration_ms": audio.duration_ms,
                     "content_type": audio.content_type}
    elif status is None:
        audio_out = {"playback_url": None, "status": "not_ready", "reason": "The audio is being generated.",
                     "duration_ms": None, "content_type": None}
    else:
        audio_out = {"playback_url": None, "status": "unavailable", "reason": reason or "No audio was produced.",
                     "duration_ms": None, "content_type": None}
    voice_take = audio if audio.voice else next((t for t in reversed(relevant) if t.voice), None)
    v = (voice_take.voice if voice_take is not None else None) or {}
    audio_out["provider"], audio_out["model"] = v.get("provider"), v.get("model")
    aid = audio_id(audio) if audio is not None else _pseudo_id(run, idx, locale)
    validations = [validation_out(x, nodes) for x in rt.validations_of.get(audio.id, [])]
    # the text as spoken, without pronunciation marks (⟦word|ipa⟧ reads as the word)
    script = markup.plain(audio.text) if audio.text is not None else _line_text(line, locale)
    card = {"id": f"{aid}-{idx}-{locale}", "audio_id": aid, "line_id": _line_id(line), "source_line_id": _line_id(line),
            "line_index": idx, "locale_code": locale, "script": script, "audio": audio_out,
            "validations": validations, "voice": _voice(voice_take), **_waveform(audio_out, audio),
            "retry_count": max(0, (audio.attempt or 1) - 1), "status": status, "node_id": audio.node_id,
            "attempt": audio.attempt}
    if reason and status == "not_delivered":
        card["reason"] = reason
    if verdicts is not None:
        card["dropped"] = {"verdicts": verdicts}
    return card


def _waveform(audio_out: dict, audio: Take) -> dict:
    """The card's waveform follows its audio: a signed link to the peaks when there is audio (drawn on the
    link's first use), otherwise not ready or unavailable for the same reason as the audio."""
    if audio_out["status"] == "available":
        return {"waveform_url": waveforms.signed_url(audio), "waveform_status": "available", "waveform_reason": None}
    return {"waveform_url": None, "waveform_status": audio_out["status"], "waveform_reason": audio_out.get("reason")}


def _line_id(line: dict) -> str:
    meta = line.get("meta") or {}
    return str(meta.get("line_id") or f"line-{line['index']}")


def _line_text(line: dict, locale: str) -> str:
    if locale != line.get("locale") and (line.get("translations") or {}).get(locale):
        return line["translations"][locale]
    return line.get("text") or ""


def normalize_locale(value: str | None) -> str | None:
    if not value:
        return None
    return value.strip().replace("_", "-").lower()


def rows(run: Run, *, search: str | None, language: str | None, include_dropped: bool, offset: int,
         limit: int) -> tuple[list[dict], int]:
    """(page of rows, rows matching `search`)."""
    lines = sorted(run.lines or [], key=lambda ln: ln.get("index", 0))
    if search and search.strip():
        term = search.strip().lower()
        lines = [ln for ln in lines if term in (ln.get("text") or "").lower()
                 or any(term in str(t).lower() for t in (ln.get("translations") or {}).values())]
    total = len(lines)
    page = lines[offset:offset + limit]
    if not page:
        return [], total
    rt = RunTakes.load(run)
    nodes = {n["id"]: n for n in graph_nodes(run)}
    locales = list(run.locales or [])
    for t in rt.takes:
        if t.locale not in locales:
            locales.append(t.locale)
    if language:
        locales = [loc for loc in locales if loc.lower() == language]
    out = []
    for line in page:
        cards = [c for loc in locales
                 if (c := card_for(rt, line, loc, nodes, include_dropped=include_dropped)) is not None]
        out.append({"id": f"{run.id}:{line['index']}", "line_index": line["index"], "line_id": _line_id(line),
                    "source_line_id": _line_id(line), "script": line.get("text") or "",
                    "script_status": "available", "locale_code": line.get("locale"),
                    "auto_corrected": None, "auto_corrected_status": "unsupported", "cards": cards})
    return out, total


def data_out(run: Run, page: list[dict]) -> dict:
    partial = {"status": "not_ready", "reason": "The run is still in progress.", "source": "takes"} \
        if run.status in ACTIVE else {"status": "available", "reason": None, "source": "takes"}
    return {"workflow_id": run.workflow_id, "run_id": run.id, "run_status": run.status, "rows": page,
            "partial": partial, "dropped_truncated": False}
