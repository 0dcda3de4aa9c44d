"""Number tokens as a locale writes them (grouping and decimal marks) and their parsed parts."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

FULLWIDTH = str.maketrans("０１２３４５６７８９－", "0123456789-")
FULLWIDTH_MARKS = re.compile(r"(?<=\d)[，．：](?=\d)")          # １２，５００ → 12,500 (only between digits)


def fold(text: str) -> str:
    text = text.translate(FULLWIDTH)
    return FULLWIDTH_MARKS.sub(lambda m: {"，": ",", "．": ".", "：": ":"}[m.group(0)], text)
MINUS = "-−–"          # hyphen-minus, minus sign, en dash (a sign only where a number starts)


@dataclass(frozen=True)
class Num:
    negative: bool
    int_part: str            # digits only, grouping removed
    frac: str | None         # digits after the decimal mark, or None

    @property
    def value(self) -> Decimal:
        v = Decimal(f"{self.int_part}.{self.frac}" if self.frac else self.int_part)
        return -v if self.negative else v

    @property
    def is_int(self) -> bool:
        return not self.frac

    @property
    def is_one(self) -> bool:
        return not self.negative and self.int_part.lstrip("0") == "1" and not (self.frac or "").strip("0")


def number_pattern(group: str, decimal: str, alt_decimal: str | None = None, signed: bool = True,
                   word: str = r"\w") -> str:
    """Regex source of one number (named groups are not used: callers wrap it in their own group).

    group: the characters allowed as thousands separators (a regex character class body);
    decimal: the decimal mark; alt_decimal: another mark read as decimal where it cannot be grouping."""
    int_part = rf"\d{{1,3}}(?:[{group}]\d{{3}})+(?![\d])|\d+"
    marks = re.escape(decimal) + (re.escape(alt_decimal) if alt_decimal else "")
    sign = rf"(?:(?<![{word}.,])[{MINUS}]\s?)?" if signed else ""
    return rf"{sign}(?:{int_part})(?:[{marks}]\d+(?![{marks}]?\d))?"


def parse(text: str, group: str, decimal: str, alt_decimal: str | None = None) -> Num:
    s = text.strip()
    negative = bool(s) and s[0] in MINUS
    if negative:
        s = s[1:].strip()
    frac = None
    marks = decimal + (alt_decimal or "")
    m = re.match(rf"^(.*?)[{re.escape(marks)}](\d+)$", s)
    if m and not re.fullmatch(rf"\d{{1,3}}(?:[{group}]\d{{3}})+", s):
        s, frac = m.group(1), m.group(2)
    digits = re.sub(r"\D", "", s)
    return Num(negative, digits or "0", frac)
