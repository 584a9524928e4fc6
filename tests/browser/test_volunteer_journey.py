"""A volunteer on a phone logs a visit with a photo; the coordinator sees it."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cases.models import Case, HomeVisit
from tests.browser.conftest import log_in, watch_csp
from tests.conftest import load_demo
from tests.images import phone_photo


@pytest.fixture
def demo(settings, transactional_db, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo()


def test_a_volunteer_logs_a_visit_with_a_photo_and_the_coordinator_sees_it(
    demo, live_server, browser, assert_accessible, screenshot, tmp_path
):
    # The volunteer's most overdue case, first on her list; another stays overdue.
    due = Case.objects.overdue().order_by("next_visit_due", "number")
    case = due.filter(team__memberships__volunteer__user__username="volunteer").first()
    other = due.exclude(pk=case.pk).first()
    phone = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    page = phone.new_page()
    page.set_default_timeout(10_000)
    blocked: list[str] = []
    watch_csp(page, blocked)
    log_in(page, live_server, "volunteer", "volunteer-demo-2562")
    page.wait_for_url(live_server.url + reverse("cases:my-cases"))
    assert page.locator(".list-group-item").first.inner_text().count("เกินกำหนด") == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)
    screenshot(page, "my-cases-phone")

    page.get_by_role("link", name=f"บันทึกการเยี่ยมบ้าน: {case.full_name}").click()
    page.wait_for_url(live_server.url + reverse("cases:visit-create", args=[case.pk]))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)
    page.fill("#id_findings", "ผู้สูงอายุนอนติดเตียง บุตรชายดูแล")
    page.fill("#id_adl_score", "3")
    assert page.locator("#adl-group").inner_text() == "ติดเตียง"
    page.fill("#id_needs", "เตียงผู้ป่วย ผ้าอ้อมผู้ใหญ่")
    page.get_by_label("ได้ทบทวนรายการด้านล่างกับครัวเรือนแล้ว").check()
    page.set_input_files("#id_photos", str(phone_photo(tmp_path / "bed.jpg")))
    screenshot(page, "visit-form-phone")
    page.get_by_role("button", name="บันทึกการเยี่ยม").click()
    page.wait_for_url(live_server.url + "/cases/visits/*/")
    assert_accessible(page)
    visit = HomeVisit.objects.get(case=case, findings__startswith="ผู้สูงอายุนอนติดเตียง")
    assert visit.photos.count() == 1
    phone.close()

    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    page.set_default_timeout(10_000)
    watch_csp(page, blocked)
    log_in(page, live_server, "coordinator", "coordinator-demo-2562")
    page.goto(live_server.url + reverse("cases:case-detail", args=[case.pk]))
    assert page.get_by_text("ผู้สูงอายุนอนติดเตียง บุตรชายดูแล").is_visible()
    image = page.get_by_role("img", name="ภาพที่ 1", exact=False).first
    # A thumbnail loads lazily, once in sight: wait for it, then check that it drew.
    image.scroll_into_view_if_needed()
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth > 0")
    assert_accessible(page)
    screenshot(page, "case-with-visit")

    page.goto(live_server.url + reverse("cases:followup-list"))
    overdue = page.locator("tbody").inner_text()
    assert case.number not in overdue
    assert other.number in overdue
    assert_accessible(page)
    desk.close()
    assert not blocked, blocked
