"""Validator quality benchmark: a labelled corpus generated here, the validators' own functions at
their default thresholds, confusion matrices printed. ``bench/validator_bench.py`` runs the sections.

A section is a module with ``run(lines: int, progress) -> dict`` and ``report(result) -> str`` (and
optionally ``targets(result) -> list[Target]``); add one to ``SECTIONS`` to have the runner call it.
"""
from __future__ import annotations

SECTIONS: dict[str, str] = {
    "error_rate": "bench.validators.error_rate",
    "pronunciation": "bench.validators.pronunciation",
    "quality": "bench.validators_quality",          # noise and naturalness (their own module)
}
