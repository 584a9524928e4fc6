"""The agency directory on the 360 px phone and on a desktop: axe finds nothing
serious, nothing is wider than the screen, every target is big enough, and a
coordinator adds, finds and deactivates an agency through the pages."""

from django.urls import reverse

from coordination.models import Agency
from tests.browser.conftest import sign_in, watch_csp
from tests.browser.test_desktop import DESKTOP, walk
from tests.browser.test_phone import check_page, demo, phone  # noqa: F401 (fixtures)


def agency_paths() -> list[str]:
    own = Agency.objects.filter(center__isnull=False).order_by("pk").first()
    national = Agency.objects.get(phone="1300")
    return [
        reverse("coordination:agency-list"),
        reverse("coordination:agency-list") + "?kind=hotline&inactive=on",
        reverse("coordination:agency-create"),
        reverse("coordination:agency-detail", args=[own.pk]),
        reverse("coordination:agency-detail", args=[national.pk]),
        reverse("coordination:agency-edit", args=[own.pk]),
    ]


def test_the_agency_pages_fit_a_phone(demo, live_server, phone, assert_accessible):  # noqa: F811
    page = phone.new_page()
    blocked: list[str] = []
    watch_csp(page, blocked)
    sign_in(page, live_server, "coordinator")
    problems = [
        p
        for path in agency_paths()
        for p in check_page(page, live_server.url + path, assert_accessible)
    ]
    assert not problems, "\n".join(problems)
    assert not blocked, blocked


def test_the_agency_pages_on_a_desktop(demo, live_server, browser, assert_accessible):  # noqa: F811
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, live_server, "coordinator")
    problems = walk(page, live_server, agency_paths(), assert_accessible)
    context.close()
    assert not problems, "\n".join(problems)


def test_a_coordinator_adds_an_agency_finds_it_and_deactivates_it(
    demo,  # noqa: F811
    live_server,
    phone,  # noqa: F811
    assert_accessible,
):
    page = phone.new_page()
    sign_in(page, live_server, "coordinator")
    page.goto(live_server.url + reverse("coordination:agency-list"))
    page.get_by_role("link", name="เพิ่มหน่วยงาน").click()
    page.locator("#id_name").fill("สถานีตำรวจนครบาลบึงกุ่ม")
    page.locator("#id_kind").select_option("police")
    page.locator("#id_phone").fill("02-123-4567")
    page.locator("#id_services").fill("รับแจ้งความ")
    page.get_by_role("button", name="บันทึก").click()
    page.get_by_role("heading", name="สถานีตำรวจนครบาลบึงกุ่ม").wait_for()
    agency = Agency.objects.get(name="สถานีตำรวจนครบาลบึงกุ่ม")
    assert (agency.kind, agency.phone, agency.active) == ("police", "021234567", True)

    page.goto(live_server.url + reverse("coordination:agency-list"))
    page.locator("#id_q").fill("แจ้งความ")
    page.get_by_role("button", name="ค้นหา", exact=True).click()
    page.get_by_role("link", name="สถานีตำรวจนครบาลบึงกุ่ม").click()
    page.get_by_role("button", name="เลิกใช้งาน").click()
    page.wait_for_url("**/deactivate/")  # and its load: a click may return before either
    assert_accessible(page)  # the confirmation page
    page.get_by_role("button", name="ใช่ เลิกใช้งาน").click()
    page.get_by_text("สถานีตำรวจนครบาลบึงกุ่ม ไม่ใช้งานแล้ว").wait_for()
    agency.refresh_from_db()
    assert not agency.active
