"""Text normalization: numbers, dates, times, money, units and abbreviations written out as spoken.

    normalize("Call me at 3:30 p.m. on 03/15/2024.", "en-us")
    → "Call me at three thirty p.m. on March fifteenth, twenty twenty-four."

No Flask, no database. Rules per language live in lang_<family>.py; `options` switches rule
families on and off (see options.Options). Pronunciation markup spans (⟦word|ipa⟧) are left untouched.
A locale without rules is returned unchanged and reported as unsupported by `normalize_ex`.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from app.speech.text import markup
from app.speech.text.normalize import engine
from app.speech.text.normalize.numbers import fold
from app.speech.text.normalize.options import FAMILIES, Options

VERSION = "1"
LANGUAGES = {"en": "lang_en:English", "de": "lang_de:German", "es": "lang_es:Spanish", "fr": "lang_fr:French",
             "pt": "lang_pt:Portuguese", "ko": "lang_ko:Korean", "ja": "lang_ja:Japanese", "zh": "lang_zh:Chinese"}
DEFAULT_REGION = {"en": "en-us", "de": "de-de", "es": "es-es", "fr": "fr-fr", "pt": "pt-br", "ko": "ko-kr",
                  "ja": "ja-jp", "zh": "zh-cn"}
_CACHE: dict[str, tuple] = {}


@dataclass
class Result:
    text: str
    locale: str
    supported: bool
    counts: dict = field(default_factory=dict)     # rule family → expansions made
    note: str | None = None

    def meta(self) -> dict:
        out = {"locale": self.locale, "status": "ok" if self.supported else "unsupported",
               "expanded": dict(self.counts), "version": VERSION}
        if self.note:
            out["note"] = self.note
        return out


def canonical(locale: str | None) -> str:
    v = (locale or "").strip().lower().replace("_", "-")
    return DEFAULT_REGION.get(v, v)


def supported(locale: str | None) -> bool:
    return canonical(locale).split("-")[0] in LANGUAGES


def _compiled(locale: str):
    hit = _CACHE.get(locale)
    if hit is None:
        module, cls = LANGUAGES[locale.split("-")[0]].split(":")
        lang = getattr(importlib.import_module(f"app.speech.text.normalize.{module}"), cls)(locale)
        hit = _CACHE[locale] = (lang, lang.rules())
    return hit


def normalize_ex(text: str, locale: str | None, options: Options | dict | None = None) -> Result:
    loc = canonical(locale)
    opts = Options.coerce(options)
    if loc.split("-")[0] not in LANGUAGES:
        return Result(text, loc, False, note=f"No normalization rules for {locale!r}: the text was left as written.")
    _lang, rules = _compiled(loc)
    counts: dict = {}
    out, pos = [], 0
    for span in markup.spans(text):
        out.append(engine.apply(fold(text[pos:span.start]), rules, opts, counts))
        out.append(text[span.start:span.end])
        pos = span.end
    out.append(engine.apply(fold(text[pos:]), rules, opts, counts))
    note = None
    if loc.split("-")[0] == "ko":
        note = "Sino-Korean numbers; native Korean counters (개, 명, 살 ...) are not handled (hours are)."
    return Result("".join(out), loc, True, counts, note)


def normalize(text: str, locale: str | None, options: Options | dict | None = None) -> str:
    return normalize_ex(text, locale, options).text


__all__ = ["normalize", "normalize_ex", "Options", "Result", "FAMILIES", "supported", "canonical", "VERSION"]
