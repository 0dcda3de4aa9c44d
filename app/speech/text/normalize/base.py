"""What every language module provides, and the rules shared by all of them.

A language subclasses `Lang` and fills in words (months, currencies, units, abbreviations) and the
few functions whose grammar differs (ordinals, dates, times, money). `rules()` returns the ordered rule
list: dates, times, money, units, abbreviations, ordinals, percentages, then plain numbers.
"""
from __future__ import annotations

import re
from decimal import Decimal

from num2words import num2words

from app.speech.text.normalize import numbers as nums
from app.speech.text.normalize.engine import Ctx, Rule, keep_period

# Symbols and codes of money. "$" and "¥" depend on the locale (LOCAL_SYMBOLS).
SYMBOLS = {"US$": "USD", "R$": "BRL", "MX$": "MXN", "$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "￥": "JPY",
           "₩": "KRW", "円": "JPY", "元": "CNY", "원": "KRW"}
CODES = ("USD", "EUR", "GBP", "JPY", "KRW", "CNY", "MXN", "BRL")

# Unit symbols → canonical keys (the language gives the words).
UNIT_SYMBOLS = {
    "km/h": "km/h", "kph": "km/h", "mph": "mph", "km²": "km2", "km2": "km2", "m²": "m2", "m2": "m2",
    "m³": "m3", "m3": "m3", "cm²": "cm2", "°C": "degC", "℃": "degC", "°F": "degF", "℉": "degF", "°": "deg",
    "km": "km", "cm": "cm", "mm": "mm", "m": "m", "kg": "kg", "mg": "mg", "g": "g", "ml": "ml", "mL": "ml",
    "cl": "cl", "l": "l", "L": "l", "mi": "mi", "ft": "ft", "lb": "lb", "lbs": "lb", "oz": "oz",
    "GB": "GB", "MB": "MB", "TB": "TB", "kB": "kB", "KB": "kB", "Hz": "Hz", "kHz": "kHz", "MHz": "MHz",
    "GHz": "GHz", "kW": "kW", "kWh": "kWh", "W": "W", "V": "V", "min": "min", "ms": "ms", "ha": "ha",
}

# Times of day, with the groups `clock_rule` reads: 15:30; 3:30 p.m., 10am, 9:05 AM.
HH_MM = r"(?<![\d:.,])(?P<h>[01]?\d|2[0-3]):(?P<mi>[0-5]\d)"
AMPM = r"(?<![\d:.,])(?P<h>1[0-2]|0?[1-9])(?::(?P<mi>[0-5]\d))?\s?(?P<ap>[aApP])\.?\s?[mM]\.?(?![\w])"


def alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


class Lang:
    family = "xx"            # language family (en, de, ...)
    n2w = "en"               # num2words language code
    group = ","              # thousands separators (regex character class body)
    decimal = "."            # decimal mark
    alt_decimal: str | None = None
    cjk = False              # numbers may touch letters (3월, 2024年)
    word = r"\w"             # what may not stand right before a number or an amount (CJK: Latin only)
    date_order = "dmy"       # numeric dates: dmy | mdy
    decimal_word = "point"
    minus_word = "minus"
    percent_word = "percent"
    money_and = "and"        # between major and minor units: five dollars and ten cents
    months: tuple[str, ...] = ()
    currencies: dict[str, tuple] = {}          # code → (singular, plural, minor singular, minor plural, gender)
    units: dict[str, tuple] = {}               # key → (singular, plural, gender)
    # (regex, words, kind): title = before a capitalised name (Dr. Smith); word = may end a sentence, so a
    # final period that ended it is kept (etc.); mid = never ends a sentence (e.g., z. B.)
    abbreviations: tuple[tuple[str, str, str], ...] = ()
    unit_symbols: dict[str, str] = {}          # extra symbols of this language (fr: Go → GB)

    def __init__(self, locale: str):
        self.locale = locale

    # ---- numbers --------------------------------------------------------------------------------
    def cardinal(self, n: int, form: str | None = None) -> str:
        return num2words(n, lang=self.n2w)

    def ordinal(self, n: int, form: str | None = None) -> str:
        return num2words(n, lang=self.n2w, to="ordinal")

    def year(self, n: int) -> str:
        return self.cardinal(n)

    def digits(self, s: str) -> str:
        return " ".join(self.cardinal(int(c)) for c in s)

    def fraction(self, frac: str) -> str:
        return self.digits(frac)

    def integer(self, digits: str, form: str | None = None) -> str:
        if len(digits) > 1 and digits.startswith("0") or len(digits) > 15:
            return self.digits(digits)
        return self.cardinal(int(digits), form)

    def number(self, num: nums.Num, form: str | None = None) -> str:
        words = self.integer(num.int_part, None if num.frac else form)
        if num.frac:
            words = f"{words} {self.decimal_word} {self.fraction(num.frac)}"
        return self.signed(num, words)

    def signed(self, num: nums.Num, words: str) -> str:
        return f"{self.minus_word} {words}" if num.negative else words

    def parse(self, text: str) -> nums.Num:
        return nums.parse(text, self.group, self.decimal, self.alt_decimal)

    def num_re(self, signed: bool = True) -> str:
        return nums.number_pattern(self.group, self.decimal, self.alt_decimal, signed, self.word)

    def percent(self, num: nums.Num) -> str:
        return f"{self.number(num)} {self.percent_word}"

    # ---- dates and times ------------------------------------------------------------------------
    def month(self, m: int) -> str:
        return self.months[m - 1]

    def date(self, day: int, month: int, year: int | None, m: re.Match, ctx: Ctx) -> str:
        raise NotImplementedError

    def time(self, h: int, mi: int, ampm: str | None, m: re.Match, ctx: Ctx) -> str | None:
        raise NotImplementedError

    # ---- money and units ------------------------------------------------------------------------
    def symbol_code(self, sym: str) -> str:
        return SYMBOLS.get(sym, sym.upper())

    def money(self, code: str, num: nums.Num, scale: str | None = None) -> str | None:
        forms = self.currencies.get(code)
        if forms is None:
            return None
        one, many, minor_one, minor_many, gender = forms
        value = abs(num.value).quantize(Decimal("0.01"))
        major, minor = int(value), int((value - int(value)) * 100)
        if minor and minor_one is None:           # a currency without minor units: read the decimal
            words = f"{self.number(nums.Num(False, num.int_part, num.frac))} {many}"
        else:
            words = f"{self.cardinal(major, gender)} {one if major == 1 else many}"
            if minor:
                minor_words = f"{self.cardinal(minor, gender)} {minor_one if minor == 1 else minor_many}"
                words = f"{words} {self.money_and} {minor_words}" if major else minor_words
        return self.signed(num, words)

    def unit(self, num: nums.Num | None, key: str, number_words: str | None) -> str | None:
        forms = self.units.get(key)
        if forms is None:
            return None
        one, many, gender = forms
        if number_words is None:
            number_words = self.number(num, gender)
        return f"{number_words} {one if self.singular(num) else many}"

    def singular(self, num: nums.Num) -> bool:
        return num.is_one

    # ---- rules ----------------------------------------------------------------------------------
    def rules(self) -> list[Rule]:
        return [*self.date_rules(), *self.time_rules(), *self.money_rules(), *self.unit_rules(),
                *self.abbreviation_rules(), *self.ordinal_rules(), *self.number_rules()]

    def date_rules(self) -> list[Rule]:
        iso = re.compile(r"(?<![\d/.-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")
        ymd = re.compile(r"(?<![\d/.-])(\d{4})([/.])(\d{1,2})\2(\d{1,2})(?![\d/])")
        numeric = re.compile(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?![\d/-]|\.\d)")
        return [Rule("dates", iso, lambda m, c: self._date(int(m[3]), int(m[2]), int(m[1]), m, c), name="iso"),
                Rule("dates", ymd, lambda m, c: self._date(int(m[4]), int(m[3]), int(m[1]), m, c), name="ymd"),
                Rule("dates", numeric, self._numeric_date, name="numeric")]

    def _numeric_date(self, m: re.Match, ctx: Ctx) -> str | None:
        a, b, y = int(m[1]), int(m[3]), int(m[4])
        day, month = (b, a) if self.date_order == "mdy" else (a, b)
        if month > 12 and day <= 12:       # written in the other order (03/15/2024 in en-gb)
            day, month = month, day
        return self._date(day, month, y, m, ctx)

    def _date(self, day: int, month: int, year: int | None, m: re.Match, ctx: Ctx) -> str | None:
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return None
        return self.date(day, month, year, m, ctx)

    def year_rule(self, cues: str, flags: int = 0) -> Rule:
        """A year after a cue word ("in 1999", "seit 1999") is read as a year, not as a number."""
        pat = re.compile(rf"\b(?P<cue>{cues})\s(?P<y>1[1-9]\d\d|20\d\d)(?![\d,.]\d|\s?%)(?![\w])", flags)
        return Rule("dates", pat, lambda m, c: f"{m['cue']} {self.year(int(m['y']))}", keep_when_off=False,
                    name="year")

    def time_rules(self) -> list[Rule]:
        return [self.clock_rule(HH_MM + r"(?![\d:])", "hh:mm")]

    def clock_rule(self, pattern: str, name: str) -> Rule:
        """A time of day read by `time`: hours in group h, minutes (if written) in mi, a.m./p.m. (if written) in ap."""
        def handler(m: re.Match, ctx: Ctx) -> str | None:
            g = m.groupdict()
            return self.time(int(g["h"]), int(g.get("mi") or 0), g["ap"].lower() if g.get("ap") else None, m, ctx)
        return Rule("times", re.compile(pattern), handler, name=name)

    def money_rules(self) -> list[Rule]:
        num = self.num_re(signed=False)
        syms = alternation(SYMBOLS)
        codes = "|".join(CODES)
        prefix = re.compile(rf"(?<![{self.word}$])(?P<neg>[-−]\s?)?(?P<sym>{syms}|(?:{codes})\s)\s?(?P<num>{num})"
                            rf"(?:\s(?P<scale>{self.scale_re()}))?(?![\d])")
        suffix = re.compile(rf"(?<![{self.word}.,])(?P<neg>[-−]\s?)?(?P<num>{num})\s?(?P<sym>{syms}|(?:{codes})(?![A-Za-z]))")
        return [Rule("currency", prefix, self._money, name="money-prefix"),
                Rule("currency", suffix, self._money, name="money-suffix")]

    def scale_re(self) -> str:
        return "(?!x)x"     # amounts with scale words ("$2 million"): English only

    def _money(self, m: re.Match, ctx: Ctx) -> str | None:
        num = self.parse(m["num"])
        if m["neg"]:
            num = nums.Num(True, num.int_part, num.frac)
        code = self.symbol_code(m["sym"].strip())
        scale = m.groupdict().get("scale")
        return self.money(code, num, scale)

    def unit_rules(self) -> list[Rule]:
        self.symbol_keys = {**UNIT_SYMBOLS, **self.unit_symbols}
        symbols = [s for s, key in self.symbol_keys.items() if key in self.units]
        if not symbols:
            return []
        pat = re.compile(rf"(?P<num>{self.num_re()})\s?(?P<unit>{alternation(symbols)})(?![^\W_])")
        return [Rule("units", pat, self._unit, keep_when_off=False, name="units")]

    def _unit(self, m: re.Match, ctx: Ctx) -> str | None:
        num = self.parse(m["num"])
        words = None if ctx.options.numbers else m["num"]
        return self.unit(num, self.symbol_keys[m["unit"]], words)

    def abbreviation_rules(self) -> list[Rule]:
        rules = []
        for pattern, words, kind in self.abbreviations:
            rx = re.compile(rf"(?<![\w.]){pattern}" + (r"(?=\s+[A-ZÀ-ÖØ-Þ])" if kind == "title" else r"(?![\w])"))
            rules.append(Rule("abbreviations", rx, self._abbreviation(words, kind), keep_when_off=False,
                              name=f"abbr:{pattern}"))
        return rules

    @staticmethod
    def _abbreviation(words: str, kind: str):
        def handler(m: re.Match, ctx: Ctx) -> str:
            return words + (keep_period(m, ctx) if kind == "word" else "")
        return handler

    def ordinal_rules(self) -> list[Rule]:
        return []

    def number_rules(self) -> list[Rule]:
        num = self.num_re()
        left = r"(?<![A-Za-z])" if self.cjk else r"(?<![^\W\d_])"
        percent = re.compile(rf"{left}(?P<num>{num})\s?%")
        plain = re.compile(rf"{left}(?P<num>{num})")
        return [Rule("numbers", percent, lambda m, c: self.percent(self.parse(m["num"])), keep_when_off=False,
                     name="percent"),
                Rule("numbers", plain, self._plain_number, keep_when_off=False, name="number")]

    def _plain_number(self, m: re.Match, ctx: Ctx) -> str:
        words = self.number(self.parse(m["num"]))
        if not self.cjk and re.match(r"[^\W\d_]", ctx.after(m, 1)):
            words += " "             # 4K → four K
        return words
