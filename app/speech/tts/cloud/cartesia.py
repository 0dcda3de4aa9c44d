"""Cartesia: POST /tts/bytes with the ``X-API-Key`` and ``Cartesia-Version`` headers.

Body: ``model_id`` (sonic-2, sonic-turbo, sonic-3 ...), ``transcript``, ``voice`` {mode: "id", id},
``output_format`` {container: "raw", encoding: "pcm_s16le", sample_rate: 24000}, ``language`` (ISO 639-1).
Speed and volume: sonic-3 models take ``generation_config`` {speed 0.6–1.5, volume 0.5–2.0}; sonic-2
and sonic-turbo take ``voice.__experimental_controls.speed`` (-1 slowest .. 1 fastest, we send log2 of
the multiplier). Pronunciation markup becomes Cartesia's inline phonemes ``<<p|h|o|n|e|m|e|s>>``
(IPA phones separated by bars), which every Sonic model reads; a respelling mark is sent as the
respelling.

Voices: GET /voices (same headers) with ``limit`` (1–100) and the ``starting_after`` cursor answers
{"data": [{id, name, description, language, gender?, is_owner, created_at}], "has_more", "next_page"}
(API versions before 2024-11-13 answered a bare list). Every Sonic model speaks every voice.
"""
from __future__ import annotations

import math
import unicodedata

from app.speech.text import markup

from . import voices
from .base import CloudTTS, clamp, language_of
from .errors import ProviderRequestError
from .http import json_error

API_VERSION = "2024-11-13"
STRESS = {"ˈ", "ˌ"}
ATTACH = {"ː", "ˑ", "ʰ", "ʲ", "ʷ", "ˠ", "ˤ", "ʼ", "˞"}
TIES = {"\u0361", "\u035c"}
CLUSTERS = {"tʃ", "dʒ", "ts", "dz", "tɕ", "dʑ", "aɪ", "aʊ", "eɪ", "oʊ", "ɔɪ", "əʊ", "eə", "ɪə", "ʊə"}
SKIP = {" ", ".", "/", "[", "]", "‿", "|"}
PAGE_SIZE = 100          # the most /voices returns per page
MAX_PAGES = 100          # 10,000 voices: more is a runaway cursor, not an account


def ipa_phones(ipa: str) -> list[str]:
    """'tʃiːz' → ['tʃ', 'iː', 'z']: stress marks stand alone, length marks and diacritics stay with
    their phone, tie bars and common affricates/diphthongs make one phone."""
    phones: list[str] = []
    chars = list(unicodedata.normalize("NFD", ipa or ""))
    i = 0
    while i < len(chars):
        ch = chars[i]
        if ch in SKIP:
            i += 1
            continue
        if ch in STRESS:
            phones.append(ch)
        elif (ch in ATTACH or unicodedata.combining(ch)) and ch not in TIES and phones and phones[-1] not in STRESS:
            phones[-1] += ch
        elif ch in TIES and phones and i + 1 < len(chars):
            phones[-1] += ch + chars[i + 1]
            i += 1
        elif phones and phones[-1] + ch in CLUSTERS:
            phones[-1] += ch
        else:
            phones.append(ch)
        i += 1
    return [unicodedata.normalize("NFC", p) for p in phones]


def to_cartesia(text: str) -> str:
    def one(m):
        resp = markup.respelling_of(m.group(2))
        if resp is not None:
            return resp
        phones = ipa_phones(m.group(2))
        return f"<<{'|'.join(phones)}>>" if phones else m.group(1)
    return markup.SPAN.sub(one, text or "")


class Cartesia(CloudTTS):
    provider = "cartesia"
    display_name = "Cartesia"
    default_base_url = "https://api.cartesia.ai"
    sample_rate = 24000

    def supports_phonemes(self, model: str, locale: str | None) -> bool:
        return True

    def render(self, text: str, model: str, locale: str | None) -> str:
        return to_cartesia(text) if markup.has_markup(text) else text

    def request(self, text, voice, model, controls, locale) -> dict:
        voice_spec: dict = {"mode": "id", "id": voice}
        body: dict = {"model_id": model, "transcript": text, "voice": voice_spec,
                      "output_format": {"container": "raw", "encoding": "pcm_s16le", "sample_rate": self.sample_rate}}
        if language_of(locale):
            body["language"] = language_of(locale)
        speed, volume = controls.get("speed"), controls.get("volume")
        if model.startswith("sonic-3"):
            config = {}
            if speed is not None:
                config["speed"] = round(clamp(speed, 0.6, 1.5), 3)
            if volume is not None:
                config["volume"] = round(clamp(volume, 0.5, 2.0), 3)
            if isinstance(controls.get("emotion"), str) and controls["emotion"]:
                config["emotion"] = controls["emotion"]
            if config:
                body["generation_config"] = config
        elif speed is not None and float(speed) > 0:
            voice_spec["__experimental_controls"] = {"speed": round(clamp(math.log2(float(speed)), -1.0, 1.0), 3)}
        version = str(self.options.get("api_version") or API_VERSION)
        return {"path": "/tts/bytes",
                "headers": {"X-API-Key": self.api_key, "Cartesia-Version": version,
                            "Content-Type": "application/json"},
                "json": body, "rate": self.sample_rate, "encoding": "pcm_s16le"}

    def list_voices(self) -> list[dict]:
        headers = {"X-API-Key": self.api_key, "Cartesia-Version": str(self.options.get("api_version") or API_VERSION)}
        found: dict[str, dict] = {}
        cursor, seen = None, set()
        for _ in range(MAX_PAGES):
            params = {"limit": PAGE_SIZE, **({"starting_after": cursor} if cursor else {})}
            body = self.get_json("/voices", headers, params)
            if isinstance(body, list):                          # before 2024-11-13: every voice at once
                page, more, cursor = body, False, None
            elif isinstance(body, dict) and isinstance(body.get("data"), list):
                page = body["data"]
                more = body["has_more"] if isinstance(body.get("has_more"), bool) else bool(body.get("next_page"))
                last = page[-1].get("id") if page and isinstance(page[-1], dict) else None
                cursor = last or body.get("next_page")         # next_page is deprecated: the same id
            else:
                raise ProviderRequestError(self.provider, "Cartesia answered /voices without a voice list")
            for v in page:
                entry = voice_item(v) if isinstance(v, dict) else None
                if entry:
                    found.setdefault(entry["provider_voice_id"], entry)
            if not more or not cursor or cursor in seen:
                return list(found.values())
            seen.add(cursor)
        raise ProviderRequestError(self.provider, f"Cartesia listed more than {MAX_PAGES * PAGE_SIZE} voices; "
                                                  "stopped reading")

    def error_of(self, resp) -> tuple[str | None, str]:
        body = json_error(resp)
        if isinstance(body, dict):
            code = body.get("error_code") or body.get("code") or body.get("title")
            return (str(code) if code else None), str(body.get("message") or body.get("error") or body.get("detail") or "")
        return None, str(body or "")


def voice_item(v: dict) -> dict | None:
    """One /voices entry in the list_voices shape (gender is Cartesia's masculine/feminine/gender_neutral)."""
    language = v.get("language")
    return voices.item(v.get("id"), v.get("name"), description=v.get("description"),
                       gender_=voices.gender(v.get("gender")),
                       languages=[language] if isinstance(language, str) else [])
