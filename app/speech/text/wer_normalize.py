"""Normalising a script and a transcript the same way before they are compared (WER/CER).

Whisper writes digits ("$12.50", "21st", "3:30"), US spelling and its own punctuation, while a
script may spell numbers out, use British spelling or contractions. Both sides go through
``tokens(text, language)``: every whitespace-separated chunk of the text becomes zero or more
comparison tokens, and each token remembers the chunk (with its codepoint offsets in the text) it
came from, so an error found between tokens can be painted back onto the words of the script.

English rules, in order, per chunk: Unicode NFKC and straight quotes; currency ($ £ €), percentages,
ordinals (21st), times (3:30), years (1100-2099), decimals and integers (with thousands commas) to
words with num2words (without "and": "one hundred twenty three"); dotted acronyms (U.S.A. → usa);
lower case; titles (Mr. → mister, Dr. → doctor ...); contractions (don't → do not, it's → it is);
hyphens, slashes and other punctuation split words; digits inside words (mp3 → mp three); accents
dropped; British spellings made American (colour → color); "ok" → "okay".
Other languages: lower case, punctuation removed, digits to words when num2words knows the language.
Languages written without spaces (ja, zh, th ...) are compared per character (see ``CHAR_LANGUAGES``).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .spelling_en import americanize

CHAR_LANGUAGES = frozenset({"ja", "zh", "th", "lo", "km", "my", "bo", "yue"})
MARKUP = re.compile(r"⟦([^|⟦⟧]+)\|([^⟦⟧]*)⟧")

_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "“": '"', "”": '"', "„": '"',
                         "–": "-", "—": " ", "‐": "-", "‑": "-", "−": "-"})
_CURRENCY = {"$": ("dollar", "dollars", "cent", "cents"), "£": ("pound", "pounds", "penny", "pence"),
             "€": ("euro", "euros", "cent", "cents")}
_TITLES = {"mr": "mister", "mrs": "missus", "ms": "miz", "dr": "doctor", "prof": "professor", "st": "saint",
           "jr": "junior", "sr": "senior", "vs": "versus", "etc": "et cetera", "approx": "approximately",
           "no": "number"}
_TITLE_NEEDS_DOT = {"st", "no"}   # "St." and "No." only when written with the dot
_CONTRACTIONS = {
    "won't": "will not", "can't": "can not", "cannot": "can not", "shan't": "shall not", "ain't": "is not",
    "let's": "let us", "it's": "it is", "he's": "he is", "she's": "she is", "that's": "that is",
    "what's": "what is", "there's": "there is", "here's": "here is", "who's": "who is", "where's": "where is",
    "how's": "how is", "when's": "when is", "why's": "why is", "y'all": "you all", "o'clock": "o'clock",
    "gonna": "going to", "wanna": "want to", "gotta": "got to",
}
_SUFFIX_CONTRACTIONS = (("n't", " not"), ("'re", " are"), ("'ve", " have"), ("'ll", " will"), ("'m", " am"),
                        ("'d", " would"))
_NUMBER_CHUNK = re.compile(r"^(?P<cur>[$£€])?(?P<num>\d[\d,]*(?:\.\d+)?)(?P<suf>%|st|nd|rd|th|s|k|m|bn)?$",
                           re.IGNORECASE)
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(am|pm|a\.m\.|p\.m\.)?$", re.IGNORECASE)
_ACRONYM = re.compile(r"^(?:[A-Za-z]\.){2,}[A-Za-z]?\.?$")
_EDGE = re.compile(r"^[^\w$£€]+|[^\w%]+$")
_SPLIT = re.compile(r"[^\w']+")
_DIGITS = re.compile(r"(\d+)")
_DIGIT_NAMES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


@dataclass(frozen=True)
class Chunk:
    text: str      # the chunk as written
    start: int     # codepoint offsets in the text it was cut from, half-open
    end: int


@dataclass(frozen=True)
class Token:
    text: str      # the normalised unit (a word, or one character for CHAR_LANGUAGES)
    chunk: int     # index of the chunk it came from


def language_of(locale: str) -> str:
    return (locale or "en").replace("_", "-").split("-", 1)[0].lower() or "en"


def by_characters(language: str) -> bool:
    return language_of(language) in CHAR_LANGUAGES


def chunks(text: str) -> list[Chunk]:
    """Whitespace-separated chunks with offsets. Pronunciation markup ``⟦word|ipa⟧`` counts as its
    word, with offsets pointing at the word inside the markup (so text[start:end] is the word)."""
    out: list[Chunk] = []
    text = text or ""
    pos = 0
    for m in list(MARKUP.finditer(text)) + [None]:
        stop = m.start() if m is not None else len(text)
        for w in re.finditer(r"\S+", text[pos:stop]):
            out.append(Chunk(w.group(), pos + w.start(), pos + w.end()))
        if m is not None:
            out.append(Chunk(m.group(1), m.start(1), m.end(1)))
            pos = m.end()
    return out


# -- numbers -----------------------------------------------------------------------------------
def _n2w(value, language: str, to: str = "cardinal") -> str | None:
    from num2words import num2words
    try:
        return num2words(value, lang=language, to=to)
    except (NotImplementedError, OverflowError, ValueError, TypeError, InvalidOperation, KeyError):
        return None


def _words(spelled: str | None) -> list[str]:
    if not spelled:
        return []
    spelled = spelled.replace("-", " ").replace(",", " ")
    return [w for w in spelled.lower().split() if w != "and"]


def number_words(digits: str, language: str = "en") -> list[str]:
    """ "1,250" → one thousand two hundred fifty; "3.14" → three point one four; "07" → zero seven."""
    digits = digits.replace(",", "")
    whole, _, frac = digits.partition(".")
    if len(whole) > 1 and whole.startswith("0"):
        return [_DIGIT_NAMES[int(d)] for d in whole] if language == "en" else list(whole)
    out = _words(_n2w(int(whole), language)) if whole else []
    if frac:
        point = _words(_n2w(Decimal("0.1"), language))
        sep = [w for w in point if w not in _words(_n2w(0, language)) + _words(_n2w(1, language))] or ["point"]
        out += sep + [w for d in frac for w in (_words(_n2w(int(d), language)) or [d])]
    return out or [digits]


def _is_year(digits: str) -> bool:
    return len(digits) == 4 and digits.isdigit() and 1100 <= int(digits) <= 2099 and not digits.endswith("000")


def _number_chunk(m: re.Match, language: str) -> list[str] | None:
    cur, num, suf = m.group("cur"), m.group("num"), (m.group("suf") or "").lower()
    if cur and language == "en":
        names = _CURRENCY[cur]
        whole, _, frac = num.replace(",", "").partition(".")
        out = number_words(whole) + [names[0] if whole == "1" else names[1]]
        if frac and int(frac):
            cents = int((frac + "0")[:2])
            out += number_words(str(cents)) + [names[2] if cents == 1 else names[3]]
        return out + (["percent"] if suf == "%" else [])
    if suf in ("st", "nd", "rd", "th") and "." not in num and "," not in num:
        return _words(_n2w(int(num), language, "ordinal")) or None
    if suf == "s" and language == "en" and num.isdigit():     # 1990s → nineteen nineties, 80s → eighties
        words = _words(_n2w(int(num), language, "year")) if _is_year(num) else number_words(num)
        if words:
            last = words[-1]
            words[-1] = last[:-1] + "ies" if last.endswith("y") else last + "s"
            return words
    if _is_year(num) and not suf and language == "en":
        return _words(_n2w(int(num), language, "year"))
    out = number_words(num, language)
    if suf == "%":
        out.append("percent" if language == "en" else "%")
    elif suf in ("k", "m", "bn") and language == "en":
        out.append({"k": "thousand", "m": "million", "bn": "billion"}[suf])
    elif suf:
        return None
    return out


def _time_chunk(m: re.Match) -> list[str]:
    hour, minute, ampm = int(m.group(1)), int(m.group(2)), (m.group(3) or "").replace(".", "").lower()
    out = number_words(str(hour))
    if minute:
        out += (["oh"] if minute < 10 else []) + number_words(str(minute))
    return out + ([ampm[0], "m"] if ampm else [])


# -- words -------------------------------------------------------------------------------------
def _strip_accents(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def _expand_contraction(word: str) -> str:
    if word in _CONTRACTIONS:
        return _CONTRACTIONS[word]
    for suffix, repl in _SUFFIX_CONTRACTIONS:
        if word.endswith(suffix) and len(word) > len(suffix):
            return word[: -len(suffix)] + repl
    return word


def _english(chunk: str) -> list[str]:
    core = _EDGE.sub("", chunk)
    if not core:
        return {"&": ["and"], "%": ["percent"], "+": ["plus"]}.get(chunk.strip(), [])
    m = _TIME.match(core)
    if m:
        return _time_chunk(m)
    m = _NUMBER_CHUNK.match(core)
    if m:
        words = _number_chunk(m, "en")
        if words:
            return words
    if _ACRONYM.match(core):
        return ["".join(c for c in core.lower() if c.isalpha())]
    low = core.lower()
    title = low.rstrip(".")
    if title in _TITLES and (title not in _TITLE_NEEDS_DOT or chunk.rstrip(",;:!?").endswith(".")):
        return _TITLES[title].split()
    low = low.replace("&", " and ").replace("%", " percent ").replace("+", " plus ").replace("@", " at ")
    out: list[str] = []
    for part in _SPLIT.split(low):
        part = part.strip("'")
        if not part:
            continue
        for word in _expand_contraction(part).split():
            word = word.replace("'", "")
            for piece in _DIGITS.split(word):
                if not piece:
                    continue
                if piece.isdigit():
                    out += number_words(piece)
                else:
                    out.append(americanize(_strip_accents(piece)))
    return [w for sub in out for w in sub.split()]


def _other(chunk: str, language: str) -> list[str]:
    core = _EDGE.sub("", chunk)
    if not core:
        return []
    m = _NUMBER_CHUNK.match(core)
    if m and not m.group("cur"):
        words = _number_chunk(m, language)
        if words:
            return words
    out: list[str] = []
    for part in _SPLIT.split(core.lower()):
        part = part.strip("'")
        for piece in _DIGITS.split(part):
            if piece.isdigit():
                out += number_words(piece, language)
            elif piece:
                out.append(piece)
    return out


def normalize_chunk(chunk: str, language: str = "en") -> list[str]:
    chunk = unicodedata.normalize("NFKC", chunk).translate(_QUOTES)
    lang = language_of(language)
    words = _english(chunk) if lang == "en" else _other(chunk, lang)
    if lang in CHAR_LANGUAGES:
        return [c for w in words for c in w if not c.isspace()]
    return words


_DOTTED_TIME = re.compile(r"^(\d{1,2})[.:](\d{2})$")
_PLAIN_INT = re.compile(r"^\d{3,4}$")
_DIGIT_DASH = re.compile(r"(\d)[-–](?=\d)")


def variants(chunk: str, language: str = "en") -> list[list[str]]:
    """Other readings of an English number chunk, after the main one: "9.15" may be a time (nine
    fifteen), "1999" a cardinal, "204" digit by digit (two oh four). Used to pick the reading the
    other side of a comparison has, never to invent one."""
    main = normalize_chunk(chunk, language)
    if language_of(language) != "en":
        return [main]
    core = _EDGE.sub("", unicodedata.normalize("NFKC", chunk))
    out = [main]
    m = _DOTTED_TIME.match(core)
    if m and int(m.group(1)) <= 24 and int(m.group(2)) < 60:
        out.append(_time_chunk(_TIME.match(f"{m.group(1)}:{m.group(2)}")))
    if _PLAIN_INT.match(core):
        out.append(number_words(core))
        out.append([("oh" if d == "0" else _DIGIT_NAMES[int(d)]) for d in core])
        if _is_year(core):
            out.append(_words(_n2w(int(core), "en", "year")))
    unique: list[list[str]] = []
    for v in out:
        if v and v not in unique:
            unique.append(v)
    return unique


def tokens(text: str, language: str = "en", prefer: set[str] | None = None) -> tuple[list[Chunk], list[Token]]:
    """The chunks of ``text`` and the comparison tokens they normalise to. With ``prefer`` (the other
    side's tokens), a number with several readings takes the one sharing most words with it."""
    cs = chunks(text)
    out: list[Token] = []
    for i, c in enumerate(cs):
        for piece in _DIGIT_DASH.sub(r"\1 ", c.text.replace("/", " / ")).split():
            words = normalize_chunk(piece, language)
            if prefer and any(ch.isdigit() for ch in piece):
                options = variants(piece, language)
                words = max(options, key=lambda v: (sum(w in prefer for w in v) / len(v), -options.index(v)))
            out += [Token(w, i) for w in words if w != "/"]
    return cs, out


def normalize(text: str, language: str = "en") -> str:
    """The normalised text (tokens joined by spaces), for display and quick comparisons."""
    return " ".join(t.text for t in tokens(text, language)[1])
