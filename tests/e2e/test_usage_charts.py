"""The usage dashboard's charts read on a phone (375×740): every axis, language and figure label renders at
10 CSS px or more (an SVG label's size times the SVG's scale), the tick labels under a chart do not overlap
and stay within its card, and the page does not scroll sideways; on a desktop the per-day chart shows its
full set of ticks."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.models.base import utcnow
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.editor_helpers import log_in
from tests.services import usage_data

pytestmark = pytest.mark.e2e

PHONE, DESKTOP = {"width": 375, "height": 740}, {"width": 1280, "height": 800}

# Each visible chart label: its text, its rendered font size in CSS px and its box.
LABELS_JS = """
() => Array.from(document.querySelectorAll('#usage-panel .chart-axis, #usage-panel .chart-label, #usage-panel .chart-value'))
  .filter(el => el.getClientRects().length && el.textContent.trim())
  .map(el => {
    const scale = el.ownerSVGElement ? el.getScreenCTM().a : 1, r = el.getBoundingClientRect();
    const card = el.closest('.card').getBoundingClientRect();
    return {text: el.textContent.trim(), cls: el.className.baseVal ?? el.className,
            size: parseFloat(getComputedStyle(el).fontSize) * scale, left: r.left, right: r.right,
            inCard: r.left >= card.left - 0.5 && r.right <= card.right + 0.5,
            axis: el.parentElement.className.baseVal ?? el.parentElement.className,
            chart: el.closest('.card').querySelector('h2').textContent.trim()};
  })
"""


@pytest.fixture
def usage_page(browser, live_server, owner, workspace):
    now = utcnow()
    for days, locale, text in [(1, "en-us", "Hello there, world."), (9, "de-de", "Hallo Welt, noch einmal."),
                               (40, "pt-br", "Olá mundo."), (70, "en-us", "Once more.")]:
        usage_data.run(workspace, owner, now - timedelta(days=days),
                       [{"locale": locale, "text": text, "milli": 2000, "ms": 1500}], credits=days % 7 + 1)
    db.session.commit()
    contexts = []

    def _open(viewport, query=""):
        ctx = browser.new_context(viewport=viewport)
        contexts.append(ctx)
        page = ctx.new_page()
        log_in(page, live_server, owner.email)
        page.goto(live_server + "/usage" + query)
        return page

    yield _open
    for ctx in contexts:
        ctx.close()


def tick_rows(labels):
    """The tick labels under each column chart, left to right."""
    rows = {}
    for lab in labels:
        if lab["axis"] == "colchart-x":
            rows.setdefault(lab["chart"], []).append(lab)
    return {chart: sorted(row, key=lambda lab: lab["left"]) for chart, row in rows.items()}


@pytest.mark.parametrize("query", ["", "?range=90d&activity_view=weekly", "?range=90d&activity_view=monthly"])
def test_phone_chart_labels_are_readable_and_fit(usage_page, query):
    page = usage_page(PHONE, query)
    page.screenshot(path=str(ARTIFACTS / f"usage-charts-phone{query.replace('?', '-').replace('&', '-')}.png"),
                    full_page=True)
    labels = page.evaluate(LABELS_JS)
    kinds = {lab["cls"].split()[0] for lab in labels}
    assert kinds == {"chart-axis", "chart-label", "chart-value"}, kinds
    assert len([lab for lab in labels if lab["cls"] == "chart-label"]) >= 2      # a row per language
    small = [(lab["text"], round(lab["size"], 1)) for lab in labels if lab["size"] < 10]
    assert small == [], f"labels under 10 CSS px: {small}"
    outside = [lab["text"] for lab in labels if not lab["inCard"]]
    assert outside == [], f"labels sticking out of their card: {outside}"
    rows = tick_rows(labels)
    assert len(rows) == 2, rows.keys()
    for chart, row in rows.items():
        assert len(row) >= 2, chart
        overlaps = [(a["text"], b["text"]) for a, b in zip(row, row[1:]) if a["right"] > b["left"] - 2]
        assert overlaps == [], f"{chart}: overlapping tick labels {overlaps}"
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_desktop_shows_every_tick_and_the_phone_half(usage_page):
    desktop = tick_rows(usage_page(DESKTOP).evaluate(LABELS_JS))["Credits per day"]
    phone = tick_rows(usage_page(PHONE).evaluate(LABELS_JS))["Credits per day"]
    assert len(desktop) == 6          # 30 days, a label every 5th day from the last one
    assert len(phone) == 3            # every other one of them, still ending on the last day
    assert phone[-1]["text"] == desktop[-1]["text"]
    assert all(lab["size"] >= 12 for lab in desktop)
