"""Geometry of the usage dashboard's SVG charts (server-rendered, no JS): bars per bucket and bars per
locale. Only layout lives here; the figures come from services/usage."""
from __future__ import annotations

import math
from dataclasses import dataclass


def nice_max(value: int) -> int:
    """A round axis maximum at or above `value` (1, 2, 5 x 10^n); 1 for an empty chart."""
    if value <= 0:
        return 1
    exp = 10 ** int(math.floor(math.log10(value)))
    for step in (1, 2, 5, 10):
        if value <= step * exp:
            return step * exp
    return 10 * exp


@dataclass
class Bar:
    x: float
    y: float
    w: float
    h: float
    value: int
    label: str
    tip: str
    tick: str | None          # the axis label under this bar (only some bars get one)


@dataclass
class Columns:
    width: int
    height: int
    plot_h: int
    top: int
    bars: list[Bar]
    axis_max: int
    gridlines: list[tuple[float, str]]


def columns(points: list[tuple[str, int, str]], *, unit: str, width: int = 720, height: int = 200,
            ticks: int = 7) -> Columns:
    """Vertical bars for [(label, value, tick text)], oldest first. Ticks are spread so that at most
    `ticks` labels show under a long series (90 days), always including the last bar."""
    top, bottom, left = 12, 28, 44
    plot_h, plot_w = height - top - bottom, width - left - 8
    n = max(len(points), 1)
    slot = plot_w / n
    gap = min(6.0, slot * 0.25)
    axis_max = nice_max(max((v for _l, v, _t in points), default=0))
    every = max(1, math.ceil(n / ticks))
    bars = []
    for i, (label, value, tick) in enumerate(points):
        h = plot_h * value / axis_max
        show_tick = (n - 1 - i) % every == 0
        bars.append(Bar(x=round(left + i * slot + gap / 2, 2), y=round(top + plot_h - h, 2),
                        w=round(max(slot - gap, 1.0), 2), h=round(h, 2), value=value, label=label,
                        tip=f"{label}: {value:,} {unit}", tick=tick if show_tick else None))
    grid = [(round(top + plot_h - plot_h * f, 2), f"{int(axis_max * f):,}") for f in (0, 0.5, 1)]
    return Columns(width=width, height=height, plot_h=plot_h, top=top, bars=bars, axis_max=axis_max, gridlines=grid)


@dataclass
class LocaleBar:
    y: float
    w: float
    name: str
    code: str
    value: str
    share: float


@dataclass
class LocaleChart:
    width: int
    height: int
    bar_x: int
    track_w: int
    bars: list[LocaleBar]


def locale_bars(rows: list[dict], *, width: int = 580, row_h: int = 30) -> LocaleChart:
    """Horizontal bars, one per language row (already sorted), widths by share."""
    label_w, value_w = 215, 150
    plot_w = width - label_w - value_w
    bars = [LocaleBar(y=i * row_h, w=round((plot_w - 10) * min(max(r["share"], 0.0), 1.0), 2), name=r["display_name"],
                      code=r["locale_code"], value=f"{r['credits']:,} cr · {r['characters']:,} chars",
                      share=r["share"]) for i, r in enumerate(rows)]
    return LocaleChart(width=width, height=max(len(rows), 1) * row_h, bar_x=label_w, track_w=plot_w - 10, bars=bars)


def duration(ms: int) -> str:
    """Audio length as h:mm:ss (or m:ss under an hour)."""
    s = int(round(ms / 1000))
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"
