"""A coordinator registers a volunteer and gives them a login; the volunteer scans the
link on their phone, sets a password and sees their cases; they leave, and the login
ends with them."""

import pytest
from django.urls import reverse

from cases.models import Case
from tests.browser.conftest import log_in, pass_second_step, watch_csp
from tests.browser.test_offline import wait_until_refreshed
from tests.conftest import load_demo
from tests.factories import national_id
from volunteers.models import Team, Volunteer

PASSWORD = "ทุ่งบึงกุ่ม-2568"


@pytest.fixture
def demo(settings, transactional_db):
    settings.DEBUG = True
    load_demo()


def test_a_volunteer_gets_a_login_sets_a_password_on_a_phone_and_loses_it_on_leaving(
    demo, live_server, browser, assert_accessible, screenshot
):
    blocked: list[str] = []
    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    office = desk.new_page()
    office.set_default_timeout(10_000)
    watch_csp(office, blocked)
    log_in(office, live_server, "coordinator", "coordinator-demo-2562", second_step=False)
    pass_second_step(office, "coordinator")
    office.goto(live_server.url + reverse("volunteers:volunteer-create"))
    office.select_option("#id_prefix", "mrs")
    office.fill("#id_first_name", "ระเบียบ")
    office.fill("#id_last_name", "ถี่ถ้วน")
    office.fill("#id_national_id", national_id(90210))
    office.fill("#id_phone", "0865551234")
    office.get_by_role("button", name="บันทึก").click()
    office.wait_for_url(live_server.url + "/volunteers/*/")
    volunteer = Volunteer.objects.get(national_id=national_id(90210))

    # Onto the older persons' team, on its page.
    team = Team.objects.get(center=volunteer.center, target_group__code="elderly")
    office.goto(live_server.url + reverse("volunteers:team-detail", args=[team.pk]))
    # The form is a page of its own, a link away (with the list of volunteers to choose).
    office.get_by_role("link", name="เพิ่มสมาชิก").click()
    office.wait_for_url(live_server.url + reverse("volunteers:team-add-member", args=[team.pk]))
    assert_accessible(office)
    office.select_option("#id_volunteer", str(volunteer.pk))
    office.locator("form:has(#id_volunteer) button[type=submit]").click()
    office.wait_for_url(live_server.url + reverse("volunteers:team-detail", args=[team.pk]))
    assert volunteer.memberships.active().filter(team=team).exists()

    office.goto(live_server.url + reverse("volunteers:volunteer-detail", args=[volunteer.pk]))
    office.get_by_role("link", name="สร้างบัญชีเข้าระบบ").click()
    assert office.input_value("#id_username") == "0865551234"
    assert_accessible(office)
    office.get_by_role("button", name="สร้างบัญชีเข้าระบบ").click()
    link = office.input_value("#password-link")
    qr = office.get_by_role("img", name="คิวอาร์โค้ดของลิงก์สำหรับตั้งรหัสผ่าน")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 100")
    assert_accessible(office)
    screenshot(office, "volunteer-login-issued")

    # The volunteer's phone: a browser of its own, 360 px wide.
    phone = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    mobile = phone.new_page()
    mobile.set_default_timeout(10_000)
    watch_csp(mobile, blocked)
    mobile.goto(link)
    assert "0865551234" in mobile.locator("main, body").first.inner_text()
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(mobile)
    screenshot(mobile, "password-set-phone")
    mobile.fill("#id_new_password1", PASSWORD)
    mobile.fill("#id_new_password2", PASSWORD)
    mobile.get_by_role("button", name="ตั้งรหัสผ่าน").click()
    mobile.wait_for_url(live_server.url + reverse("login"))
    assert "ตั้งรหัสผ่านเรียบร้อยแล้ว" in mobile.content()
    log_in(mobile, live_server, "0865551234", PASSWORD, second_step=False)
    mobile.wait_for_url(live_server.url + reverse("cases:my-cases"))
    a_case = Case.objects.open().filter(team=team).order_by("number").first()
    assert a_case.full_name in mobile.locator("main, body").first.inner_text()
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 360
    # Her phone's worker keeps her pages for use without a signal, one request after
    # another: under a loaded suite they held the office's next click past its 10 s.
    wait_until_refreshed(mobile)

    # The link was for once.
    spent = phone.new_page()
    spent.goto(link)
    assert "ลิงก์นี้ใช้ไม่ได้แล้ว" in spent.locator("#link-refused").inner_text()
    spent.close()

    # She leaves the volunteers.
    office.goto(live_server.url + reverse("volunteers:volunteer-detail", args=[volunteer.pk]))
    office.select_option("#id_status", "left")
    office.locator("form:has(#id_status) button[type=submit]").click()
    office.locator("button[name=confirmed]").click()
    office.wait_for_url(
        live_server.url + reverse("volunteers:volunteer-detail", args=[volunteer.pk])
    )

    mobile.goto(live_server.url + reverse("cases:my-cases"))
    assert mobile.url.startswith(live_server.url + reverse("login"))
    log_in(mobile, live_server, "0865551234", PASSWORD, second_step=False)
    assert mobile.url.startswith(live_server.url + reverse("login"))
    assert mobile.locator("#id_password").is_visible()
    assert not blocked, blocked
    phone.close()
    desk.close()
