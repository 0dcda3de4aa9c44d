"""Voice previews and voiceprints: rendered once by the voice's own engine, stored in the object store,
served by signed URL.

Platform voices' files live under ``ws/platform/voices/<voice hash>/``: a preview MP3 per supported
locale and a small JSON manifest (sample keys, durations, the voiceprint). File names carry a
fingerprint of what produced them (engine version, voice, text, voiceprint version), so a catalog
rebuilt from the same engines finds its files again instead of re-rendering them.

The voiceprint is the mean of the voiceprints of each preview plus a second, unstored line per
locale (more speech gives steadier statistics).
"""
from __future__ import annotations

import hashlib
import json
import logging

import numpy as np

from app.models import Voice
from app.speech import audio as audio_ops
from app.speech import voicebook, voiceprint
from app.storage import get_store, workspace_key

log = logging.getLogger("onepin.voices.samples")
SAMPLE_CONTENT_TYPE = "audio/mpeg"
SAMPLE_FORMAT = "mp3-v1"
SAMPLE_URL_SECONDS = 3600          # the contract: presigned, valid ~1 hour
PLATFORM = "platform"              # the object-store "workspace" of platform voices


def _owner(voice: Voice) -> str:
    return voice.workspace_id or PLATFORM


def _voice_dir(voice: Voice) -> str:
    return hashlib.sha256(voice.id.encode()).hexdigest()[:20]


def fingerprint(engine_version: str, provider_voice_id: str, texts: dict) -> str:
    payload = {"engine": engine_version, "voice": provider_voice_id, "texts": texts,
               "voiceprint": voiceprint.VERSION, "format": SAMPLE_FORMAT}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def _encode(clip) -> tuple[bytes, int]:
    normalized = audio_ops.loudness_normalize(clip).audio
    return audio_ops.to_mp3_bytes(normalized), normalized.duration_ms


def _estimated_gender(vector) -> str | None:
    f0 = voiceprint.median_f0_hz(vector)
    if f0 is None:
        return None
    return "male" if f0 < 150 else "female" if f0 > 180 else None


def _apply_manifest(voice: Voice, manifest: dict) -> None:
    voice.samples = manifest["samples"]
    voice.voiceprint = manifest["voiceprint"]
    voice.voiceprint_version = manifest["voiceprint_version"]
    meta = dict(voice.meta or {})
    meta["render_fp"] = manifest["fingerprint"]
    if voice.gender is None and manifest.get("voiceprint"):
        estimated = _estimated_gender(manifest["voiceprint"])
        if estimated:
            voice.gender = estimated
            meta["gender_estimated"] = estimated
            voice.tags = list(dict.fromkeys([*(voice.tags or []), estimated, "gender estimated from pitch"]))
    voice.meta = meta


def _up_to_date(voice: Voice, fp: str) -> bool:
    return ((voice.meta or {}).get("render_fp") == fp and voice.voiceprint_version == voiceprint.VERSION
            and voice.voiceprint is not None and bool(voice.samples))


def ensure_rendered(voice: Voice, entry: dict) -> str:
    """Make sure a platform voice has its previews and voiceprint: "current" (nothing to do), "reused"
    (files found in the store), or "rendered"."""
    locales = [loc for loc in entry["locales"] if voicebook.sample_text(loc)]
    texts = {loc: [voicebook.sample_text(loc), voicebook.enrollment_text(loc)] for loc in locales}
    fp = fingerprint(voicebook.engine_version(entry["provider"]), entry["provider_voice_id"], texts)
    if _up_to_date(voice, fp):
        return "current"
    store = get_store()
    base = workspace_key(_owner(voice), "voices", _voice_dir(voice))
    manifest_key = f"{base}/{fp}-manifest.json"
    if store.head(manifest_key) is not None:
        try:
            manifest = json.loads(store.get_bytes(manifest_key))
            if all(store.head(s["key"]) is not None for s in manifest["samples"].values()):
                _apply_manifest(voice, manifest)
                return "reused"
        except (ValueError, KeyError):
            log.warning("unreadable voice manifest %s: rendering again", manifest_key)
    samples, vectors = {}, []
    for loc in locales:
        preview, enroll = (voicebook.render(entry, text) for text in texts[loc])
        data, duration_ms = _encode(preview)
        key = f"{base}/{fp}-{loc}.mp3"
        store.put_bytes(key, data, SAMPLE_CONTENT_TYPE)
        samples[loc] = {"key": key, "model": entry["model"], "content_type": SAMPLE_CONTENT_TYPE,
                        "duration_ms": duration_ms}
        for clip in (preview, enroll):
            try:
                vectors.append(voiceprint.embed(clip))
            except voiceprint.VoiceprintError as exc:
                log.warning("voice %s %s: no voiceprint from a clip (%s)", voice.id, loc, exc)
    manifest = {"fingerprint": fp, "samples": samples,
                "voiceprint": [round(float(x), 6) for x in np.mean(vectors, axis=0)] if vectors else None,
                "voiceprint_version": voiceprint.VERSION if vectors else None}
    store.put_bytes(manifest_key, json.dumps(manifest).encode(), "application/json")
    _apply_manifest(voice, manifest)
    return "rendered"


def render_cloud_voice(voice: Voice) -> bool:
    """One preview (the voice's first language, else en-us) and the voiceprint of an imported voice,
    synthesized by the provider with the workspace's key. False when it cannot be rendered (no key: the
    voice is marked unavailable; no model for the language)."""
    from app.services import provider_credentials
    from app.speech.tts.cloud import adapter
    cred = provider_credentials.resolve(voice.workspace_id, "tts", voice.provider)
    if cred is None:
        voice.availability, voice.unavailable_reason = "unavailable", "provider_key_unavailable"
        return False
    loc = next((x for x in voice.supported_languages or [] if voicebook.sample_text(x)), "en-us")
    model = next((c["model"] for c in voice.model_capabilities or []
                  if not c.get("languages_known") or loc in (c.get("supported_languages") or [])), None)
    if model is None:
        return False
    engine = adapter(voice.provider, cred.secret, cred.base_url, cred.options)
    preview = engine.synthesize(voicebook.sample_text(loc), voice.provider_voice_id, model, locale=loc)
    enroll = engine.synthesize(voicebook.enrollment_text(loc), voice.provider_voice_id, model, locale=loc)
    data, duration_ms = _encode(preview)
    fp = fingerprint(engine.version, voice.provider_voice_id, {loc: [voicebook.sample_text(loc)]})
    key = workspace_key(_owner(voice), "voices", _voice_dir(voice), f"{fp}-{loc}.mp3")
    get_store().put_bytes(key, data, SAMPLE_CONTENT_TYPE)
    vector = voiceprint.embed_many([preview, enroll])
    _apply_manifest(voice, {"fingerprint": fp, "voiceprint_version": voiceprint.VERSION,
                            "voiceprint": [round(float(x), 6) for x in vector],
                            "samples": {loc: {"key": key, "model": model, "content_type": SAMPLE_CONTENT_TYPE,
                                              "duration_ms": duration_ms}}})
    if voice.default_locale is None:
        voice.default_locale = loc
    return True


# ---- serving -------------------------------------------------------------------------------------

def signed_url(sample: dict | None) -> str | None:
    if not sample or not sample.get("key"):
        return None
    return get_store().presigned_get(sample["key"], SAMPLE_URL_SECONDS,
                                     content_type=sample.get("content_type") or SAMPLE_CONTENT_TYPE)


def default_sample(voice: Voice) -> tuple[str | None, dict | None]:
    samples = voice.samples or {}
    if voice.default_locale in samples:
        return voice.default_locale, samples[voice.default_locale]
    for loc in sorted(samples):
        return loc, samples[loc]
    return None, None


def sample_for(voice: Voice, wanted: list[str]) -> tuple[str | None, dict | None]:
    """The preview in the first of ``wanted`` (locales or bare families) the voice has one for."""
    samples = voice.samples or {}
    for want in wanted:
        if want in samples:
            return want, samples[want]
        family = want.split("-")[0]
        if want == family:
            from app.workflows.locales import FAMILY_DEFAULTS
            if FAMILY_DEFAULTS.get(family) in samples:
                return FAMILY_DEFAULTS[family], samples[FAMILY_DEFAULTS[family]]
            for loc in sorted(samples):
                if loc.split("-")[0] == family:
                    return loc, samples[loc]
    return None, None
