"""The machine-translation interface shared by every adapter: Translator, MTError, language codes.

An adapter turns a list of source strings into the same number of target strings, in order, for one
(source locale, target locale) pair. Locales are ours (lower-case `en-us`, `de-de`, ...); each adapter
maps them to its vendor's codes, and a credential's `options.language_codes` ({locale: code}) can
override that mapping (a self-hosted LibreTranslate with other model names, say).
"""
from __future__ import annotations

from dataclasses import dataclass

# kind: why a request failed. Transient kinds are worth trying again later (or with another provider).
AUTH, QUOTA, RATE_LIMITED, OUTAGE, TIMEOUT = "auth", "quota", "rate_limited", "outage", "timeout"
UNSUPPORTED, BAD_REQUEST, BAD_RESPONSE = "unsupported", "bad_request", "bad_response"
TRANSIENT = frozenset({RATE_LIMITED, OUTAGE, TIMEOUT})

LANGUAGE_NAMES = {"de": "German", "en": "English", "es": "Spanish", "fr": "French", "ja": "Japanese",
                  "ko": "Korean", "pt": "Portuguese", "zh": "Chinese (Simplified)"}
REGION_NAMES = {"en-us": "American English", "en-gb": "British English", "es-mx": "Mexican Spanish",
                "es-es": "European Spanish", "pt-br": "Brazilian Portuguese", "pt-pt": "European Portuguese",
                "zh-cn": "Simplified Chinese (Mainland China)"}


class MTError(Exception):
    """A translation request that failed; `kind` says why (see the constants above)."""

    def __init__(self, provider: str, kind: str, message: str, *, status: int | None = None,
                 retry_after: float | None = None):
        super().__init__(f"{provider}: {message}")
        self.provider, self.kind, self.message = provider, kind, message
        self.status, self.retry_after = status, retry_after

    @property
    def transient(self) -> bool:
        return self.kind in TRANSIENT


@dataclass(frozen=True)
class HttpPolicy:
    """Timeouts and bounded retries for one provider call (429, 5xx, timeouts, refused connections)."""
    timeout: float = 15.0          # seconds per attempt (connect and each read)
    attempts: int = 3              # 1 + 2 retries
    backoff: float = 0.5           # first wait; doubles per retry
    max_wait: float = 8.0          # cap on any wait, including a server's Retry-After


def family(locale: str) -> str:
    return locale.split("-", 1)[0]


def describe(locale: str) -> str:
    """A language name for prompts: 'Brazilian Portuguese', 'German'."""
    return REGION_NAMES.get(locale) or LANGUAGE_NAMES.get(family(locale)) or locale


class Translator:
    """One provider with its credential. Subclasses set provider/max_batch and implement _translate."""
    provider: str = ""
    max_batch: int = 20            # strings per request
    max_chars: int = 20_000        # characters per request (a rough bound on the body size)

    def __init__(self, secret: str | None = None, base_url: str | None = None, options: dict | None = None,
                 policy: HttpPolicy | None = None):
        self.secret = secret
        self.base_url = (base_url or "").rstrip("/") or None
        self.options = dict(options or {})
        self.policy = policy or HttpPolicy()
        overrides = self.options.get("language_codes")
        self.overrides = {str(k).lower(): str(v) for k, v in overrides.items()} if isinstance(overrides, dict) else {}

    # language codes ---------------------------------------------------------------------------
    SOURCE_CODES: dict[str, str] = {}
    TARGET_CODES: dict[str, str] = {}

    def source_code(self, locale: str) -> str | None:
        return self.overrides.get(locale) or self.SOURCE_CODES.get(locale) or self.SOURCE_CODES.get(family(locale))

    def target_code(self, locale: str) -> str | None:
        return self.overrides.get(locale) or self.TARGET_CODES.get(locale)

    def supports(self, source: str, target: str) -> bool:
        return self.source_code(source) is not None and self.target_code(target) is not None

    # translation ------------------------------------------------------------------------------
    def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        """The translations of `texts`, in order. Raises MTError; never returns a partial list."""
        if not texts:
            return []
        if not self.supports(source, target):
            raise MTError(self.provider, UNSUPPORTED, f"cannot translate {source} to {target}")
        out: list[str] = []
        for batch in self.batches(texts):
            got = self._translate(batch, source, target)
            if len(got) != len(batch) or not all(isinstance(t, str) for t in got):
                raise MTError(self.provider, BAD_RESPONSE, f"asked for {len(batch)} translations, got {len(got)}")
            out.extend(t.strip() for t in got)
        if any(not t for t in out):
            raise MTError(self.provider, BAD_RESPONSE, "returned an empty translation")
        return out

    def batches(self, texts: list[str]):
        """`texts` cut into request-sized batches (max_batch strings, about max_chars characters)."""
        batch, size = [], 0
        for t in texts:
            if batch and (len(batch) >= self.max_batch or size + len(t) > self.max_chars):
                yield batch
                batch, size = [], 0
            batch.append(t)
            size += len(t)
        if batch:
            yield batch

    def _translate(self, texts: list[str], source: str, target: str) -> list[str]:  # pragma: no cover
        raise NotImplementedError
