"""Common English words: the whole-word entries of the Whisper tiny.en tokenizer.

Whisper's byte-level BPE vocabulary (GPT-2's) gives a frequent word its own token, written with a
leading "Ġ" (a space). Its ~19,700 lower-case alphabetic whole-word tokens are a frequency list that
comes with the model we already ship: a word outside it is "rare" (a name, jargon, a loan word),
which is where a synthetic voice most often goes wrong.
"""
from __future__ import annotations

import functools

from .models import tiny_en_dir


@functools.lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    path = tiny_en_dir()
    if path is None or not (path / "vocabulary.txt").is_file():
        return frozenset()
    out = set()
    with open(path / "vocabulary.txt", encoding="utf-8") as fh:
        for line in fh:
            token = line.rstrip("\n")
            if token.startswith("Ġ") and len(token) > 1:
                word = token[1:]
                if word.isalpha() and word.islower():
                    out.add(word)
    return frozenset(out)


def is_common(word: str) -> bool:
    words = common_words()
    w = word.lower()
    return w in words or (w.endswith("s") and w[:-1] in words)
