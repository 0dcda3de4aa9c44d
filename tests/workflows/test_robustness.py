"""Random damage to valid definitions never crashes validation, layout or migration, and
migration stays idempotent on whatever comes in."""
from __future__ import annotations

import copy
import json
import random

from app.workflows.config_migrations import migrate_definition
from app.workflows.definition import normalize_definition
from app.workflows.layout import auto_layout
from app.workflows.validation import validation_report
from tests.workflows.defs import linear
from tests.workflows.test_validation_valid import (fail_to_another_generator,
                                                   translated_series_validators)

JUNK = [None, 1, "x", [], {}, True, -1.5, float("nan"), {"a": 1}, ["lines"], "lines", "fail",
        "g", "v", "operator_generator", {"x": 1, "y": 2}, "s", "k", "pass"]


def _damage(obj, rng):
    if isinstance(obj, dict) and obj:
        key = rng.choice(list(obj))
        roll = rng.random()
        if roll < 0.3:
            obj[key] = copy.deepcopy(rng.choice(JUNK))
        elif roll < 0.37:
            del obj[key]
        else:
            _damage(obj[key], rng)
    elif isinstance(obj, list) and obj:
        i = rng.randrange(len(obj))
        if rng.random() < 0.3:
            obj[i] = copy.deepcopy(rng.choice(JUNK))
        else:
            _damage(obj[i], rng)


def test_damaged_definitions_get_answers_not_exceptions():
    rng = random.Random(7)
    for base in (linear(), translated_series_validators(), fail_to_another_generator()):
        for _ in range(400):
            d = copy.deepcopy(base)
            for _ in range(rng.randint(1, 5)):
                _damage(d, rng)
            for for_run in (False, True):
                report = validation_report(d, for_run=for_run)
                assert report["summary"]["error_count"] == len(report["errors"])
            auto_layout(d)
            migrated = migrate_definition(normalize_definition(d))
            assert json.dumps(migrate_definition(migrated)) == json.dumps(migrated)
