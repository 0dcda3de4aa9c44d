"""A deterministic respelling ("puh-DOH-nohs") from IPA, for `spelled` dictionary entries.

The IPA comes from espeak (``suggest``): the word is read by the espeak voice of its locale, its IPA
is cut into syllables (a vowel with its consonants: one consonant between two vowels starts the
next syllable, two or more are shared out so that a common onset such as ``st``, ``pl``, ``tr``
stays together), each sound is written with English spelling conventions (``RESPELL``), and the
syllable carrying the primary stress is written in capitals when the word has more than one.
Same word, same voice, same espeak version → same answer.

The spelling conventions are English ones whatever the locale: a respelling is a reading aid for
the person editing the dictionary; the exact pronunciation travels in the entry's IPA.
"""
from __future__ import annotations

import unicodedata

RESPELL: dict[str, str] = {
    # vowels and diphthongs
    "eɪ": "ay", "aɪ": "eye", "ɔɪ": "oy", "aʊ": "ow", "oʊ": "oh", "əʊ": "oh", "ɪə": "eer", "eə": "air", "ɛə": "air",
    "ʊə": "oor", "iː": "ee", "i": "ee", "ɪ": "ih", "ᵻ": "ih", "e": "eh", "eː": "ay", "ɛ": "eh", "ɛː": "eh",
    "æ": "a", "a": "ah", "aː": "ah", "ä": "ah", "ɐ": "uh", "ʌ": "uh", "ə": "uh", "ɑː": "ah", "ɑ": "ah", "ɒ": "o",
    "ɔː": "aw", "ɔ": "aw", "o": "oh", "oː": "oh", "o̞": "oh", "e̞": "eh", "uː": "oo", "u": "oo", "ʊ": "uu",
    "ɜː": "ur", "ɜ": "ur", "ɝ": "ur", "ɚ": "er", "y": "ue", "yː": "ue", "ʏ": "ue", "ø": "eu", "øː": "eu",
    "œ": "eu", "ɯ": "oo", "ɯᵝ": "oo", "ɨ": "ih", "ɤ": "uh", "ɵ": "uh", "ɘ": "uh", "ɑ̃": "ahn", "ɔ̃": "ohn",
    "ɛ̃": "an", "œ̃": "uhn", "ĩ": "een", "ũ": "oon",
    # consonants
    "tʃ": "ch", "dʒ": "j", "ʃ": "sh", "ʒ": "zh", "θ": "th", "ð": "th", "ŋ": "ng", "j": "y", "ɹ": "r", "r": "r",
    "ɾ": "d", "ʁ": "r", "ʀ": "r", "x": "kh", "χ": "kh", "ç": "hy", "ɡ": "g", "g": "g", "ʔ": "", "ɫ": "l",
    "ɬ": "hl", "ɲ": "ny", "ʎ": "ly", "β": "b", "ɣ": "g", "ts": "ts", "dz": "dz", "tɕ": "ch", "dʑ": "j",
    "ɕ": "sh", "ʑ": "zh", "ʂ": "sh", "ʐ": "zh", "ʋ": "v", "ɦ": "h", "c": "k", "ɟ": "g", "ɸ": "f", "ʍ": "wh",
    "ɥ": "w", "ɴ": "n", "ɳ": "n", "ɭ": "l", "ʈ": "t", "ɖ": "d", "q": "k", "ħ": "h", "ʕ": "",
    **{c: c for c in "pbtdkfvszhmnlw"},
}
VOWEL_KEYS = frozenset(k for k in RESPELL if any(ch in "aeiouyæøœɐɑɒɔəɘɚɛɜɝɤɨɪɯɵʉʊʌʏᵻ" for ch in k)
                       and k not in ("j", "ɥ", "w"))
_LONGEST = max(len(k) for k in RESPELL)
_ONSETS = {("s", c) for c in ("p", "t", "k", "m", "n", "l", "w")} | {
    (a, b) for a in ("p", "b", "k", "ɡ", "g", "f", "θ") for b in ("l", "ɹ", "r", "w", "j")} | {
    (a, b) for a in ("t", "d") for b in ("ɹ", "r", "w")} | {("ʃ", "ɹ"), ("ʃ", "r")}


def _symbols(word: str) -> list[tuple[str, bool]]:
    """(IPA symbol, stressed) in order; unknown symbols are dropped, their diacritics ignored."""
    s = unicodedata.normalize("NFC", word)
    out: list[tuple[str, bool]] = []
    stress = False
    i = 0
    while i < len(s):
        ch = s[i]
        if ch == "ˈ":
            stress = True
            i += 1
            continue
        for n in range(min(_LONGEST, len(s) - i), 0, -1):
            if s[i:i + n] in RESPELL:
                sym = s[i:i + n]
                is_vowel = sym in VOWEL_KEYS
                out.append((sym, stress and is_vowel))
                if is_vowel:
                    stress = False
                i += n
                break
        else:
            i += 1            # ː on its own, diacritics, tone digits, unknown symbols
    return out


def _syllables(syms: list[tuple[str, bool]]) -> list[tuple[list[str], bool]]:
    nuclei = [i for i, (sym, _st) in enumerate(syms) if sym in VOWEL_KEYS]
    if not nuclei:
        return [([sym for sym, _ in syms], False)] if syms else []
    cuts = [0]
    for a, b in zip(nuclei, nuclei[1:]):
        between = b - a - 1
        if between <= 1:
            cuts.append(a + 1)
        elif (syms[b - 2][0], syms[b - 1][0]) in _ONSETS:
            cuts.append(b - 2)
        else:
            cuts.append(b - 1)
    cuts.append(len(syms))
    out = []
    for start, end in zip(cuts, cuts[1:]):
        part = syms[start:end]
        out.append(([sym for sym, _ in part], any(st for _, st in part)))
    return out


def respell_word(ipa_word: str, english: bool = True) -> str:
    sylls = _syllables(_symbols(ipa_word))
    written = []
    for parts, stressed in sylls:
        text = "".join("r" if p == "ɾ" and not english else RESPELL[p] for p in parts)
        if not text:
            continue
        written.append(text.upper() if stressed and len(sylls) > 1 else text)
    return "-".join(written)


def respell(ipa: str, english: bool = True) -> str:
    """A respelling of an IPA transcription (words separated by spaces). ``english``: the flap [ɾ] is
    the t/d of "butter" (written d); elsewhere it is a tapped r."""
    return " ".join(w for w in (respell_word(part, english) for part in (ipa or "").split()) if w)
