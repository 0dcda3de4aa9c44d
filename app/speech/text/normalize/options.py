"""The rule families of the normalizer and the node's on/off flags for them."""
from __future__ import annotations

from dataclasses import dataclass, fields

FAMILIES = ("numbers", "dates", "times", "currency", "units", "abbreviations")


@dataclass(frozen=True)
class Options:
    """Each flag turns one rule family on or off (all on by default, as in the node's config).

    A family that is off leaves its text as written: a date, time or amount of money is kept whole
    (it is not half-expanded by the number rules); with units off, "5 km" becomes "five km"."""
    numbers: bool = True
    dates: bool = True
    times: bool = True
    currency: bool = True
    units: bool = True
    abbreviations: bool = True

    @classmethod
    def from_config(cls, config: dict | None) -> "Options":
        """From the node config keys expand_numbers, expand_dates, ... (missing keys are on)."""
        config = config or {}
        return cls(**{f.name: bool(config.get(f"expand_{f.name}", True)) for f in fields(cls)})

    @classmethod
    def coerce(cls, value) -> "Options":
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        if isinstance(value, dict):
            if any(k.startswith("expand_") for k in value):
                return cls.from_config(value)
            return cls(**{k: bool(v) for k, v in value.items() if k in FAMILIES})
        raise TypeError(f"options must be Options or a dict, not {type(value).__name__}")

    def on(self, family: str) -> bool:
        return bool(getattr(self, family))
