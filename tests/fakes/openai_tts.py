"""OpenAI speech, as documented: POST /v1/audio/speech, `Authorization: Bearer`, JSON {model, input,
voice, response_format?, speed?, instructions?}; pcm = raw 16-bit LE mono at 24 kHz; errors as
{"error": {"message", "type", "param", "code"}} (429 `insufficient_quota` when the account is out of credit).
GET /v1/models (same header) lists the models the key can use: {"object": "list", "data": [{id, object,
created, owned_by}]}."""
from __future__ import annotations

from tests.fakes.server import FakeVendor, Reply, encode, speech

MODELS = {"tts-1", "tts-1-hd", "gpt-4o-mini-tts"}
ERRORS = {
    401: ("invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
    429: ("requests", "rate_limit_exceeded", "Rate limit reached for requests."),
    500: ("server_error", None, "The server had an error while processing your request."),
    503: ("server_error", None, "The engine is currently overloaded, please try again later."),
}


class FakeOpenAI(FakeVendor):
    name = "openai"

    def error_reply(self, status, retry_after=None) -> Reply:
        etype, code, message = ERRORS.get(status, ("server_error", None, f"HTTP {status}"))
        return Reply(status, {"error": {"message": message, "type": etype, "param": None, "code": code}})

    @staticmethod
    def quota_body() -> dict:
        return {"error": {"message": "You exceeded your current quota, please check your plan and billing details.",
                          "type": "insufficient_quota", "param": None, "code": "insufficient_quota"}}

    def handle(self, req) -> Reply:
        if req["method"] == "GET" and req["path"] == "/v1/models":
            if req["headers"].get("authorization") != f"Bearer {self.api_key}":
                return self.error_reply(401)
            return Reply(200, {"object": "list", "data": [
                {"id": m, "object": "model", "created": 1699046015, "owned_by": "system"}
                for m in sorted(MODELS | {"gpt-4o-mini", "whisper-1"})]})
        if req["method"] != "POST" or req["path"] != "/v1/audio/speech":
            return Reply(404, {"error": {"message": "Not found", "type": "invalid_request_error", "code": None}})
        if req["headers"].get("authorization") != f"Bearer {self.api_key}":
            return self.error_reply(401)
        body = req["json"] or {}
        for key in ("model", "input", "voice"):
            if not body.get(key):
                return Reply(400, {"error": {"message": f"Missing required parameter: '{key}'.",
                                             "type": "invalid_request_error", "param": key, "code": None}})
        if body["model"] not in MODELS or len(body["input"]) > 4096:
            return Reply(400, {"error": {"message": "Invalid request.", "type": "invalid_request_error",
                                         "param": "model", "code": None}})
        speed = body.get("speed", 1.0)
        if not 0.25 <= float(speed) <= 4.0:
            return Reply(400, {"error": {"message": "speed out of range", "type": "invalid_request_error",
                                         "param": "speed", "code": None}})
        fmt = body.get("response_format", "mp3")
        container = {"pcm": "raw", "wav": "wav", "mp3": "mp3", "flac": "flac"}.get(fmt)
        if container is None:
            return Reply(400, {"error": {"message": f"Unsupported response_format {fmt}",
                                         "type": "invalid_request_error", "param": "response_format", "code": None}})
        data, ctype = encode(speech(body["input"], 24000), container)
        return Reply(200, data, content_type="audio/pcm" if fmt == "pcm" else ctype)
