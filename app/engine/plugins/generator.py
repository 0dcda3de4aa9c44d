"""operator_generator: text → speech with the voice assigned to the take's locale.

Unchanged takes are reused: a take whose inputs hash (text, voice, controls, dictionary version,
engine version) matches an accepted take of the workspace reuses its audio without synthesis.
A retry (attempt > 1) varies the speaking rate slightly, so a deterministic engine gives a new take.
"""
from __future__ import annotations

import hashlib
import json
import logging
import time

from sqlalchemy import select

from app.engine.plugins import register
from app.engine.plugins.base import NodePlugin, TakeFailed, TakeOutput
from app.extensions import db
from app.models import Take
from app.services import pricing
from app.speech.text import markup

log = logging.getLogger("onepin.engine.generator")
LOCAL_PROVIDERS = {"espeak", "piper"}
RETRY_RATE_STEP = 0.06


def assignment_for(config: dict, locale: str) -> dict:
    entries = (config.get("voice_map") or {}).get(locale) or []
    if not entries:
        raise TakeFailed(f"No voice is assigned for {locale}.")
    return entries[0]


def _engine(provider: str, workspace_id: str | None = None, model: str | None = None, locale: str | None = None):
    from app.speech.tts import get_engine
    from app.engine import cloud_tts
    if cloud_tts.is_cloud(provider):      # the workspace's own key; provider errors pause the run
        return cloud_tts.engine_for(workspace_id, provider, model, locale)
    if provider not in LOCAL_PROVIDERS:
        raise TakeFailed(f"The provider {provider!r} is not available on this server.")
    return get_engine(provider)


def controls_for(assignment: dict, attempt: int) -> dict:
    controls = dict(assignment.get("canonical_controls") or {})
    if attempt > 1:
        speed = float(controls.get("speed", 1.0))
        controls["speed"] = round(speed * (1 - RETRY_RATE_STEP * (attempt - 1)), 3)
    return controls


def engine_input(provider: str, text: str, voice: str | None = None) -> str:
    """The take text with pronunciation markup rendered in the engine's own phoneme syntax (espeak's
    mnemonics depend on the voice)."""
    if not markup.has_markup(text) or provider not in LOCAL_PROVIDERS:
        return text                       # cloud adapters render the markup themselves (SSML, <<phones>>)
    return markup.render(text, provider if provider in ("espeak", "piper") else "plain", voice)


def cache_key(text: str, assignment: dict, controls: dict, engine_version: str, dictionary_version: str) -> str:
    payload = {"text": text, "provider": assignment.get("provider"), "model": assignment.get("model"),
               "voice": assignment.get("voice_id"), "controls": controls, "engine": engine_version,
               "dictionary": dictionary_version}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _reusable(workspace_id: str, keys) -> dict:
    """{cache key: an accepted take of the workspace with audio (id, audio_key, duration_ms, content_type)}."""
    found = {}
    for row in db.session.execute(select(Take.cache_key, Take.id, Take.audio_key, Take.duration_ms, Take.content_type)
                                  .where(Take.workspace_id == workspace_id, Take.cache_key.in_(list(keys)),
                                         Take.accepted.is_(True), Take.audio_key.is_not(None))):
        found.setdefault(row.cache_key, row)
    return found


def _prior(workspace_id: str, key: str, ctx):
    """The take whose audio this one may reuse: from the batch's lookup (prepare) or a query of its own."""
    memo = getattr(ctx, "memo", None)
    if memo is not None and ("reuse", workspace_id, key) in memo:
        return memo[("reuse", workspace_id, key)]
    return _reusable(workspace_id, [key]).get(key)


class Generator(NodePlugin):
    node_type = "operator_generator"
    batch_size = 25

    def prepare(self, takes: list, ctx) -> None:
        """The reuse lookups of the whole batch in one query instead of one per take. A take whose key
        cannot be worked out here (no voice, provider trouble) is left to process()."""
        import dataclasses
        keys: dict[str, set] = {}
        for take in takes:
            text = (take.text or "").strip()
            if take.attempt != 1 or not text:
                continue
            try:
                a = assignment_for(ctx.config, take.locale)
                engine = _engine(a.get("provider"), take.workspace_id, a.get("model"), take.locale)
                dictionary = dataclasses.replace(ctx, locale=take.locale).dictionary_version
            except Exception:  # noqa: BLE001 - process() reports it on the take
                continue
            keys.setdefault(take.workspace_id, set()).add(
                cache_key(text, a, controls_for(a, take.attempt), engine.version, dictionary))
        for workspace_id, wanted in keys.items():
            found = _reusable(workspace_id, wanted)
            ctx.memo.update({("reuse", workspace_id, k): found.get(k) for k in wanted})

    def process(self, take: Take, ctx) -> TakeOutput:
        from app.speech import audio_checks
        from app.speech.tts.base import EngineError
        text = (take.text or "").strip()
        if not text:
            raise TakeFailed("The line is empty.")
        a = assignment_for(ctx.config, take.locale)
        provider, model = a.get("provider"), a.get("model")
        engine = _engine(provider, take.workspace_id, model, take.locale)
        controls = controls_for(a, take.attempt)
        key = cache_key(text, a, controls, engine.version, ctx.dictionary_version)
        rate = pricing.rate_for(self.node_type, provider, model)
        out = TakeOutput(cache_key=key, unit=rate.unit,
                         meta={"voice": {"voice_id": a.get("voice_id"), "provider": provider, "model": model,
                                         "voice_name": a.get("voice_name"),
                                         "catalog_voice_id": a.get("catalog_voice_id")}})
        if take.attempt == 1:
            prior = _prior(take.workspace_id, key, ctx)
            if prior is not None and ctx.store.head(prior.audio_key) is not None:
                out.reused_from, out.audio_key = prior.id, prior.audio_key
                out.duration_ms, out.content_type = prior.duration_ms, prior.content_type
                return out
        started = time.perf_counter()
        try:
            audio = engine.synthesize(engine_input(provider, text, a.get("voice_id")), a.get("voice_id"), controls,
                                      phonemes=markup.has_markup(text) or "[[" in text)
        except EngineError as exc:
            raise TakeFailed(str(exc)) from None
        out.synth_calls = 1
        log.info("synthesized take=%s run=%s node=%s line=%s locale=%s attempt=%s provider=%s ms=%.1f",
                 take.id, take.run_id, take.node_id, take.line_index, take.locale, take.attempt, provider,
                 (time.perf_counter() - started) * 1000)
        # empty, silent, clipping, duration, undecodable; then the loudness-normalised 16-bit WAV
        checked, wav = audio_checks.inspect_to_wav(audio, markup.plain(text))
        if not checked.ok:
            raise TakeFailed(checked.reason)
        out.audio_key = ctx.audio_key(take, "wav")
        ctx.store.put_bytes(out.audio_key, wav, "audio/wav")
        out.content_type, out.duration_ms = "audio/wav", checked.audio.duration_ms
        out.units = pricing.units_in(text, rate.unit)
        return out


register(Generator())
