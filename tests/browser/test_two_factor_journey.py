"""A coordinator's first login sets up two-step sign-in on a phone; the next login asks
for the app's code; wrong codes lock the login. Real Chromium, TOTPs computed here."""

from base64 import b32decode

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.conftest import authenticator_code, log_in
from tests.factories import UserFactory


@pytest.fixture
def coordinator(transactional_db, center):
    return UserFactory(username="khun-dao", center=center, role="coordinator")


def test_a_coordinator_sets_up_the_app_then_logs_in_with_its_code(
    live_server, browser, coordinator, assert_accessible, screenshot
):
    phone = browser.new_context(viewport={"width": 360, "height": 740})
    page = phone.new_page()
    log_in(page, live_server, "khun-dao", second_step=False)

    # First login: nothing else opens until the app is set up.
    assert page.url.startswith(live_server.url + reverse("two-factor-enrol"))
    page.goto(live_server.url + reverse("cases:case-list"))
    assert page.url.startswith(live_server.url + reverse("two-factor-enrol"))
    qr = page.get_by_role("img", name="คิวอาร์โค้ดสำหรับสแกนด้วยแอปยืนยันตัวตน")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")  # the CSP let it load
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)
    screenshot(page, "two-factor-enrol")

    key = page.locator("#totp-key").inner_text().replace(" ", "")
    key_bytes = b32decode(key + "=" * (-len(key) % 8))
    page.fill("#id_code", authenticator_code(key_bytes))
    page.get_by_role("button", name="ยืนยัน").click()
    codes = page.locator("#backup-codes li").all_inner_texts()
    assert len(codes) == 10
    assert sorted(codes) == sorted(
        StaticToken.objects.filter(device__user=coordinator).values_list("token", flat=True)
    )
    assert_accessible(page)
    page.get_by_role("link", name="เก็บรหัสไว้แล้ว — ดำเนินการต่อ").click()
    page.wait_for_url(live_server.url + reverse("cases:case-list"))

    # The next login asks for the app's code (the next 30-second step's: the
    # one just used is accepted once).
    phone.clear_cookies()  # the browser closed: the session ends with it
    log_in(page, live_server, "khun-dao", second_step=False)
    assert page.url.startswith(live_server.url + reverse("login-code"))
    assert_accessible(page)
    device = TOTPDevice.objects.get(user=coordinator, confirmed=True)
    page.fill("#id_code", authenticator_code(device.bin_key, drift=1))
    page.get_by_role("button", name="ดำเนินการต่อ").click()
    page.wait_for_url(live_server.url + reverse("cases:case-list"))
    phone.close()


def test_five_wrong_codes_lock_the_login(live_server, page, coordinator):
    device = TOTPDevice.objects.create(user=coordinator, name="phone", confirmed=True)
    right = {authenticator_code(device.bin_key, drift) for drift in (-1, 0, 1)}
    wrong = next(code for code in ("000000", "111111", "222222", "333333") if code not in right)
    log_in(page, live_server, "khun-dao", second_step=False)
    for attempt in range(5):
        page.fill("#id_code", wrong)
        page.get_by_role("button", name="ดำเนินการต่อ").click()
        page.wait_for_load_state()
        if attempt < 4:
            assert page.get_by_text("รหัสนี้ไม่ถูกต้อง").is_visible()
    assert page.get_by_role("heading", level=1).inner_text() != "กรอกรหัสเข้าสู่ระบบ"
    # Logged out and locked: the password no longer opens the door either.
    log_in(page, live_server, "khun-dao", second_step=False)
    assert not page.url.startswith(live_server.url + reverse("login-code"))
    assert page.locator("#id_code").count() == 0
