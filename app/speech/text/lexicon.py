"""Applying pronunciation dictionary entries to a line of text (pure text: no database, no engine).

Rules (the phoneme injector's, documented for editors):

- **What an entry does.** ``spelled`` marks the word with its respelling, ``⟦word|=respelling⟧``
  (a hyphenated respelling is lowercased, ``puh-DOH-nohs`` → ``puh-doh-nohs``: engines spell capitals
  out letter by letter); every engine is given the respelling, while validators and displays still
  read the word, so the audio is compared with the script and not with the respelling. ``ipa`` wraps
  it in pronunciation markup ``⟦word|ipa⟧`` (each engine renders that in its own phoneme input); a
  ``recorded`` entry keeps the word as it is (its audio is reference material) unless it also has an
  IPA, which is then applied like an ``ipa`` entry.
- **Case.** Matching ignores case unless the entry is ``case_sensitive``. The original spelling of
  the matched text is kept inside the markup.
- **Word boundaries.** An entry matches whole words only: the characters just before and after the
  match may not be letters, digits or ``_`` (Unicode-aware, so ``Zoë`` does not match inside
  ``Zoëlla``); ``C++`` and ``Dr.`` work because the boundary test looks at the neighbours only.
  Languages written without spaces between words (ja, zh, th, lo, km, my) match anywhere; Korean
  attaches particles to words (서울에서), so only the start of the word is checked there.
  Whitespace inside a multi-word entry matches any run of whitespace.
- **First match wins.** The line is read left to right; where several entries could start at the
  same place, the one with more words wins, then the longer one, then the alphabetically first
  (casefolded) - so ``New York City`` beats ``New York`` beats ``York``. Matched text is never
  matched again, and text already inside markup (``⟦…⟧``) or phoneme input (``[[…]]``) is left alone.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from app.speech.text import markup

_PROTECTED = re.compile(r"⟦[^⟦⟧]*⟧|\[\[.*?\]\]", re.S)
NO_SPACES = frozenset({"ja", "zh", "th", "lo", "km", "my", "yue", "cmn"})
START_ONLY = frozenset({"ko"})


@dataclass(frozen=True)
class Rule:
    entry_id: str
    word: str
    method: str                     # spelled | ipa | recorded
    pronunciation: str | None = None
    ipa: str | None = None
    case_sensitive: bool = False

    @property
    def key(self) -> str:
        return fold(self.word)

    @property
    def effect(self) -> str:
        """respell | ipa | keep"""
        if self.method == "spelled" and self.pronunciation:
            return "respell"
        if self.method in ("ipa", "recorded") and self.ipa:
            return "ipa"
        return "keep"


@dataclass
class Applied:
    text: str
    counts: Counter = field(default_factory=Counter)        # entry_id -> replacements made
    kept: Counter = field(default_factory=Counter)          # recorded entries matched and left as they are
    matches: list[dict] = field(default_factory=list)       # [{entry_id, word, text, effect, start}]


def speakable(respelling: str) -> str:
    """A respelling as the engines should read it: capitals mark the stressed syllable in
    ``puh-DOH-nohs``, but engines spell out words in capitals (D-O-H), so the syllables of a
    hyphenated respelling are lowercased. A word on its own in capitals (``SQL``) is left alone."""
    def fix(word: str) -> str:
        return word.lower() if "-" in word.strip("-") else word
    return " ".join(fix(w) for w in respelling.split())


def fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def order_key(rule: Rule) -> tuple:
    words = rule.word.split()
    return (-len(words), -len(rule.word), rule.key, rule.entry_id)


def _pattern(rule: Rule) -> str:
    body = r"\s+".join(re.escape(w) for w in rule.word.split())
    return body if rule.case_sensitive else f"(?i:{body})"


class Lexicon:
    def __init__(self, rules: list[Rule], language: str = "en"):
        family = (language or "").lower().split("-")[0]
        self.rules = sorted((r for r in rules if r.word.strip()), key=order_key)
        self.by_key = {r.key: r for r in self.rules}
        if not self.rules:
            self.regex = None
            return
        alternatives = "|".join(_pattern(r) for r in self.rules)
        before = "" if family in NO_SPACES else r"(?<!\w)"
        after = "" if family in NO_SPACES or family in START_ONLY else r"(?!\w)"
        self.regex = re.compile(f"{before}(?:{alternatives}){after}")

    def __len__(self) -> int:
        return len(self.rules)

    def _replace_in(self, segment: str, offset: int, out: Applied) -> str:
        def sub(m: re.Match) -> str:
            found = m.group(0)
            rule = self.by_key.get(fold(found))
            if rule is None:            # cannot happen: every alternative comes from a rule
                return found
            effect = rule.effect
            out.matches.append({"entry_id": rule.entry_id, "word": rule.word, "text": found, "effect": effect,
                                "start": offset + m.start()})
            if effect == "keep":
                out.kept[rule.entry_id] += 1
                return found
            out.counts[rule.entry_id] += 1
            if effect == "respell":
                return markup.make_respelling(found, speakable(rule.pronunciation))
            return markup.make(found, rule.ipa)
        return self.regex.sub(sub, segment)

    def apply(self, text: str) -> Applied:
        out = Applied(text=text or "")
        if self.regex is None or not text:
            return out
        pieces, pos = [], 0
        for m in _PROTECTED.finditer(text):
            pieces.append(self._replace_in(text[pos:m.start()], pos, out))
            pieces.append(m.group(0))
            pos = m.end()
        pieces.append(self._replace_in(text[pos:], pos, out))
        out.text = "".join(pieces)
        return out
