"""In Chromium: the coordinator records a home-modification grant for the seed case whose
house the bank will seize and meets the cap, holds a case conference that adds two plan
actions, prints its record (A4, Thai text in the PDF), and the new pages fit a phone."""

import re

import pytest
from django.urls import reverse

from cases.models import Assistance, Case, CaseConference, PlanAction
from tests.browser.conftest import sign_in, watch_csp
from tests.browser.test_phone import check_page, demo, phone  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


def seized_house_case() -> Case:
    return Case.objects.get(housing=Case.Housing.OWN_AT_RISK, reg_house_no="11")


def test_a_grant_meets_its_cap_and_a_conference_adds_two_plan_actions(
    demo,  # noqa: F811
    live_server,
    page,
    assert_accessible,
):
    case = seized_house_case()
    sign_in(page, live_server, "coordinator")

    page.goto(live_server.url + reverse("cases:case-detail", args=[case.pk]))
    page.get_by_role("link", name="บันทึกการช่วยเหลือ").click()
    page.wait_for_url(live_server.url + reverse("cases:assistance-create", args=[case.pk]))
    assert_accessible(page)
    page.select_option("#id_kind", "home_modification")
    page.fill("#id_amount", "45000")
    page.get_by_role("button", name="บันทึก", exact=True).click()
    alert = page.locator("[data-over-cap]")
    assert "40,000" in alert.inner_text() and "คงเหลือ" in alert.inner_text()
    assert_accessible(page)
    assert not Assistance.objects.filter(case=case).exists()
    page.fill("#id_amount", "40000")
    page.get_by_role("button", name="บันทึก", exact=True).click()
    page.wait_for_url(re.compile(re.escape(reverse("cases:case-detail", args=[case.pk]))))
    assert "40,000" in page.locator('[data-assistance="year"]').inner_text()

    page.goto(live_server.url + reverse("cases:conference-create"))
    assert_accessible(page)
    page.fill("#id_place", "ศูนย์สุขภาพชุมชนคลองกุ่มนิเวศน์")
    page.select_option("#id_cases", str(case.pk))
    page.fill("#id_attendees-0-name", "นายสมชาย ใจงาม")
    page.fill("#id_attendees-0-organisation", "สภาทนายความ")
    team_value = page.locator("#id_decisions-1-owner_team option").nth(1).get_attribute("value")
    for row, what, due in (
        (0, "ส่งต่อสภาทนายความเรื่องบ้านถูกยึด", "20/01/2570"),
        (1, "เยี่ยมบ้านติดตามทุกสัปดาห์", "10/01/2570"),
    ):
        page.select_option(f"#id_decisions-{row}-case", str(case.pk))
        page.fill(f"#id_decisions-{row}-what", what)
        page.fill(f"#id_decisions-{row}-due_on", due)
    page.select_option("#id_decisions-0-owner_agency", index=1)
    page.select_option("#id_decisions-1-owner_team", team_value)
    page.get_by_role("button", name="บันทึกการประชุม").click()
    conference = CaseConference.objects.get()
    page.wait_for_url(live_server.url + reverse("cases:conference-detail", args=[conference.pk]))
    assert_accessible(page)
    assert PlanAction.objects.filter(case=case, conference=conference).count() == 2
    assert case.has_plan()

    # The record prints on A4 with its Thai text (Chromium's PDF, print CSS applied).
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 1, pages
    assert "บันทึกการประชุมทีมสหวิชาชีพ" in page.locator("article").inner_text()
    assert not page.locator("header").is_visible()  # the menu is not printed


def test_the_new_pages_fit_a_phone(demo, live_server, phone, assert_accessible):  # noqa: F811
    case = seized_house_case()
    page = phone.new_page()
    blocked: list[str] = []
    watch_csp(page, blocked)
    sign_in(page, live_server, "coordinator")
    paths = [
        reverse("cases:assistance-create", args=[case.pk]),
        reverse("cases:case-plan", args=[case.pk]),
        reverse("cases:conference-list"),
        reverse("cases:conference-create"),
    ]
    problems = [
        p for path in paths for p in check_page(page, live_server.url + path, assert_accessible)
    ]
    assert not problems, "\n".join(problems)
    assert not blocked, blocked
