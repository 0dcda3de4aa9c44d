"""Fake LibreTranslate (POST /translate): {q: str | [str], source, target, format, api_key} ->
{"translatedText": str | [str]}; errors {"error": "..."}: 400 unsupported language / missing q,
403 invalid API key, 429 and 500 when scripted."""
from __future__ import annotations

from tests.fakes.mt_server import FakeServer, fake_translate

LANGUAGES = {"en", "de", "es", "fr", "ja", "ko", "pt", "zh", "it"}


class FakeLibreTranslate(FakeServer):
    name = "libretranslate"

    def error_body(self, status: int) -> dict:
        return {"error": {429: "Slowdown: 1 per 1 second", 500: "Internal error"}.get(status, f"HTTP {status}")}

    def handle(self, path, headers, body):
        if path != "/translate":
            return 404, {"error": "Not Found"}
        if not isinstance(body, dict) or body.get("q") in (None, "", []):
            return 400, {"error": "Invalid request: missing q parameter"}
        if self.api_key and body.get("api_key") != self.api_key:
            return 403, {"error": "Invalid API key"}
        source, target = body.get("source"), body.get("target")
        for code in (source, target):
            if code not in LANGUAGES:
                return 400, {"error": f"{code} is not supported"}
        q = body["q"]
        if isinstance(q, list):
            return 200, {"translatedText": [fake_translate(t, target) for t in q]}
        return 200, {"translatedText": fake_translate(q, target)}
