"""The dashboard in Chromium: on a phone with nothing sideways and no serious axe finding,
its charts' data one click away, each number leading to a list of as many, and the charts
on paper."""

import re

from django.urls import reverse

from tests.browser import test_phone
from tests.browser.conftest import sign_in, watch_csp
from tests.browser.test_phone import check_page

# The phone pages' fixtures: the demo centre, a 360 px phone.
demo = test_phone.demo
phone = test_phone.phone


def test_the_dashboard_and_the_visit_list_fit_a_phone(demo, live_server, phone, assert_accessible):
    page = phone.new_page()
    blocked: list[str] = []
    watch_csp(page, blocked)
    sign_in(page, live_server, "coordinator")
    paths = [
        reverse("coordination:dashboard"),
        reverse("cases:visit-list"),
        reverse("cases:visit-list") + "?visited_from=2019-04-01&visited_to=2019-04-30",
    ]
    problems = [
        p for path in paths for p in check_page(page, live_server.url + path, assert_accessible)
    ]
    # Opened, the charts' tables fit too.
    page.goto(live_server.url + reverse("coordination:dashboard"))
    for summary in page.locator("details.chart-data summary").all():
        summary.click()
    assert_accessible(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width}px wide with the tables open"
    assert not problems, "\n".join(problems)
    assert not blocked, blocked


def test_a_charts_data_is_one_click_away_and_its_numbers_lead_to_their_lists(
    demo, live_server, page
):
    sign_in(page, live_server, "coordinator")
    page.goto(live_server.url + reverse("coordination:dashboard"))
    chart = page.locator("#chart-visits")
    assert chart.get_by_role("img").get_attribute("aria-labelledby")
    table = page.locator("#chart-visits + details table")
    assert not table.is_visible()
    page.locator("#chart-visits + details summary").click()
    assert table.is_visible()
    months = table.locator("tbody tr")
    assert months.count() == 12
    last = months.nth(11)
    label = last.locator("th").inner_text()
    assert re.fullmatch(r"\S+\. \d\d", label), label  # พ.ย. 69: the Buddhist Era
    shown = int(last.locator("a").inner_text())
    last.locator("a").click()
    page.wait_for_url(re.compile(re.escape(reverse("cases:visit-list"))))
    assert page.locator("#visit-count").inner_text() == f"การเยี่ยมบ้าน {shown} ครั้ง"

    page.goto(live_server.url + reverse("coordination:dashboard"))
    card = page.locator("#figure-open")
    open_cases = int(card.locator(".h2").inner_text())
    card.click()
    page.wait_for_url(re.compile(re.escape(reverse("cases:case-list"))))
    rows = page.locator("main table tbody tr")
    assert rows.count() == min(open_cases, 25)


def test_the_charts_print(demo, live_server, page):
    sign_in(page, live_server, "coordinator")
    page.goto(live_server.url + reverse("coordination:dashboard"))
    page.emulate_media(media="print")
    assert not page.locator("header").is_visible()
    for svg in page.locator("svg.chart-svg").all():
        box = svg.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50
    bars = page.locator("svg.chart-svg rect.chart-bar")
    assert bars.count() > 0
    assert bars.first.evaluate("el => getComputedStyle(el).fill") == "rgb(11, 94, 215)"
    assert page.pdf(format="A4")[:4] == b"%PDF"


def test_a_large_centres_balance_shows_its_extremes_and_every_volunteer_a_tap_away(
    demo, live_server, phone, assert_accessible
):
    from coordination.models import User
    from tests.factories import VolunteerFactory
    from volunteers.models import Volunteer

    centre = User.objects.get(username="coordinator").center
    for i in range(31 - Volunteer.objects.filter(center=centre).active().count()):
        VolunteerFactory(center=centre, first_name=f"อาสา{i:02d}")
    active = Volunteer.objects.filter(center=centre).active().count()
    page = phone.new_page()
    sign_in(page, live_server, "coordinator")
    dashboard = live_server.url + reverse("coordination:dashboard")
    problems = check_page(page, dashboard, assert_accessible)
    rows = page.locator("#load-volunteer + .table-responsive tbody tr")
    assert rows.count() == 20
    # The most and least loaded rows' bar beside the name, not over its first letter.
    for row in ("tr.load-most", "tr.load-least"):
        cell = page.locator(f"#load-volunteer + .table-responsive {row} th").first
        name = cell.locator("a")
        assert name.bounding_box()["x"] >= cell.bounding_box()["x"] + 6, row
    show_all = page.get_by_role("link", name=f"แสดง อพม. ที่ปฏิบัติงานอยู่ทั้ง {active} คน")
    show_all.click()
    page.wait_for_url(re.compile(r"\?volunteers=all#load-volunteer$"))
    assert rows.count() == active
    problems += check_page(page, page.url, assert_accessible)
    assert not problems, "\n".join(problems)
