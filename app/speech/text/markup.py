"""Provider-neutral pronunciation markup written by the phoneme injector.

Two forms, both keeping the word as written (the brackets are U+27E6/U+27E7, which do not occur in
scripts):

- ``⟦word|ipa⟧``: the word said with this IPA pronunciation;
- ``⟦word|=respelling⟧``: the word said the way the respelling reads (a ``spelled`` dictionary entry).

Each TTS engine receives its own form:

- espeak: ``[[mnemonics]]`` (espeak's Kirshenbaum-style phoneme input; IPA inside ``[[ ]]`` is mangled)
- piper:  ``[[ ipa ]]`` (the IPA rewritten the way espeak-ng writes it, which Piper was trained on)
- ssml (cloud providers): ``<phoneme alphabet="ipa" ph="ipa">word</phoneme>``
- spoken (engines without phoneme input): the word itself for IPA marks;
- plain (validators, display, anything compared with the script): the word itself.

A respelling reaches every engine (espeak, Piper, SSML, spoken) as its plain text; ``plain()`` still
gives the word, so validators compare the audio with the script, not with the respelling.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

SPAN = re.compile(r"⟦([^|⟦⟧]+)\|([^⟦⟧]*)⟧")
RESPELLING = "="            # ⟦word|=respelling⟧ (IPA never starts with "=")


@dataclass(frozen=True)
class Span:
    word: str
    ipa: str                        # "" for a respelling mark
    start: int
    end: int
    respelling: str | None = None


def make(word: str, ipa: str) -> str:
    return f"⟦{word}|{ipa}⟧"


def make_respelling(word: str, respelling: str) -> str:
    return f"⟦{word}|{RESPELLING}{respelling}⟧"


def respelling_of(value: str) -> str | None:
    """The respelling of a mark's second part (``=too-sahn`` → ``too-sahn``), None for IPA."""
    return value[len(RESPELLING):] if value.startswith(RESPELLING) else None


def spans(text: str) -> list[Span]:
    out = []
    for m in SPAN.finditer(text or ""):
        resp = respelling_of(m.group(2))
        out.append(Span(m.group(1), "" if resp is not None else m.group(2), m.start(), m.end(), resp))
    return out


def has_markup(text: str) -> bool:
    return bool(text) and "⟦" in text and SPAN.search(text) is not None


def plain(text: str) -> str:
    """The text as a person reads it (markup replaced by the words)."""
    return SPAN.sub(lambda m: m.group(1), text or "")


def _sub(text: str, ipa_form, respelling_form=lambda word, resp: resp) -> str:
    """Each mark replaced by ``ipa_form(word, ipa)`` or ``respelling_form(word, respelling)``."""
    def one(m: re.Match) -> str:
        resp = respelling_of(m.group(2))
        return respelling_form(m.group(1), resp) if resp is not None else ipa_form(m.group(1), m.group(2))
    return SPAN.sub(one, text or "")


def spoken(text: str) -> str:
    """For engines without phoneme input: respellings in place of their words, IPA marks as the words."""
    return _sub(text, lambda word, ipa: word)


def to_espeak(text: str, voice: str | None = None) -> str:
    """espeak mnemonics depend on the voice's phoneme table (English ``a`` is [æ], German ``a`` [a])."""
    from app.speech.text.ipa import ipa_to_espeak
    return _sub(text, lambda word, ipa: f"[[{ipa_to_espeak(ipa, voice or 'en-us')}]]")


def to_piper(text: str, voice: str | None = None) -> str:
    """Piper takes IPA, but was trained on espeak-ng's way of writing it (stress before the vowel, ɜː not
    ɝ …): the IPA is rewritten that way with the espeak voice of the Piper voice's language
    (``en_US-joe-medium`` → en-us). Without a voice the IPA goes in as written."""
    if voice is None:
        return _sub(text, lambda word, ipa: f"[[ {ipa} ]]")
    from app.speech.text.ipa import espeak_style
    esp = piper_espeak_voice(voice)
    return _sub(text, lambda word, ipa: f"[[ {espeak_style(ipa, esp)} ]]")


def piper_espeak_voice(voice: str | None) -> str:
    """The espeak voice for a Piper voice id named ``<lang>_<REGION>-<name>-<quality>``."""
    from app.speech.text.espeak_phonemes import voice_for_locale
    lang = (voice or "").split("-", 1)[0].replace("_", "-").lower()
    return voice_for_locale(lang) or "en-us"


def to_ssml(text: str) -> str:
    """SSML body (without <speak>): plain text escaped, IPA-marked words as <phoneme> elements, respellings
    as their (escaped) text."""
    out, pos = [], 0
    for m in SPAN.finditer(text or ""):
        out.append(escape(text[pos:m.start()]))
        resp = respelling_of(m.group(2))
        out.append(escape(resp) if resp is not None else
                   f'<phoneme alphabet="ipa" ph={quoteattr(m.group(2))}>{escape(m.group(1))}</phoneme>')
        pos = m.end()
    out.append(escape((text or "")[pos:]))
    return "".join(out)


RENDERERS = {"espeak": to_espeak, "piper": to_piper, "ssml": to_ssml, "spoken": spoken, "plain": plain}


def render(text: str, form: str, voice: str | None = None) -> str:
    """``voice`` matters for espeak only (its mnemonics are per phoneme table)."""
    if form == "espeak":
        return to_espeak(text, voice)
    if form == "piper":
        return to_piper(text, voice)
    return RENDERERS[form](text)
