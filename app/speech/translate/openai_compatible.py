"""An OpenAI-compatible chat-completions endpoint used as a translator (OpenAI, or a self-hosted
vLLM / llama.cpp / Ollama server): POST {base}/v1/chat/completions with `Authorization: Bearer <key>`
(left out when no key is set), {model, temperature: 0, messages: [system, user]}.

The user message is a JSON array of the lines; the model is told to answer with a JSON object
{"translations": [...]} of the same length. An answer that does not parse, or has the wrong
length, is asked again one line at a time; prose is never taken as a translation. The model comes from the credential's options.model
(default gpt-4o-mini). Errors: 401/403 bad key, 404 unknown model, 429 rate limit (or
insufficient_quota: out of credit, not retried), 5xx."""
from __future__ import annotations

import json
import re

from app.speech.translate.base import AUTH, BAD_REQUEST, BAD_RESPONSE, QUOTA, MTError, Translator, describe
from app.speech.translate.http import error_message, post_json

DEFAULT_URL = "https://api.openai.com/v1"
DEFAULT_MODEL = "gpt-4o-mini"
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")

SYSTEM_PROMPT = (
    "You translate voice-over scripts. Translate every string of the JSON array the user sends from "
    "{source} to {target}. Keep the meaning, tone and register; write numbers, names and units the way a "
    "native {target} script would; do not add notes. Answer with only a JSON object "
    '{{"translations": [...]}} holding exactly {n} strings, in the same order as the input.')


class OpenAICompatible(Translator):
    provider = "openai_compatible"
    max_batch = 20
    max_chars = 8_000
    SOURCE_CODES = {f: f for f in ("en", "de", "es", "fr", "ja", "ko", "pt", "zh")}
    TARGET_CODES = {loc: loc for loc in ("en-us", "en-gb", "de-de", "es-es", "es-mx", "fr-fr", "ja-jp", "ko-kr",
                                         "pt-br", "pt-pt", "zh-cn")}

    @property
    def model(self) -> str:
        return str(self.options.get("model") or DEFAULT_MODEL)

    def url(self) -> str:
        base = self.base_url or DEFAULT_URL
        return f"{base}/chat/completions" if base.endswith("/v1") else f"{base}/v1/chat/completions"

    def _translate(self, texts: list[str], source: str, target: str) -> list[str]:
        try:
            return self._ask(texts, source, target)
        except MTError as exc:
            if exc.kind != BAD_RESPONSE or len(texts) == 1:
                raise
        return [self._ask([t], source, target)[0] for t in texts]

    def _ask(self, texts: list[str], source: str, target: str) -> list[str]:
        system = SYSTEM_PROMPT.format(source=describe(source), target=describe(target), n=len(texts))
        payload = {"model": self.model, "temperature": 0,
                   "messages": [{"role": "system", "content": system},
                                {"role": "user", "content": json.dumps(texts, ensure_ascii=False)}]}
        headers = {"Authorization": f"Bearer {self.secret}"} if self.secret else {}
        resp = post_json(self.provider, self.url(), payload, headers, self.policy)
        if resp.status != 200:
            msg = error_message(resp) or f"HTTP {resp.status}"
            if resp.status in (401, 403):
                raise MTError(self.provider, AUTH, f"the API key was refused (HTTP {resp.status})", status=resp.status)
            if resp.status in (402, 429):
                raise MTError(self.provider, QUOTA, f"out of credit: {msg}", status=resp.status)
            raise MTError(self.provider, BAD_REQUEST, f"HTTP {resp.status}: {msg}", status=resp.status)
        return _parse(self.provider, resp.json(), len(texts))


def _parse(provider: str, body, n: int) -> list[str]:
    try:
        content = body["choices"][0]["message"]["content"]
    except (TypeError, KeyError, IndexError):
        raise MTError(provider, BAD_RESPONSE, "the answer has no choices[0].message.content") from None
    if not isinstance(content, str):
        raise MTError(provider, BAD_RESPONSE, "the message content is not text")
    try:
        doc = json.loads(_FENCE.sub("", content.strip()))
    except json.JSONDecodeError:
        raise MTError(provider, BAD_RESPONSE, "the message is not the JSON asked for") from None
    items = doc.get("translations") if isinstance(doc, dict) else doc
    if not isinstance(items, list) or len(items) != n or not all(isinstance(i, str) for i in items):
        raise MTError(provider, BAD_RESPONSE, f"expected {n} translations in the JSON answer")
    return items
