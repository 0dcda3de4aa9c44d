"""Spanish (es-es 1.200,50 "coma"; es-mx 1,200.50 "punto", $ = pesos)."""
from __future__ import annotations

import re

from num2words import num2words

from app.speech.text.normalize.base import AMPM, HH_MM
from app.speech.text.normalize.engine import Rule, keep_period
from app.speech.text.normalize.romance import MASCULINE_A, Romance, feminine

MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
          "noviembre", "diciembre")


class Spanish(Romance):
    family, n2w = "es", "es"
    minus_word, percent_word, money_and = "menos", "por ciento", "con"
    months = MONTHS
    named_month_year = r"\s+(?P<of>del?)\s+"             # 1 de mayo del 2024
    feminine_endings = re.compile(r"(as?|ión|iones|dad|dades)$")
    masculine_a = MASCULINE_A | {"día", "días"}
    units = {
        "km": ("kilómetro", "kilómetros", "masc"), "m": ("metro", "metros", "masc"),
        "cm": ("centímetro", "centímetros", "masc"), "mm": ("milímetro", "milímetros", "masc"),
        "kg": ("kilogramo", "kilogramos", "masc"), "g": ("gramo", "gramos", "masc"),
        "mg": ("miligramo", "miligramos", "masc"), "l": ("litro", "litros", "masc"),
        "ml": ("mililitro", "mililitros", "masc"), "cl": ("centilitro", "centilitros", "masc"),
        "km/h": ("kilómetro por hora", "kilómetros por hora", "masc"), "mph": ("milla por hora", "millas por hora", "fem"),
        "degC": ("grado Celsius", "grados Celsius", "masc"), "degF": ("grado Fahrenheit", "grados Fahrenheit", "masc"),
        "deg": ("grado", "grados", "masc"), "m2": ("metro cuadrado", "metros cuadrados", "masc"),
        "km2": ("kilómetro cuadrado", "kilómetros cuadrados", "masc"),
        "cm2": ("centímetro cuadrado", "centímetros cuadrados", "masc"),
        "m3": ("metro cúbico", "metros cúbicos", "masc"), "mi": ("milla", "millas", "fem"), "ft": ("pie", "pies", "masc"),
        "lb": ("libra", "libras", "fem"), "oz": ("onza", "onzas", "fem"), "GB": ("gigabyte", "gigabytes", "masc"),
        "MB": ("megabyte", "megabytes", "masc"), "TB": ("terabyte", "terabytes", "masc"),
        "kB": ("kilobyte", "kilobytes", "masc"), "Hz": ("hercio", "hercios", "masc"),
        "kHz": ("kilohercio", "kilohercios", "masc"), "MHz": ("megahercio", "megahercios", "masc"),
        "GHz": ("gigahercio", "gigahercios", "masc"), "kW": ("kilovatio", "kilovatios", "masc"),
        "kWh": ("kilovatio hora", "kilovatios hora", "masc"), "W": ("vatio", "vatios", "masc"),
        "V": ("voltio", "voltios", "masc"), "min": ("minuto", "minutos", "masc"),
        "ms": ("milisegundo", "milisegundos", "masc"), "ha": ("hectárea", "hectáreas", "fem"),
    }
    abbreviations = (
        (r"Sr\.", "señor", "title"), (r"Sra\.", "señora", "title"), (r"Srta\.", "señorita", "title"),
        (r"Dr\.", "doctor", "title"), (r"Dra\.", "doctora", "title"), (r"Lic\.", "licenciado", "title"),
        (r"Ing\.", "ingeniero", "title"), (r"Prof\.", "profesor", "title"), (r"Dña\.", "doña", "title"),
        (r"Av\.", "avenida", "title"), (r"Avda\.", "avenida", "title"), (r"Ud\.", "usted", "word"),
        (r"Uds\.", "ustedes", "word"), (r"etc\.", "etcétera", "word"), (r"p\.\s?ej\.", "por ejemplo", "mid"),
        (r"aprox\.", "aproximadamente", "mid"), (r"EE\.\s?UU\.", "Estados Unidos", "word"),
        (r"(?:núm\.|n\.º|nº)(?=\s?\d)", "número", "mid"), (r"pág\.(?=\s?\d)", "página", "mid"),
        (r"tel\.", "teléfono", "mid"),
    )

    def __init__(self, locale: str):
        super().__init__(locale)
        self.mx = locale == "es-mx"
        if self.mx:
            self.group, self.decimal, self.alt_decimal, self.decimal_word = ",", ".", ",", "punto"
        else:
            self.group, self.decimal, self.alt_decimal, self.decimal_word = ".\u00a0\u202f", ",", ".", "coma"
        cent = ("centavo", "centavos") if self.mx else ("céntimo", "céntimos")
        self.currencies = {
            "EUR": ("euro", "euros", *cent, "masc"), "USD": ("dólar", "dólares", "centavo", "centavos", "masc"),
            "MXN": ("peso", "pesos", "centavo", "centavos", "masc"), "GBP": ("libra", "libras", "penique", "peniques", "fem"),
            "JPY": ("yen", "yenes", None, None, "masc"), "KRW": ("won", "wones", None, None, "masc"),
            "CNY": ("yuan", "yuanes", None, None, "masc"), "BRL": ("real", "reales", "centavo", "centavos", "masc"),
        }

    def symbol_code(self, sym: str) -> str:
        return "MXN" if sym == "$" and self.mx else super().symbol_code(sym)

    def cardinal(self, n: int, form: str | None = None) -> str:
        words = num2words(n, lang="es")
        words = re.sub(r"veintiuno (mil|millones)", r"veintiún \1", words)
        words = re.sub(r"\buno (mil|millones)", r"un \1", words)
        if form == "masc":
            words = re.sub(r"veintiuno$", "veintiún", words)
            words = re.sub(r"\buno$", "un", words)
        elif form == "fem":
            words = re.sub(r"uno$", "una", words)
            words = re.sub(r"ientos\b", "ientas", words)
        return words

    def ordinal(self, n: int, form: str | None = None) -> str:
        words = num2words(n, lang="es", to="ordinal")
        if form == "fem":
            return feminine(words)
        if form == "apocope":
            return re.sub(r"(primer|tercer)o$", r"\1", words)
        return words

    def ordinal_mark(self, n: int, mark: str) -> str:
        if mark in ("er",):
            return self.ordinal(n, "apocope")
        return super().ordinal_mark(n, mark)

    def time_rules(self) -> list[Rule]:
        return [self.clock_rule(AMPM, "ampm"),
                self.clock_rule(HH_MM + r"(?:\s?(?:h|hrs?|horas)\b)?(?![\d:])", "hh:mm")]          # 15:30 h

    def time(self, h, mi, ampm, m, ctx) -> str:
        words = self.cardinal(h, "fem")                   # la una, las veintiuna
        words = f"{words} y {self.cardinal(mi)}" if mi else f"{words} en punto" if not ampm else words
        if ampm == "a":
            words += " de la mañana"
        elif ampm == "p":
            words += " del mediodía" if h == 12 else " de la tarde" if h < 8 else " de la noche"
        return words + (keep_period(m, ctx) if ampm else "")
