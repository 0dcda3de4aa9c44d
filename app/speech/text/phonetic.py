"""How far apart two pronunciations are, from their IPA.

``units(ipa)`` cuts IPA into phonemes after folding notation variants (stress, length and syllable
marks dropped; ɹ/r, ɡ/g, ɚ/ər, ɐ/ə, ɾ/t ... treated alike). ``distance(a, b)`` is a weighted
Levenshtein distance over phonemes: a vowel for another vowel costs 0.5 (vowel quality is what a
synthetic voice and a small recogniser blur most), a consonant for its voiced/voiceless twin 0.5,
any other substitution, insertion or deletion 1. ``similarity(expected, heard)`` is
1 − distance / len(expected), clipped to 0–1.
"""
from __future__ import annotations

import re
import unicodedata

_DROP = re.compile(r"[ˈˌːˑ.‿\s\-|ʲʰʷ̩̯̃͜͡ʼ']")
_FOLD = (("ɚ", "ər"), ("ɝ", "ɜr"), ("ɹ", "r"), ("ɻ", "r"), ("ʁ", "r"), ("ɾ", "t"), ("ɡ", "g"), ("ɫ", "l"),
         ("ɐ", "ə"), ("ᵻ", "ɪ"), ("ɨ", "ɪ"), ("ʔ", ""), ("ɒ", "ɑ"), ("ɔ", "ɑ"), ("ɜ", "ə"), ("ʌ", "ə"),
         ("ɛ", "e"), ("ɘ", "ə"), ("ɵ", "o"), ("ʊ", "u"), ("ɪ", "i"), ("ʏ", "y"), ("œ", "ø"), ("æ", "a"))
_MULTI = ("tʃ", "dʒ", "ts", "dz", "aɪ", "aʊ", "eɪ", "oʊ", "əʊ", "ɔɪ", "ai", "au", "ei", "ou", "oi")
VOWELS = set("aeiouyøəɑɐɛɜɪʊʌɔæɒɨʉɯɤœɶ")
_TWINS = {frozenset(p) for p in (("p", "b"), ("t", "d"), ("k", "g"), ("f", "v"), ("s", "z"), ("θ", "ð"),
                                 ("ʃ", "ʒ"), ("tʃ", "dʒ"), ("θ", "f"), ("ð", "d"), ("m", "n"), ("n", "ŋ"))}


def units(ipa: str) -> list[str]:
    s = unicodedata.normalize("NFC", ipa or "").lower()
    s = _DROP.sub("", s)
    for a, b in _FOLD:
        s = s.replace(a, b)
    out: list[str] = []
    i = 0
    while i < len(s):
        pair = s[i:i + 2]
        if pair in _MULTI:
            out.append(pair)
            i += 2
        else:
            out.append(s[i])
            i += 1
    return out


def _is_vowel(u: str) -> bool:
    return u[0] in VOWELS


def _sub_cost(a: str, b: str) -> float:
    if a == b:
        return 0.0
    if _is_vowel(a) and _is_vowel(b):
        return 0.5
    if frozenset((a, b)) in _TWINS:
        return 0.5
    return 1.0


def distance(a: str | list[str], b: str | list[str]) -> float:
    x = units(a) if isinstance(a, str) else a
    y = units(b) if isinstance(b, str) else b
    prev = [float(j) for j in range(len(y) + 1)]
    for i, ca in enumerate(x, 1):
        cur = [float(i)]
        for j, cb in enumerate(y, 1):
            cur.append(min(prev[j] + 1.0, cur[j - 1] + 1.0, prev[j - 1] + _sub_cost(ca, cb)))
        prev = cur
    return prev[-1]


def similarity(expected: str, heard: str) -> float:
    e = units(expected)
    if not e:
        return 1.0 if not units(heard) else 0.0
    return max(0.0, 1.0 - distance(e, units(heard)) / len(e))


def fit(expected: str, heard: str) -> float:
    """Similarity of ``expected`` to its best-matching stretch of ``heard`` (heard phonemes before and
    after that stretch cost nothing): a word judged inside a longer stretch of transcript."""
    e, h = units(expected), units(heard)
    if not e:
        return 1.0
    prev = [0.0] * (len(h) + 1)           # free start anywhere in heard
    for i, ca in enumerate(e, 1):
        cur = [float(i)]
        for j, cb in enumerate(h, 1):
            cur.append(min(prev[j] + 1.0, cur[j - 1] + 1.0, prev[j - 1] + _sub_cost(ca, cb)))
        prev = cur
    return max(0.0, 1.0 - min(prev) / len(e))   # free end anywhere in heard


def part_similarity(parts: list[str], index: int, heard: str) -> float:
    """Similarity of ``parts[index]`` when the concatenated ``parts`` (expected pronunciations of
    consecutive words) are aligned with ``heard``: only the edits that fall inside that part count
    (heard phonemes inserted at its edges count half when a neighbouring part could claim them, in
    full at the ends of the stretch). A word is judged in place, its wrong neighbours held apart."""
    seqs = [units(p) for p in parts]
    e = [u for s in seqs for u in s]
    h = units(heard)
    start = sum(len(s) for s in seqs[:index])
    end = start + len(seqs[index])
    if end == start:
        return 1.0
    n, m = len(e), len(h)
    d = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        d[i][0] = float(i)
    for j in range(1, m + 1):
        d[0][j] = float(j)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d[i][j] = min(d[i - 1][j] + 1.0, d[i][j - 1] + 1.0, d[i - 1][j - 1] + _sub_cost(e[i - 1], h[j - 1]))
    cost = 0.0
    i, j = n, m
    while i > 0 or j > 0:
        if i > 0 and j > 0 and d[i][j] == d[i - 1][j - 1] + _sub_cost(e[i - 1], h[j - 1]):
            if start <= i - 1 < end:
                cost += _sub_cost(e[i - 1], h[j - 1])
            i, j = i - 1, j - 1
        elif i > 0 and d[i][j] == d[i - 1][j] + 1.0:
            if start <= i - 1 < end:
                cost += 1.0
            i -= 1
        else:                       # heard phoneme inserted before expected position i
            if start < i < end:
                cost += 1.0
            elif i == start or i == end:
                cost += 1.0 if (i == 0 or i == n) else 0.5
            j -= 1
    return max(0.0, 1.0 - cost / (end - start))
