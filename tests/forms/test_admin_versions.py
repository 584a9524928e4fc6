"""An administrator's save in the Django admin is a change like any other: it moves the
case's or the visit's version on, so an edit page opened before it is refused (409)
rather than overwriting it, and a record brought back from the history does not bring
its old version back."""

import pytest
from django.urls import reverse

from cases.models import Case, HomeVisit
from tests.factories import HomeVisitFactory, UserFactory
from tests.forms.rendered import admin_form, form_with_field, submit_and_follow

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(center):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def test_a_visit_changed_in_the_admin_meets_a_correction_page_opened_before(
    app, second_app, case, volunteer_on_team, administrator
):
    visit = HomeVisitFactory(case=case, author=volunteer_on_team.user, findings="หลังคารั่ว")
    correction = form_with_field(
        app.get(reverse("cases:visit-edit", args=[visit.pk]), user=volunteer_on_team.user),
        "findings",
    )
    in_admin = admin_form(
        second_app, reverse("admin:cases_homevisit_change", args=[visit.pk]), administrator
    )
    in_admin["findings"] = "แก้โดยผู้ดูแลระบบ"
    in_admin.submit("_save").follow()
    visit.refresh_from_db()
    assert (visit.findings, visit.version) == ("แก้โดยผู้ดูแลระบบ", 2)

    correction["health"] = "เดินไม่ได้"
    conflict = correction.submit(status=409)
    visit.refresh_from_db()
    assert (visit.findings, visit.health, visit.version) == ("แก้โดยผู้ดูแลระบบ", "", 2)
    assert "มีผู้อื่นบันทึกข้อมูลนี้เมื่อเวลา" in conflict.text


def test_a_visit_changed_in_its_cases_admin_page_moves_on_too(
    second_app, case, volunteer_on_team, administrator
):
    visit = HomeVisitFactory(case=case, author=volunteer_on_team.user, findings="หลังคารั่ว")
    untouched = HomeVisitFactory(case=case, author=volunteer_on_team.user, findings="เดิม")
    in_admin = admin_form(
        second_app, reverse("admin:cases_case_change", args=[case.pk]), administrator
    )
    row = next(i for i in range(2) if in_admin[f"visits-{i}-id"].value == str(visit.pk))
    in_admin[f"visits-{row}-findings"] = "แก้ในหน้ากรณี"
    in_admin.submit("_save").follow()
    visit.refresh_from_db()
    untouched.refresh_from_db()
    assert (visit.findings, visit.version) == ("แก้ในหน้ากรณี", 2)
    assert untouched.version == 1
    case.refresh_from_db()
    assert case.version == 2  # the case's own form was saved too


def test_a_case_brought_back_from_its_history_moves_its_version_on(
    app, second_app, case, coordinator, administrator
):
    first = case.history.earliest()
    edit = form_with_field(
        app.get(reverse("cases:case-edit", args=[case.pk]), user=coordinator), "first_name"
    )
    edit["problems"] = "แก้ครั้งที่หนึ่ง"
    submit_and_follow(edit)
    case.refresh_from_db()
    assert case.version == 2
    stale = form_with_field(
        app.get(reverse("cases:case-edit", args=[case.pk]), user=coordinator), "first_name"
    )

    reverted = admin_form(
        second_app,
        reverse("admin:cases_case_simple_history", args=[case.pk, first.history_id]),
        administrator,
    )
    reverted.submit("_save").follow()
    case.refresh_from_db()
    assert case.problems == first.problems
    assert case.version == 3  # not the 1 it had then

    stale["problems"] = "จากหน้าที่เปิดไว้ก่อน"
    stale.submit(status=409)
    case.refresh_from_db()
    assert (case.problems, case.version) == (first.problems, 3)
    assert Case.objects.count() == 1 and HomeVisit.objects.count() == 0
