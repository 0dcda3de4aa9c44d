"""Fake OpenAI-compatible chat completions (POST /v1/chat/completions, Authorization: Bearer <key>).

It plays a translating model: it reads the target language from the system prompt ("... from X to
Y. ...") and the lines from the user message (a JSON array), and answers
{"translations": [...]} as the message content. `garble(times)` makes the next answers prose instead
of JSON (the adapter must then ask line by line). Errors use OpenAI's {"error": {message, type, code}}."""
from __future__ import annotations

import json
import re
import time

from tests.fakes.mt_server import FakeServer, fake_translate

NAMES = {"german": "de", "spanish": "es", "french": "fr", "japanese": "ja", "korean": "ko", "portuguese": "pt",
         "english": "en", "chinese": "zh", "italian": "it"}
_PAIR = re.compile(r"from (.+?) to (.+?)\.", re.S)


def _lang(name: str) -> str:
    low = name.lower()
    return next((code for word, code in NAMES.items() if word in low), low[:2])


class FakeOpenAIChat(FakeServer):
    name = "openai"

    def __init__(self, api_key: str | None = "sk-test"):
        super().__init__(api_key)
        self._garble = 0

    def reset(self):
        super().reset()
        self._garble = 0

    def garble(self, times: int = 1):
        self._garble += times
        return self

    def error_body(self, status: int) -> dict:
        kind = {429: ("Rate limit reached for requests", "requests", "rate_limit_exceeded"),
                500: ("The server had an error while processing your request.", "server_error", None),
                503: ("The engine is currently overloaded.", "server_error", None)}
        msg, typ, code = kind.get(status, (f"HTTP {status}", "api_error", None))
        return {"error": {"message": msg, "type": typ, "param": None, "code": code}}

    def handle(self, path, headers, body):
        if path != "/v1/chat/completions":
            return 404, {"error": {"message": "Not found", "type": "invalid_request_error", "code": None}}
        if self.api_key and headers.get("authorization") != f"Bearer {self.api_key}":
            return 401, {"error": {"message": "Incorrect API key provided.", "type": "invalid_request_error",
                                   "param": None, "code": "invalid_api_key"}}
        if not isinstance(body, dict) or not body.get("model") or not isinstance(body.get("messages"), list):
            return 400, {"error": {"message": "model and messages are required", "type": "invalid_request_error",
                                   "code": None}}
        system = next((m.get("content", "") for m in body["messages"] if m.get("role") == "system"), "")
        user = next((m.get("content", "") for m in body["messages"] if m.get("role") == "user"), "")
        pair = _PAIR.search(system)
        target = _lang(pair.group(2)) if pair else "xx"
        try:
            lines = json.loads(user)
        except json.JSONDecodeError:
            lines = [user]
        if self._garble > 0:
            self._garble -= 1
            content = "Sure! Here are your translations: " + "; ".join(fake_translate(t, target) for t in lines)
        else:
            content = json.dumps({"translations": [fake_translate(t, target) for t in lines]}, ensure_ascii=False)
        return 200, {"id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
                     "model": body["model"],
                     "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                                  "finish_reason": "stop"}],
                     "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}}
