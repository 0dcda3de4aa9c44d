"""Korean: Sino-Korean numbers from num2words (천이백, 만); hours use native numbers (세 시 삼십 분);
유월/시월. Other native-number counters (개, 명, 살, 마리 ...) are not handled: 3개 → 삼개."""
from __future__ import annotations

import re

from num2words import num2words

from app.speech.text.normalize.cjk import Cjk
from app.speech.text.normalize.engine import Rule

NATIVE_HOURS = {1: "한", 2: "두", 3: "세", 4: "네", 5: "다섯", 6: "여섯", 7: "일곱", 8: "여덟", 9: "아홉", 10: "열",
                11: "열한", 12: "열두", 13: "열세", 14: "열네", 15: "열다섯", 16: "열여섯", 17: "열일곱", 18: "열여덟",
                19: "열아홉", 20: "스무", 21: "스물한", 22: "스물두", 23: "스물세", 24: "스물네"}
MONTHS = {6: "유월", 10: "시월"}


class Korean(Cjk):
    family, n2w = "ko", "ko"
    decimal_word, minus_word = "점", "마이너스"
    joiner = " "
    money_names = {"KRW": ("원", None), "USD": ("달러", "센트"), "EUR": ("유로", "센트"), "JPY": ("엔", None),
                   "GBP": ("파운드", "펜스"), "CNY": ("위안", None), "MXN": ("페소", "센타보"), "BRL": ("헤알", "센타보")}
    unit_templates = {
        "km": "{n} 킬로미터", "m": "{n} 미터", "cm": "{n} 센티미터", "mm": "{n} 밀리미터", "kg": "{n} 킬로그램",
        "g": "{n} 그램", "mg": "{n} 밀리그램", "l": "{n} 리터", "ml": "{n} 밀리리터", "km/h": "시속 {n} 킬로미터",
        "mph": "시속 {n} 마일", "degC": "섭씨 {n} 도", "degF": "화씨 {n} 도", "deg": "{n} 도", "m2": "{n} 제곱미터",
        "km2": "{n} 제곱킬로미터", "m3": "{n} 세제곱미터", "mi": "{n} 마일", "ft": "{n} 피트", "lb": "{n} 파운드",
        "oz": "{n} 온스", "GB": "{n} 기가바이트", "MB": "{n} 메가바이트", "TB": "{n} 테라바이트", "kB": "{n} 킬로바이트",
        "Hz": "{n} 헤르츠", "kHz": "{n} 킬로헤르츠", "MHz": "{n} 메가헤르츠", "GHz": "{n} 기가헤르츠", "kW": "{n} 킬로와트",
        "kWh": "{n} 킬로와트시", "W": "{n} 와트", "V": "{n} 볼트", "min": "{n} 분", "ms": "{n} 밀리초", "ha": "{n} 헥타르",
    }

    def cardinal(self, n: int, form: str | None = None) -> str:
        return num2words(n, lang="ko")

    def ordinal(self, n: int, form: str | None = None) -> str:
        return num2words(n, lang="ko", to="ordinal")          # 두 번째

    def percent(self, num) -> str:
        return f"{self.number(num)} 퍼센트"

    def month(self, m: int) -> str:
        return MONTHS.get(m, self.cardinal(m) + "월")

    def date(self, day, month, year, m, ctx) -> str:
        out = f"{self.month(month)} {self.cardinal(day)}일"
        return f"{self.cardinal(year)}년 {out}" if year else out

    def date_rules(self) -> list[Rule]:
        month = re.compile(r"(?<![\d.])(1[0-2]|0?[1-9])\s?월")
        return [*super().date_rules(),
                Rule("dates", month, lambda m, c: self.month(int(m[1])), keep_when_off=False, name="월")]

    def hour(self, h: int) -> str:
        return NATIVE_HOURS.get(h, self.cardinal(h))

    def time(self, h, mi, ampm, m, ctx) -> str:
        words = f"{self.hour(h)} 시"
        return f"{words} {self.cardinal(mi)} 분" if mi else words

    def time_rules(self) -> list[Rule]:
        hours = re.compile(r"(?<![\d.,])(\d{1,2})\s?(시간|시)(?:\s?(\d{1,2})\s?분)?")
        return [Rule("times", hours, self._hours, name="시"), *super().time_rules()]

    def _hours(self, m, ctx) -> str | None:
        h = int(m[1])
        if h > 24:
            return None
        words = f"{self.hour(h)} {m[2]}"
        return f"{words} {self.cardinal(int(m[3]))} 분" if m[3] else words
