"""What espeak-ng actually speaks, as phonemes.

- ``trace(text, voice)``: the phonemes espeak produces while synthesizing ``text`` (IPA or espeak's
  own mnemonics, optionally one separator between phonemes), read from espeak's phoneme trace
  (``espeak_SetPhonemeTrace``). Phoneme input ``[[...]]`` is honoured, exactly as in synthesis, so this
  is the ground truth of "what was sent to espeak".
- ``phoneme_mnemonics(voice)``: the mnemonics of the voice's phoneme table (vowels and consonants),
  read from ``espeak-ng-data/phontab`` and the voice file (``phonemes`` line, else its language).

Uses the process-wide engine of ``app.speech.tts.espeak`` and its library lock (espeak has one global
state). No Flask, no database.
"""
from __future__ import annotations

import ctypes
import functools
import os
import struct
from pathlib import Path

# espeak_SetPhonemeTrace modes (speak_lib.h)
SHOW_MNEMONICS = 0x01
SHOW_IPA = 0x02
# PHONEME_TAB.type values that are sounds (phVOWEL .. phNASAL); pauses, stress marks and virtual
# phonemes are not probed.
SOUND_TYPES = frozenset(range(2, 9))
_TRACE_SPEED = 2.5          # synthesis is only a vehicle for the trace: the faster the cheaper

_libc = None


def _engine():
    from app.speech.tts.espeak import get_engine
    return get_engine()


def _c():
    global _libc
    if _libc is None:
        libc = ctypes.CDLL(None)
        libc.tmpfile.restype = ctypes.c_void_p
        for name in ("fflush", "fclose", "fileno"):
            getattr(libc, name).argtypes = [ctypes.c_void_p]
        _libc = libc
    return _libc


def trace(text: str, voice: str = "en-us", *, ipa: bool = True, separator: str | None = None,
          phoneme_input: bool = True) -> str:
    """The phonemes of ``text`` as espeak speaks them with ``voice``: one line per clause, words
    separated by spaces, stress marks before the stressed vowel (``ˈ``/``ˌ`` or ``'``/``,``)."""
    from app.speech.tts import espeak as E
    engine = _engine()
    lib = engine._lib
    if not getattr(lib, "_trace_ready", False):
        lib.espeak_SetPhonemeTrace.argtypes = [ctypes.c_int, ctypes.c_void_p]
        lib.espeak_SetPhonemeTrace.restype = None
        lib._trace_ready = True
    mode = SHOW_IPA if ipa else SHOW_MNEMONICS
    if separator:
        mode |= ord(separator) << 8
    libc = _c()
    stream = libc.tmpfile()
    if not stream:
        raise OSError("tmpfile() failed")
    try:
        with E._LIB_LOCK:
            lib.espeak_SetPhonemeTrace(mode, stream)
            try:
                engine.synthesize(text, voice, {"speed": _TRACE_SPEED}, phonemes=phoneme_input)
            finally:
                lib.espeak_SetPhonemeTrace(0, None)
        libc.fflush(stream)
        fd = libc.fileno(stream)
        os.lseek(fd, 0, os.SEEK_SET)
        chunks = []
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        libc.fclose(stream)
    return b"".join(chunks).decode("utf-8", "replace")


def spoken_ipa(text: str, voice: str = "en-us") -> str:
    """IPA of what espeak speaks for ``text`` (clauses joined by a space); ``[[...]]`` honoured."""
    return " ".join(line.strip() for line in trace(text, voice).splitlines() if line.strip())


# ---------------------------------------------------------------- phoneme tables

@functools.lru_cache(maxsize=1)
def _phontab() -> tuple[list[str], dict[str, tuple[int, list[tuple[int, str, int]]]]]:
    """(table names in file order, {name: (1 + index of the table it includes or 0, [(code, mnemonic, type)])})."""
    data = (Path(_engine()._data_path) / "phontab").read_bytes()
    tables: dict[str, tuple[int, list[tuple[int, str, int]]]] = {}
    names: list[str] = []
    off = 4
    for _ in range(data[0]):
        count, includes = data[off], data[off + 1]
        off += 4
        name = data[off:off + 32].split(b"\0")[0].decode("ascii")
        off += 32
        phonemes = []
        for _ in range(count):
            mnemonic, _flags, _program, code, kind = struct.unpack_from("<IIHBB", data, off)
            off += 16
            text = mnemonic.to_bytes(4, "little").rstrip(b"\0").decode("latin-1")
            if code:
                phonemes.append((code, text, kind))
        tables[name] = (includes, phonemes)
        names.append(name)
    return names, tables


@functools.lru_cache(maxsize=128)
def _voice_file(voice: str) -> tuple[str, tuple[tuple[str, ...], ...]]:
    """(espeak identifier, the voice file's lines split into words) of an espeak voice name."""
    engine = _engine()
    identifier = engine.resolve_voice(voice.partition("+")[0])
    try:
        text = (Path(engine._data_path) / "lang" / identifier).read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    return identifier, tuple(tuple(line.split()) for line in text.splitlines() if line.split())


def table_name(voice: str) -> str:
    """The phoneme table of an espeak voice (its voice file's ``phonemes`` line, else its language)."""
    identifier, lines = _voice_file(voice)
    phonemes = next((ln[1] for ln in reversed(lines) if ln[0] == "phonemes" and len(ln) > 1), None)
    language = next((ln[1] for ln in lines if ln[0] == "language" and len(ln) > 1), None)
    _names, tabs = _phontab()
    for candidate in (phonemes, language, (language or "").split("-")[0], identifier.rsplit("/", 1)[-1].lower()):
        if candidate and candidate in tabs:
            return candidate
    return "base1"


def replace_rules(voice: str) -> tuple[tuple[int, str, str], ...]:
    """The voice file's ``replace <flags> <phoneme> <by>`` rules (flags: 1 = word-final only,
    2 = unstressed only), e.g. en-us ``replace 03 I i``: a final unstressed [ɪ] is said [i]."""
    _identifier, lines = _voice_file(voice)
    out = []
    for ln in lines:
        if ln[0] == "replace" and len(ln) >= 3:
            try:
                flags = int(ln[1], 10)
            except ValueError:
                continue
            out.append((flags, ln[2], ln[3] if len(ln) > 3 else ""))
    return tuple(out)


@functools.lru_cache(maxsize=64)
def phoneme_mnemonics(voice: str) -> tuple[str, ...]:
    """Sound phonemes (vowels, consonants) of the voice's table, its included tables first."""
    names, tabs = _phontab()
    chain: list[str] = []
    name: str | None = table_name(voice)
    while name is not None and name not in chain:
        chain.append(name)
        includes = tabs[name][0]
        name = names[includes - 1] if includes > 0 else None
    by_code: dict[int, tuple[str, int]] = {}
    for name in reversed(chain):                 # the voice's own table overrides the base tables
        for code, mnemonic, kind in tabs[name][1]:
            by_code[code] = (mnemonic, kind)
    return tuple(sorted({m for m, kind in by_code.values() if kind in SOUND_TYPES and m}))


# locales whose espeak voice is not simply the locale or its family
_LOCALE_VOICES = {"zh-cn": "cmn", "zh": "cmn", "es-mx": "es-419", "pt-br": "pt-br", "pt-pt": "pt"}


@functools.lru_cache(maxsize=256)
def voice_for_locale(locale: str | None) -> str | None:
    """The espeak voice that speaks a locale (``en-us`` → ``en-us``, ``de-de`` → ``de``,
    ``zh-cn`` → ``cmn``), or None when espeak has none."""
    if not locale:
        return None
    loc = locale.strip().lower().replace("_", "-")
    engine = _engine()
    for candidate in (_LOCALE_VOICES.get(loc), loc, loc.split("-")[0]):
        if not candidate:
            continue
        try:
            engine.resolve_voice(candidate)
            return candidate
        except Exception:  # noqa: BLE001 - EngineError: try the next one
            continue
    return None
