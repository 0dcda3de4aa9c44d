"""Fake DeepL API v2 (POST /v2/translate, Authorization: DeepL-Auth-Key <key>, JSON {text: [..],
source_lang, target_lang}) -> {"translations": [{"detected_source_language", "text"}]}; errors
{"message": "..."}: 400 bad target_lang / missing text, 403 authorization failure, 413 over 50 texts,
429 / 456 / 5xx when scripted."""
from __future__ import annotations

from tests.fakes.mt_server import FakeServer, fake_translate

SOURCE = {"EN", "DE", "ES", "FR", "JA", "KO", "PT", "ZH", "IT"}
TARGET = {"EN-US", "EN-GB", "DE", "ES", "FR", "JA", "KO", "PT-BR", "PT-PT", "ZH", "ZH-HANS", "IT"}


class FakeDeepL(FakeServer):
    name = "deepl"

    def error_body(self, status: int) -> dict:
        return {"message": {429: "Too many requests", 456: "Quota exceeded",
                            503: "Resource currently unavailable"}.get(status, f"HTTP {status}")}

    def handle(self, path, headers, body):
        if path != "/v2/translate":
            return 404, {"message": "Not found"}
        if headers.get("authorization") != f"DeepL-Auth-Key {self.api_key}":
            return 403, {"message": "Authorization failure, check auth_key"}
        if not isinstance(body, dict) or not isinstance(body.get("text"), list) or not body["text"]:
            return 400, {"message": "Parameter 'text' not specified."}
        if len(body["text"]) > 50:
            return 413, {"message": "Request Entity Too Large"}
        target, source = str(body.get("target_lang", "")), body.get("source_lang")
        if target.upper() not in TARGET:
            return 400, {"message": "Value for 'target_lang' not supported."}
        if source is not None and str(source).upper() not in SOURCE:
            return 400, {"message": "Value for 'source_lang' not supported."}
        return 200, {"translations": [{"detected_source_language": (source or "EN").upper(),
                                       "text": fake_translate(t, target)} for t in body["text"]]}
