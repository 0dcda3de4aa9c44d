"""What Korean, Japanese and Chinese share: numbers may touch the words around them (3월, 2024年),
units and money are templates ("시속 {n} 킬로미터", "{n}公里"), and words are not inflected."""
from __future__ import annotations

from decimal import Decimal

from app.speech.text.normalize import numbers as nums
from app.speech.text.normalize.base import Lang


class Cjk(Lang):
    cjk = True
    word = "A-Za-z0-9_"
    group, decimal = ",", "."
    joiner = ""                                   # between a number and its noun
    unit_templates: dict[str, str] = {}           # key → template with {n}
    money_names: dict[str, tuple] = {}            # code → (major, minor or None)

    def __init__(self, locale: str):
        super().__init__(locale)
        self.units = {k: (v, v, None) for k, v in self.unit_templates.items()}

    def number(self, num, form=None) -> str:
        words = self.integer(num.int_part)
        if num.frac:
            words = f"{words}{self.joiner}{self.decimal_word}{self.joiner}{self.fraction(num.frac)}"
        return f"{self.minus_word}{self.joiner}{words}" if num.negative else words

    def digits(self, s: str) -> str:
        return "".join(self.cardinal(int(c)) for c in s)

    def unit(self, num, key, number_words):
        template = self.unit_templates.get(key)
        if template is None:
            return None
        return template.format(n=number_words if number_words is not None else self.number(num))

    def money(self, code, num, scale=None):
        names = self.money_names.get(code)
        if names is None:
            return None
        major_name, minor_name = names
        value = abs(num.value).quantize(Decimal("0.01"))
        major, minor = int(value), int((value - int(value)) * 100)
        if minor and minor_name is None:
            words = f"{self.number(nums.Num(False, num.int_part, num.frac))}{self.joiner}{major_name}"
        else:
            words = f"{self.cardinal(major)}{self.joiner}{major_name}"
            if minor:
                words = (f"{words} " if major else "") + f"{self.cardinal(minor)}{self.joiner}{minor_name}"
                words = words.strip()
        return f"{self.minus_word}{self.joiner}{words}" if num.negative else words
