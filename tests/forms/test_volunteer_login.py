"""Giving a volunteer a login and setting the password, on the pages' own forms."""

from django.urls import reverse

from coordination.models import User
from tests.factories import VolunteerFactory
from tests.forms.rendered import assert_rendered_whole, form_posting_to, form_with_field

PASSWORD = "ริมคลองแสนแสบ-2568"


def test_a_coordinator_gives_a_login_and_the_volunteer_sets_a_password_on_the_pages(
    app, second_app, coordinator, center
):
    volunteer = VolunteerFactory(center=center, phone="0867654321")
    detail = app.get(reverse("volunteers:volunteer-detail", args=[volunteer.pk]), user=coordinator)
    page = detail.click(description="สร้างบัญชีเข้าระบบ")
    assert_rendered_whole(page, "form")
    rendered = form_with_field(page, "username")
    assert rendered["username"].value == "0867654321"
    rendered["username"] = "lamom.j"
    issued = rendered.submit()

    assert issued.status_int == 200
    account = User.objects.get(username="lamom.j")
    volunteer.refresh_from_db()
    assert volunteer.user == account
    link = issued.html.find(id="password-link")["value"]

    # The volunteer, in their own browser.
    set_page = second_app.get(link.removeprefix("http://testserver"))
    assert_rendered_whole(set_page, "form")
    rendered = form_with_field(set_page, "new_password1")
    rendered["new_password1"] = PASSWORD
    rendered["new_password2"] = PASSWORD
    login_page = rendered.submit().follow()
    assert "ตั้งรหัสผ่านเรียบร้อยแล้ว" in login_page.text
    rendered = form_with_field(login_page, "username")
    rendered["username"] = "lamom.j"
    rendered["password"] = PASSWORD
    landed = rendered.submit().follow().follow()
    assert landed.request.path == reverse("cases:my-cases")
    assert landed.context["user"] == account


def test_a_too_short_password_is_refused_in_thai_and_nothing_is_set(
    app, second_app, coordinator, center
):
    volunteer = VolunteerFactory(center=center)
    page = app.get(reverse("volunteers:volunteer-account", args=[volunteer.pk]), user=coordinator)
    issued = form_with_field(page, "username").submit()
    link = issued.html.find(id="password-link")["value"].removeprefix("http://testserver")
    rendered = form_with_field(second_app.get(link), "new_password1")
    rendered["new_password1"] = rendered["new_password2"] = "ก1"
    refused = rendered.submit()
    assert refused.status_int == 200
    assert "รหัสผ่านนี้สั้นเกินไป" in refused.text
    volunteer.refresh_from_db()
    assert not volunteer.user.has_usable_password()


def test_the_new_link_button_issues_a_link_that_works(
    app, second_app, coordinator, volunteer_on_team
):
    url = reverse("volunteers:volunteer-account", args=[volunteer_on_team.pk])
    page = app.get(url, user=coordinator)
    issued = form_posting_to(page, "").submit()
    link = issued.html.find(id="password-link")["value"].removeprefix("http://testserver")
    form_with_field(second_app.get(link), "new_password1")  # the link opens its form
    volunteer_on_team.user.refresh_from_db()
    assert not volunteer_on_team.user.has_usable_password()
