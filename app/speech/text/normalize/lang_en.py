"""English (en-us, en-gb): US or British spelling and date order, "and" inside numbers only in en-gb."""
from __future__ import annotations

import re

from num2words import num2words

from app.speech.text.normalize import numbers as nums
from app.speech.text.normalize.base import AMPM, Lang
from app.speech.text.normalize.engine import Ctx, Rule, keep_period

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
MONTH_ABBR = {"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "Jun": 6, "Jul": 7, "Aug": 8, "Sep": 9, "Sept": 9,
              "Oct": 10, "Nov": 11, "Dec": 12}
MONTH_RE = "|".join([*MONTHS, *(rf"{a}\.?" for a in sorted(MONTH_ABBR, key=len, reverse=True))])
SCALES = {"thousand": "thousand", "k": "thousand", "K": "thousand", "million": "million", "m": "million",
          "M": "million", "mn": "million", "billion": "billion", "bn": "billion", "b": "billion",
          "trillion": "trillion", "tn": "trillion"}
YEAR_CUES = ("in", "since", "by", "from", "until", "till", "of", "year", "around", "circa", "before", "after")


def sentence_case(word: str, m, ctx: Ctx) -> str:
    before = ctx.before(m, 4)
    return word.capitalize() if not before.strip() or re.search(r"[.!?]\s*$", before) else word


def month_number(name: str) -> int:
    name = name.rstrip(".")
    return MONTHS.index(name) + 1 if name in MONTHS else MONTH_ABBR[name]


class English(Lang):
    family, n2w = "en", "en"
    date_order = "mdy"
    months = MONTHS
    abbreviations = (
        (r"Dr\.", "Doctor", "title"), (r"Mr\.", "Mister", "title"), (r"Mrs\.", "Missus", "title"),
        (r"Ms\.", "Miz", "title"), (r"Prof\.", "Professor", "title"), (r"Mt\.", "Mount", "title"),
        (r"Capt\.", "Captain", "title"), (r"Gen\.", "General", "title"), (r"Gov\.", "Governor", "title"),
        (r"Lt\.", "Lieutenant", "title"), (r"Sgt\.", "Sergeant", "title"), (r"Rev\.", "Reverend", "title"),
        (r"Jr\.", "Junior", "word"), (r"Sr\.", "Senior", "word"), (r"Ave\.", "Avenue", "word"),
        (r"Rd\.", "Road", "word"), (r"Blvd\.", "Boulevard", "word"), (r"etc\.", "et cetera", "word"),
        (r"e\.\s?g\.", "for example", "mid"), (r"i\.\s?e\.", "that is", "mid"), (r"vs\.?", "versus", "mid"),
        (r"approx\.", "approximately", "mid"), (r"a\.k\.a\.", "also known as", "mid"),
        (r"incl\.", "including", "mid"), (r"Inc\.", "Incorporated", "word"), (r"Ltd\.", "Limited", "word"),
        (r"Corp\.", "Corporation", "word"), (r"Dept\.", "Department", "word"),
    )

    def __init__(self, locale: str):
        super().__init__(locale)
        self.gb = locale != "en-us"
        self.date_order = "dmy" if self.gb else "mdy"
        re_ = "re" if self.gb else "er"
        self.units = {
            "km": (f"kilomet{re_}", f"kilomet{re_}s", None), "m": (f"met{re_}", f"met{re_}s", None),
            "cm": (f"centimet{re_}", f"centimet{re_}s", None), "mm": (f"millimet{re_}", f"millimet{re_}s", None),
            "kg": ("kilogram", "kilograms", None), "g": ("gram", "grams", None), "mg": ("milligram", "milligrams", None),
            "l": (f"lit{re_}", f"lit{re_}s", None), "ml": (f"millilit{re_}", f"millilit{re_}s", None),
            "cl": (f"centilit{re_}", f"centilit{re_}s", None),
            "km/h": (f"kilomet{re_} per hour", f"kilomet{re_}s per hour", None),
            "mph": ("mile per hour", "miles per hour", None), "degC": ("degree Celsius", "degrees Celsius", None),
            "degF": ("degree Fahrenheit", "degrees Fahrenheit", None), "deg": ("degree", "degrees", None),
            "m2": (f"square met{re_}", f"square met{re_}s", None), "km2": (f"square kilomet{re_}", f"square kilomet{re_}s", None),
            "cm2": (f"square centimet{re_}", f"square centimet{re_}s", None),
            "m3": (f"cubic met{re_}", f"cubic met{re_}s", None), "mi": ("mile", "miles", None), "ft": ("foot", "feet", None),
            "lb": ("pound", "pounds", None), "oz": ("ounce", "ounces", None), "GB": ("gigabyte", "gigabytes", None),
            "MB": ("megabyte", "megabytes", None), "TB": ("terabyte", "terabytes", None),
            "kB": ("kilobyte", "kilobytes", None), "Hz": ("hertz", "hertz", None), "kHz": ("kilohertz", "kilohertz", None),
            "MHz": ("megahertz", "megahertz", None), "GHz": ("gigahertz", "gigahertz", None),
            "kW": ("kilowatt", "kilowatts", None), "kWh": ("kilowatt hour", "kilowatt hours", None),
            "W": ("watt", "watts", None), "V": ("volt", "volts", None), "min": ("minute", "minutes", None),
            "ms": ("millisecond", "milliseconds", None), "ha": ("hectare", "hectares", None),
        }
        self.currencies = {
            "USD": ("dollar", "dollars", "cent", "cents", None), "EUR": ("euro", "euros", "cent", "cents", None),
            "GBP": ("pound", "pounds", "penny", "pence", None), "JPY": ("yen", "yen", None, None, None),
            "KRW": ("won", "won", None, None, None), "CNY": ("yuan", "yuan", "fen", "fen", None),
            "MXN": ("peso", "pesos", "centavo", "centavos", None), "BRL": ("real", "reais", "centavo", "centavos", None),
        }

    # numbers: num2words writes "one thousand, two hundred" and "one hundred and one"
    def _clean(self, words: str) -> str:
        words = words.replace(",", "")
        return words if self.gb else words.replace(" and ", " ")

    def cardinal(self, n: int, form: str | None = None) -> str:
        return self._clean(num2words(n, lang="en"))

    def ordinal(self, n: int, form: str | None = None) -> str:
        return self._clean(num2words(n, lang="en", to="ordinal"))

    def year(self, n: int) -> str:
        if 1100 <= n <= 2099:
            return self._clean(num2words(n, lang="en", to="year"))
        return self.cardinal(n)

    def date(self, day, month, year, m, ctx) -> str:
        say = self._day_of_month if self.gb else self._month_day
        return say(day, month, year or None, m, ctx)

    def _month_day(self, day, month, year, m, ctx) -> str:
        """March fifteenth, twenty twenty-four"""
        out = f"{self.month(month)} {self.ordinal(day)}"
        return f"{out}, {self.year(year)}" if year is not None else out

    def _day_of_month(self, day, month, year, m, ctx) -> str:
        """the fifteenth of March twenty twenty-four"""
        the = "" if ctx.prev_words(m, 1) == ["the"] else "the "
        out = f"{the}{self.ordinal(day)} of {self.month(month)}"
        return f"{out} {self.year(year)}" if year is not None else out

    def date_rules(self) -> list[Rule]:
        md = re.compile(rf"\b(?P<mon>{MONTH_RE})\s(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?!\d)(?:,?\s(?P<y>\d{{4}})(?!\d))?")
        dm = re.compile(rf"(?<![\w.])(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s(?:of\s)?(?P<mon>{MONTH_RE})(?![\w])"
                        rf"(?:,?\s(?P<y>\d{{4}})(?!\d))?")
        decade = re.compile(r"(?<![\w.,])(?P<y>1[1-9]\d0|20\d0)'?s\b")
        return [*super().date_rules(),
                Rule("dates", md, lambda m, c: self._named(m, c, self._month_day), name="month-day"),
                Rule("dates", dm, lambda m, c: self._named(m, c, self._day_of_month), name="day-month"),
                self.year_rule("|".join(YEAR_CUES), re.IGNORECASE),
                Rule("dates", decade, self._decade, keep_when_off=False, name="decade")]

    @staticmethod
    def _named(m, ctx, say) -> str | None:
        """A date written with the month's name is said in the order it was written (July 4 / 4th of July)."""
        day = int(m["d"])
        if not 1 <= day <= 31:
            return None
        return say(day, month_number(m["mon"]), int(m["y"]) if m["y"] else None, m, ctx)

    def _decade(self, m, ctx) -> str:
        words = self.year(int(m["y"]))
        if words.endswith("y"):
            return words[:-1] + "ies"
        return words + ("es" if words.endswith("x") else "s")

    # times: 3:30 p.m., 3pm, 15:30, 15:00
    def time_rules(self) -> list[Rule]:
        return [self.clock_rule(AMPM, "ampm"), *super().time_rules()]

    def time(self, h, mi, ampm, m, ctx) -> str:
        if ampm:
            words = self.cardinal(h) + ("" if mi == 0 else " " + self._minutes(mi))
            return f"{words} {ampm}.m."          # ends with its own period, so a sentence end is kept
        if mi == 0:
            return f"{self.cardinal(h)} o'clock" if 1 <= h <= 12 else f"{self.cardinal(h)} hundred"
        return f"{self.cardinal(h)} {self._minutes(mi)}"

    def _minutes(self, mi: int) -> str:
        return f"oh {self.cardinal(mi)}" if mi < 10 else self.cardinal(mi)

    # money
    def scale_re(self) -> str:
        return "|".join(sorted(SCALES, key=len, reverse=True)) + r"(?![\w])"

    def money(self, code, num, scale=None):
        if scale:
            forms = self.currencies.get(code)
            if forms is None:
                return None
            amount = self.number(nums.Num(False, num.int_part, num.frac))
            return self.signed(num, f"{amount} {SCALES[scale]} {forms[1]}")
        return super().money(code, num)

    def money_rules(self) -> list[Rule]:
        rules = super().money_rules()
        # "$5k", "$2M": the scale letter sits on the number
        num = self.num_re(signed=False)
        glued = re.compile(rf"(?<![\w$])(?P<neg>[-−]\s?)?(?P<sym>US\$|\$|€|£)(?P<num>{num})(?P<scale>[kKmM]|bn)(?![\w])")
        return [Rule("currency", glued, self._money, name="money-glued"), *rules]

    def ordinal_rules(self) -> list[Rule]:
        pat = re.compile(r"(?<![\w.,])(\d+)(st|nd|rd|th)\b")
        return [Rule("numbers", pat, lambda m, c: self.ordinal(int(m[1])), keep_when_off=False, name="ordinal")]

    def abbreviation_rules(self) -> list[Rule]:
        street = re.compile(r"\b(?P<w>[A-Z][a-z]+) St\.")
        saint = re.compile(r"(?<![\w.])St\.(?=\s+[A-Z])")
        number = re.compile(r"(?<![\w.])No\.(?=\s?\d)")
        return [Rule("abbreviations", street, self._street, keep_when_off=False),
                Rule("abbreviations", saint, lambda m, c: "Saint", keep_when_off=False),
                Rule("abbreviations", number, lambda m, c: sentence_case("number", m, c)
                     + ("" if c.after(m, 1).isspace() else " "), keep_when_off=False),
                *super().abbreviation_rules()]

    @staticmethod
    def _street(m, ctx) -> str | None:
        """"Baker St." is a street; "Visit St. Paul" (the capital word starts the sentence) is a saint."""
        if re.search(r"(^|[.!?]\s*)$", ctx.before(m, 4)) and re.match(r"\s+[A-Z]", ctx.after(m, 2)):
            return None
        return f"{m['w']} Street" + keep_period(m, ctx)
