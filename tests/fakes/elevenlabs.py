"""ElevenLabs text-to-speech, as documented: POST /v1/text-to-speech/{voice_id}?output_format=...,
`xi-api-key` header, JSON {text, model_id, voice_settings?, language_code?}; errors as
{"detail": {"status", "message"}} (422 validation errors as a FastAPI list).
GET /v1/voices (same header) lists the account's voices: {"voices": [...]} (``fake.voices``, editable)."""
from __future__ import annotations

import re

from tests.fakes.server import FakeVendor, Reply, encode, speech

PATH = re.compile(r"^/v1/text-to-speech/([^/]+)$")
FORMATS = {"pcm_16000", "pcm_22050", "pcm_24000", "pcm_44100", "mp3_22050_32", "mp3_44100_128", "mp3_44100_192"}
MODELS = {"eleven_multilingual_v2", "eleven_v3", "eleven_flash_v2_5", "eleven_turbo_v2_5", "eleven_flash_v2",
          "eleven_turbo_v2", "eleven_monolingual_v1"}
ERRORS = {
    401: ("invalid_api_key", "Invalid API key"),
    402: ("payment_required", "This request requires a paid subscription"),
    429: ("too_many_concurrent_requests", "Too many concurrent requests for your subscription"),
    500: ("internal_error", "An internal server error occurred"),
    503: ("service_unavailable", "The service is temporarily unavailable"),
}


# Shaped like the documented /v1/voices answer: a premade voice with labels and the models it is made for,
# a cloned voice with verified languages per model, and a bare one without labels.
VOICES = [
    {"voice_id": "21m00Tcm4TlvDq8ikWAM", "name": "Rachel", "category": "premade", "description": None,
     "labels": {"accent": "american", "description": "calm", "age": "young", "gender": "female",
                "use_case": "narration"},
     "preview_url": "https://storage.googleapis.com/eleven-public-prod/premade/voices/21m00Tcm4TlvDq8ikWAM/p.mp3",
     "available_for_tiers": [], "settings": None, "sharing": None,
     "high_quality_base_model_ids": ["eleven_turbo_v2", "eleven_multilingual_v2", "eleven_flash_v2_5"]},
    {"voice_id": "Xb7hH8MSUJpSbSDYk0k2", "name": "Alice", "category": "cloned",
     "description": "Clear, engaging British voice for e-learning.",
     "labels": {"accent": "british-essex", "age": "middle aged", "gender": "female",
                "use_case": "informative_educational"},
     "high_quality_base_model_ids": ["eleven_multilingual_v2"],
     "verified_languages": [
         {"language": "en", "model_id": "eleven_multilingual_v2", "accent": "british", "locale": "en-GB"},
         {"language": "de", "model_id": "eleven_multilingual_v2", "accent": "standard", "locale": "de-DE"}]},
    {"voice_id": "nPczCjzI2devNBz1zQrb", "name": "Brian", "category": "generated", "labels": {}},
]


class FakeElevenLabs(FakeVendor):
    name = "elevenlabs"

    def __init__(self, api_key: str = "test-key"):
        super().__init__(api_key)
        self.voices = [dict(v) for v in VOICES]

    def error_reply(self, status, retry_after=None) -> Reply:
        code, message = ERRORS.get(status, ("error", f"HTTP {status}"))
        return Reply(status, {"detail": {"status": code, "message": message}})

    def handle(self, req) -> Reply:
        if req["method"] == "GET" and req["path"] == "/v1/voices":
            if req["headers"].get("xi-api-key") != self.api_key:
                return self.error_reply(401)
            return Reply(200, {"voices": self.voices})
        m = PATH.match(req["path"])
        if req["method"] != "POST" or not m:
            return Reply(404, {"detail": "Not Found"})
        if req["headers"].get("xi-api-key") != self.api_key:
            return self.error_reply(401)
        body = req["json"] or {}
        if not isinstance(body.get("text"), str) or not body["text"].strip():
            return Reply(422, {"detail": [{"loc": ["body", "text"], "msg": "field required",
                                           "type": "value_error.missing"}]})
        if body.get("model_id", "eleven_multilingual_v2") not in MODELS:
            return Reply(400, {"detail": {"status": "model_not_found", "message": "Model not found"}})
        if m.group(1) == "missing-voice":
            return Reply(404, {"detail": {"status": "voice_not_found", "message": "A voice with that ID does not exist"}})
        fmt = req["query"].get("output_format", "mp3_44100_128")
        if fmt not in FORMATS:
            return Reply(422, {"detail": [{"loc": ["query", "output_format"], "msg": "invalid output format"}]})
        codec, rate = fmt.split("_")[:2]
        data, ctype = encode(speech(body["text"], int(rate)), "raw" if codec == "pcm" else "mp3")
        return Reply(200, data, content_type="audio/mpeg" if codec == "mp3" else ctype)
