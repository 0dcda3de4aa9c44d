"""The node catalog: the eleven node types of the contract, as data.

Every port carries lines (`lines`; validators add `pass` and `fail`). What differs is what a line
has reached by then: *text* (before a generator) or *audio* (a generator spoke it). That is the
port's `kind`, used by validation to find port mismatches:

    source, normalizer, translator, phoneme injector   text  -> text
    generator                                          text|audio -> audio
    pronunciation corrector, validators                audio -> audio
    sink_preview                                       audio -> (no outputs)

`version` is the config schema version of the node type; nodes saved with an older
`config_version` are migrated on read (`config_migrations`).

Validator thresholds are 0–100 scores with per-validator defaults and ranges:
    validator_error_rate     85  in 50–100  word accuracy (100 − WER %); below 50 a check means nothing
    validator_naturalness    60  in 20–95   DNSMOS overall mapped to 0–100; clean studio speech
                                            rarely scores above 95, so a higher bar would never pass
    validator_noise          70  in 0–100   clarity (WADA-SNR mapped to 0–100)
    validator_pronunciation  80  in 50–100  share of words pronounced as expected
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.workflows.catalog import ProviderCatalog
from app.workflows.locales import SUPPORTED_LOCALES, locale_options

TEXT, AUDIO, ANY = "text", "audio", "any"
_FIELDS = {TEXT: ["line_index", "text", "locale"], ANY: ["line_index", "text", "locale"],
           AUDIO: ["line_index", "text", "locale", "audio"]}
CATEGORIES = ("source", "operator", "validation", "output", "decision")


@dataclass(frozen=True)
class Port:
    name: str
    kind: str  # text | audio | any (inputs only)

    def out(self) -> dict:
        return {"name": self.name, "fields": list(_FIELDS[self.kind])}


@dataclass(frozen=True)
class ConfigField:
    type: str  # string | number | integer | boolean | array | object
    default: Any
    description: str
    minimum: float | None = None
    maximum: float | None = None
    enum: tuple | None = None
    nullable: bool = False
    items: dict | None = None  # for arrays: {"type": ..., "enum": [...]}
    locale: bool = False  # a bare family ("en") is accepted and resolved to its region

    def schema(self) -> dict:
        out: dict[str, Any] = {"type": self.type, "default": _copy(self.default)}
        for key in ("minimum", "maximum"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.enum is not None:
            out["enum"] = list(self.enum)
        if self.nullable:
            out["nullable"] = True
        if self.items is not None:
            out["items"] = _copy(self.items)
        out["description"] = self.description
        return out


@dataclass(frozen=True)
class NodeSpec:
    node_type: str
    display_name: str
    description: str
    category: str
    version: int
    inputs: tuple[Port, ...]
    outputs: tuple[Port, ...]
    config: dict[str, ConfigField] = field(default_factory=dict)
    beta: bool = False

    def input_port(self, name: str) -> Port | None:
        return next((p for p in self.inputs if p.name == name), None)

    def output_port(self, name: str) -> Port | None:
        return next((p for p in self.outputs if p.name == name), None)

    def default_config(self) -> dict:
        return {k: _copy(f.default) for k, f in self.config.items()}


def _copy(value):
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _threshold(default: float, lo: float, hi: float, what: str) -> dict[str, ConfigField]:
    return {
        "threshold": ConfigField("number", default, f"Pass bar from 0 to 100: {what}",
                                 minimum=lo, maximum=hi),
        "max_retries": ConfigField("integer", 2, "How many times a failing line is regenerated "
                                   "through the fail edge before it is dropped.", minimum=0, maximum=10),
    }


def _flag(desc: str) -> ConfigField:
    return ConfigField("boolean", True, desc)


_LOCALE_ITEMS = {"type": "string", "enum": list(SUPPORTED_LOCALES)}
_TEXT_IN, _TEXT_OUT = (Port("lines", TEXT),), (Port("lines", TEXT),)
_AUDIO_IN, _AUDIO_OUT = (Port("lines", AUDIO),), (Port("lines", AUDIO),)
_VERDICT_OUT = (Port("pass", AUDIO), Port("fail", AUDIO))

GENERATOR = "operator_generator"
SOURCE = "source_script"
TRANSLATOR = "operator_translator"
SINK = "sink_preview"

NODE_SPECS: dict[str, NodeSpec] = {s.node_type: s for s in (
    NodeSpec(SOURCE, "Script Input",
             "Supplies the script to speak, typed in or taken from an uploaded file, one line per sentence.",
             "source", 1, (), _TEXT_OUT, {
                 "text": ConfigField("string", "", "The script text. Ignored when an upload is set."),
                 "source_language": ConfigField(
                     "string", "en-us", "Language of the script; null detects it.",
                     enum=SUPPORTED_LOCALES, nullable=True, locale=True),
                 "upload_id": ConfigField("string", None, "An uploaded script file to read instead "
                                          "of the text.", nullable=True),
             }),
    NodeSpec("operator_normalizer", "Normalizer",
             "Rewrites numbers, dates, times, money, units and abbreviations the way they are spoken.",
             "operator", 1, _TEXT_IN, _TEXT_OUT, {
                 "expand_numbers": _flag("Say numbers as words (1,200 → one thousand two hundred)."),
                 "expand_dates": _flag("Say dates as words."),
                 "expand_times": _flag("Say clock times as words."),
                 "expand_currency": _flag("Say amounts of money as words ($5 → five dollars)."),
                 "expand_units": _flag("Say units of measure in full (km → kilometres)."),
                 "expand_abbreviations": _flag("Say common abbreviations in full (Dr. → Doctor)."),
             }),
    NodeSpec(TRANSLATOR, "Translator",
             "Adds the script in other languages, so every line is also spoken in each target language.",
             "operator", 1, _TEXT_IN, _TEXT_OUT, {
                 "target_languages": ConfigField("array", [], "Languages to add.", items=_LOCALE_ITEMS),
             }),
    NodeSpec("operator_phoneme_injector", "Phonemizer",
             "Applies your pronunciation dictionary so names and jargon are said the way you want.",
             "operator", 1, _TEXT_IN, _TEXT_OUT, {
                 "apply_dictionary": _flag("Use the workspace pronunciation dictionary."),
             }),
    NodeSpec(GENERATOR, "Voice Generator",
             "Turns each line into speech with the voice you picked for its language.",
             "operator", 1, (Port("lines", ANY),), _AUDIO_OUT, {
                 "voice_map": ConfigField(
                     "object", {}, "Voice per language: {locale: [{voice_id, provider, model, "
                     "catalog_voice_id?, voice_name?, provider_config?, canonical_controls?}]}."),
             }),
    NodeSpec("operator_pronunciation_corrector", "Pronunciation Corrector",
             "Finds mispronounced words in the generated audio and re-speaks just those words.",
             "operator", 1, _AUDIO_IN, _AUDIO_OUT, {
                 "max_words": ConfigField("integer", 20, "Most words corrected in one line.",
                                          minimum=1, maximum=200),
                 "hint_mode": ConfigField("string", "dictionary", "How the right pronunciation is "
                                          "given: dictionary entries, IPA, or a respelling.",
                                          enum=("dictionary", "ipa", "spelled")),
             }, beta=True),
    NodeSpec("validator_error_rate", "Word Accuracy",
             "Transcribes the audio and checks that the words spoken match the script.",
             "validation", 2, _AUDIO_IN, _VERDICT_OUT,
             _threshold(85, 50, 100, "lowest share of words spoken correctly.")),
    NodeSpec("validator_naturalness", "Naturalness",
             "Scores how natural and human the speech sounds.",
             "validation", 2, _AUDIO_IN, _VERDICT_OUT,
             _threshold(60, 20, 95, "lowest naturalness score.")),
    NodeSpec("validator_noise", "Clarity",
             "Checks that the audio is clean, without background noise or hiss.",
             "validation", 2, _AUDIO_IN, _VERDICT_OUT,
             _threshold(70, 0, 100, "lowest clarity score (higher means less noise).")),
    NodeSpec("validator_pronunciation", "Pronunciation",
             "Finds words that were mispronounced in the audio.",
             "validation", 2, _AUDIO_IN, _VERDICT_OUT,
             _threshold(80, 50, 100, "lowest share of words pronounced as expected.")),
    NodeSpec(SINK, "Export",
             "Collects the finished audio of every line as WAV or MP3 files you can play and download.",
             "output", 2, _AUDIO_IN, (), {
                 "format": ConfigField("string", "wav", "Audio file format.", enum=("wav", "mp3")),
             }),
)}


def get_spec(node_type: object) -> NodeSpec | None:
    return NODE_SPECS.get(node_type) if isinstance(node_type, str) else None


def is_validator(node_type: object) -> bool:
    spec = get_spec(node_type)
    return spec is not None and spec.category == "validation"


def input_schema(spec: NodeSpec) -> dict:
    """JSON schema of one line arriving on the node's input (the generator lists its locales)."""
    if not spec.inputs:
        return {}
    kind = spec.inputs[0].kind
    props: dict[str, Any] = {"line_index": {"type": "integer", "minimum": 0},
                             "text": {"type": "string"},
                             "locale": {"type": "string", "enum": list(SUPPORTED_LOCALES)}}
    required = ["line_index", "text", "locale"]
    if kind == AUDIO:
        props["audio"] = {"type": "object", "description": "The generated take of this line."}
        required.append("audio")
    elif kind == ANY:
        props["audio"] = {"type": ["object", "null"], "description": "A take to regenerate."}
    return {"type": "object", "properties": props, "required": required}


def node_ports_out(spec: NodeSpec) -> dict:
    """One NodePortsOut item."""
    return {
        "node_type": spec.node_type,
        "display_name": spec.display_name,
        "description": spec.description,
        "version": spec.version,
        "beta": spec.beta,
        "inputs": [p.out() for p in spec.inputs],
        "outputs": [p.out() for p in spec.outputs],
        "input_schema": input_schema(spec),
        "config_schema": {k: f.schema() for k, f in spec.config.items()},
    }


def list_nodes() -> list[dict]:
    """Every node type as NodePortsOut (GET /api/v1/nodes), in catalog order."""
    return [node_ports_out(s) for s in NODE_SPECS.values()]


def _enum_option(values) -> dict:
    return {"kind": "inline", "value": [{"value": v, "display_name": str(v).upper()
                                         if len(str(v)) <= 3 else str(v).replace("_", " ").title()}
                                        for v in values]}


def _voices_href(catalog: ProviderCatalog) -> dict:
    providers = catalog.providers()
    models = [(p, m) for p in providers for m in catalog.models(p)]
    locales = [loc for loc in SUPPORTED_LOCALES
               if any(loc in catalog.model_locales(p, m) for p, m in models)]
    return {"kind": "href", "target": "/api/v1/voices", "method": "GET", "properties": {
        "language": {"options": locale_options(locales)},
        "provider": {"options": [{"value": p, "display_name": catalog.provider_display_name(p)}
                                 for p in providers]},
        "model": {"options": [{"value": m, "display_name": catalog.model_display_name(p, m)}
                              for p, m in models]},
    }}


def models_by_provider(catalog: ProviderCatalog) -> dict:
    """provider -> ProviderGroupOut ({display_name, models: [ModelOut]})."""
    return {p: {"display_name": catalog.provider_display_name(p),
                "models": [{"model": m, "display_name": catalog.model_display_name(p, m)}
                           for m in catalog.models(p)]}
            for p in catalog.providers()}


def node_detail(node_type: str, catalog: ProviderCatalog, *, api_version: int = 2,
                target_languages=SUPPORTED_LOCALES) -> dict | None:
    """NodeDetailOut for GET /api/v2/nodes/{type} (or the deprecated v1 with api_version=1).

    v2 gives the generator a `providers` href; v1 inlines `models_by_provider` instead. Both
    carry the `voices` href whose properties list the valid locales, providers and models.
    `target_languages` comes from deployment settings. None for an unknown node type.
    """
    spec = get_spec(node_type)
    if spec is None:
        return None
    out = node_ports_out(spec)
    out["category"] = spec.category
    options: dict[str, dict] = {}
    if spec.node_type == GENERATOR:
        if api_version >= 2:
            options["providers"] = {"kind": "href", "target": "/api/v1/providers", "method": "GET"}
        else:
            options["models_by_provider"] = {"kind": "inline", "value": models_by_provider(catalog)}
        options["voices"] = _voices_href(catalog)
    elif spec.node_type == TRANSLATOR:
        options["target_languages"] = {"kind": "inline", "value": locale_options(target_languages)}
    elif spec.node_type == SOURCE:
        options["source_language"] = {"kind": "inline", "value": locale_options()}
    for key, f in spec.config.items():
        if f.enum is not None and key not in options:
            options[key] = _enum_option(f.enum)
    out["options"] = options
    return out
