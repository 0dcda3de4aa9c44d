"""German: 1.200,50; ordinals "3." inflected from the words before them ("am fünfzehnten März")."""
from __future__ import annotations

import re

from num2words import num2words

from app.speech.text.normalize.base import Lang
from app.speech.text.normalize.engine import Ctx, Rule, keep_period

MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
          "November", "Dezember")
MONTH_ALIASES = {"Jan.": 1, "Feb.": 2, "Mrz.": 3, "Apr.": 4, "Jun.": 6, "Jul.": 7, "Aug.": 8, "Sep.": 9,
                 "Sept.": 9, "Okt.": 10, "Nov.": 11, "Dez.": 12, "Jänner": 1}
MONTH_RE = "|".join(re.escape(x) for x in sorted([*MONTHS, *MONTH_ALIASES], key=len, reverse=True))
# Words after which an ordinal takes the weak dative/accusative ending -en (am fünfzehnten, im dritten ...).
WEAK_EN = {"am", "im", "zum", "zur", "vom", "beim", "dem", "den", "des", "einem", "einen", "eines", "einer",
           "ab", "bis", "seit", "ihrem", "ihren", "seinem", "seinen", "unserem", "diesem", "diesen"}
PREPOSITIONS = {"in", "an", "auf", "aus", "bei", "mit", "nach", "seit", "von", "zu", "vor", "während", "wegen",
                "für", "durch", "gegen", "um", "ohne", "über", "unter", "hinter", "neben", "zwischen", "ab"}
ARTICLES_E = {"der", "die", "das", "jeder", "jede", "jedes", "dieser", "diese", "dieses"}
# Capitalised words that start a sentence rather than follow an ordinal ("Er wurde 3. Dann ...").
SENTENCE_STARTS = {"Der", "Die", "Das", "Ich", "Du", "Er", "Sie", "Es", "Wir", "Ihr", "Dann", "Aber", "Und",
                   "Danach", "Doch", "Heute", "Morgen", "Auch", "So", "Wenn", "Als", "Da", "Dies", "Man", "Ein",
                   "Eine", "Im", "Am", "In", "Mit", "Nach", "Bei", "Zum", "Zur", "Jetzt", "Nun", "Damit"}


# Noun endings that are (mostly) feminine: eine Minute, eine Million, eine Zeitung.
FEMININE = re.compile(r"(e|ung|heit|keit|schaft|ion|tät|ik|ei|in)$")


class German(Lang):
    family, n2w = "de", "de"
    group, decimal, alt_decimal = ".\u00a0\u202f", ",", "."
    decimal_word, minus_word, percent_word, money_and = "Komma", "minus", "Prozent", "und"
    months = MONTHS
    currencies = {
        "EUR": ("Euro", "Euro", "Cent", "Cent", "adj"), "USD": ("Dollar", "Dollar", "Cent", "Cent", "adj"),
        "GBP": ("Pfund", "Pfund", "Penny", "Pence", "adj"), "JPY": ("Yen", "Yen", None, None, "adj"),
        "KRW": ("Won", "Won", None, None, "adj"), "CNY": ("Yuan", "Yuan", "Fen", "Fen", "adj"),
        "MXN": ("Peso", "Pesos", "Centavo", "Centavos", "adj"), "BRL": ("Real", "Reais", "Centavo", "Centavos", "adj"),
    }
    units = {
        "km": ("Kilometer", "Kilometer", "adj"), "m": ("Meter", "Meter", "adj"), "cm": ("Zentimeter", "Zentimeter", "adj"),
        "mm": ("Millimeter", "Millimeter", "adj"), "kg": ("Kilogramm", "Kilogramm", "adj"),
        "g": ("Gramm", "Gramm", "adj"), "mg": ("Milligramm", "Milligramm", "adj"), "l": ("Liter", "Liter", "adj"),
        "ml": ("Milliliter", "Milliliter", "adj"), "cl": ("Zentiliter", "Zentiliter", "adj"),
        "km/h": ("Kilometer pro Stunde", "Kilometer pro Stunde", "adj"),
        "mph": ("Meile pro Stunde", "Meilen pro Stunde", "fem"), "degC": ("Grad Celsius", "Grad Celsius", "adj"),
        "degF": ("Grad Fahrenheit", "Grad Fahrenheit", "adj"), "deg": ("Grad", "Grad", "adj"),
        "m2": ("Quadratmeter", "Quadratmeter", "adj"), "km2": ("Quadratkilometer", "Quadratkilometer", "adj"),
        "cm2": ("Quadratzentimeter", "Quadratzentimeter", "adj"), "m3": ("Kubikmeter", "Kubikmeter", "adj"),
        "mi": ("Meile", "Meilen", "fem"), "ft": ("Fuß", "Fuß", "adj"), "lb": ("Pfund", "Pfund", "adj"),
        "oz": ("Unze", "Unzen", "fem"), "GB": ("Gigabyte", "Gigabyte", "adj"), "MB": ("Megabyte", "Megabyte", "adj"),
        "TB": ("Terabyte", "Terabyte", "adj"), "kB": ("Kilobyte", "Kilobyte", "adj"), "Hz": ("Hertz", "Hertz", "adj"),
        "kHz": ("Kilohertz", "Kilohertz", "adj"), "MHz": ("Megahertz", "Megahertz", "adj"),
        "GHz": ("Gigahertz", "Gigahertz", "adj"), "kW": ("Kilowatt", "Kilowatt", "adj"),
        "kWh": ("Kilowattstunde", "Kilowattstunden", "fem"), "W": ("Watt", "Watt", "adj"), "V": ("Volt", "Volt", "adj"),
        "min": ("Minute", "Minuten", "fem"), "ms": ("Millisekunde", "Millisekunden", "fem"),
        "ha": ("Hektar", "Hektar", "adj"),
    }
    abbreviations = (
        (r"Dr\.", "Doktor", "title"), (r"Prof\.", "Professor", "title"), (r"Hr\.", "Herr", "title"),
        (r"Fr\.", "Frau", "title"), (r"St\.", "Sankt", "title"),
        (r"z\.\s?B\.", "zum Beispiel", "mid"), (r"usw\.", "und so weiter", "word"),
        (r"bzw\.", "beziehungsweise", "mid"), (r"d\.\s?h\.", "das heißt", "mid"), (r"ca\.", "circa", "mid"),
        (r"u\.\s?a\.", "unter anderem", "word"), (r"evtl\.", "eventuell", "word"), (r"inkl\.", "inklusive", "mid"),
        (r"ggf\.", "gegebenenfalls", "word"), (r"vgl\.", "vergleiche", "mid"), (r"bspw\.", "beispielsweise", "mid"),
        (r"z\.\s?T\.", "zum Teil", "mid"), (r"o\.\s?Ä\.", "oder Ähnliches", "word"), (r"Str\.", "Straße", "word"),
        (r"Mio\.", "Millionen", "word"), (r"Mrd\.", "Milliarden", "word"), (r"Tel\.", "Telefon", "word"),
        (r"etc\.", "et cetera", "word"), (r"u\.\s?v\.\s?m\.", "und vieles mehr", "word"),
        (r"Nr\.(?=\s?\d)", "Nummer", "mid"),
    )

    def abbreviation_rules(self) -> list[Rule]:
        street = re.compile(r"(?<=[a-zäöüß])str\.")                        # Hauptstr. → Hauptstraße
        return [*super().abbreviation_rules(),
                Rule("abbreviations", street, lambda m, c: "straße" + keep_period(m, c), keep_when_off=False)]

    def cardinal(self, n: int, form: str | None = None) -> str:
        words = num2words(n, lang="de")
        if form in ("adj", "fem") and words.endswith("eins"):
            words = words[:-1] + ("e" if form == "fem" else "")       # ein Euro, eine Minute
        return words

    def ordinal(self, n: int, form: str | None = None) -> str:
        stem = num2words(n, lang="de", to="ordinal")[:-1]                  # fünfzehnt(e)
        return stem + (form or "e")

    def year(self, n: int) -> str:
        return num2words(n, lang="de", to="year") if 1100 <= n <= 2099 else self.cardinal(n)

    @staticmethod
    def ending(m: re.Match, ctx: Ctx, default: str = "e") -> str:
        """The ordinal's ending from the words before it: "am 3." → -en, "der 3." → -e, none → default."""
        words = ctx.prev_words(m, 2)
        if not words:
            return default
        last = words[-1]
        if last in WEAK_EN:
            return "en"
        if last in ARTICLES_E:
            if last == "der" and len(words) > 1 and words[0] in PREPOSITIONS:   # in der 3. Woche
                return "en"
            return "e"
        return default

    def date(self, day, month, year, m, ctx) -> str:
        out = f"{self.ordinal(day, self.ending(m, ctx, 'er'))} {self.month(month)}"
        return f"{out} {self.year(year)}" if year else out

    def date_rules(self) -> list[Rule]:
        short = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(?![\d])")                  # am 15.03.
        named = re.compile(rf"(?<![\w.])(?P<d>\d{{1,2}})\.\s?(?P<mon>{MONTH_RE})(?![\w])(?:\s(?P<y>\d{{4}})(?!\d))?")
        return [*super().date_rules(),
                Rule("dates", named, self._named, name="day-month"),
                Rule("dates", short, lambda m, c: self._date_short(m, c), name="dd.mm."),
                self.year_rule(r"[Ii]m Jahre?|[Ss]eit|[Bb]is|[Vv]on|[Uu]m|[Aa]nno|[Jj]ahr")]

    def _named(self, m, ctx) -> str | None:
        day = int(m["d"])
        mon = MONTH_ALIASES.get(m["mon"]) or MONTHS.index(m["mon"]) + 1
        if not 1 <= day <= 31:
            return None
        return self.date(day, mon, int(m["y"]) if m["y"] else None, m, ctx)

    def _date_short(self, m, ctx) -> str | None:
        day, month = int(m[1]), int(m[2])
        if not (1 <= day <= 31 and 1 <= month <= 12):
            return None
        return self.date(day, month, None, m, ctx) + keep_period(m, ctx)

    def time_rules(self) -> list[Rule]:
        uhr = r"(?<![\d:.,])(?P<h>[01]?\d|2[0-4])(?:[:.](?P<mi>[0-5]\d))?\s?Uhr\b"
        return [self.clock_rule(uhr, "uhr"), *super().time_rules()]

    def time(self, h, mi, ampm, m, ctx) -> str:
        words = f"{self.cardinal(h, 'adj')} Uhr"            # ein Uhr, fünfzehn Uhr
        return f"{words} {self.cardinal(mi)}" if mi else words

    def ordinal_rules(self) -> list[Rule]:
        pat = re.compile(r"(?<![\w.,])(\d{1,4})\.(?=\s+(?P<next>[^\W\d_]+))")
        return [Rule("numbers", pat, self._ordinal, keep_when_off=False, name="ordinal")]

    def _ordinal(self, m, ctx) -> str | None:
        if m["next"] in SENTENCE_STARTS:
            return None
        return self.ordinal(int(m[1]), self.ending(m, ctx))

    def _plain_number(self, m, ctx) -> str:
        """"1 Minute" → "eine Minute", "1 Tag" → "ein Tag": a number ending in one before a noun."""
        num = self.parse(m["num"])
        noun = re.match(r"\s(?P<w>[A-ZÄÖÜ][a-zäöüß]+)", ctx.after(m, 40))
        if noun and num.is_int and not num.negative and num.int_part == "1":
            return self.integer(num.int_part, "fem" if FEMININE.search(noun["w"]) else "adj")
        return super()._plain_number(m, ctx)
