"""Word (or character) error rate between a script and a transcript, word by word.

``compare(script, transcript, language, words=...)`` normalises both sides (``wer_normalize``),
aligns the tokens with a Levenshtein alignment that, among the cheapest alignments, keeps the most
matches (so a correct word is not painted wrong because of a tie), and returns a ``Comparison``:

- ``wer`` / ``cer``: edits / reference units (insertions count, so a rate can exceed 1),
- ``scored_on``: ``"wer"``, or ``"cer"`` for languages written without spaces (ja, zh, th ...),
- ``error_counts``: substitutions, insertions, deletions and reference_units of the scored metric,
  so ``(s + i + d) / reference_units`` is the rate exactly,
- ``ops``: every unit of the alignment (ok, substitution, insertion, deletion) with what was heard
  and when (seconds, from the ASR word timings when given),
- ``longest_wrong_run``: the most consecutive alignment units that are not ok. A line whose average
  is fine can still hide a garbled phrase; the validator fails a run longer than its bound.
- ``score``: 100 × (1 − rate), clipped to 0–100.

``segments(comparison)`` paints the script: one span per script word with a substituted or deleted
unit, as codepoint offsets into the script (``status`` ``word_error``, ``error_type`` substitution or
deletion), the shape the run data API publishes. Insertions have no script span: they are counted only.
Compound words written apart on one side ("everyone" / "every one") are joined before aligning.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol, Sequence

from .wer_normalize import Chunk, Token, by_characters, chunks, language_of, normalize_chunk, tokens

OK, SUB, INS, DEL = "ok", "substitution", "insertion", "deletion"
_CORE = re.compile(r"[\w$£€%]")


class TimedWord(Protocol):     # app.speech.asr.Word fits this
    text: str
    start: float
    end: float
    probability: float
    offset: int


@dataclass
class Op:
    status: str                      # ok | substitution | insertion | deletion
    ref: int | None                  # index into Comparison.ref_tokens
    hyp: int | None                  # index into Comparison.hyp_tokens


@dataclass
class HypToken:
    text: str
    start: float | None = None
    end: float | None = None
    probability: float | None = None
    chunks: tuple[int, ...] = ()


@dataclass
class Comparison:
    script: str
    transcript: str
    language: str
    scored_on: str
    ref_chunks: list[Chunk]
    ref_tokens: list[Token]
    hyp_tokens: list[HypToken]
    ops: list[Op]
    wer: float | None
    cer: float | None
    error_counts: dict = field(default_factory=dict)
    longest_wrong_run: int = 0

    @property
    def rate(self) -> float:
        return float((self.cer if self.scored_on == "cer" else self.wer) or 0.0)

    @property
    def score(self) -> float:
        return round(max(0.0, min(100.0, 100.0 * (1.0 - self.rate))), 2)

    def ref_text(self) -> str:
        return " ".join(t.text for t in self.ref_tokens)

    def hyp_text(self) -> str:
        return " ".join(t.text for t in self.hyp_tokens)

    def alignment(self) -> list[dict]:
        """Every unit of the alignment: the script's word (or what was heard, for an insertion),
        its status, what was heard there, and when (seconds; None where nothing was heard)."""
        out = []
        for op in self.ops:
            h = self.hyp_tokens[op.hyp] if op.hyp is not None else None
            text = self.ref_tokens[op.ref].text if op.ref is not None else h.text
            out.append({"text": text, "status": op.status, "heard": h.text if h else None,
                        "start": h.start if h else None, "end": h.end if h else None,
                        "probability": h.probability if h else None})
        return out


# -- alignment ---------------------------------------------------------------------------------
def align(ref: Sequence[str], hyp: Sequence[str]) -> list[Op]:
    """Minimum-edit alignment; among the cheapest, the one with the most matches."""
    n, m = len(ref), len(hyp)
    big = n + m + 1
    cost = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        cost[i][0] = i * big
    for j in range(1, m + 1):
        cost[0][j] = j * big
    for i in range(1, n + 1):
        ri, row, prev = ref[i - 1], cost[i], cost[i - 1]
        for j in range(1, m + 1):
            diag = prev[j - 1] + (-1 if ri == hyp[j - 1] else big)
            row[j] = min(diag, prev[j] + big, row[j - 1] + big)
    ops: list[Op] = []
    i, j = n, m
    while i > 0 or j > 0:
        if i > 0 and j > 0:
            same = ref[i - 1] == hyp[j - 1]
            if cost[i][j] == cost[i - 1][j - 1] + (-1 if same else big):
                ops.append(Op(OK if same else SUB, i - 1, j - 1))
                i, j = i - 1, j - 1
                continue
        if i > 0 and cost[i][j] == cost[i - 1][j] + big:
            ops.append(Op(DEL, i - 1, None))
            i -= 1
        else:
            ops.append(Op(INS, None, j - 1))
            j -= 1
    ops.reverse()
    return ops


def _join_compounds(ref: list[str], hyp: list[HypToken]) -> list[HypToken]:
    """Join two heard words that make one script word ("every one" → "everyone"), and split a heard
    word that is two adjacent script words ("sometime" → "some time")."""
    ref_set = set(ref)
    pairs = {a + b: (a, b) for a, b in zip(ref, ref[1:])}
    out: list[HypToken] = []
    k = 0
    while k < len(hyp):
        h = hyp[k]
        nxt = hyp[k + 1] if k + 1 < len(hyp) else None
        if nxt is not None and h.text + nxt.text in ref_set and (h.text not in ref_set or nxt.text not in ref_set):
            out.append(HypToken(h.text + nxt.text, h.start, nxt.end, _min(h.probability, nxt.probability),
                                h.chunks + tuple(c for c in nxt.chunks if c not in h.chunks)))
            k += 2
            continue
        if h.text not in ref_set and h.text in pairs:
            a, b = pairs[h.text]
            out += [HypToken(a, h.start, h.end, h.probability, h.chunks),
                    HypToken(b, h.start, h.end, h.probability, h.chunks)]
        else:
            out.append(h)
        k += 1
    return out


def _min(a, b):
    vals = [v for v in (a, b) if v is not None]
    return min(vals) if vals else None


def longest_run(ops: Sequence[Op]) -> int:
    best = run = 0
    for op in ops:
        run = 0 if op.status == OK else run + 1
        best = max(best, run)
    return best


# -- the comparison ----------------------------------------------------------------------------
def hyp_tokens(transcript: str, language: str, words: Sequence[TimedWord] | None = None,
               prefer: set[str] | None = None) -> list[HypToken]:
    """The transcript's comparison tokens, each with the timing of the ASR words it came from."""
    cs, toks = tokens(transcript, language, prefer)
    timed: list[tuple[float | None, float | None, float | None]] = []
    for c in cs:
        hit = [w for w in (words or ()) if w.offset < c.end and w.offset + len(w.text) > c.start]
        if hit:
            timed.append((min(w.start for w in hit), max(w.end for w in hit), min(w.probability for w in hit)))
        else:
            timed.append((None, None, None))
    return [HypToken(t.text, *timed[t.chunk], chunks=(t.chunk,)) for t in toks]


def compare(script: str, transcript: str, language: str = "en",
            words: Sequence[TimedWord] | None = None) -> Comparison:
    """Align ``transcript`` (what the ASR heard; ``words`` carry its timings) against ``script``."""
    lang = language_of(language)
    ref_chunks, ref_toks = tokens(script, lang)
    if by_characters(lang):
        ref_chunks, ref_toks = _char_tokens(script, lang)
    ref_words = [t.text for t in ref_toks]
    hyp = hyp_tokens(transcript, lang, words, prefer=set(ref_words))
    if not by_characters(lang):     # a number the script writes in digits may be read as the ASR heard it
        ref_chunks, ref_toks = tokens(script, lang, prefer={h.text for h in hyp})
        ref_words = [t.text for t in ref_toks]
    if not by_characters(lang):
        hyp = _join_compounds(ref_words, hyp)
    ops = align(ref_words, [h.text for h in hyp])
    subs = sum(op.status == SUB for op in ops)
    ins = sum(op.status == INS for op in ops)
    dels = sum(op.status == DEL for op in ops)
    n = len(ref_toks)
    rate = (subs + ins + dels) / n if n else (1.0 if hyp else 0.0)
    chars = character_error_rate(" ".join(ref_words), " ".join(h.text for h in hyp))
    scored_on = "cer" if by_characters(lang) else "wer"
    return Comparison(script=script, transcript=transcript, language=lang, scored_on=scored_on,
                      ref_chunks=ref_chunks, ref_tokens=ref_toks, hyp_tokens=hyp, ops=ops,
                      wer=None if scored_on == "cer" else rate, cer=rate if scored_on == "cer" else chars,
                      error_counts={"substitutions": subs, "insertions": ins, "deletions": dels,
                                    "reference_units": n},
                      longest_wrong_run=longest_run(ops))


_CHAR_CHUNK = re.compile(r"\d[\d,.]*|[A-Za-z]+(?:'[A-Za-z]+)?|\S")


def _char_tokens(script: str, lang: str) -> tuple[list[Chunk], list[Token]]:
    """Per-character units for languages written without spaces (digit and Latin runs stay whole)."""
    cs: list[Chunk] = []
    for c in chunks(script):
        for m in _CHAR_CHUNK.finditer(c.text):
            cs.append(Chunk(m.group(), c.start + m.start(), c.start + m.end()))
    toks = [Token(u, i) for i, c in enumerate(cs) for u in normalize_chunk(c.text, lang)]
    return cs, toks


def character_error_rate(ref: str, hyp: str) -> float | None:
    """CER of two normalised strings (jiwer), None when the reference is empty."""
    if not ref:
        return None
    if not hyp:
        return 1.0
    import jiwer
    return float(jiwer.cer(ref, hyp))


def word_error_rate(ref: str, hyp: str) -> float | None:
    """jiwer's WER of two normalised strings, for cross-checks (``compare`` counts its own)."""
    if not ref.strip():
        return None
    import jiwer
    return float(jiwer.wer(ref, hyp)) if hyp.strip() else 1.0


# -- painting the script -----------------------------------------------------------------------
def _core_span(script: str, chunk: Chunk) -> tuple[int, int]:
    """The chunk without its surrounding punctuation ("March." → "March")."""
    text = script[chunk.start:chunk.end]
    hits = [m.start() for m in _CORE.finditer(text)]
    if not hits:
        return chunk.start, chunk.end
    return chunk.start + hits[0], chunk.start + hits[-1] + 1


def segments(cmp: Comparison, status: str = "word_error") -> list[dict]:
    """Spans of the script whose units were substituted or deleted (``[]``: nothing wrong)."""
    kinds: dict[int, set[str]] = {}
    for op in cmp.ops:
        if op.status in (SUB, DEL) and op.ref is not None:
            kinds.setdefault(cmp.ref_tokens[op.ref].chunk, set()).add(op.status)
    out = []
    for idx in sorted(kinds):
        start, end = _core_span(cmp.script, cmp.ref_chunks[idx])
        out.append({"text": cmp.script[start:end], "status": status, "start": start, "end": end,
                    "error_type": SUB if SUB in kinds[idx] else DEL})
    return out
