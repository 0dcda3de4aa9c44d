"""Geometry of the usage dashboard's charts (server-rendered, no JS): SVG bars per bucket and HTML bars per
locale. Only layout lives here; the figures come from services/usage."""
from __future__ import annotations

import math
from dataclasses import dataclass

from app.web.ui import plural


def nice_max(value: int) -> int:
    """A round axis maximum at or above `value` (1, 2, 5 x 10^n); 1 for an empty chart."""
    if value <= 0:
        return 1
    exp = 10 ** int(math.floor(math.log10(value)))
    for step in (1, 2, 5, 10):
        if value <= step * exp:
            return step * exp
    return 10 * exp


def axis_label(value: float) -> str:
    """A gridline's figure as it is: whole numbers with thousands separators, a half as one decimal (the
    middle line of an axis up to 1 or 5 is 0.5 or 2.5, not a second 0 or a 2)."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.1f}"


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
    tick_at: float = 0.0      # where that label centres, in % of the plot's width
    tick_minor: bool = False  # every other label, left out where the chart is narrow (a phone)


@dataclass
class Columns:
    width: int                # the SVG's user units across; it stretches to its box (preserveAspectRatio none)
    height: int               # the plot's height, the same in user units and CSS px
    plot_h: int
    top: int
    bars: list[Bar]
    axis_max: int
    gridlines: list[tuple[float, float, str]]    # (y, the same in % from the top, label)


def columns(points: list[tuple[str, int, str]], *, unit: str, width: int = 720, height: int = 200,
            ticks: int = 7) -> Columns:
    """Vertical bars for [(label, value, tick text)], oldest first; `unit` is the noun of one ("credit"). Ticks are
    spread so that at most `ticks` labels show under a long series (90 days), always including the last bar; on a narrow chart
    every other one of them is minor (hidden), so about half as many show. The axis labels are HTML
    beside and under the SVG plot (usage/_columns.html) so that they keep their CSS size at any width:
    `height` is the whole chart's, of which 40 px go to the labels under the plot and its top margin."""
    plot_h, plot_w = height - 40, width
    n = max(len(points), 1)
    slot = plot_w / n
    gap = min(6.0, slot * 0.25)
    axis_max = nice_max(max((v for _l, v, _t in points), default=0))
    every = max(1, math.ceil(n / ticks))
    bars = []
    for i, (label, value, tick) in enumerate(points):
        h = plot_h * value / axis_max
        from_last, rest = divmod(n - 1 - i, every)
        x = i * slot + gap / 2
        w = max(slot - gap, 1.0)
        bars.append(Bar(x=round(x, 2), y=round(plot_h - h, 2), w=round(w, 2), h=round(h, 2), value=value, label=label,
                        tip=f"{label}: {plural(value, unit)}",
                        tick=tick if rest == 0 else None,
                        tick_at=round((x + w / 2) * 100 / plot_w, 2), tick_minor=from_last % 2 == 1))
    grid = [(round(plot_h - plot_h * f, 2), round(100 - 100 * f, 2), axis_label(axis_max * f)) for f in (0, 0.5, 1)]
    return Columns(width=width, height=plot_h, plot_h=plot_h, top=0, bars=bars, axis_max=axis_max, gridlines=grid)


@dataclass
class LocaleBar:
    pct: float                # the bar's length, in % of its track
    name: str
    code: str
    value: str
    share: float


@dataclass
class LocaleChart:
    bars: list[LocaleBar]


def locale_bars(rows: list[dict]) -> LocaleChart:
    """Horizontal bars, one per language row (already sorted), lengths by share. HTML rows
    (usage/_panel.html): name, bar and figures side by side, or the bar under them on a narrow card."""
    return LocaleChart(bars=[LocaleBar(pct=round(100 * min(max(r["share"], 0.0), 1.0), 2), name=r["display_name"],
                                       code=r["locale_code"], value=f"{r['credits']:,} cr · {r['characters']:,} chars",
                                       share=r["share"]) for r in rows])


def duration(ms: int) -> str:
    """Audio length as h:mm:ss (or m:ss under an hour)."""
    s = int(round(ms / 1000))
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"
