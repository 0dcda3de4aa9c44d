"""A small language guess for script files: by writing system (Hangul -> ko, kana -> ja,
Han -> zh), else by stop words for en/de/es/fr; None when unsure."""
from __future__ import annotations

import re

_STOP = {
    "en": {"the", "and", "is", "are", "of", "to", "in", "it", "you", "that", "this", "with", "for", "was",
           "have", "be", "on", "not", "what", "your", "we", "they", "a"},
    "de": {"der", "die", "das", "und", "ist", "nicht", "ich", "sie", "es", "mit", "ein", "eine", "zu", "den",
           "auf", "für", "von", "wir", "sind", "auch", "dem", "im", "ist"},
    "es": {"el", "la", "los", "las", "y", "es", "de", "que", "en", "un", "una", "por", "con", "para", "no",
           "se", "del", "está", "son", "lo", "su", "al"},
    "fr": {"le", "la", "les", "et", "est", "de", "des", "un", "une", "que", "en", "du", "pour", "pas", "dans",
           "ce", "il", "elle", "nous", "vous", "sont", "au", "avec"},
}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
SAMPLE_CHARS = 20_000


def _in(ch: str, *ranges) -> bool:
    o = ord(ch)
    return any(lo <= o <= hi for lo, hi in ranges)


def detect_language(texts) -> str | None:
    sample = " ".join(texts)[:SAMPLE_CHARS] if not isinstance(texts, str) else texts[:SAMPLE_CHARS]
    letters = [c for c in sample if c.isalpha()]
    if not letters:
        return None
    hangul = sum(_in(c, (0xAC00, 0xD7AF), (0x1100, 0x11FF), (0x3130, 0x318F)) for c in letters)
    kana = sum(_in(c, (0x3040, 0x30FF), (0x31F0, 0x31FF), (0xFF66, 0xFF9F)) for c in letters)
    han = sum(_in(c, (0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0xF900, 0xFAFF)) for c in letters)
    total = len(letters)
    if hangul / total >= 0.3:
        return "ko"
    if kana and (kana + han) / total >= 0.3 and kana / (kana + han) >= 0.1:
        return "ja"
    if (han + kana) / total >= 0.3:
        return "ja" if kana else "zh"
    words = [w.lower() for w in _WORD.findall(sample)]
    if not words:
        return None
    scores = {lang: sum(w in stops for w in words) for lang, stops in _STOP.items()}
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    (best, top), (_second, runner) = ranked[0], ranked[1]
    if top >= 2 and top / len(words) >= 0.05 and top > runner * 1.25:
        return best
    return None
