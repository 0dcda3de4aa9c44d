"""Cartesia bytes endpoint, as documented: POST /tts/bytes with `X-API-Key` (or Bearer) and a required
`Cartesia-Version` header; JSON {model_id, transcript, voice: {mode: "id", id}, output_format:
{container: raw|wav|mp3, encoding: pcm_s16le|pcm_f32le, sample_rate}, language?, generation_config?}.
GET /voices (same headers) pages through ``fake.voices``: ``limit`` (1–100, default 10; never more than
``fake.page_size``) and the ``starting_after`` cursor; answers {data, has_more, next_page}."""
from __future__ import annotations

from tests.fakes.server import FakeVendor, Reply, encode, speech

RATES = {8000, 16000, 22050, 24000, 44100, 48000}
VOICES = [
    {"id": "694f9389-aac1-45b6-b726-9d9369183238", "name": "Sarah", "description": "A soft, approachable female "
     "voice for customer support.", "language": "en", "gender": "feminine", "is_owner": False,
     "created_at": "2024-05-04T18:50:51.127693Z"},
    {"id": "a0e99841-438c-4a64-b679-ae501e7d6091", "name": "Barbershop Man", "description": "Smooth, conversational "
     "male voice.", "language": "en", "gender": "masculine", "is_owner": False,
     "created_at": "2024-02-28T20:34:12.345678Z"},
    {"id": "b9de4a89-2257-424b-94c2-db18ba68c81a", "name": "German Conversational Woman", "description": "A clear "
     "German voice.", "language": "de", "is_owner": False, "created_at": "2024-06-10T12:00:00Z"},
    {"id": "5c3c89e5-535f-43ef-b14d-f8ffe148c1f0", "name": "My cloned voice", "description": "", "language": "fr",
     "gender": "gender_neutral", "is_owner": True, "created_at": "2025-01-02T03:04:05Z"},
]


class FakeCartesia(FakeVendor):
    name = "cartesia"

    def __init__(self, api_key: str = "test-key"):
        super().__init__(api_key)
        self.voices = [dict(v) for v in VOICES]
        self.page_size = 100

    def list_voices(self, req) -> Reply:
        q = req["query"]
        try:
            limit = int(q.get("limit", 10))
        except ValueError:
            limit = 0
        if not 1 <= limit <= 100:
            return Reply(400, {"error": "limit must be between 1 and 100"})
        ids = [v["id"] for v in self.voices]
        start = 0
        if q.get("starting_after"):
            if q["starting_after"] not in ids:
                return Reply(400, {"error": "invalid starting_after cursor"})
            start = ids.index(q["starting_after"]) + 1
        page = self.voices[start:start + min(limit, self.page_size)]
        more = start + len(page) < len(self.voices)
        return Reply(200, {"data": page, "has_more": more, "next_page": page[-1]["id"] if more and page else None})

    def error_reply(self, status, retry_after=None) -> Reply:
        messages = {401: "Invalid API key", 402: "Insufficient credits", 429: "Rate limit exceeded",
                    500: "Internal server error", 503: "Service unavailable"}
        return Reply(status, {"error": messages.get(status, f"HTTP {status}"), "message": messages.get(status, "")})

    def handle(self, req) -> Reply:
        route = (req["method"], req["path"])
        if route not in (("POST", "/tts/bytes"), ("GET", "/voices")):
            return Reply(404, {"error": "Not found"})
        h = req["headers"]
        key = h.get("x-api-key") or (h.get("authorization") or "").removeprefix("Bearer ")
        if key != self.api_key:
            return self.error_reply(401)
        if not h.get("cartesia-version"):
            return Reply(400, {"error": "Missing Cartesia-Version header"})
        if route == ("GET", "/voices"):
            return self.list_voices(req)
        body = req["json"] or {}
        voice, fmt = body.get("voice") or {}, body.get("output_format") or {}
        if not body.get("transcript") or not body.get("model_id") or voice.get("mode") != "id" or not voice.get("id"):
            return Reply(400, {"error": "transcript, model_id and voice {mode: id, id} are required"})
        container, encoding, rate = fmt.get("container"), fmt.get("encoding", "pcm_f32le"), fmt.get("sample_rate")
        if container not in ("raw", "wav", "mp3") or rate not in RATES or encoding not in ("pcm_s16le", "pcm_f32le"):
            return Reply(400, {"error": f"invalid output_format {fmt}"})
        data, ctype = encode(speech(body["transcript"], rate), container, encoding)
        return Reply(200, data, content_type=ctype)
