"""French: 1 200,50 (spaces group thousands), 1er/1re/2e, 15h30, « M. » and « Mme »."""
from __future__ import annotations

import re

from num2words import num2words

from app.speech.text.normalize.engine import Rule
from app.speech.text.normalize.romance import H_CLOCK, Romance

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")


class French(Romance):
    family, n2w = "fr", "fr"
    group, decimal, alt_decimal = " \u00a0\u202f", ",", "."
    decimal_word, minus_word, percent_word, money_and = "virgule", "moins", "pour cent", "et"
    ordinal_marks = r"(?:ers?|res?|ères?|èmes?|es?|ᵉʳ|ʳᵉ|ᵉ|nde?s?)"
    months = MONTHS
    first_day, date_of = "premier", ""
    named_day_month, named_month_end, named_month_year = r"(?:er|ᵉʳ)?\s+", r"(?![\w])", r"\s+"      # 1er mai 2024
    currencies = {
        "EUR": ("euro", "euros", "centime", "centimes", None), "USD": ("dollar", "dollars", "cent", "cents", None),
        "GBP": ("livre", "livres", "penny", "pence", "fem"), "JPY": ("yen", "yens", None, None, None),
        "KRW": ("won", "wons", None, None, None), "CNY": ("yuan", "yuans", None, None, None),
        "MXN": ("peso", "pesos", "centavo", "centavos", None), "BRL": ("réal", "réais", "centavo", "centavos", None),
    }
    unit_symbols = {"Go": "GB", "Mo": "MB", "To": "TB", "ko": "kB"}
    units = {
        "km": ("kilomètre", "kilomètres", None), "m": ("mètre", "mètres", None), "cm": ("centimètre", "centimètres", None),
        "mm": ("millimètre", "millimètres", None), "kg": ("kilogramme", "kilogrammes", None),
        "g": ("gramme", "grammes", None), "mg": ("milligramme", "milligrammes", None), "l": ("litre", "litres", None),
        "ml": ("millilitre", "millilitres", None), "cl": ("centilitre", "centilitres", None),
        "km/h": ("kilomètre par heure", "kilomètres par heure", None), "mph": ("mile par heure", "miles par heure", None),
        "degC": ("degré Celsius", "degrés Celsius", None), "degF": ("degré Fahrenheit", "degrés Fahrenheit", None),
        "deg": ("degré", "degrés", None), "m2": ("mètre carré", "mètres carrés", None),
        "km2": ("kilomètre carré", "kilomètres carrés", None), "cm2": ("centimètre carré", "centimètres carrés", None),
        "m3": ("mètre cube", "mètres cubes", None), "mi": ("mile", "miles", None), "ft": ("pied", "pieds", None),
        "lb": ("livre", "livres", "fem"), "oz": ("once", "onces", "fem"), "GB": ("gigaoctet", "gigaoctets", None),
        "MB": ("mégaoctet", "mégaoctets", None), "TB": ("téraoctet", "téraoctets", None),
        "kB": ("kilooctet", "kilooctets", None), "Hz": ("hertz", "hertz", None), "kHz": ("kilohertz", "kilohertz", None),
        "MHz": ("mégahertz", "mégahertz", None), "GHz": ("gigahertz", "gigahertz", None),
        "kW": ("kilowatt", "kilowatts", None), "kWh": ("kilowattheure", "kilowattheures", "fem"),
        "W": ("watt", "watts", None), "V": ("volt", "volts", None), "min": ("minute", "minutes", "fem"),
        "ms": ("milliseconde", "millisecondes", "fem"), "ha": ("hectare", "hectares", None),
    }
    abbreviations = (
        (r"M\.", "Monsieur", "title"), (r"MM\.", "Messieurs", "title"), (r"Mmes?\.?", "Madame", "title"),
        (r"Mlle\.?", "Mademoiselle", "title"), (r"Dr\.?", "Docteur", "title"), (r"Pr\.?", "Professeur", "title"),
        (r"Ste\.?", "Sainte", "title"), (r"St\.?", "Saint", "title"), (r"etc\.", "et cetera", "word"),
        (r"p\.\s?ex\.", "par exemple", "mid"), (r"c\.-à-d\.", "c'est-à-dire", "mid"), (r"env\.", "environ", "mid"),
        (r"cf\.", "voir", "mid"), (r"bd", "boulevard", "title"), (r"av\.", "avenue", "title"),
        (r"n[°º](?=\s?\d)", "numéro", "mid"), (r"J\.-C\.", "Jésus-Christ", "word"), (r"tél\.", "téléphone", "mid"),
    )

    def cardinal(self, n: int, form: str | None = None) -> str:
        words = num2words(n, lang="fr")
        if form == "fem":
            words = re.sub(r"\bun$", "une", words)
        return words

    def ordinal(self, n: int, form: str | None = None) -> str:
        if n == 1:
            return "première" if form == "fem" else "premier"
        return num2words(n, lang="fr", to="ordinal")

    def ordinal_mark(self, n: int, mark: str) -> str:
        plural = "s" if mark.endswith("s") else ""
        if mark.startswith("nd"):
            return ("seconde" if "e" in mark else "second") + plural
        fem = mark.startswith(("re", "ère", "ʳᵉ"))
        return self.ordinal(n, "fem" if fem else None) + plural

    def of(self, noun: str) -> str:
        return f"d'{noun}" if noun[0] in "aeiouéèyh" else f"de {noun}"

    def singular(self, num) -> bool:
        return abs(num.value) < 2                # un virgule cinq kilomètre

    def time_rules(self) -> list[Rule]:
        return [self.clock_rule(H_CLOCK + r"(?![\w])", "15h30"), *super().time_rules()]

    def time(self, h, mi, ampm, m, ctx) -> str:
        words = f"{self.cardinal(h, 'fem')} {'heure' if h <= 1 else 'heures'}"      # une heure, vingt et une heures
        return f"{words} {self.cardinal(mi, 'fem')}" if mi else words
