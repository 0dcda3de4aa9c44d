"""Japanese: numbers in hiragana (num2words reading=True), because espeak reads kana but not kanji.

Dates, clock times and durations get their irregular readings (ついたち, しがつ, よじ, さんじゅっぷん);
other counters' sound changes (いっぽん, さんびき ...) are not handled: the number is read as is."""
from __future__ import annotations

import re

from num2words import num2words

from app.speech.text.normalize.cjk import Cjk
from app.speech.text.normalize.engine import Rule

DAYS = {1: "ついたち", 2: "ふつか", 3: "みっか", 4: "よっか", 5: "いつか", 6: "むいか", 7: "なのか", 8: "ようか",
        9: "ここのか", 10: "とおか", 14: "じゅうよっか", 17: "じゅうしちにち", 19: "じゅうくにち", 20: "はつか",
        24: "にじゅうよっか", 27: "にじゅうしちにち", 29: "にじゅうくにち"}
MONTHS = {4: "しがつ", 7: "しちがつ", 9: "くがつ"}
HOURS = {4: "よ", 7: "しち", 9: "く", 14: "じゅうよ", 17: "じゅうしち", 19: "じゅうく", 24: "にじゅうよ"}
MINUTES = {1: "いっぷん", 2: "にふん", 3: "さんぷん", 4: "よんぷん", 5: "ごふん", 6: "ろっぷん", 7: "ななふん",
           8: "はっぷん", 9: "きゅうふん"}


class Japanese(Cjk):
    family, n2w = "ja", "ja"
    decimal_word, minus_word = "てん", "マイナス"
    money_names = {"JPY": ("えん", None), "USD": ("ドル", "セント"), "EUR": ("ユーロ", "セント"), "KRW": ("ウォン", None),
                   "GBP": ("ポンド", "ペンス"), "CNY": ("げん", None), "MXN": ("ペソ", "センタボ"), "BRL": ("レアル", "センタボ")}
    unit_templates = {
        "km": "{n}キロメートル", "m": "{n}メートル", "cm": "{n}センチメートル", "mm": "{n}ミリメートル",
        "kg": "{n}キログラム", "g": "{n}グラム", "mg": "{n}ミリグラム", "l": "{n}リットル", "ml": "{n}ミリリットル",
        "km/h": "じそく{n}キロメートル", "mph": "じそく{n}マイル", "degC": "せっし{n}ど", "degF": "かし{n}ど",
        "deg": "{n}ど", "m2": "{n}へいほうメートル", "km2": "{n}へいほうキロメートル", "m3": "{n}りっぽうメートル",
        "mi": "{n}マイル", "ft": "{n}フィート", "lb": "{n}ポンド", "oz": "{n}オンス", "GB": "{n}ギガバイト",
        "MB": "{n}メガバイト", "TB": "{n}テラバイト", "kB": "{n}キロバイト", "Hz": "{n}ヘルツ", "kHz": "{n}キロヘルツ",
        "MHz": "{n}メガヘルツ", "GHz": "{n}ギガヘルツ", "kW": "{n}キロワット", "kWh": "{n}キロワットじ",
        "W": "{n}ワット", "V": "{n}ボルト", "ms": "{n}ミリびょう", "ha": "{n}ヘクタール", "min": "{n}ふん",
    }

    def cardinal(self, n: int, form: str | None = None) -> str:
        return "ゼロ" if n == 0 else num2words(n, lang="ja", reading=True)

    def ordinal(self, n: int, form: str | None = None) -> str:
        return num2words(n, lang="ja", to="ordinal", reading=True)            # じゅうごばんめ

    def percent(self, num) -> str:
        return f"{self.number(num)}パーセント"

    def year(self, n: int) -> str:
        words = self.cardinal(n)
        return (words[:-2] + "よ" if words.endswith("よん") else words) + "ねん"   # にせんにじゅうよねん

    def month(self, m: int) -> str:
        return MONTHS.get(m, self.cardinal(m) + "がつ")

    def day(self, d: int) -> str:
        return DAYS.get(d, self.cardinal(d) + "にち")

    def hour(self, h: int) -> str:
        return HOURS.get(h, self.cardinal(h)) + "じ"

    def minutes(self, mi: int) -> str:
        tens, ones = divmod(mi, 10)
        if ones == 0:
            return self.cardinal(mi)[:-1] + "っぷん"                                 # じゅっぷん, さんじゅっぷん
        return (self.cardinal(tens * 10) if tens else "") + MINUTES[ones]

    def date(self, day, month, year, m, ctx) -> str:
        out = self.month(month) + self.day(day)
        return self.year(year) + out if year else out

    def date_rules(self) -> list[Rule]:
        full = re.compile(r"(?:(?P<y>\d{1,4})\s?年\s?)?(?P<mo>1[0-2]|0?[1-9])\s?月\s?(?:(?P<d>3[01]|[12]\d|0?[1-9])\s?日)?")
        year = re.compile(r"(?P<y>\d{1,4})\s?年(?!間)")
        day = re.compile(r"(?P<d>3[01]|[12]\d|0?[1-9])\s?日(?!間)")
        return [*super().date_rules(), Rule("dates", full, self._full, name="年月日"),
                Rule("dates", year, lambda m, c: self.year(int(m["y"])), keep_when_off=False, name="年"),
                Rule("dates", day, lambda m, c: self.day(int(m["d"])), keep_when_off=False, name="日")]

    def _full(self, m, ctx) -> str:
        out = self.month(int(m["mo"])) + (self.day(int(m["d"])) if m["d"] else "")
        return self.year(int(m["y"])) + out if m["y"] else out

    def time(self, h, mi, ampm, m, ctx) -> str:
        return self.hour(h) + (self.minutes(mi) if mi else "")

    def time_rules(self) -> list[Rule]:
        clock = re.compile(r"(?<![\d.,])(?P<h>\d{1,2})\s?時(?!間)(?:\s?(?P<mi>[0-5]?\d)\s?分)?")
        hours = re.compile(r"(?<![\d.,])(?P<h>\d{1,3})\s?時間")
        mins = re.compile(r"(?<![\d.,])(?P<mi>[0-5]?\d)\s?分")
        return [Rule("times", clock, lambda m, c: self.hour(int(m["h"])) + (self.minutes(int(m["mi"])) if m["mi"]
                                                                              else ""), name="時"),
                Rule("times", hours, lambda m, c: self.hour(int(m["h"])) + "かん", name="時間"),
                Rule("times", mins, lambda m, c: self.minutes(int(m["mi"])) if int(m["mi"]) else None, name="分"),
                *super().time_rules()]

    def unit(self, num, key, number_words):
        if key == "min":
            return self.minutes(int(num.int_part)) if num.is_int and int(num.int_part) < 60 else None
        return super().unit(num, key, number_words)
