"""espeak-ng through our own ctypes binding over the library bundled by ``espeakng-loader``.

espeak-ng keeps global state (current voice, parameters, one output callback), so it is NOT
thread-safe: every call into the library goes through one process-wide lock, ``_LIB_LOCK``.
The library is initialised once per process, lazily, by ``get_engine()``.

Voices are named by espeak's voice file name (``"en-us"``, ``"de"``, ``"cmn"``), optionally with a
variant (``"en-us+f3"``). A language code (``"en-gb"``, ``"zh"``) or the full identifier
(``"gmw/en-US"``) is accepted too. Phoneme input ``[[...]]`` takes espeak mnemonics, not IPA.
"""
from __future__ import annotations

import ctypes
import os
import re
import threading
from importlib import metadata

import numpy as np

from .base import CONTROL_KEYS, Audio, EngineError, VoiceInfo, check_controls, require_text

# speak_lib.h constants
AUDIO_OUTPUT_SYNCHRONOUS = 2
espeakINITIALIZE_DONT_EXIT = 0x8000
POS_CHARACTER = 1
espeakCHARS_UTF8 = 1
espeakSSML = 0x10
espeakPHONEMES = 0x100
espeakENDPAUSE = 0x1000
espeakRATE, espeakVOLUME, espeakPITCH, espeakRANGE = 1, 2, 3, 4
EE_OK, EE_INTERNAL_ERROR, EE_BUFFER_FULL, EE_NOT_FOUND = 0, -1, 1, 2
PHONEME_MODE_IPA = 0x02

DEFAULT_RATE_WPM = 175
RATE_MIN, RATE_MAX = 80, 450
BUFFER_MS = 500

_GENDERS = {1: "male", 2: "female"}
# Han ideographs (CJK unified, extension A, compatibility): espeak-ng's Japanese voice has no reading
# for them and says "Chinese letter" instead, so Japanese text with kanji is refused with the reason.
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def check_readable(text: str, identifier: str) -> None:
    """EngineError when espeak-ng cannot read ``text`` with this voice instead of saying something else:
    Japanese kanji (the normalizer writes numbers in kana; anything else in kanji has no reading here)."""
    if identifier.partition("+")[0].rsplit("/", 1)[-1].lower() != "ja":
        return
    kanji = "".join(dict.fromkeys(_HAN.findall(text or "")))
    if kanji:
        raise EngineError(f"eSpeak NG reads Japanese in kana only and has no reading for the kanji {kanji[:12]}"
                          f"{'…' if len(kanji) > 12 else ''} (it would say \"Chinese letter\"): write the line "
                          "in hiragana or katakana, or choose a voice whose provider reads kanji")


class _Voice(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_void_p),  # priority byte + NUL-terminated string, repeated; ends with 0
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


class _Event(ctypes.Structure):  # only passed through; fields are not read
    _fields_ = [("type", ctypes.c_int), ("unique_identifier", ctypes.c_uint),
                ("text_position", ctypes.c_int), ("length", ctypes.c_int),
                ("audio_position", ctypes.c_int), ("sample", ctypes.c_int),
                ("user_data", ctypes.c_void_p), ("id", ctypes.c_void_p)]


_SynthCallback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int,
                                  ctypes.POINTER(_Event))

_LIB_LOCK = threading.RLock()


def _reset_lock_after_fork() -> None:
    # A forked child (e.g. an RQ work horse) inherits the library state but must not inherit a
    # lock held by another thread of the parent.
    global _LIB_LOCK
    _LIB_LOCK = threading.RLock()


os.register_at_fork(after_in_child=_reset_lock_after_fork)


def _load_library():
    try:
        import espeakng_loader
    except ImportError as exc:  # pragma: no cover - dependency is pinned in pyproject
        raise EngineError("espeak-ng is not installed (pip install espeakng-loader)") from exc
    lib = ctypes.CDLL(espeakng_loader.get_library_path())
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_Initialize.restype = ctypes.c_int
    lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
    lib.espeak_SetSynthCallback.restype = None
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetVoiceByName.restype = ctypes.c_int
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_SetParameter.restype = ctypes.c_int
    lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                 ctypes.c_uint, ctypes.c_uint, ctypes.POINTER(ctypes.c_uint),
                                 ctypes.c_void_p]
    lib.espeak_Synth.restype = ctypes.c_int
    lib.espeak_Synchronize.argtypes = []
    lib.espeak_Synchronize.restype = ctypes.c_int
    lib.espeak_ListVoices.argtypes = [ctypes.POINTER(_Voice)]
    lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
    lib.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_int, ctypes.c_int]
    lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
    lib.espeak_Info.argtypes = [ctypes.POINTER(ctypes.c_char_p)]
    lib.espeak_Info.restype = ctypes.c_char_p
    return lib, espeakng_loader.get_data_path()


def _languages(addr: int | None) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    if not addr:
        return out
    while True:
        priority = ctypes.c_ubyte.from_address(addr).value
        if priority == 0:
            return out
        raw = ctypes.string_at(addr + 1)
        out.append((priority, raw.decode("utf-8", "replace")))
        addr += len(raw) + 2


class EspeakEngine:
    """One per process (see ``get_engine``): the library has a single global state."""

    name = "espeak"
    supported_controls = frozenset(CONTROL_KEYS)

    def __init__(self) -> None:
        self._lib, self._data_path = _load_library()
        with _LIB_LOCK:
            rate = self._lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, BUFFER_MS,
                                               self._data_path.encode(), espeakINITIALIZE_DONT_EXIT)
            if rate <= 0:
                raise EngineError(f"espeak-ng failed to initialise with data at {self._data_path}")
            self.sample_rate = rate
            self._chunks: list[bytes] = []
            self._callback = _SynthCallback(self._on_samples)  # keep a reference: no GC
            self._lib.espeak_SetSynthCallback(self._callback)
            info = self._lib.espeak_Info(None)
            self.library_version = info.decode() if info else "unknown"
            self._current_voice: str | None = None
            self._voices, self._variants = self._list_voices()
        loader = metadata.version("espeakng-loader")
        self.version = f"espeak-ng-{self.library_version}+loader-{loader}"
        self._index = self._build_index()

    # -- library callbacks -------------------------------------------------------------------
    def _on_samples(self, wav, numsamples, events) -> int:
        if numsamples > 0 and wav:
            self._chunks.append(ctypes.string_at(wav, numsamples * 2))   # a memcpy; as_array cost 10x more
        return 0  # 0 = continue synthesis

    # -- voices ------------------------------------------------------------------------------
    def _list_raw(self, spec_language: str | None) -> list[tuple[str, list[tuple[int, str]], str, int]]:
        if spec_language is None:
            arr = self._lib.espeak_ListVoices(None)
        else:
            lang = ctypes.create_string_buffer(spec_language.encode())
            spec = _Voice()
            spec.languages = ctypes.addressof(lang)
            arr = self._lib.espeak_ListVoices(ctypes.byref(spec))
        rows = []
        i = 0
        while arr[i]:
            v = arr[i].contents
            rows.append(((v.name or b"").decode("utf-8", "replace"), _languages(v.languages),
                         (v.identifier or b"").decode("utf-8", "replace"), v.gender))
            i += 1
        return rows

    def _list_voices(self) -> tuple[list[tuple[VoiceInfo, str, list[tuple[int, str]]]], dict[str, VoiceInfo]]:
        voices = []
        for name, langs, identifier, gender in self._list_raw(None):
            vid = identifier.rsplit("/", 1)[-1].lower()
            info = VoiceInfo(id=vid, name=name, languages=[code for _, code in langs],
                             gender=_GENDERS.get(gender), variant=False)
            voices.append((info, identifier, langs))
        variants: dict[str, VoiceInfo] = {}
        for name, _langs, identifier, gender in self._list_raw("variant"):
            file_name = identifier.rsplit("/", 1)[-1]
            variants[file_name.lower()] = VoiceInfo(id=file_name, name=name, languages=[],
                                                    gender=_GENDERS.get(gender), variant=True)
        return voices, variants

    def _build_index(self) -> dict[str, str]:
        """Map every accepted lower-case voice name to an espeak identifier."""
        index: dict[str, str] = {}
        by_language: dict[str, tuple[int, str]] = {}
        for info, identifier, langs in self._voices:
            index.setdefault(info.id, identifier)
            index.setdefault(identifier.lower(), identifier)
            for priority, code in langs:
                best = by_language.get(code.lower())
                if best is None or priority < best[0]:
                    by_language[code.lower()] = (priority, identifier)
        for code, (_, identifier) in by_language.items():
            index.setdefault(code, identifier)
        return index

    def voices(self) -> list[VoiceInfo]:
        """Every voice, then every variant (``variant=True``; use as ``"<voice>+<variant id>"``)."""
        return [info for info, _, _ in self._voices] + list(self._variants.values())

    def variants(self) -> list[VoiceInfo]:
        return list(self._variants.values())

    def resolve_voice(self, voice: str, variant: str | None = None) -> str:
        """The exact name given to espeak_SetVoiceByName, e.g. ``"gmw/en-US+f3"``."""
        if not isinstance(voice, str) or not voice.strip():
            raise EngineError("voice is empty: give an espeak voice such as 'en-us'")
        base, _, inline_variant = voice.strip().partition("+")
        identifier = self._index.get(base.lower())
        if identifier is None:
            raise EngineError(f"unknown espeak voice {voice!r}")
        variant = variant or inline_variant or None
        if variant:
            info = self._variants.get(variant.lower())
            if info is None:
                raise EngineError(f"unknown espeak voice variant {variant!r} (voice {voice!r})")
            return f"{identifier}+{info.id}"
        return identifier

    def _set_voice(self, name: str) -> None:
        if name == self._current_voice:
            return
        self._current_voice = None
        err = self._lib.espeak_SetVoiceByName(name.encode())
        if err != EE_OK:
            raise EngineError(f"espeak could not load voice {name!r} (error {err})")
        self._current_voice = name

    # -- synthesis ---------------------------------------------------------------------------
    def synthesize(self, text: str, voice: str, controls: dict | None = None, *,
                   phonemes: bool = False, ssml: bool = False) -> Audio:
        require_text(text)
        c = check_controls(controls)
        name = self.resolve_voice(voice, c["variant"])
        check_readable(text, name)
        rate = int(round(min(max(DEFAULT_RATE_WPM * c["speed"], RATE_MIN), RATE_MAX)))
        pitch = int(round(min(max(50 + 50 * c["pitch"], 0), 99)))
        volume = int(round(min(max(100 * c["volume"], 0), 200)))
        flags = espeakCHARS_UTF8 | espeakENDPAUSE
        if phonemes:
            flags |= espeakPHONEMES
        if ssml:
            flags |= espeakSSML
        data = text.replace("\0", " ").encode("utf-8") + b"\0"
        buf = ctypes.create_string_buffer(data, len(data))
        with _LIB_LOCK:
            self._set_voice(name)
            for param, value in ((espeakRATE, rate), (espeakPITCH, pitch), (espeakVOLUME, volume),
                                 (espeakRANGE, 50)):
                self._lib.espeak_SetParameter(param, value, 0)
            self._chunks = []
            try:
                err = self._lib.espeak_Synth(buf, len(data), 0, POS_CHARACTER, 0, flags, None, None)
                if err == EE_OK:
                    err = self._lib.espeak_Synchronize()
                chunks, self._chunks = self._chunks, []
            finally:
                if ssml:  # <voice> elements may switch voices mid-text
                    self._current_voice = None
        if err != EE_OK:
            raise EngineError(f"espeak_Synth failed (error {err}) for voice {voice!r}")
        pcm = np.frombuffer(b"".join(chunks), dtype=np.int16)
        return Audio(samples=pcm.astype(np.float32) * np.float32(1 / 32768), sample_rate=self.sample_rate)

    def text_to_ipa(self, text: str, voice: str) -> str:
        """IPA for ``text`` as spoken by ``voice`` (clauses joined by a space)."""
        require_text(text)
        name = self.resolve_voice(voice.partition("+")[0] if isinstance(voice, str) else voice)
        data = text.replace("\0", " ").encode("utf-8")
        buf = ctypes.create_string_buffer(data)
        ptr = ctypes.c_void_p(ctypes.addressof(buf))
        parts: list[str] = []
        with _LIB_LOCK:
            self._set_voice(name)
            while ptr.value:
                out = self._lib.espeak_TextToPhonemes(ctypes.byref(ptr), espeakCHARS_UTF8,
                                                      PHONEME_MODE_IPA)
                if out:
                    parts.append(out.decode("utf-8", "replace").strip())
        return " ".join(p for p in parts if p)


_ENGINE: EspeakEngine | None = None
_ENGINE_LOCK = threading.Lock()


def get_engine() -> EspeakEngine:
    """The process-wide espeak engine, created on first use."""
    global _ENGINE
    if _ENGINE is None:
        with _ENGINE_LOCK:
            if _ENGINE is None:
                _ENGINE = EspeakEngine()
    return _ENGINE
