"""DeepL API v2: POST {base}/v2/translate with `Authorization: DeepL-Auth-Key <key>` and a JSON body
{text: [..], source_lang, target_lang} -> {"translations": [{"detected_source_language", "text"}]}.

Keys ending in ":fx" belong to DeepL API Free (api-free.deepl.com); others to DeepL API Pro
(api.deepl.com). Up to 50 texts per request. Source codes have no variant (EN, PT, ZH); target
codes name one where DeepL wants it (EN-US, EN-GB, PT-BR, PT-PT, ZH-HANS). Mexican Spanish is sent
as ES (set options.language_codes {"es-mx": "ES-419"} where the account offers it).
Errors: 400 bad request, 403 bad key, 404, 413 too large, 429 too many requests, 456 quota exceeded,
5xx (503 temporarily unavailable)."""
from __future__ import annotations

from app.speech.translate.base import AUTH, BAD_REQUEST, BAD_RESPONSE, QUOTA, UNSUPPORTED, MTError, Translator
from app.speech.translate.http import error_message, post_json

PRO_URL, FREE_URL = "https://api.deepl.com", "https://api-free.deepl.com"


class DeepL(Translator):
    provider = "deepl"
    max_batch = 50
    max_chars = 60_000
    SOURCE_CODES = {"en": "EN", "de": "DE", "es": "ES", "fr": "FR", "ja": "JA", "ko": "KO", "pt": "PT", "zh": "ZH"}
    TARGET_CODES = {"en-us": "EN-US", "en-gb": "EN-GB", "de-de": "DE", "es-es": "ES", "es-mx": "ES", "fr-fr": "FR",
                    "ja-jp": "JA", "ko-kr": "KO", "pt-br": "PT-BR", "pt-pt": "PT-PT", "zh-cn": "ZH-HANS"}

    def url(self) -> str:
        base = self.base_url or (FREE_URL if (self.secret or "").endswith(":fx") else PRO_URL)
        return f"{base}/v2/translate"

    def _translate(self, texts: list[str], source: str, target: str) -> list[str]:
        if not self.secret:
            raise MTError(self.provider, AUTH, "no API key is configured")
        payload = {"text": texts, "source_lang": self.source_code(source), "target_lang": self.target_code(target)}
        resp = post_json(self.provider, self.url(), payload, {"Authorization": f"DeepL-Auth-Key {self.secret}"},
                         self.policy)
        if resp.status != 200:
            msg = error_message(resp) or f"HTTP {resp.status}"
            if resp.status in (401, 403):
                raise MTError(self.provider, AUTH, f"the API key was refused (HTTP {resp.status})", status=resp.status)
            if resp.status == 456:
                raise MTError(self.provider, QUOTA, "the character quota is used up (HTTP 456)", status=456)
            kind = UNSUPPORTED if resp.status == 400 and "lang" in msg.lower() else BAD_REQUEST
            raise MTError(self.provider, kind, f"HTTP {resp.status}: {msg}", status=resp.status)
        body = resp.json()
        items = body.get("translations") if isinstance(body, dict) else None
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise MTError(self.provider, BAD_RESPONSE, "the answer has no translations list")
        return [i.get("text") for i in items]
