"""LibreTranslate: POST {base}/translate {q: [..], source, target, format: "text", api_key}
-> {"translatedText": [..]}. Errors are {"error": "..."} with 400 (bad input, unsupported language),
403 (missing/invalid key, banned), 429 (slow down) and 500."""
from __future__ import annotations

from app.speech.translate.base import AUTH, BAD_REQUEST, BAD_RESPONSE, UNSUPPORTED, MTError, Translator
from app.speech.translate.http import error_message, post_json

DEFAULT_URL = "https://libretranslate.com"


class LibreTranslate(Translator):
    provider = "libretranslate"
    max_batch = 25
    # LibreTranslate (Argos models) codes. Newer servers may call Chinese "zh-Hans" and Brazilian
    # Portuguese "pb": set options.language_codes for those.
    SOURCE_CODES = {"en": "en", "de": "de", "es": "es", "fr": "fr", "ja": "ja", "ko": "ko", "pt": "pt", "zh": "zh"}
    TARGET_CODES = {"en-us": "en", "en-gb": "en", "de-de": "de", "es-es": "es", "es-mx": "es", "fr-fr": "fr",
                    "ja-jp": "ja", "ko-kr": "ko", "pt-br": "pt", "pt-pt": "pt", "zh-cn": "zh"}

    def _translate(self, texts: list[str], source: str, target: str) -> list[str]:
        payload = {"q": texts, "source": self.source_code(source), "target": self.target_code(target),
                   "format": "text"}
        if self.secret:
            payload["api_key"] = self.secret
        resp = post_json(self.provider, f"{self.base_url or DEFAULT_URL}/translate", payload, {}, self.policy)
        if resp.status != 200:
            msg = error_message(resp) or f"HTTP {resp.status}"
            if resp.status in (401, 403):
                raise MTError(self.provider, AUTH, f"the API key was refused (HTTP {resp.status}): {msg}",
                              status=resp.status)
            low = msg.lower()
            kind = UNSUPPORTED if resp.status == 400 and ("not supported" in low or "language" in low) else BAD_REQUEST
            raise MTError(self.provider, kind, f"HTTP {resp.status}: {msg}", status=resp.status)
        body = resp.json()
        got = body.get("translatedText") if isinstance(body, dict) else None
        if isinstance(got, str) and len(texts) == 1:
            got = [got]
        if not isinstance(got, list):
            raise MTError(self.provider, BAD_RESPONSE, "the answer has no translatedText list")
        return got
