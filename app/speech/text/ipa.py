"""IPA: validation, normalization, and conversion to espeak-ng phoneme mnemonics.

espeak's phoneme input ``[[...]]`` takes its own Kirshenbaum-style mnemonics (``h@l'oU``), not IPA,
and the mnemonics differ per phoneme table (English ``a`` is [æ], German ``a`` is [a]). So the
conversion is learnt from espeak itself, per voice, once per process: every sound phoneme of the
voice's table (``espeak_phonemes.phoneme_mnemonics``) is spoken in a few contexts (alone, between
vowels, before and after a vowel, between consonants) with espeak's phoneme trace on, once as
mnemonics and once as IPA, one separator between phonemes. Each (mnemonic, IPA) pair seen where
espeak kept the phoneme sequence as given (no inserted linking r, no end-of-word replacement) votes
for "this IPA is said with that mnemonic". The IPA → mnemonic table takes, per IPA string, the
mnemonic with most votes (ties: the shortest, then the alphabetically first mnemonic).

``ipa_to_espeak(ipa, voice)`` then reads the (normalized) IPA left to right, longest known IPA
string first; ``ˈ``/``ˌ`` become ``'``/``,`` (espeak puts them before the stressed vowel; anywhere
in the syllable works, it stresses the next vowel); spaces separate words. A symbol the voice has
no phoneme for is approximated (``EQUIVALENTS``, then without its diacritics); if nothing fits it is
left out and reported by ``convert``. ``tests/speech/test_ipa.py`` checks that espeak's own IPA of
several hundred words in en-us, en-gb, de, es and fr comes back unchanged through
IPA → mnemonics → espeak → IPA.

Validation (``check_ipa``) accepts the IPA letters, modifiers and diacritics (Unicode blocks IPA
Extensions, Spacing Modifier Letters, Combining Diacritical Marks, Phonetic Extensions and the
Latin/Greek letters IPA borrows), tone digits 1–5 (espeak writes Mandarin tones that way),
``.`` ``|`` ``‖`` ``‿`` and spaces. ASCII stand-ins are converted by ``normalize_ipa``: ``'`` → ``ˈ``,
``:`` → ``ː``, ``g`` → ``ɡ``, ``ʧ ʤ ʦ ʣ`` → ``tʃ dʒ ts dz``; enclosing ``/.../`` or ``[...]`` is
dropped. Anything else (capital letters, ``@``, digits 0/6–9, punctuation) is refused with the
characters named.
"""
from __future__ import annotations

import functools
import logging
import threading
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

log = logging.getLogger("onepin.speech.ipa")

PRIMARY, SECONDARY, LONG = "ˈ", "ˌ", "ː"
STRESS = {PRIMARY: "'", SECONDARY: ","}
TIES = "\u0361\u035c"
MAX_LEN = 400
VOWELS = frozenset("aeiouyæøœɐɑɒɔəɘɚɛɜɝɞɤɨɪɯɵɶʉʊʌʏᵻᵿ")

_EXTRA_LETTERS = set("æçðøħŋœβθχǀǁǂǃ")
_PUNCT = set(" .|‖‿↗↘↑↓")
_STAND_INS = {"'": PRIMARY, "’": PRIMARY, ":": LONG, "g": "ɡ", "ʧ": "tʃ", "ʤ": "dʒ", "ʦ": "ts", "ʣ": "dz",
              "ˑ": ""}


def _is_ipa_char(ch: str) -> bool:
    """An IPA symbol; a precomposed letter (ä, õ, ɛ̃ …) counts when its parts are IPA."""
    if _is_ipa_part(ch):
        return True
    parts = unicodedata.normalize("NFD", ch)
    return len(parts) > 1 and all(_is_ipa_part(p) for p in parts)


def _is_ipa_part(ch: str) -> bool:
    cp = ord(ch)
    return ("a" <= ch <= "z" or ch in _EXTRA_LETTERS or ch in _PUNCT or ch in "12345"
            or 0x0250 <= cp <= 0x02FF        # IPA Extensions + Spacing Modifier Letters (ˈ ˌ ː ʰ ʲ ˥ …)
            or 0x0300 <= cp <= 0x036F        # combining diacritics (̃ ̩ ̪ ͡ …)
            or 0x1D00 <= cp <= 0x1DFF        # Phonetic Extensions (ᵻ ᵊ …) + combining supplement
            or ch in "ⁿˡ")


class IPAError(ValueError):
    """The text is not IPA; the message names the offending characters."""


def normalize_ipa(text: str) -> str:
    """NFC, enclosing /…/ or […] dropped, ASCII stand-ins converted, whitespace collapsed."""
    s = unicodedata.normalize("NFC", text or "").strip()
    if len(s) >= 2 and ((s[0] == "/" and s[-1] == "/") or (s[0] == "[" and s[-1] == "]")):
        s = s[1:-1].strip()
    s = "".join(_STAND_INS.get(ch, ch) for ch in s)
    return " ".join(s.split())


def check_ipa(text: str) -> str:
    """The normalized IPA, or IPAError naming what is not IPA."""
    s = normalize_ipa(text)
    if not s:
        raise IPAError("is empty; give the pronunciation in IPA, e.g. pəˈdoʊnoʊs")
    if len(s) > MAX_LEN:
        raise IPAError(f"must be at most {MAX_LEN} characters")
    bad = []
    for ch in s:
        if not _is_ipa_char(ch) and ch not in bad:
            bad.append(ch)
    if bad:
        shown = ", ".join(f"{ch!r} (U+{ord(ch):04X})" for ch in bad[:8])
        hint = ""
        if any(ch in "@&" or "A" <= ch <= "Z" for ch in bad):
            hint = " (this looks like espeak/Kirshenbaum notation: write IPA such as ə, ɑː, ʃ, θ instead)"
        raise IPAError(f"contains characters that are not IPA: {shown}{hint}")
    if not any(unicodedata.category(ch) in ("Ll", "Lo", "Lu") for ch in s):
        raise IPAError("has no phonetic symbols (only marks or punctuation)")
    return s


def is_ipa(text: str) -> bool:
    try:
        check_ipa(text)
        return True
    except IPAError:
        return False


# ---------------------------------------------------------------- IPA → espeak mnemonics

# Approximations for IPA symbols a voice has no phoneme for, tried in order.
EQUIVALENTS: dict[str, tuple[str, ...]] = {
    "r": ("ɹ", "ɾ", "ʁ", "ʀ"), "ɹ": ("r", "ʁ"), "ʁ": ("ʀ", "r", "ɹ"), "ʀ": ("ʁ", "r"), "ɾ": ("t", "d", "r"),
    "ɻ": ("ɹ", "r"), "ɡ": ("g",), "ɐ": ("ə", "a"), "ɒ": ("ɔ", "ɑː", "ɑ"), "ɑ": ("ɑː", "a"), "a": ("æ", "ɑː"),
    "æ": ("a", "ɛ"), "ɝ": ("ɜː", "ɚ"), "ɚ": ("ɝ", "əɹ", "ə"), "ɜ": ("ɜː", "ə"), "e": ("eɪ", "ɛ", "eː"),
    "ɛ": ("e",), "o": ("oʊ", "ɔ", "oː"), "əʊ": ("oʊ",), "ɔ": ("ɔː", "o"), "i": ("iː", "ɪ"), "ɪ": ("i", "ᵻ"),
    "u": ("uː", "ʊ"), "ʊ": ("u",), "ʉ": ("uː", "u"), "ɨ": ("ᵻ", "ɪ", "i"), "ᵻ": ("ɪ",), "y": ("yː", "ʏ", "i"),
    "ʏ": ("y",), "ø": ("øː", "œ", "ɜː"), "œ": ("ø", "ɜː"), "ə": ("ɐ", "ɜ"), "ʌ": ("ə", "a"), "ɫ": ("l",),
    "l̩": ("əl", "l"), "n̩": ("ən", "n"), "m̩": ("əm", "m"), "ʔ": ("",), "x": ("χ", "k"), "χ": ("x", "k"),
    "ç": ("x", "ʃ"), "ɣ": ("ɡ",), "β": ("b", "v"), "ɸ": ("f",), "ʋ": ("v",), "ɲ": ("nj",), "ʎ": ("lj",),
    "ts": ("t s",), "dz": ("d z",), "tɕ": ("tʃ",), "dʑ": ("dʒ",), "ɕ": ("ʃ",), "ʑ": ("ʒ",), "ʂ": ("ʃ",),
    "ʐ": ("ʒ",), "ɦ": ("h",), "c": ("k",), "ɟ": ("ɡ",), "ʍ": ("w",), "ɥ": ("j",), "ɱ": ("m",), "ɳ": ("n",),
    "ɭ": ("l",), "ɬ": ("l",), "q": ("k",), "ɢ": ("ɡ",), "ħ": ("h",), "ʕ": ("",), "ɰ": ("w",),
}


@dataclass(frozen=True)
class Conversion:
    mnemonics: str
    unmapped: tuple[str, ...]       # IPA symbols left out (nothing close in the voice's phonemes)


@dataclass(frozen=True)
class PhonemeMap:
    voice: str
    table: dict[str, str]           # IPA string -> mnemonic
    longest: int
    final_replaced: frozenset[str] = frozenset()   # mnemonics the voice changes at the end of a word
    bare: dict[str, str] = field(default_factory=dict)   # IPA without diacritics -> mnemonic

    def lookup(self, ipa: str, i: int) -> tuple[str, int] | None:
        """The longest known IPA string at ``ipa[i:]`` -> (mnemonic, its length). A phoneme that is a
        vowel plus a consonant (English ʌɹ, ɑːɹ, əl) is not used before a vowel: there espeak says
        the consonant itself again (linking r), so the vowel and the consonant are taken apart."""
        for n in range(min(self.longest, len(ipa) - i), 0, -1):
            key = ipa[i:i + n]
            m = self.table.get(key)
            if m is None:
                continue
            if n > 1 and key[-1] not in VOWELS and key[-1] not in "ː" and any(ch in VOWELS for ch in key) \
                    and _vowel_follows(ipa, i + n):
                continue
            return m, n
        return None


_build_lock = threading.Lock()
_maps: dict[str, PhonemeMap] = {}
_CONTEXTS = (("{}", ("{}",)), ("a{}a", ("a", "{}", "a")), ("{}a", ("{}", "a")), ("a{}", ("a", "{}")),
             ("t{}t", ("t", "{}", "t")))          # 'a' and 't' are in every espeak table (base1)


def _vowel_follows(ipa: str, j: int) -> bool:
    while j < len(ipa) and ipa[j] in "ˈˌ.":
        j += 1
    return j < len(ipa) and ipa[j] in VOWELS


def _strip_stress(seg: str) -> str:
    return "".join(ch for ch in seg if ch not in "ˈˌ',%=")


def _segments(m_word: str, i_word: str, want: list[str]) -> list[tuple[str, str]] | None:
    """Aligned (mnemonic, IPA) phonemes of one probe word, stress marks and pauses left out; tone
    numbers after a vowel (cmn ``a55`` / IPA ``a5``) are taken off. None unless the mnemonics are
    exactly ``want``."""
    ms = [m for m in map(_strip_stress, m_word.split("|")) if m and not m.startswith("_")]
    ips = [i for i in map(_strip_stress, i_word.split("|")) if i]
    if len(ms) != len(ips):
        return None
    pairs = [[m, ipa] for m, ipa in zip(ms, ips)]
    if len(pairs) != len(want):
        return None
    for pair, w in zip(pairs, want):
        if pair[0] != w:
            if pair[0].startswith(w) and pair[0][len(w):].isdigit():
                pair[0], pair[1] = w, pair[1].rstrip("0123456789ɜ")
            else:
                return None
    return [(m, ipa) for m, ipa in pairs]


def _probe(voice: str, words: list[str]) -> list[tuple[str, str]] | None:
    """(mnemonic trace, IPA trace) per probe word, or None when espeak dropped or merged words."""
    from app.speech.text import espeak_phonemes as ep
    text = "[[" + " ".join(words) + "]]"
    m_words = ep.trace(text, voice, ipa=False, separator="|").split()
    i_words = ep.trace(text, voice, ipa=True, separator="|").split()
    if len(m_words) != len(words) or len(i_words) != len(words):
        return None
    return list(zip(m_words, i_words))


def _learn(voice: str) -> PhonemeMap:
    from app.speech.text import espeak_phonemes as ep
    mnemonics = ep.phoneme_mnemonics(voice)
    votes: dict[str, Counter] = defaultdict(Counter)
    for fmt, expected in _CONTEXTS:
        words = [fmt.format(m) for m in mnemonics]
        traced = _probe(voice, words)
        if traced is None:              # a phoneme that says nothing in this context: one at a time
            traced = [(_probe(voice, [w]) or [("", "")])[0] for w in words]
        for m, (m_word, i_word) in zip(mnemonics, traced):
            want = [m if e == "{}" else e for e in expected]
            pairs = _segments(m_word, i_word, want)
            if pairs is None:
                continue                 # espeak changed the sequence: not a clean sample
            ipa = pairs[expected.index("{}")][1]
            if ipa:
                votes[ipa][m] += 1
    table: dict[str, str] = {}
    for ipa, counter in votes.items():
        if len(ipa) == 1 and ipa in counter:
            table[ipa] = ipa             # a plain letter that is also a mnemonic keeps the table's own phoneme
        else:
            table[ipa] = sorted(counter.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[0][0]
    if not table:
        raise RuntimeError(f"espeak gave no phonemes for voice {voice!r}")
    final = frozenset(src for flags, src, _dst in ep.replace_rules(voice) if flags & 1)
    bare: dict[str, str] = {}
    for ipa in sorted(table, key=lambda k: (k != _strip_marks(k), len(k), k)):
        b = _strip_marks(ipa)
        if b and b not in table:
            bare.setdefault(b, table[ipa])
    return PhonemeMap(voice=voice, table=table, longest=max(len(k) for k in table), final_replaced=final,
                      bare=bare)


def phoneme_map(voice: str = "en-us") -> PhonemeMap:
    """The voice's IPA → mnemonic table, learnt once per process and voice (variants share it)."""
    base = (voice or "en-us").partition("+")[0].strip().lower()
    got = _maps.get(base)
    if got is None:
        with _build_lock:
            got = _maps.get(base)
            if got is None:
                got = _maps[base] = _learn(base)
    return got


def _strip_marks(sym: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", sym)
                   if not unicodedata.combining(ch) and not 0x02B0 <= ord(ch) <= 0x02FF)


def _approximate(pm: PhonemeMap, sym: str, depth: int = 0) -> str | None:
    """A mnemonic sequence for an IPA symbol the table lacks, or None: the table's phoneme with the
    same letter under other diacritics (ja ``o`` → [o̞]), else a listed equivalent, else the symbol
    without its diacritics."""
    if depth > 2:
        return None
    bare = _strip_marks(sym)
    if bare in pm.bare:
        return pm.bare[bare]
    for alt in EQUIVALENTS.get(sym, ()):
        if alt == "":
            return ""
        out = _convert_word(pm, alt, None, depth + 1)
        if out is not None:
            return out
    if bare and bare != sym:
        return _convert_word(pm, bare, None, depth + 1)
    return None


def _convert_word(pm: PhonemeMap, word: str, unmapped: list[str] | None, depth: int = 0) -> str | None:
    out: list[str] = []
    i = 0
    while i < len(word):
        ch = word[i]
        if ch in STRESS:
            out.append(STRESS[ch])
            i += 1
            continue
        if ch in "12345":            # tone numbers (espeak writes Mandarin/Cantonese tones as digits)
            out.append(ch)
            i += 1
            continue
        if ch in ".|‖‿↗↘↑↓" or ch in TIES:
            i += 1
            continue
        hit = pm.lookup(word, i)
        if hit is not None:
            out.append(hit[0])
            i += hit[1]
            continue
        # one symbol: a base character with its combining marks and modifiers
        j = i + 1
        while j < len(word) and (unicodedata.combining(word[j]) or word[j] in "ːʰʲʷˠˤ̃"):
            j += 1
        sym = word[i:j]
        if sym == LONG:
            out.append(":")
            i = j
            continue
        if not _strip_marks(sym):    # a diacritic or modifier on its own (ʰ, ʲ, ̃ …): espeak has no way
            i = j                    # to say it on the phoneme before, so it is left out quietly
            continue
        approx = _approximate(pm, sym, depth)
        if approx is None:
            if unmapped is None:
                return None
            unmapped.append(sym)
        else:
            out.append(approx)
        i = j
    if depth == 0 and out and out[-1] in pm.final_replaced:
        out.append(";")      # keeps the vowel as written (espeak's own trick, e.g. en-us "the" = DI2;)
    return "".join(out)


def convert(ipa: str, voice: str = "en-us") -> Conversion:
    pm = phoneme_map(voice)
    s = normalize_ipa(ipa)
    s = "".join(ch for ch in s if ch not in TIES)
    unmapped: list[str] = []
    words = [_convert_word(pm, w, unmapped) or "" for w in s.split(" ")]
    if unmapped:
        log.info("IPA symbols with no espeak phoneme for %s: %s", voice, " ".join(unmapped))
    return Conversion(" ".join(w for w in words if w), tuple(unmapped))


def ipa_to_espeak(ipa: str, voice: str = "en-us") -> str:
    """espeak mnemonics for ``ipa`` as spoken by ``voice`` (put them inside ``[[ ]]``)."""
    return convert(ipa, voice).mnemonics


@functools.lru_cache(maxsize=4096)
def espeak_style(ipa: str, voice: str = "en-us") -> str:
    """``ipa`` as espeak itself writes it (stress before the vowel, its own symbols and length marks):
    the IPA of what espeak says for ``ipa_to_espeak(ipa)``. Piper voices were trained on exactly this
    form (their phonemizer is espeak-ng), so it is what Piper gets inside ``[[ ]]``."""
    from app.speech.text import espeak_phonemes as ep
    mnemonics = ipa_to_espeak(ipa, voice)
    if not mnemonics.strip():
        return normalize_ipa(ipa)
    return ep.spoken_ipa(f"[[{mnemonics}]]", voice) or normalize_ipa(ipa)
