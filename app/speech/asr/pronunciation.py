"""Pronunciation of the words that matter in one take.

Which words are checked (``targets``): words with a dictionary entry (given by the caller, who owns
the dictionary), words marked ``⟦word|ipa⟧`` in the script, rare words (not in the common-word list
of ``vocab``) and names (capitalised words inside a sentence, acronyms). Everyday words are left to
the word-accuracy validator.

How a word is judged (``check_pronunciation``): the take is transcribed without any hint of the
script, the transcript is aligned with the script (``app.speech.text.wer``), and for each checked
word:

- heard exactly as written → fine, unless the recogniser's probability for it is below
  ``LOW_PROBABILITY`` (flag ``low_confidence``);
- heard as something else → the stretch of the transcript that stands where the word (and any
  neighbouring wrong words) belongs is turned into IPA by espeak-ng and compared with the expected
  pronunciation (the dictionary's or marked IPA, espeak's reading of a respelling - lowercased first,
  ``TOO-sahn`` → ``too-sahn``, so it is not read letter by letter - or espeak's own reading of the
  word). Similar enough (``MIN_SIMILARITY``) → fine: the recogniser only spelled it another way
  ("Shivaun" for "Siobhan"); otherwise flag ``misrecognized``;
- nothing heard where it belongs → flag ``missing``.

Score = 100 × share of checked words that are fine. No Flask, no database.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Sequence

from app.speech.text import markup, phonetic
from app.speech.text import wer as W
from app.speech.text.lexicon import speakable
from app.speech.text.wer_normalize import MARKUP, chunks, language_of, normalize_chunk
from app.speech.tts.base import Audio

from .vocab import is_common
from .whisper import Transcript, transcribe

DEFAULT_THRESHOLD = 80.0
MIN_SIMILARITY = 0.6      # chosen on a development set of names (docs/speech.md), not on the bench's
LOW_PROBABILITY = 0.15
MIN_RARE_LENGTH = 4
_SENTENCE_END = re.compile(r"[.!?…:;]['\")\]]*$")
_CORE = re.compile(r"^[^\w]+|[^\w]+$")
_TITLES = {"mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "mt", "ft", "vs", "no", "etc"}


@dataclass(frozen=True)
class DictionaryWord:
    word: str
    ipa: str | None = None            # the expected IPA (ipa entries)
    respelling: str | None = None     # spelled entries: the expected sound is espeak's reading of this
    case_sensitive: bool = False


@dataclass(frozen=True)
class Target:
    word: str                     # as written in the script
    chunks: tuple[int, ...]       # its whitespace chunks (``wer_normalize.chunks``)
    start: int                    # codepoint offsets in the script, half-open
    end: int
    source: str                   # dictionary | markup | rare | name
    ipa: str | None = None
    respelling: str | None = None


@dataclass
class WordCheck:
    target: Target
    ok: bool
    reason: str | None = None     # missing | misrecognized | low_confidence
    heard: str | None = None
    probability: float | None = None
    start_s: float | None = None
    end_s: float | None = None
    similarity: float | None = None
    expected_ipa: str | None = None
    heard_ipa: str | None = None


@dataclass
class PronunciationResult:
    checks: list[WordCheck]
    transcript: Transcript | None
    comparison: W.Comparison | None
    threshold: float = DEFAULT_THRESHOLD
    flagged: list[WordCheck] = field(init=False)

    def __post_init__(self):
        self.flagged = [c for c in self.checks if not c.ok]

    @property
    def score(self) -> float:
        if not self.checks:
            return 100.0
        return round(100.0 * sum(c.ok for c in self.checks) / len(self.checks), 2)

    @property
    def passed(self) -> bool:
        return self.score >= self.threshold


# -- which words ------------------------------------------------------------------------------
def _core(text: str) -> str:
    return _CORE.sub("", text)


def targets(script: str, locale: str = "en-us", dictionary: Sequence[DictionaryWord] = ()) -> list[Target]:
    """The words of ``script`` to check, in script order (a word is listed once, first reason wins:
    dictionary, markup, name, rare)."""
    lang = language_of(locale)
    cs = chunks(script)
    found: dict[int, Target] = {}

    def add(first: int, last: int, source: str, ipa=None, respelling=None):
        if any(i in found for i in range(first, last + 1)):
            return
        start = cs[first].start + (len(cs[first].text) - len(cs[first].text.lstrip("\"'([“‘¿¡")))
        word_end = cs[last].start + len(cs[last].text.rstrip(".,;:!?\"')]”’…"))
        t = Target(script[start:word_end], tuple(range(first, last + 1)), start, word_end, source, ipa, respelling)
        for i in range(first, last + 1):
            found[i] = t

    cores = [_core(c.text) for c in cs]
    for entry in dictionary:
        parts = entry.word.split()
        if not parts:
            continue
        for i in range(len(cs) - len(parts) + 1):
            window = cores[i:i + len(parts)]
            same = window == parts if entry.case_sensitive else \
                [w.casefold() for w in window] == [p.casefold() for p in parts]
            if same:
                add(i, i + len(parts) - 1, "dictionary", entry.ipa, entry.respelling)
    marked = {}                                  # ⟦word|ipa⟧ → (ipa, None), ⟦word|=respelling⟧ → (None, respelling)
    for m in MARKUP.finditer(script or ""):
        resp = markup.respelling_of(m.group(2))
        marked[m.start(1)] = (None, resp or None) if resp is not None else (m.group(2) or None, None)
    for i, c in enumerate(cs):
        if c.start in marked:
            add(i, i, "markup", *marked[c.start])
    for i, c in enumerate(cs):
        word = cores[i]
        if not word or any(ch.isdigit() for ch in word) or not any(ch.isalpha() for ch in word):
            continue
        if word.casefold() in _TITLES:
            continue
        sentence_start = i == 0 or (bool(_SENTENCE_END.search(cs[i - 1].text))
                                    and cores[i - 1].casefold() not in _TITLES)
        letters = [ch for ch in word if ch.isalpha()]
        acronym = len(letters) >= 2 and all(ch.isupper() for ch in letters)
        capital = word[0].isupper() and word not in ("I", "I'm", "I'll", "I've", "I'd")
        if lang == "en":
            rare = any(len(w) >= MIN_RARE_LENGTH and w.isalpha() and not is_common(w)
                       for w in normalize_chunk(word, lang))
        else:
            rare = False
        if acronym or (capital and not sentence_start):
            add(i, i, "name")
        elif rare:
            add(i, i, "rare")
    return sorted({t.chunks: t for t in found.values()}.values(), key=lambda t: t.start)


# -- judging ----------------------------------------------------------------------------------
def _voice_for(locale: str) -> str:
    loc = (locale or "en-us").replace("_", "-").lower()
    return loc if loc.startswith(("en-us", "en-gb")) else language_of(loc)


@functools.lru_cache(maxsize=4096)
def ipa_of(text: str, locale: str = "en-us") -> str:
    """espeak-ng's IPA for ``text`` (empty when espeak cannot read it)."""
    if not text.strip():
        return ""
    from app.speech.tts import get_engine
    from app.speech.tts.base import EngineError
    try:
        return get_engine("espeak").text_to_ipa(text, _voice_for(locale))
    except EngineError:
        return ""


def _expected_ipa(t: Target, locale: str) -> str:
    if t.ipa:
        return t.ipa
    return ipa_of(speakable(t.respelling) if t.respelling else t.word, locale)


def _spans(ops: list[W.Op], indices: list[int]) -> list[int]:
    """The op indices of the wrong stretches (consecutive non-ok ops) that contain ``indices``."""
    out: set[int] = set()
    for k in indices:
        if ops[k].status == W.OK:
            continue
        a = b = k
        while a > 0 and ops[a - 1].status != W.OK:
            a -= 1
        while b + 1 < len(ops) and ops[b + 1].status != W.OK:
            b += 1
        out.update(range(a, b + 1))
    return sorted(out)


def judge(t: Target, cmp: W.Comparison, locale: str) -> WordCheck:
    ref_ix = [i for i, tok in enumerate(cmp.ref_tokens) if tok.chunk in t.chunks]
    op_of = {op.ref: k for k, op in enumerate(cmp.ops) if op.ref is not None}
    mine = [op_of[i] for i in ref_ix if i in op_of]
    if not mine:            # the word normalises to nothing comparable (punctuation only)
        return WordCheck(t, True)
    heard_tokens = [cmp.hyp_tokens[cmp.ops[k].hyp] for k in mine if cmp.ops[k].hyp is not None]
    span = _spans(cmp.ops, mine)
    if not span:
        prob = min((h.probability for h in heard_tokens if h.probability is not None), default=None)
        check = WordCheck(t, True, heard=" ".join(h.text for h in heard_tokens), probability=prob,
                          start_s=min((h.start for h in heard_tokens if h.start is not None), default=None),
                          end_s=max((h.end for h in heard_tokens if h.end is not None), default=None))
        if prob is not None and prob < LOW_PROBABILITY:
            check.ok, check.reason = False, "low_confidence"
        return check
    hyp = [cmp.hyp_tokens[cmp.ops[k].hyp] for k in span if cmp.ops[k].hyp is not None]
    check = WordCheck(t, False, heard=" ".join(h.text for h in hyp) or None,
                      probability=min((h.probability for h in hyp if h.probability is not None), default=None),
                      start_s=min((h.start for h in hyp if h.start is not None), default=None),
                      end_s=max((h.end for h in hyp if h.end is not None), default=None))
    if not hyp:
        check.reason = "missing"
        return check
    # the stretch as it should sound (this word as expected, its wrong neighbours as written) aligned
    # phoneme by phoneme with what was heard there; only the edits inside this word count
    parts: list[str] = []
    index = -1
    pending: list[str] = []
    for k in span:
        r = cmp.ops[k].ref
        if r is None:
            continue
        if r in ref_ix:
            if index < 0:
                if pending:
                    parts.append(ipa_of(" ".join(pending), locale))
                    pending = []
                index = len(parts)
                parts.append(_expected_ipa(t, locale))
        else:
            pending.append(cmp.ref_tokens[r].text)
    if pending:
        parts.append(ipa_of(" ".join(pending), locale))
    check.expected_ipa = parts[index] if index >= 0 else ""
    check.heard_ipa = ipa_of(" ".join(h.text for h in hyp), locale)
    if not check.expected_ipa or not check.heard_ipa:
        check.reason = "misrecognized"
        return check
    check.similarity = round(phonetic.part_similarity(parts, index, check.heard_ipa), 3)
    if check.similarity >= MIN_SIMILARITY:
        check.ok = True
    else:
        check.reason = "misrecognized"
    return check


def check_pronunciation(audio: Audio, script: str, locale: str = "en-us",
                        dictionary: Sequence[DictionaryWord] = (), *, threshold: float = DEFAULT_THRESHOLD,
                        transcript: Transcript | None = None) -> PronunciationResult:
    """Judge the checked words of ``script`` (raw take text; markup allowed) in ``audio``.

    Raises ``UnsupportedLocale`` / ``ModelIntegrityError`` / ``AsrError`` like ``transcribe``. A line
    with no word to check is not transcribed (score 100, nothing checked)."""
    ts = targets(script, locale, dictionary)
    if not ts:
        return PronunciationResult([], None, None, threshold)
    tr = transcript if transcript is not None else transcribe(audio, locale)
    cmp = W.compare(script, tr.text, locale, tr.words)
    return PronunciationResult([judge(t, cmp, locale) for t in ts], tr, cmp, threshold)
