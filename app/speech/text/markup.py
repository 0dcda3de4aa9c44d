"""Provider-neutral pronunciation markup written by the phoneme injector.

A word with an IPA pronunciation is written ``⟦word|ipa⟧`` in the take text (the brackets are
U+27E6/U+27E7, which do not occur in scripts). Each TTS engine receives its own form:

- espeak: ``[[mnemonics]]`` (espeak's Kirshenbaum-style phoneme input; IPA inside ``[[ ]]`` is mangled)
- piper:  ``[[ ipa ]]`` (the IPA rewritten the way espeak-ng writes it, which Piper was trained on)
- ssml (cloud providers): ``<phoneme alphabet="ipa" ph="ipa">word</phoneme>``
- plain (validators, display, engines without phoneme input): the word itself.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

SPAN = re.compile(r"⟦([^|⟦⟧]+)\|([^⟦⟧]*)⟧")


@dataclass(frozen=True)
class Span:
    word: str
    ipa: str
    start: int
    end: int


def make(word: str, ipa: str) -> str:
    return f"⟦{word}|{ipa}⟧"


def spans(text: str) -> list[Span]:
    return [Span(m.group(1), m.group(2), m.start(), m.end()) for m in SPAN.finditer(text or "")]


def has_markup(text: str) -> bool:
    return bool(text) and "⟦" in text and SPAN.search(text) is not None


def plain(text: str) -> str:
    """The text as a person reads it (markup replaced by the words)."""
    return SPAN.sub(lambda m: m.group(1), text or "")


def to_espeak(text: str, voice: str | None = None) -> str:
    """espeak mnemonics depend on the voice's phoneme table (English ``a`` is [æ], German ``a`` [a])."""
    from app.speech.text.ipa import ipa_to_espeak
    return SPAN.sub(lambda m: f"[[{ipa_to_espeak(m.group(2), voice or 'en-us')}]]", text or "")


def to_piper(text: str, voice: str | None = None) -> str:
    """Piper takes IPA, but was trained on espeak-ng's way of writing it (stress before the vowel, ɜː not
    ɝ …): the IPA is rewritten that way with the espeak voice of the Piper voice's language
    (``en_US-joe-medium`` → en-us). Without a voice the IPA goes in as written."""
    if voice is None:
        return SPAN.sub(lambda m: f"[[ {m.group(2)} ]]", text or "")
    from app.speech.text.ipa import espeak_style
    esp = piper_espeak_voice(voice)
    return SPAN.sub(lambda m: f"[[ {espeak_style(m.group(2), esp)} ]]", text or "")


def piper_espeak_voice(voice: str | None) -> str:
    """The espeak voice for a Piper voice id named ``<lang>_<REGION>-<name>-<quality>``."""
    from app.speech.text.espeak_phonemes import voice_for_locale
    lang = (voice or "").split("-", 1)[0].replace("_", "-").lower()
    return voice_for_locale(lang) or "en-us"


def to_ssml(text: str) -> str:
    """SSML body (without <speak>): plain text escaped, marked words as <phoneme> elements."""
    out, pos = [], 0
    for m in SPAN.finditer(text or ""):
        out.append(escape(text[pos:m.start()]))
        out.append(f'<phoneme alphabet="ipa" ph={quoteattr(m.group(2))}>{escape(m.group(1))}</phoneme>')
        pos = m.end()
    out.append(escape((text or "")[pos:]))
    return "".join(out)


RENDERERS = {"espeak": to_espeak, "piper": to_piper, "ssml": to_ssml, "plain": plain}


def render(text: str, form: str, voice: str | None = None) -> str:
    """``voice`` matters for espeak only (its mnemonics are per phoneme table)."""
    if form == "espeak":
        return to_espeak(text, voice)
    if form == "piper":
        return to_piper(text, voice)
    return RENDERERS[form](text)
