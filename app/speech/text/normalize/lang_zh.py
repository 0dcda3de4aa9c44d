"""Chinese (zh-cn): our own number reader, since num2words has no Chinese.

Integers up to 10^16 are read with 十百千 inside 4-digit groups and 万/亿 between them (12,500 → 一万二千五百,
10,050 → 一万零五十, 2,000 → 两千); decimals digit by digit after 点; years digit by digit (二零二四年);
percentages as 百分之五十; yuan amounts as 元/角/分. Output is in characters: espeak-ng 1.52 reads them (cmn)."""
from __future__ import annotations

import re
from decimal import Decimal

from app.speech.text.normalize import numbers as nums
from app.speech.text.normalize.cjk import Cjk
from app.speech.text.normalize.engine import Rule

DIGITS = "零一二三四五六七八九"
SMALL = ("", "十", "百", "千")
BIG = ("", "万", "亿", "万亿")


def _section(n: int) -> str:
    """0 < n < 10000, without leading 零."""
    out, zero = "", False
    for pos in (3, 2, 1, 0):
        d = (n // 10 ** pos) % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += ("两" if d == 2 and pos == 3 else DIGITS[d]) + SMALL[pos]
    return out


def read_integer(n: int) -> str:
    if n == 0:
        return "零"
    if n >= 10 ** 16:
        return "".join(DIGITS[int(c)] for c in str(n))
    groups = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    out, need_zero = "", False
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g == 0:
            need_zero = bool(out)
            continue
        if out and (need_zero or g < 1000):
            out += "零"
        part = _section(g)
        if i > 0 and g == 2:
            part = "两"                                   # 两万, 两亿
        out += part + BIG[i]
        need_zero = False
    if out.startswith("一十"):
        out = out[1:]                                     # 十二, 十万
    return out


class Chinese(Cjk):
    family = "zh"
    decimal_word, minus_word = "点", "负"
    money_names = {"CNY": ("元", None), "USD": ("美元", None), "EUR": ("欧元", None), "JPY": ("日元", None),
                   "KRW": ("韩元", None), "GBP": ("英镑", None), "MXN": ("墨西哥比索", None), "BRL": ("巴西雷亚尔", None)}
    unit_templates = {
        "km": "{n}公里", "m": "{n}米", "cm": "{n}厘米", "mm": "{n}毫米", "kg": "{n}公斤", "g": "{n}克", "mg": "{n}毫克",
        "l": "{n}升", "ml": "{n}毫升", "km/h": "每小时{n}公里", "mph": "每小时{n}英里", "degC": "{n}摄氏度",
        "degF": "{n}华氏度", "deg": "{n}度", "m2": "{n}平方米", "km2": "{n}平方公里", "m3": "{n}立方米",
        "mi": "{n}英里", "ft": "{n}英尺", "lb": "{n}磅", "oz": "{n}盎司", "Hz": "{n}赫兹", "kHz": "{n}千赫",
        "MHz": "{n}兆赫", "GHz": "{n}吉赫", "kW": "{n}千瓦", "kWh": "{n}千瓦时", "W": "{n}瓦", "V": "{n}伏",
        "min": "{n}分钟", "ms": "{n}毫秒", "ha": "{n}公顷",
    }

    def cardinal(self, n: int, form: str | None = None) -> str:
        return read_integer(n)

    def ordinal(self, n: int, form: str | None = None) -> str:
        return "第" + read_integer(n)

    def digits(self, s: str) -> str:
        return "".join(DIGITS[int(c)] for c in s)

    def fraction(self, frac: str) -> str:
        return self.digits(frac)

    def year(self, n: int) -> str:
        return self.digits(str(n))

    def percent(self, num) -> str:
        return "百分之" + self.number(num)

    def symbol_code(self, sym: str) -> str:
        return "CNY" if sym in ("¥", "￥") else super().symbol_code(sym)

    def money(self, code, num, scale=None):
        if code != "CNY":
            return super().money(code, num, scale)
        value = abs(num.value).quantize(Decimal("0.01"))
        yuan, cents = int(value), int((value - int(value)) * 100)
        jiao, fen = divmod(cents, 10)
        words = f"{read_integer(yuan)}元" if yuan or not cents else ""
        if jiao:
            words += f"{DIGITS[jiao]}角"
        if fen:
            words += ("零" if yuan and not jiao else "") + f"{DIGITS[fen]}分"
        return ("负" if num.negative else "") + words

    def date(self, day, month, year, m, ctx) -> str:
        out = f"{read_integer(month)}月{read_integer(day)}日"
        return f"{self.year(year)}年{out}" if year else out

    def date_rules(self) -> list[Rule]:
        full = re.compile(r"(?:(?P<y>\d{4})\s?年\s?)?(?P<mo>1[0-2]|0?[1-9])\s?月\s?(?:(?P<d>3[01]|[12]\d|0?[1-9])\s?[日号])?")
        year = re.compile(r"(?P<y>\d{4})\s?年")
        return [*super().date_rules(), Rule("dates", full, self._full, name="年月日"),
                Rule("dates", year, lambda m, c: self.year(int(m["y"])) + "年", keep_when_off=False, name="年")]

    def _full(self, m, ctx) -> str:
        out = f"{read_integer(int(m['mo']))}月" + (f"{read_integer(int(m['d']))}日" if m["d"] else "")
        return f"{self.year(int(m['y']))}年{out}" if m["y"] else out

    def hour(self, h: int) -> str:
        return "两" if h == 2 else read_integer(h)

    def time(self, h, mi, ampm, m, ctx) -> str:
        out = f"{self.hour(h)}点"
        if mi:
            out += ("零" if mi < 10 else "") + f"{read_integer(mi)}分"
        return out

    def time_rules(self) -> list[Rule]:
        clock = r"(?<![\d.,])(?P<h>[01]?\d|2[0-4])\s?[点點](?:\s?(?P<mi>[0-5]?\d)\s?分)?"
        return [self.clock_rule(clock, "点"), *super().time_rules()]

    def number(self, num: nums.Num, form=None) -> str:
        words = self.integer(num.int_part)
        if num.frac:
            words += "点" + self.digits(num.frac)
        return ("负" if num.negative else "") + words
