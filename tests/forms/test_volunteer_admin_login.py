"""A login linked to a volunteer in the admin opens their cases: an account just added
there has no role, and logged in to "your account has no role yet"."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory, VolunteerFactory
from tests.forms.rendered import admin_form

pytestmark = pytest.mark.django_db


def test_a_login_without_a_role_linked_to_a_volunteer_gets_the_volunteers(app, second_app, center):
    administrator = UserFactory(username="root", is_staff=True, is_superuser=True)
    volunteer = VolunteerFactory(center=center)
    account = UserFactory(username="kanlaya", center=center)
    assert second_app.get(reverse("cases:my-cases"), user=account, status=403)

    form = admin_form(
        app, reverse("admin:volunteers_volunteer_change", args=[volunteer.pk]), administrator
    )
    form["user"].force_value(str(account.pk))  # the autocomplete's choice
    saved = form.submit("_save").follow()
    assert "บัญชีเข้าระบบ kanlaya ยังไม่มีบทบาท: ได้รับบทบาท อพม. แล้ว" in saved.text
    volunteer.refresh_from_db()
    assert volunteer.user == account
    assert list(account.groups.values_list("name", flat=True)) == ["volunteer"]
    assert second_app.get(reverse("cases:my-cases"), user=account).status_int == 200


def test_a_coordinators_login_linked_to_their_volunteer_record_keeps_its_role(
    app, center, coordinator
):
    administrator = UserFactory(username="root", is_staff=True, is_superuser=True)
    volunteer = VolunteerFactory(center=center)
    form = admin_form(
        app, reverse("admin:volunteers_volunteer_change", args=[volunteer.pk]), administrator
    )
    form["user"].force_value(str(coordinator.pk))
    saved = form.submit("_save").follow()
    assert "ยังไม่มีบทบาท" not in saved.text
    assert list(coordinator.groups.values_list("name", flat=True)) == ["coordinator"]
