"""Cartesia bytes endpoint, as documented: POST /tts/bytes with `X-API-Key` (or Bearer) and a required
`Cartesia-Version` header; JSON {model_id, transcript, voice: {mode: "id", id}, output_format:
{container: raw|wav|mp3, encoding: pcm_s16le|pcm_f32le, sample_rate}, language?, generation_config?}."""
from __future__ import annotations

from tests.fakes.server import FakeVendor, Reply, encode, speech

RATES = {8000, 16000, 22050, 24000, 44100, 48000}


class FakeCartesia(FakeVendor):
    name = "cartesia"

    def error_reply(self, status, retry_after=None) -> Reply:
        messages = {401: "Invalid API key", 402: "Insufficient credits", 429: "Rate limit exceeded",
                    500: "Internal server error", 503: "Service unavailable"}
        return Reply(status, {"error": messages.get(status, f"HTTP {status}"), "message": messages.get(status, "")})

    def handle(self, req) -> Reply:
        if req["method"] != "POST" or req["path"] != "/tts/bytes":
            return Reply(404, {"error": "Not found"})
        h = req["headers"]
        key = h.get("x-api-key") or (h.get("authorization") or "").removeprefix("Bearer ")
        if key != self.api_key:
            return self.error_reply(401)
        if not h.get("cartesia-version"):
            return Reply(400, {"error": "Missing Cartesia-Version header"})
        body = req["json"] or {}
        voice, fmt = body.get("voice") or {}, body.get("output_format") or {}
        if not body.get("transcript") or not body.get("model_id") or voice.get("mode") != "id" or not voice.get("id"):
            return Reply(400, {"error": "transcript, model_id and voice {mode: id, id} are required"})
        container, encoding, rate = fmt.get("container"), fmt.get("encoding", "pcm_f32le"), fmt.get("sample_rate")
        if container not in ("raw", "wav", "mp3") or rate not in RATES or encoding not in ("pcm_s16le", "pcm_f32le"):
            return Reply(400, {"error": f"invalid output_format {fmt}"})
        data, ctype = encode(speech(body["transcript"], rate), container, encoding)
        return Reply(200, data, content_type=ctype)
