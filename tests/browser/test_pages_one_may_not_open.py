"""A volunteer on a phone follows the links of a case page and lands on pages that
open; what they may not open answers in the site's frame, in Thai, accessibly."""

import pytest
from django.urls import reverse

from tests.browser.conftest import log_in
from tests.factories import VolunteerFactory


@pytest.fixture
def production_errors(settings, transactional_db):
    settings.DEBUG = False


def test_a_volunteer_follows_the_case_page_to_their_own_page_and_meets_a_clear_403(
    production_errors, live_server, browser, assert_accessible, screenshot, center, team,
    volunteer_on_team, case,
):  # fmt: skip
    teammate = VolunteerFactory(center=center, first_name="ประไพ", phone="0891112222")
    teammate.join_team(team, role="leader")
    phone = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    page = phone.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server, volunteer_on_team.user.username)
    page.wait_for_url(live_server.url + reverse("cases:my-cases"))

    page.goto(live_server.url + reverse("cases:case-detail", args=[case.pk]))
    assert page.get_by_role("link", name="ประไพ", exact=False).count() == 0
    page.locator("main").get_by_role("link", name=team.name).click()
    page.wait_for_url(f"{live_server.url}{reverse('volunteers:my-profile')}#team-{team.pk}")
    assert page.get_by_role("heading", level=1).inner_text() == volunteer_on_team.full_name
    assert page.get_by_role("link", name="0891112222").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)
    screenshot(page, "my-profile-phone")

    response = page.goto(live_server.url + reverse("volunteers:team-detail", args=[team.pk]))
    assert response.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "หน้านี้ไม่ได้เปิดให้บัญชีของท่าน"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)

    response = page.goto(live_server.url + "/no-such-page/")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "ไม่มีหน้านี้"
    assert_accessible(page)
    screenshot(page, "404-phone")
    phone.close()


def test_the_500_page_reads_in_thai_and_english_with_nothing_blocked(
    production_errors, settings, live_server, page, assert_accessible, screenshot
):
    """Styled by linked files only (the CSP forbids inline styles): no_csp_violations
    watches the console."""
    settings.ROOT_URLCONF = "tests.error_urls"
    response = page.goto(live_server.url + "/fails/")
    assert response.status == 500
    assert page.get_by_role("heading", level=1).inner_text() == "ระบบขัดข้อง"
    assert page.get_by_role("heading", name="Something went wrong").is_visible()
    assert page.get_by_role("link", name="กลับไปหน้าแรก").is_visible()
    assert_accessible(page)
    screenshot(page, "500")
