"""ElevenLabs: POST /v1/text-to-speech/{voice_id}?output_format=pcm_22050 with the ``xi-api-key`` header.

Body: ``text``, ``model_id``, ``voice_settings`` {stability, similarity_boost, style, speed} (sent only
when a control is set; ElevenLabs' speed range is 0.7–1.2), and ``language_code`` for the v2.5 models
(the only ones that accept it). ``pcm_22050`` answers raw 16-bit little-endian mono PCM at 22,050 Hz.
Pronunciation markup becomes SSML ``<phoneme alphabet="ipa">`` tags for the English models that honour
them (eleven_flash_v2, eleven_turbo_v2, eleven_monolingual_v1); other models get the plain words.
Respellings (``⟦word|=respelling⟧``) are sent as the respelling to every model.

Voices: GET /v1/voices (same header) answers {"voices": [{voice_id, name, category, description, labels
{gender, age, accent, description, use_case, language?}, high_quality_base_model_ids?, verified_languages?
[{language, model_id, accent, locale}]}]}: every voice of the account (premade, cloned, library).
"""
from __future__ import annotations

from app.speech.text import markup

from . import voices
from .base import CloudTTS, clamp, language_of
from .errors import ProviderRequestError
from .http import json_error

PHONEME_MODELS = {"eleven_flash_v2", "eleven_turbo_v2", "eleven_monolingual_v1"}
LANGUAGE_CODE_MODELS = {"eleven_flash_v2_5", "eleven_turbo_v2_5"}
VOICE_SETTING_DEFAULTS = {"stability": 0.5, "similarity_boost": 0.75, "style": 0.0, "speed": 1.0}


class ElevenLabs(CloudTTS):
    provider = "elevenlabs"
    display_name = "ElevenLabs"
    default_base_url = "https://api.elevenlabs.io"
    sample_rate = 22050

    def supports_phonemes(self, model: str, locale: str | None) -> bool:
        return model in PHONEME_MODELS and language_of(locale) in (None, "en")

    def render(self, text: str, model: str, locale: str | None) -> str:
        if markup.has_markup(text) and self.supports_phonemes(model, locale):
            return markup.to_ssml(text)
        return markup.spoken(text)

    def request(self, text, voice, model, controls, locale) -> dict:
        output = str(self.options.get("output_format") or f"pcm_{self.sample_rate}")
        body: dict = {"text": text, "model_id": model}
        given = {k: controls[k] for k in VOICE_SETTING_DEFAULTS if controls.get(k) is not None}
        if given:
            settings = {**VOICE_SETTING_DEFAULTS, **{k: float(v) for k, v in given.items()}}
            for key in ("stability", "similarity_boost", "style"):
                settings[key] = clamp(settings[key], 0.0, 1.0)
            settings["speed"] = clamp(settings["speed"], 0.7, 1.2)
            body["voice_settings"] = settings
        if model in LANGUAGE_CODE_MODELS and language_of(locale):
            body["language_code"] = language_of(locale)
        rate = int(output.split("_")[1]) if output.startswith("pcm_") else self.sample_rate
        return {"path": f"/v1/text-to-speech/{voice}", "params": {"output_format": output},
                "headers": {"xi-api-key": self.api_key, "Content-Type": "application/json"},
                "json": body, "rate": rate, "encoding": "pcm_s16le"}

    def list_voices(self) -> list[dict]:
        body = self.get_json("/v1/voices", {"xi-api-key": self.api_key})
        found = body.get("voices") if isinstance(body, dict) else None
        if not isinstance(found, list):
            raise ProviderRequestError(self.provider, "ElevenLabs answered /v1/voices without a voices list")
        return [v for v in (voice_item(x) for x in found if isinstance(x, dict)) if v]

    def error_of(self, resp) -> tuple[str | None, str]:
        body = json_error(resp)
        detail = body.get("detail") if isinstance(body, dict) else body
        if isinstance(detail, dict):
            return detail.get("status") or detail.get("code"), str(detail.get("message") or "")
        if isinstance(detail, list):      # FastAPI validation errors
            return "validation_error", "; ".join(str(d.get("msg", d)) if isinstance(d, dict) else str(d)
                                                 for d in detail)
        return None, str(detail or "")


def voice_item(v: dict) -> dict | None:
    """One /v1/voices entry in the list_voices shape: labels mapped to our enums, the verified languages
    (per model where ElevenLabs says which), the models it is made for (high_quality_base_model_ids)."""
    labels = v.get("labels") if isinstance(v.get("labels"), dict) else {}
    verified = [e for e in v.get("verified_languages") or [] if isinstance(e, dict)]
    languages, per_model = [], {}
    for e in verified:
        code = e.get("locale") or e.get("language")
        if isinstance(code, str) and code:
            languages.append(code)
            if isinstance(e.get("model_id"), str) and e["model_id"]:
                per_model.setdefault(e["model_id"], []).append(code)
    if isinstance(labels.get("language"), str):
        languages.append(labels["language"])
    accent, accent_tag = voices.accent(labels.get("accent") or next((e.get("accent") for e in verified
                                                                      if e.get("accent")), None))
    category, use_tag = voices.category(labels.get("use_case"))
    models = [m for m in v.get("high_quality_base_model_ids") or [] if isinstance(m, str) and m] or list(per_model)
    return voices.item(v.get("voice_id"), v.get("name"), description=v.get("description"),
                       gender_=voices.gender(labels.get("gender")), age_=voices.age(labels.get("age")),
                       accent_=accent, category_=category,
                       tags_=(labels.get("description"), accent_tag, use_tag, v.get("category")),
                       languages=languages, models=models or None, model_languages=per_model or None)
