"""What Spanish, French and Portuguese share: decimals read as a number (tres coma catorce), feminine
numerals, "de" between a round million and its noun (un millón de euros), dates said day-month-year with
the first day as an ordinal (primero de mayo, premier mai), and ordinals written 1.º, 2.ª, 1er, 2e."""
from __future__ import annotations

import re
from decimal import Decimal

from app.speech.text.normalize.base import Lang
from app.speech.text.normalize.engine import Rule

# Nouns in -a that are masculine in Spanish and in Portuguese (each adds its own: día, dia).
MASCULINE_A = frozenset({"mapa", "mapas", "problema", "problemas", "programa", "programas", "sistema", "sistemas",
                         "tema", "temas", "idioma", "idiomas", "clima", "planeta", "planetas"})
H_CLOCK = r"(?<![\d:.,])(?P<h>[01]?\d|2[0-4])\s?h\s?(?P<mi>[0-5]\d)?"         # 15h30, 21h (French, Portuguese)


class Romance(Lang):
    of_word = "de"
    ordinal_marks = r"\.?[ºª°]|\.?(?:er|ra|o|a)"
    # Dates: "quince de marzo de dos mil", "premier mai deux mille"
    first_day = "primero"                 # day 1 is said as an ordinal
    date_of = "de"                        # said between day, month and year ("" in French)
    # A date with the month's name as written (1.º de mayo de 2024): what stands between the day and the
    # month, after the month, and between the month and the year (a group named "of" is said as written).
    named_day_month = r"(?:\.?º)?\s+de\s+"
    named_month_end = r"(?![\w])"     # the whole month name: "1 de mayonesa" is no date
    named_month_year = r"\s+de\s+"
    # A number before a noun agrees with it: a noun with one of these endings is feminine unless it is listed
    # in masculine_a (el día, o mapa). No endings (French): no agreement.
    feminine_endings: re.Pattern | None = None
    masculine_a: frozenset[str] = frozenset()

    def fraction(self, frac: str) -> str:
        if len(frac) <= 2 and not frac.startswith("0"):
            return self.cardinal(int(frac))
        return self.digits(frac)

    def of(self, noun: str) -> str:
        return f"{self.of_word} {noun}"

    def money(self, code, num, scale=None):
        forms = self.currencies.get(code)
        value = abs(num.value)
        if forms and round_millions(value):                          # un millón de euros
            return self.signed(num, f"{self.cardinal(int(value))} {self.of(forms[1])}")
        return super().money(code, num, scale)

    def unit(self, num, key, number_words):
        forms = self.units.get(key)
        if forms and number_words is None and num.is_int and round_millions(abs(num.value)):
            return f"{self.number(num, forms[2])} {self.of(forms[1])}"
        return super().unit(num, key, number_words)

    def date(self, day, month, year, m, ctx) -> str:
        return self.spoken_date(day, self.month(month), year or None)

    def date_rules(self) -> list[Rule]:
        named = re.compile(rf"(?<![\w.])(?P<d>\d{{1,2}}){self.named_day_month}(?P<mon>{'|'.join(self.months)})"
                           rf"{self.named_month_end}(?:{self.named_month_year}(?P<y>\d{{4}})(?!\d))?", re.IGNORECASE)
        return [*super().date_rules(), Rule("dates", named, self._named, name="day-month")]

    def _named(self, m, ctx) -> str | None:
        day = int(m["d"])
        if not 1 <= day <= 31:
            return None
        return self.spoken_date(day, m["mon"], int(m["y"]) if m["y"] else None, m.groupdict().get("of"))

    def spoken_date(self, day: int, month: str, year: int | None, year_of: str | None = None) -> str:
        of = f" {self.date_of} " if self.date_of else " "
        out = f"{self.first_day if day == 1 else self.cardinal(day)}{of}{month}"
        if year is None:
            return out
        return f"{out}{f' {year_of} ' if year_of else of}{self.year(year)}"

    def ordinal_rules(self) -> list[Rule]:
        pat = re.compile(rf"(?<![\w.,])(\d{{1,4}})(?P<mark>{self.ordinal_marks})(?![\w])")
        return [Rule("numbers", pat, lambda m, c: self.ordinal_mark(int(m[1]), m["mark"].lstrip(".")),
                     keep_when_off=False, name="ordinal")]

    def noun_gender(self, word: str) -> str | None:
        if self.feminine_endings is None:
            return None
        w = word.lower()
        return "fem" if w not in self.masculine_a and self.feminine_endings.search(w) else "masc"

    def _plain_number(self, m, ctx) -> str:
        """A whole number before a noun agrees with it: veintiún kilómetros, veintiuna libras, duas casas."""
        num = self.parse(m["num"])
        noun = re.match(r"\s(?P<w>[^\W\d_]+)", ctx.after(m, 40))
        if noun and num.is_int and not num.negative:
            gender = self.noun_gender(noun["w"])
            if gender:
                return self.integer(num.int_part, gender)
        return super()._plain_number(m, ctx)

    def ordinal_mark(self, n: int, mark: str) -> str:
        return self.ordinal(n, "fem" if mark in ("ª", "a", "ra", "re", "ère") else None)


def feminine(words: str) -> str:
    """Spanish/Portuguese feminine numerals and ordinals: primero → primera, doscientos → doscientas."""
    words = re.sub(r"\b(\w+)ientos\b", r"\1ientas", words)           # doscientos → doscientas
    words = re.sub(r"\b(\w+)entos\b", r"\1entas", words)              # duzentos → duzentas
    words = re.sub(r"\b(\w+)o\b", r"\1a", words)                      # primero → primera, uno → una
    return words


def round_millions(value: Decimal) -> bool:
    """A whole number of millions (1 000 000, 3 000 000): its noun takes "de" (un millón de euros)."""
    return value >= 10**6 and value % 10**6 == 0
