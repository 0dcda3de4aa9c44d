"""The pricing table: credits per 1,000 billing units, per node type and per TTS provider/model.

Billing units (contract §13): `character` (text nodes), `byte` (TTS models priced on UTF-8 bytes),
`word` (the pronunciation corrector). Every rate is "credits per 1,000 units" of the lines the node
handles, for each locale it handles (every extra locale adds its own cost).

Defaults (in code, below):

    source_script                      free                   (0 per 1,000 characters)
    operator_normalizer                1 per 1,000 characters
    operator_translator                5 per 1,000 characters  (of source text, per target language)
    operator_phoneme_injector          1 per 1,000 characters
    operator_generator                 per provider/model (table `generators`), else `default`:
        espeak/espeak-ng                 2 per 1,000 characters   (local, cheap)
        piper/piper-vits                 5 per 1,000 characters   (local neural)
        elevenlabs/*                    60 per 1,000 characters
        openai/*                        30 per 1,000 characters
        cartesia/*                      25 per 1,000 bytes        (priced on UTF-8 bytes)
        default                         10 per 1,000 characters
    operator_pronunciation_corrector   20 per 1,000 words
    validator_error_rate               3 per 1,000 characters of the lines it checks (ASR)
    validator_pronunciation            3 per 1,000 characters
    validator_naturalness              1 per 1,000 characters
    validator_noise                    1 per 1,000 characters
    sink_preview                       free

Estimates (app.services.estimates): `min` assumes no retries, `expected` assumes 15 % of the lines
reaching a validator are retried once (`expected_retry_share`), `max` assumes every validator sends
every line back `max_retries` times. Credits are integers: each (node, locale) cost is rounded up,
`run_fee` (default 0) is added once per run, and a run costs at least `run_minimum` (1) credit.

Override: set ONEPIN_PRICING_FILE to a JSON file with any subset of the keys of DEFAULT_TABLE; it is
merged over the defaults (nested dicts key by key), e.g.

    {"generators": {"piper/piper-vits": {"unit": "character", "per_1000": 8}},
     "nodes": {"operator_translator": {"unit": "character", "per_1000": 7}},
     "expected_retry_share": 0.2}

The file is re-read when its modification time changes. `rate_fingerprint()` changes whenever the
effective table does (template estimates are cached on it).
"""
from __future__ import annotations

import copy
import hashlib
import json
import math
import os
from dataclasses import dataclass
from fractions import Fraction

from app.workflows.nodes import GENERATOR

UNITS = ("character", "byte", "word")

DEFAULT_TABLE: dict = {
    "nodes": {
        "source_script": {"unit": "character", "per_1000": 0},
        "operator_normalizer": {"unit": "character", "per_1000": 1},
        "operator_translator": {"unit": "character", "per_1000": 5},
        "operator_phoneme_injector": {"unit": "character", "per_1000": 1},
        "operator_pronunciation_corrector": {"unit": "word", "per_1000": 20},
        "validator_error_rate": {"unit": "character", "per_1000": 3},
        "validator_pronunciation": {"unit": "character", "per_1000": 3},
        "validator_naturalness": {"unit": "character", "per_1000": 1},
        "validator_noise": {"unit": "character", "per_1000": 1},
        "sink_preview": {"unit": "character", "per_1000": 0},
    },
    # operator_generator: "provider/model", then "provider/*", then "default".
    "generators": {
        "espeak/espeak-ng": {"unit": "character", "per_1000": 2},
        "piper/piper-vits": {"unit": "character", "per_1000": 5},
        "elevenlabs/*": {"unit": "character", "per_1000": 60},
        "openai/*": {"unit": "character", "per_1000": 30},
        "cartesia/*": {"unit": "byte", "per_1000": 25},
        "default": {"unit": "character", "per_1000": 10},
    },
    "expected_retry_share": 0.15,
    "run_fee": 0,
    "run_minimum": 1,
    # UTF-8 bytes per character of text in a locale we have not seen yet (translated lines).
    "bytes_per_char": {"ja-jp": 3, "ko-kr": 3, "zh-cn": 3, "default": 1.1},
}


@dataclass(frozen=True)
class Rate:
    unit: str          # character | byte | word
    per_1000: Fraction

    def credits(self, units: int | Fraction) -> Fraction:
        return Fraction(units) * self.per_1000 / 1000


_cache: dict = {"key": None, "table": None}


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def _check(table: dict) -> dict:
    for section in ("nodes", "generators"):
        for key, rate in table.get(section, {}).items():
            if not (isinstance(rate, dict) and rate.get("unit") in UNITS
                    and isinstance(rate.get("per_1000"), (int, float)) and rate["per_1000"] >= 0):
                raise ValueError(f"pricing {section}.{key}: need {{unit: {'|'.join(UNITS)}, per_1000: >= 0}}")
    if "default" not in table.get("generators", {}):
        raise ValueError("pricing generators.default is required")
    return table


def table() -> dict:
    """The effective pricing table (defaults merged with ONEPIN_PRICING_FILE)."""
    path = os.environ.get("ONEPIN_PRICING_FILE", "")
    mtime = os.path.getmtime(path) if path and os.path.exists(path) else None
    key = (path, mtime)
    if _cache["key"] != key:
        if path and mtime is None:
            raise ValueError(f"ONEPIN_PRICING_FILE {path!r} does not exist")
        over = json.loads(open(path, encoding="utf-8").read()) if path else {}
        if not isinstance(over, dict):
            raise ValueError("ONEPIN_PRICING_FILE must hold a JSON object")
        _cache["table"] = _check(_merge(DEFAULT_TABLE, over))
        _cache["key"] = key
    return _cache["table"]


def _rate(entry: dict) -> Rate:
    return Rate(entry["unit"], Fraction(str(entry["per_1000"])))


def node_rate(node_type: str) -> Rate:
    """Rate of a non-generator node type (unknown types are free)."""
    entry = table()["nodes"].get(node_type)
    return _rate(entry) if entry else Rate("character", Fraction(0))


def generator_rate(provider: str | None, model: str | None) -> Rate:
    gens = table()["generators"]
    for key in (f"{provider}/{model}", f"{provider}/*"):
        if key in gens:
            return _rate(gens[key])
    return _rate(gens["default"])


def rate_for(node_type: str, provider: str | None = None, model: str | None = None) -> Rate:
    return generator_rate(provider, model) if node_type == GENERATOR else node_rate(node_type)


def expected_retry_share() -> Fraction:
    return Fraction(str(table().get("expected_retry_share", 0.15)))


def run_fee() -> int:
    return int(math.ceil(table().get("run_fee", 0)))


def run_minimum() -> int:
    return int(table().get("run_minimum", 1))


def bytes_per_char(locale: str | None) -> Fraction:
    t = table().get("bytes_per_char", {})
    return Fraction(str(t.get(locale, t.get("default", 1))))


def units_in(text: str, unit: str) -> int:
    """Billing units of one line of text."""
    if unit == "byte":
        return len(text.encode("utf-8"))
    if unit == "word":
        return len(text.split())
    return len(text)


def ceil_credits(value: Fraction) -> int:
    return int(math.ceil(value))


def rate_fingerprint() -> str:
    return hashlib.sha256(json.dumps(table(), sort_keys=True, separators=(",", ":")).encode()).hexdigest()
