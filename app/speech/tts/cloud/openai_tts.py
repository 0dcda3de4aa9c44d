"""OpenAI TTS: POST /v1/audio/speech with ``Authorization: Bearer <key>``.

Body: ``model`` (tts-1, tts-1-hd, gpt-4o-mini-tts), ``voice``, ``input`` (at most 4,096 characters),
``response_format`` "pcm" (raw 16-bit little-endian mono at 24 kHz) and ``speed`` (0.25–4.0);
``instructions`` (a style prompt) only for gpt-4o-mini-tts. OpenAI reads no SSML or phoneme input:
IPA-marked words are sent as written and respellings in place of their words. A 429 whose error code is ``insufficient_quota`` is a
billing problem, not a rate limit.

Voices: OpenAI has no voice-list endpoint; its documented built-in set is the list (tts-1 and tts-1-hd
speak nine of them, gpt-4o-mini-tts all eleven). ``list_voices`` checks the key with GET /v1/models (free)
so that a refused key is reported like the other vendors'.
"""
from __future__ import annotations

from . import voices
from .base import CloudTTS, clamp
from .errors import ProviderRequestError
from .http import json_error

MAX_INPUT = 4096
BUILTIN_VOICES = ("alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer", "verse")
INSTRUCTION_MODELS = ("gpt-4o-mini-tts",)
CLASSIC_VOICES = ("alloy", "ash", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer")
MODEL_VOICES = {"tts-1": CLASSIC_VOICES, "tts-1-hd": CLASSIC_VOICES, "gpt-4o-mini-tts": BUILTIN_VOICES}


class OpenAITTS(CloudTTS):
    provider = "openai"
    display_name = "OpenAI"
    default_base_url = "https://api.openai.com"
    sample_rate = 24000

    def request(self, text, voice, model, controls, locale) -> dict:
        if len(text) > MAX_INPUT:
            raise ProviderRequestError(self.provider, f"OpenAI reads at most {MAX_INPUT} characters per line "
                                                      f"(this one has {len(text)})")
        body: dict = {"model": model, "voice": voice, "input": text, "response_format": "pcm"}
        if controls.get("speed") is not None:
            body["speed"] = round(clamp(controls["speed"], 0.25, 4.0), 3)
        instructions = controls.get("instructions")
        if isinstance(instructions, str) and instructions.strip() and model.startswith(INSTRUCTION_MODELS):
            body["instructions"] = instructions.strip()[:4096]
        return {"path": "/v1/audio/speech",
                "headers": {"Authorization": f"Bearer {self.api_key}", "Content-Type": "application/json"},
                "json": body, "rate": 24000, "encoding": "pcm_s16le"}

    def list_voices(self) -> list[dict]:
        from .catalog import PROVIDERS
        self.get_json("/v1/models", {"Authorization": f"Bearer {self.api_key}"})       # the key check
        locales = {m: spec[1] for m, spec in PROVIDERS["openai"]["models"].items()}
        out = []
        for name in BUILTIN_VOICES:
            models = [m for m, names in MODEL_VOICES.items() if name in names]
            languages = sorted({loc for m in models for loc in locales.get(m, ())})
            out.append(voices.item(name, name.capitalize(), tags_=("built-in",), languages=languages,
                                   models=models))
        return out

    def error_of(self, resp) -> tuple[str | None, str]:
        body = json_error(resp)
        err = body.get("error") if isinstance(body, dict) else None
        if isinstance(err, dict):
            return err.get("code") or err.get("type"), str(err.get("message") or "")
        return None, str(err or body or "")
