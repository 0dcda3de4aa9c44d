"""Applies ordered regex rules to text, each match written once.

The text is a list of segments; a segment produced by a rule is frozen, so a later rule never rewrites
it (the digits of an expanded date are not read again as numbers). A rule whose family is switched
off freezes its matches unchanged when `keep_when_off` is set (a date stays a date), or is skipped
(a unit left alone lets the number before it be read by the number rule).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from app.speech.text.normalize.options import Options


@dataclass(frozen=True)
class Rule:
    family: str
    pattern: re.Pattern
    handler: Callable[[re.Match, "Ctx"], str | None]   # None: leave the match as written
    keep_when_off: bool = True
    name: str = ""


@dataclass
class Ctx:
    """What a handler may look at besides its match: the whole segment it was found in."""
    options: Options
    segment: str = ""
    counts: dict | None = None

    def before(self, m: re.Match, n: int = 40) -> str:
        return self.segment[max(0, m.start() - n):m.start()]

    def after(self, m: re.Match, n: int = 40) -> str:
        return self.segment[m.end():m.end() + n]

    def prev_words(self, m: re.Match, k: int = 2) -> list[str]:
        words = re.findall(r"[^\W\d_]+", self.before(m, 60))
        return [w.lower() for w in words[-k:]]


def apply(text: str, rules: list[Rule], options: Options, counts: dict) -> str:
    segments: list[tuple[str, bool]] = [(text, False)]
    for rule in rules:
        on = options.on(rule.family)
        if not on and not rule.keep_when_off:
            continue
        out: list[tuple[str, bool]] = []
        for seg, frozen in segments:
            if frozen or not seg:
                out.append((seg, frozen))
                continue
            ctx = Ctx(options, seg, counts)
            pos = 0
            for m in rule.pattern.finditer(seg):
                if m.end() == m.start():
                    continue
                replacement = rule.handler(m, ctx) if on else None
                if on and replacement is None:
                    continue                      # the handler declined: the text stays open to later rules
                if m.start() > pos:
                    out.append((seg[pos:m.start()], False))
                out.append((m.group(0) if replacement is None else replacement, True))
                if replacement is not None:
                    counts[rule.family] = counts.get(rule.family, 0) + 1
                pos = m.end()
            if pos < len(seg):
                out.append((seg[pos:], False))
        segments = out
    return "".join(s for s, _ in segments)


def keep_period(m: re.Match, ctx: Ctx) -> str:
    """'.' when a match that swallowed a final period ended the sentence (end of text or a capital next)."""
    if not m.group(0).endswith("."):
        return ""
    rest = ctx.after(m, 3)
    if not rest.strip() or re.match(r"\s+[A-ZÀ-ÖØ-Þ¿¡\"'“«(]", rest):
        return "."
    return ""
