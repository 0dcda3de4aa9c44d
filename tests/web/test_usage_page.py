"""The usage dashboard (admins only): figures and SVG bars from services/usage, range / chart view /
timezone switched over HTMX with the panel partial, and the activity table's "Load more"."""
import re
from datetime import timedelta

from app.models.base import utcnow
from tests.services import usage_data
from tests.web.conftest import unlabelled_controls

HX = {"HX-Request": "true", "HX-Target": "usage-panel"}


def bars(html: str, chart_id: str) -> list[tuple[str, int]]:
    svg = re.search(rf'<svg[^>]*id="{chart_id}".*?</svg>', html, re.S)
    assert svg, chart_id
    return [(m.group(1), int(m.group(2))) for m in
            re.finditer(r'<rect class="chart-bar[^"]*"[^>]*data-label="([^"]+)" data-value="(\d+)"', svg.group(0))]


def seed(workspace, owner, editor):
    at = utcnow() - timedelta(hours=1)
    usage_data.run(workspace, owner, at, [{"locale": "en-us", "text": "Hello there, world.", "milli": 2000, "ms": 1500},
                                          {"locale": "de-de", "text": "Hallo Welt.", "milli": 1000, "ms": 1000}],
                   credits=3)
    usage_data.run(workspace, editor, at, [{"locale": "de-de", "text": "Noch einmal.", "milli": 1000}], credits=1)
    return at


def test_admin_sees_figures_charts_and_activity(admin_web, owner, workspace, editor):
    at = seed(workspace, owner, editor)
    html = admin_web.text("/usage")
    assert 'href="/usage" aria-current="page">Usage</a>' in html
    assert re.search(r'id="stat-credits".*?<p class="value">4</p>', html, re.S)
    chars = len("Hello there, world.Hallo Welt.Noch einmal.")
    assert re.search(rf'id="stat-characters".*?<p class="value">{chars}</p>', html, re.S)
    assert re.search(r'id="stat-lines".*?<p class="value">3</p>', html, re.S)
    assert re.search(r'id="stat-audio".*?<p class="value">0:04</p>', html, re.S)        # 1.5 + 1 + 1 s
    per_day = bars(html, "chart-per-day")
    # (an hour ago is yesterday just after midnight)
    assert len(per_day) == 30 and [(label, v) for label, v in per_day if v] == [(at.date().isoformat(), 4)]
    assert len(bars(html, "chart-activity")) == 7
    locales = re.findall(r'data-locale="([a-z-]+)"', html)
    assert locales == ["de-de", "en-us"]      # 2 credits each (en 2 of 3 by cost; de 1 + 1): more characters first
    assert html.count('<tr data-action="workflow_run"') == 2
    assert unlabelled_controls(html) == []


def test_range_view_and_timezone_switch_in_place(admin_web, owner, workspace, editor):
    seed(workspace, owner, editor)
    resp = admin_web.get("/usage?range=90d&activity_view=weekly&timezone=Asia/Tokyo", headers=HX)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and html.lstrip().startswith('<div id="usage-panel">') and "<html" not in html
    assert "HX-Request" in resp.headers["Vary"] and resp.headers["Cache-Control"] == "no-store"
    assert len(bars(html, "chart-per-day")) == 90 and len(bars(html, "chart-activity")) == 12
    assert 'value="90d" checked' in html and 'value="weekly" checked' in html
    assert '<option value="Asia/Tokyo" selected>' in html and "Last 12 weeks" in html
    assert 'hx-get="/usage" hx-trigger="change" hx-target="#usage-panel" hx-swap="outerHTML"' in html
    # a zone outside the short list is kept as an option
    assert '<option value="Pacific/Chatham" selected>' in admin_web.text("/usage?timezone=Pacific/Chatham")


def test_bad_parameters_fall_back_to_defaults_with_a_message(admin_web):
    resp = admin_web.get("/usage?timezone=Mars/Olympus")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "must be an IANA timezone" in html
    assert '<option value="UTC" selected>' in html and len(bars(html, "chart-per-day")) == 30


def test_only_admins_see_the_dashboard(login_as, workspace, editor, viewer):
    for user in (editor, viewer):
        web = login_as(user)
        assert web.get("/usage").status_code == 403
        assert web.get("/usage/activity").status_code == 403
        assert 'href="/usage"' not in web.text("/home")


def test_load_more_pages_the_activity_table(admin_web, owner, workspace):
    start = utcnow() - timedelta(hours=2)
    for i in range(15):
        usage_data.event(workspace, owner, start + timedelta(minutes=i), ip="198.51.100.4")
    html = admin_web.text("/usage")
    first = re.findall(r'<tr data-action="[a-z_]+" data-id="([0-9a-f-]+)"', html)
    assert len(first) == 10 and "198.51.100.4" in html
    more = re.search(r'hx-get="(/usage/activity\?[^"]+)"', html).group(1).replace("&amp;", "&")
    page = admin_web.get(more, headers={"HX-Request": "true"}).get_data(as_text=True)
    rest = re.findall(r'<tr data-action="[a-z_]+" data-id="([0-9a-f-]+)"', page)
    assert len(rest) == 5 and not set(rest) & set(first) and "Load more" not in page
    assert admin_web.get(more[:-3] + "xyz").status_code == 422


def test_axis_labels_are_exact_and_one_credit_is_singular(admin_web, owner, workspace):
    """An axis up to 1 credit is labelled 0, 0.5, 1 (not 0, 0, 1) and up to 5 is 0, 2.5, 5; one credit reads as
    '1 credit' in the activity total, the peak and the language share."""
    from app.web.usage_charts import columns
    assert [g[2] for g in columns([("a", 1, "a")], unit="credit").gridlines] == ["0", "0.5", "1"]
    assert [g[2] for g in columns([("a", 4, "a")], unit="credit").gridlines] == ["0", "2.5", "5"]
    assert [g[2] for g in columns([("a", 1500, "a")], unit="credit").gridlines] == ["0", "1,000", "2,000"]
    usage_data.run(workspace, owner, utcnow() - timedelta(hours=1),
                   [{"locale": "en-us", "text": "Hello there.", "milli": 1000, "ms": 900}], credits=1)
    html = admin_web.text("/usage")
    per_day = html.split('id="chart-per-day"')[0].rsplit('class="colchart"', 1)[1]
    assert re.findall(r'class="chart-axis" style="top: [\d.]+%">([^<]+)<', per_day) == ["0", "0.5", "1"]
    assert "1 credit ·" in html and "(1 credit)" in html and "share of 1 credit<" in html
    assert "1 credits" not in html
