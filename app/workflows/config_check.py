"""Checks of one node's `config` against its spec's flat config schema, and of the generator's
`voice_map` against the provider catalog.

Missing keys are fine (the default applies); unknown keys are warnings (old clients and seed
examples carry extra keys and must still save).
"""
from __future__ import annotations

import math
from collections.abc import Callable

from app.workflows.catalog import ProviderCatalog
from app.workflows.locales import SUPPORTED_LOCALES, canonical_locale
from app.workflows.nodes import ConfigField, NodeSpec
from app.workflows.problems import ERROR, WARNING

Report = Callable[..., None]  # report(rule, message, field=..., severity=...)

_TYPE_WORDS = {"string": "a string", "number": "a number", "integer": "a whole number",
               "boolean": "true or false", "array": "a list", "object": "an object"}


def type_ok(kind: str, value: object) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in ("number", "integer"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        if isinstance(value, float) and not math.isfinite(value):
            return False
        return kind == "number" or float(value).is_integer()
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    return True


def _range_text(f: ConfigField) -> str:
    if f.minimum is not None and f.maximum is not None:
        return f"between {f.minimum:g} and {f.maximum:g}"
    return f"at least {f.minimum:g}" if f.minimum is not None else f"at most {f.maximum:g}"


def check_value(f: ConfigField, value: object, path: str, report: Report) -> None:
    if value is None:
        if not f.nullable:
            report("config_type", f"must be {_TYPE_WORDS[f.type]}, not null.", field=path)
        return
    if not type_ok(f.type, value):
        report("config_type", f"must be {_TYPE_WORDS[f.type]}.", field=path)
        return
    if f.minimum is not None and value < f.minimum or f.maximum is not None and value > f.maximum:
        report("config_out_of_range", f"must be {_range_text(f)} (got {value:g}).", field=path)
    if f.locale and canonical_locale(value) is not None:
        pass
    elif f.enum is not None and value not in f.enum:
        report("config_enum", f"must be one of {', '.join(map(str, f.enum))} (got {value!r}).",
               field=path)
    if f.items is not None and isinstance(value, list):
        seen = set()
        for i, item in enumerate(value):
            item_path = f"{path}[{i}]"
            if not type_ok(f.items.get("type", "string"), item):
                report("config_type", f"must be {_TYPE_WORDS[f.items['type']]}.", field=item_path)
            elif "enum" in f.items and item not in f.items["enum"]:
                report("config_enum", f"{item!r} is not a supported value.", field=item_path)
            elif item in seen:
                report("config_duplicate", f"{item!r} is listed twice.", field=item_path,
                       severity=WARNING)
            else:
                seen.add(item)


def check_config(spec: NodeSpec, config: object, base: str, report: Report,
                 catalog: ProviderCatalog, *, for_run: bool) -> None:
    """Check `config` (already migrated). `base` is the node's path, e.g. "graph.nodes[2]"."""
    if config is None:
        return
    if not isinstance(config, dict):
        report("config_type", "config must be an object.", field=f"{base}.config")
        return
    for key, value in config.items():
        path = f"{base}.config.{key}"
        f = spec.config.get(key)
        if f is None:
            report("config_unknown_key", f"{spec.display_name} has no setting {key!r}; it is ignored.",
                   field=path, severity=WARNING)
            continue
        check_value(f, value, path, report)
    if isinstance(config.get("voice_map"), dict):
        check_voice_map(config["voice_map"], f"{base}.config.voice_map", report, catalog,
                        for_run=for_run)


_REQUIRED = ("voice_id", "provider", "model")
_OPTIONAL = {"catalog_voice_id": str, "voice_name": str, "provider_config": dict,
             "canonical_controls": dict}


def check_voice_map(voice_map: dict, base: str, report: Report, catalog: ProviderCatalog, *,
                    for_run: bool) -> None:
    for locale, entries in voice_map.items():
        lpath = f"{base}.{locale}"
        if locale not in SUPPORTED_LOCALES:
            report("voice_map_locale", f"{locale!r} is not a supported locale "
                   f"({', '.join(SUPPORTED_LOCALES)}).", field=lpath)
        if not isinstance(entries, list):
            report("voice_map_shape", "must be a list of voice assignments.", field=lpath)
            continue
        for i, entry in enumerate(entries):
            check_assignment(entry, locale, f"{lpath}[{i}]", report, catalog, for_run=for_run)


def check_assignment(entry: object, locale: str, path: str, report: Report,
                     catalog: ProviderCatalog, *, for_run: bool) -> None:
    if not isinstance(entry, dict):
        report("voice_map_shape", "a voice assignment must be an object.", field=path)
        return
    shape_ok = True
    for key in _REQUIRED:
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            report("voice_map_shape", f"{key} is required (a non-empty string).",
                   field=f"{path}.{key}")
            shape_ok = False
    for key, kind in _OPTIONAL.items():
        if entry.get(key) is not None and not isinstance(entry[key], kind):
            report("voice_map_shape", f"{key} must be {'a string' if kind is str else 'an object'}.",
                   field=f"{path}.{key}")
    if not shape_ok:
        return
    provider, model, voice_id = entry["provider"], entry["model"], entry["voice_id"]
    if not catalog.has_provider(provider):
        report("voice_map_provider", f"provider {provider!r} is not available here.",
               field=f"{path}.provider")
        return
    if not catalog.has_model(provider, model):
        report("voice_map_model", f"{catalog.provider_display_name(provider)} has no model "
               f"{model!r}.", field=f"{path}.model")
        return
    if locale in SUPPORTED_LOCALES and locale not in catalog.model_locales(provider, model):
        report("voice_map_model_locale", f"model {model!r} cannot speak {locale}.",
               field=f"{path}.model")
    if catalog.voice_known(provider, model, voice_id) is False:
        report("voice_map_voice", f"voice {voice_id!r} was not found for {provider}/{model}.",
               field=f"{path}.voice_id", severity=ERROR if for_run else WARNING)
