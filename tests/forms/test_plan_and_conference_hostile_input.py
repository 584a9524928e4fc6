"""Hostile text on the assistance, plan and conference forms: a form error or a safe
save, never a 500, never markup rendered as markup, nothing half-saved."""

import pytest
from django.urls import reverse

from cases.models import Assistance, Case, CaseConference, ConferenceAttendee, PlanAction, PlanGoal
from tests.forms.rendered import form_with_field, submit_and_follow
from tests.test_hostile_input import HOSTILE_TEXT

pytestmark = pytest.mark.django_db


def saved_rows() -> tuple:
    return tuple(
        model.objects.count()
        for model in (Assistance, PlanGoal, PlanAction, CaseConference, ConferenceAttendee)
    )


def answer_is_safe(response) -> None:
    assert response.status_int in (200, 302)
    page = response.follow() if response.status_int == 302 else response
    assert "<script>alert" not in page.text and "<img src=x" not in page.text


@pytest.mark.parametrize("value", HOSTILE_TEXT, ids=["markup", "huge", "nul"])
@pytest.mark.parametrize("field", ["description", "exception_reason"])
def test_the_assistance_form(app, coordinator, case, field, value):
    page = app.get(reverse("cases:assistance-create", args=[case.pk]), user=coordinator)
    form = form_with_field(page, "amount")
    form["kind"] = Assistance.Kind.GOODS
    form["amount"] = "10"
    form["over_cap"] = True
    form["exception_reason"] = "เหตุผล"
    form[field] = value
    response = form.submit()
    answer_is_safe(response)
    if response.status_int == 200:
        assert saved_rows() == (0, 0, 0, 0, 0)


@pytest.mark.parametrize("amount", ["99999999999", "1e5", "NaN", "-0.01", "1.005"])
def test_strange_amounts_are_refused(app, coordinator, case, amount):
    page = app.get(reverse("cases:assistance-create", args=[case.pk]), user=coordinator)
    form = form_with_field(page, "amount")
    form["kind"] = Assistance.Kind.GOODS
    form["amount"] = amount
    assert form.submit().status_int == 200
    assert Assistance.objects.count() == 0


@pytest.mark.parametrize("value", HOSTILE_TEXT, ids=["markup", "huge", "nul"])
@pytest.mark.parametrize("field", ["goals-0-text", "actions-0-what", "actions-0-note"])
def test_the_plan_form(app, coordinator, case, team, field, value):
    page = app.get(reverse("cases:case-plan", args=[case.pk]), user=coordinator)
    form = form_with_field(page, "goals-TOTAL_FORMS")
    form["goals-0-text"] = "เป้าหมาย"
    form["actions-0-what"] = "งาน"
    form["actions-0-owner_team"] = str(team.pk)
    form["actions-0-due_on"] = "01/12/2569"
    form[field] = value
    response = form.submit()
    answer_is_safe(response)
    if response.status_int == 200:
        assert saved_rows() == (0, 0, 0, 0, 0)


@pytest.mark.parametrize("value", HOSTILE_TEXT, ids=["markup", "huge", "nul"])
@pytest.mark.parametrize("field", ["place", "summary", "attendees-0-name", "decisions-0-what"])
def test_the_conference_form(app, coordinator, case, team, field, value):
    page = app.get(reverse("cases:conference-create"), user=coordinator)
    form = form_with_field(page, "decisions-TOTAL_FORMS")
    form["place"] = "ห้องประชุม"
    form["decisions-0-case"] = str(case.pk)
    form["decisions-0-what"] = "ติดตาม"
    form["decisions-0-owner_team"] = str(team.pk)
    form["decisions-0-due_on"] = "01/12/2569"
    form[field] = value
    response = form.submit()
    answer_is_safe(response)
    if response.status_int == 200:
        assert saved_rows() == (0, 0, 0, 0, 0)


def test_a_closed_cases_plan_and_assistance_cannot_be_changed(app, coordinator, case):
    case.close(Case.ClosureReason.RESOLVED, by=coordinator, note="ช่วยเหลือครบแล้ว")
    for name in ("cases:case-plan", "cases:assistance-create"):
        response = app.get(reverse(name, args=[case.pk]), user=coordinator)
        assert response.status_int == 302
        assert response.follow().html.select(".alert")


def test_a_saved_conference_with_hostile_text_reads_as_text(app, coordinator, case, team):
    page = app.get(reverse("cases:conference-create"), user=coordinator)
    form = form_with_field(page, "decisions-TOTAL_FORMS")
    form["place"] = HOSTILE_TEXT[0][:300]
    form["summary"] = HOSTILE_TEXT[0]
    form["cases"] = [str(case.pk)]
    record = submit_and_follow(form)
    assert "<script>alert" not in record.text
    assert CaseConference.objects.get().summary == HOSTILE_TEXT[0]


def test_a_decision_without_its_case_asks_for_the_case_and_does_not_blame_its_owner(
    app, coordinator, case, team
):
    """With no case, no centre to compare the owner with: the owner was said to be of
    another centre."""
    page = app.get(reverse("cases:conference-create"), user=coordinator)
    form = form_with_field(page, "decisions-TOTAL_FORMS")
    form["place"] = "ห้องประชุม"
    form["decisions-0-what"] = "ติดตาม"
    form["decisions-0-owner_team"] = str(team.pk)
    form["decisions-0-due_on"] = "01/12/2569"
    response = form.submit()
    assert response.status_int == 200
    assert "ผู้รับผิดชอบต้องอยู่ในศูนย์ประสานงานเดียวกับกรณี" not in response.text
    assert "กรุณากรอกข้อมูลช่องนี้" in response.text  # the case, required
    assert saved_rows() == (0, 0, 0, 0, 0)


def test_a_decision_without_an_owner_is_told_so_once(app, coordinator, case):
    page = app.get(reverse("cases:conference-create"), user=coordinator)
    form = form_with_field(page, "decisions-TOTAL_FORMS")
    form["place"] = "ห้องประชุม"
    form["decisions-0-case"] = str(case.pk)
    form["decisions-0-what"] = "ติดตาม"
    form["decisions-0-due_on"] = "01/12/2569"
    response = form.submit()
    assert response.status_int == 200 and saved_rows() == (0, 0, 0, 0, 0)
    errors = response.html.select_one("#id_decisions-0-owner_team").find_parent("div")
    assert errors.text.count("เลือกผู้รับผิดชอบ: ทีม อาสาสมัคร หรือหน่วยงาน") == 1
