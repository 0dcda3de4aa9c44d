"""Portuguese (pt-br: dezesseis, quilômetro, centavo; pt-pt: dezasseis, quilómetro, cêntimo)."""
from __future__ import annotations

import re

from num2words import num2words

from app.speech.text.normalize.engine import Rule
from app.speech.text.normalize.romance import H_CLOCK, MASCULINE_A, Romance, feminine

MONTHS = ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro",
          "novembro", "dezembro")


class Portuguese(Romance):
    family = "pt"
    group, decimal, alt_decimal = ".\u00a0\u202f", ",", "."
    decimal_word, minus_word, percent_word, money_and = "vírgula", "menos", "por cento", "e"
    months = MONTHS
    first_day = "primeiro"
    feminine_endings = re.compile(r"(as?|ãs?|ção|ções|dade|dades|agem|agens)$")
    masculine_a = MASCULINE_A | {"dia", "dias"}
    abbreviations = (
        (r"Sr\.", "senhor", "title"), (r"Sra\.", "senhora", "title"), (r"Srta\.", "senhorita", "title"),
        (r"Dr\.", "doutor", "title"), (r"Dra\.", "doutora", "title"), (r"Prof\.", "professor", "title"),
        (r"Profa\.", "professora", "title"), (r"Av\.", "avenida", "title"), (r"etc\.", "et cetera", "word"),
        (r"p\.\s?ex\.", "por exemplo", "mid"), (r"aprox\.", "aproximadamente", "mid"),
        (r"(?:n\.º|nº)(?=\s?\d)", "número", "mid"), (r"pág\.(?=\s?\d)", "página", "mid"),
        (r"tel\.", "telefone", "mid"), (r"V\.\s?Exa\.", "Vossa Excelência", "word"),
    )

    def __init__(self, locale: str):
        super().__init__(locale)
        self.br = locale != "pt-pt"
        self.n2w = "pt_BR" if self.br else "pt"
        km = "quilômetro" if self.br else "quilómetro"
        cent = ("centavo", "centavos") if self.br else ("cêntimo", "cêntimos")
        self.currencies = {
            "BRL": ("real", "reais", "centavo", "centavos", "masc"), "EUR": ("euro", "euros", *cent, "masc"),
            "USD": ("dólar", "dólares", *cent, "masc"), "GBP": ("libra", "libras", "pêni", "pence", "fem"),
            "JPY": ("iene", "ienes", None, None, "masc"), "KRW": ("won", "wons", None, None, "masc"),
            "CNY": ("yuan", "yuans", None, None, "masc"), "MXN": ("peso", "pesos", "centavo", "centavos", "masc"),
        }
        self.units = {
            "km": (km, km + "s", "masc"), "m": ("metro", "metros", "masc"), "cm": ("centímetro", "centímetros", "masc"),
            "mm": ("milímetro", "milímetros", "masc"), "kg": ("quilograma", "quilogramas", "masc"),
            "g": ("grama", "gramas", "masc"), "mg": ("miligrama", "miligramas", "masc"), "l": ("litro", "litros", "masc"),
            "ml": ("mililitro", "mililitros", "masc"), "cl": ("centilitro", "centilitros", "masc"),
            "km/h": (f"{km} por hora", f"{km}s por hora", "masc"), "mph": ("milha por hora", "milhas por hora", "fem"),
            "degC": ("grau Celsius", "graus Celsius", "masc"), "degF": ("grau Fahrenheit", "graus Fahrenheit", "masc"),
            "deg": ("grau", "graus", "masc"), "m2": ("metro quadrado", "metros quadrados", "masc"),
            "km2": (f"{km} quadrado", f"{km}s quadrados", "masc"),
            "cm2": ("centímetro quadrado", "centímetros quadrados", "masc"),
            "m3": ("metro cúbico", "metros cúbicos", "masc"), "mi": ("milha", "milhas", "fem"), "ft": ("pé", "pés", "masc"),
            "lb": ("libra", "libras", "fem"), "oz": ("onça", "onças", "fem"), "GB": ("gigabyte", "gigabytes", "masc"),
            "MB": ("megabyte", "megabytes", "masc"), "TB": ("terabyte", "terabytes", "masc"),
            "kB": ("kilobyte", "kilobytes", "masc"), "Hz": ("hertz", "hertz", "masc"),
            "kHz": ("quilohertz", "quilohertz", "masc"), "MHz": ("megahertz", "megahertz", "masc"),
            "GHz": ("gigahertz", "gigahertz", "masc"), "kW": ("quilowatt", "quilowatts", "masc"),
            "kWh": ("quilowatt-hora", "quilowatts-hora", "masc"), "W": ("watt", "watts", "masc"),
            "V": ("volt", "volts", "masc"), "min": ("minuto", "minutos", "masc"),
            "ms": ("milissegundo", "milissegundos", "masc"), "ha": ("hectare", "hectares", "masc"),
        }

    def cardinal(self, n: int, form: str | None = None) -> str:
        words = num2words(n, lang=self.n2w)
        if form == "fem":
            words = re.sub(r"\bum$", "uma", words)
            words = re.sub(r"\bdois$", "duas", words)
            words = re.sub(r"entos\b", "entas", words)
        return words

    def ordinal(self, n: int, form: str | None = None) -> str:
        words = num2words(n, lang=self.n2w, to="ordinal")
        return feminine(words) if form == "fem" else words

    def time_rules(self) -> list[Rule]:
        return [self.clock_rule(H_CLOCK + r"(?:min)?(?![\w])", "15h30"), *super().time_rules()]

    def time(self, h, mi, ampm, m, ctx) -> str:
        hours = self.cardinal(h, "fem")                       # uma hora, duas horas, vinte e uma horas
        if mi:
            return f"{hours} e {self.cardinal(mi)}"
        return f"{hours} {'hora' if h == 1 else 'horas'}"
