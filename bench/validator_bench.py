"""Validator quality benchmark: generates a labelled corpus, runs the validators' own functions at their
default thresholds and prints confusion matrices and the issue's targets.

    .venv/bin/python bench/validator_bench.py                       # every section
    .venv/bin/python bench/validator_bench.py --sections error_rate,pronunciation --lines 20

Sections are listed in bench/validators/__init__.py (SECTIONS); each is a module with
``run(lines, progress) -> dict`` and ``report(result) -> str``, optionally ``targets(result)``.
Exit status 0 when every target printed is met (a benchmark result, not a test).
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("ONEPIN_ASR_THREADS", "2")


def _progress(name: str):
    tty = sys.stderr.isatty()

    def show(n: int, total: int) -> None:
        if tty or n == total:
            print(f"\r[{name}] judged {n}/{total} takes", end="" if n < total else "\n", file=sys.stderr, flush=True)
    return show


def run_section(name: str, module_path: str, lines: int | None) -> tuple[str, list]:
    try:
        mod = importlib.import_module(module_path)
    except ImportError as exc:
        return f"== {name}: not available ({exc})", []
    kwargs = {}
    params = inspect.signature(mod.run).parameters
    if lines is not None and "lines" in params:
        kwargs["lines"] = lines
    if "progress" in params:
        kwargs["progress"] = _progress(name)
    started = time.perf_counter()
    result = mod.run(**kwargs)
    text = mod.report(result)
    found = mod.targets(result) if hasattr(mod, "targets") else []
    return f"== {name} ({time.perf_counter() - started:.0f} s)\n{text}", found


def main(argv=None) -> int:
    from bench.validators import SECTIONS
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sections", default=",".join(SECTIONS), help=f"comma-separated, of: {', '.join(SECTIONS)}")
    ap.add_argument("--lines", type=int, default=None, help="sentences per engine (each section's default if unset)")
    args = ap.parse_args(argv)
    names = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = [s for s in names if s not in SECTIONS]
    if unknown:
        ap.error(f"unknown section(s): {', '.join(unknown)}")
    all_targets = []
    for name in names:
        text, found = run_section(name, SECTIONS[name], args.lines)
        print(text, "\n", flush=True)
        all_targets += found
    if all_targets:
        print("== targets")
        for t in all_targets:
            print(t.line())
    return 0 if all(t.met for t in all_targets) else 1


if __name__ == "__main__":
    sys.exit(main())
