"""Two-step sign-in, through the pages as a person meets them: the password, then the
code of an authenticator app (computed here from the device's key, as the app does)."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from coordination.models import AccessLog
from tests.factories import UserFactory
from tests.forms.rendered import assert_rendered_whole, form_with_field

pytestmark = pytest.mark.django_db


def code_now(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def log_in_with_password(app, username: str, password: str = "password"):
    rendered = form_with_field(app.get(reverse("login")), "username")
    rendered["username"], rendered["password"] = username, password
    return rendered.submit().maybe_follow()


def enter_code(page, code: str):
    assert_rendered_whole(page, "form")
    rendered = form_with_field(page, "code")
    rendered["code"] = code
    return rendered.submit()


@pytest.fixture
def device(coordinator) -> TOTPDevice:
    return TOTPDevice.objects.create(user=coordinator, name="phone", confirmed=True)


def test_a_coordinator_with_an_app_enters_its_code_after_the_password(app, coordinator, device):
    page = log_in_with_password(app, "coordinator")
    assert page.request.path == reverse("login-code")
    # Nothing of the centre opens before the code.
    blocked = app.get(reverse("cases:case-list"))
    assert blocked.status_int == 302 and blocked["Location"].startswith(reverse("login-code"))

    page = enter_code(page, code_now(device)).maybe_follow()
    assert page.request.path == reverse("cases:case-list")
    assert page.context["user"] == coordinator


def test_a_wrong_code_is_refused_in_thai_and_the_session_stays_unverified(app, coordinator, device):
    page = enter_code(
        log_in_with_password(app, "coordinator"),
        "000000" if code_now(device) != "000000" else "111111",
    )
    assert page.status_int == 200
    assert "รหัสนี้ไม่ถูกต้อง" in page.text
    assert app.get(reverse("cases:case-list")).status_int == 302
    assert AccessAttempt.objects.get(username="coordinator").failures_since_start == 1


def test_five_wrong_codes_lock_the_login_and_end_the_half_signed_in_session(
    app, coordinator, device
):
    page = log_in_with_password(app, "coordinator")
    wrong = "000000" if code_now(device) != "000000" else "111111"
    for _ in range(4):
        page = enter_code(page, wrong)
        assert page.status_int == 200
    rendered = form_with_field(page, "code")
    rendered["code"] = wrong
    locked = rendered.submit(status=429)
    assert "ล็อก" in locked.text or "Login locked" in locked.text
    # Logged out: the code page now sends to the login page, and the password is refused.
    assert app.get(reverse("login-code")).status_int == 302
    again = form_with_field(app.get(reverse("login")), "username")
    again["username"], again["password"] = "coordinator", "password"
    assert again.submit(status=429).status_int == 429
    assert AccessAttempt.objects.get(username="coordinator").failures_since_start >= 5


def test_a_right_password_does_not_forget_the_wrong_codes(app, coordinator, device):
    wrong = "000000" if code_now(device) != "000000" else "111111"
    enter_code(log_in_with_password(app, "coordinator"), wrong)
    app.reset()
    log_in_with_password(app, "coordinator")
    assert AccessAttempt.objects.get(username="coordinator").failures_since_start == 1


def test_a_coordinator_without_an_app_must_set_one_up_first(app, coordinator):
    page = log_in_with_password(app, "coordinator")
    assert page.request.path == reverse("two-factor-enrol")
    assert app.get(reverse("coordination:dashboard")).status_int == 302
    assert_rendered_whole(page, "form")
    image = page.html.find("img", src=lambda src: src and src.startswith("data:image/svg+xml"))
    assert image is not None and image["alt"]
    assert not page.html.select("[style]")  # the CSP allows no inline style

    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    shown = page.html.find(id="totp-key").text.replace(" ", "")
    from base64 import b32encode

    assert shown == b32encode(device.bin_key).decode().rstrip("=")
    codes_page = enter_code(page, code_now(device))
    assert codes_page.status_int == 200
    codes = [li.text for li in codes_page.html.select("#backup-codes li")]
    assert len(codes) == 10 and len(set(codes)) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert sorted(
        StaticToken.objects.filter(device__user=coordinator).values_list("token", flat=True)
    ) == sorted(codes)
    # Shown once: the page of a set-up account lists none.
    assert not app.get(reverse("two-factor-enrol")).html.select("#backup-codes")
    assert app.get(reverse("cases:case-list")).status_int == 200


def test_a_backup_code_replaces_the_apps_code_once(app, coordinator, device):
    backup = StaticDevice.objects.create(user=coordinator, name="backup codes")
    backup.token_set.create(token="abcd1234")
    page = enter_code(log_in_with_password(app, "coordinator"), "abcd1234").maybe_follow()
    assert page.request.path == reverse("cases:case-list")
    assert not backup.token_set.exists()

    app.reset()
    page = enter_code(log_in_with_password(app, "coordinator"), "abcd1234")
    assert page.status_int == 200 and "รหัสนี้ไม่ถูกต้อง" in page.text


def test_a_volunteer_without_an_app_logs_in_with_the_password_alone(app, volunteer_on_team):
    page = log_in_with_password(app, "volunteer-on-team").maybe_follow()
    assert page.request.path == reverse("cases:my-cases")


def test_a_volunteer_may_set_up_an_app_and_is_then_asked_for_its_code(app, volunteer_on_team):
    log_in_with_password(app, "volunteer-on-team")
    page = app.get(reverse("two-factor-enrol"))
    assert not page.html.select(".alert-info")  # optional: no "required" notice
    device = TOTPDevice.objects.get(user=volunteer_on_team.user)
    enter_code(page, code_now(device))
    app.reset()
    page = log_in_with_password(app, "volunteer-on-team")
    assert page.request.path == reverse("login-code")


def test_the_admin_waits_for_the_code_too(app, center):
    staff = UserFactory(username="centre-admin", center=center, is_staff=True, role="centre_admin")
    TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    log_in_with_password(app, "centre-admin")
    response = app.get(reverse("admin:index"))
    assert response.status_int == 302 and response["Location"].startswith(reverse("login-code"))


def test_the_code_page_returns_to_the_page_asked_for_but_never_off_site(app, coordinator, device):
    login_page = app.get(reverse("cases:followup-list")).follow()  # anonymous: log in first
    rendered = form_with_field(login_page, "username")
    rendered["username"], rendered["password"] = "coordinator", "password"
    page = rendered.submit().maybe_follow()
    rendered = form_with_field(page, "code")
    assert rendered["next"].value == reverse("cases:followup-list")
    rendered["next"] = "https://evil.example/"
    rendered["code"] = code_now(device)
    assert rendered.submit()["Location"] == reverse("home")


def test_a_reset_second_factor_ends_the_sessions_and_asks_to_set_up_again(app, coordinator, device):
    page = enter_code(log_in_with_password(app, "coordinator"), code_now(device)).maybe_follow()
    assert page.request.path == reverse("cases:case-list")
    coordinator.reset_second_factor()
    assert app.get(reverse("cases:case-list")).status_int == 302  # logged out
    page = log_in_with_password(app, "coordinator")
    assert page.request.path == reverse("two-factor-enrol")
    assert not AccessLog.objects.filter(action="reset_2fa").exists()  # logged by the admin action


def test_the_page_asked_for_keeps_its_query_through_the_second_step(app, coordinator, device):
    app.get(reverse("login"))  # a session cookie, as a browser has
    log_in_with_password(app, "coordinator")
    asked = reverse("cases:case-list") + "?status=intake&team=1"
    redirect = app.get(asked)
    page = redirect.follow()
    assert page.request.path == reverse("login-code")
    rendered = form_with_field(page, "code")
    assert rendered["next"].value == asked
    rendered["code"] = code_now(device)
    assert rendered.submit()["Location"] == asked
