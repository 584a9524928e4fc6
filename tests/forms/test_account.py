"""Logging in and changing one's password, on the pages' own forms."""

from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.forms.rendered import assert_rendered_whole, form_with_field
from tests.forms.test_two_factor import code_now, enter_code


def test_a_coordinator_logs_in_on_the_login_page_and_lands_on_the_case_list(app, coordinator):
    device = TOTPDevice.objects.create(user=coordinator, name="phone", confirmed=True)
    response = app.get(reverse("login"))
    assert_rendered_whole(response, "form")
    rendered = form_with_field(response, "username")
    rendered["username"] = "coordinator"
    rendered["password"] = "password"
    # The second step (tests/forms/test_two_factor.py): the code of the coordinator's app.
    code_page = rendered.submit().maybe_follow()
    page = enter_code(code_page, code_now(device)).follow().follow()

    assert page.request.path == reverse("cases:case-list")
    assert page.context["user"] == coordinator


def test_a_wrong_password_is_refused_in_thai_on_the_login_page(app, coordinator):
    rendered = form_with_field(app.get(reverse("login")), "username")
    rendered["username"] = "coordinator"
    rendered["password"] = "wrong"
    page = rendered.submit()

    assert page.status_int == 200
    # Django's own message, said as Thai says it (its catalogue had doubled spaces).
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง (ตัวพิมพ์ใหญ่และตัวพิมพ์เล็กถือว่าต่างกัน)" in page.text
    assert not page.context["user"].is_authenticated


def test_a_volunteer_changes_their_password_and_logs_in_with_the_new_one(
    app, second_app, volunteer_on_team
):
    user = volunteer_on_team.user
    response = app.get(reverse("password_change"), user=user)
    assert_rendered_whole(response, "form")
    rendered = form_with_field(response, "old_password")
    rendered["old_password"] = "password"
    rendered["new_password1"] = "บ้านริมคลอง-2568"
    rendered["new_password2"] = "บ้านริมคลอง-2568"
    page = rendered.submit().follow()

    assert page.request.path == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password("บ้านริมคลอง-2568")
    login = form_with_field(second_app.get(reverse("login")), "username")
    login["username"] = user.username
    login["password"] = "บ้านริมคลอง-2568"
    assert login.submit().follow().follow().request.path == reverse("cases:my-cases")
