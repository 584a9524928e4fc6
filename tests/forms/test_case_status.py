"""A case's status, its closing and reopening, from the forms on the case page."""

from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseEvent
from tests.factories import HomeVisitFactory
from tests.forms.rendered import (
    assert_renders_every_field,
    confirm_and_follow,
    form_posting_to,
    form_with_field,
    submit_and_follow,
)


def case_page(app, case, user):
    return app.get(reverse("cases:case-detail", args=[case.pk]), user=user)


def test_a_coordinator_marks_a_visited_case_assessed_with_a_note(app, case, coordinator):
    HomeVisitFactory(case=case)
    response = case_page(app, case, coordinator)
    rendered = form_with_field(response, "note")  # the suggestion's form has no note
    assert rendered.action == reverse("cases:case-status", args=[case.pk])
    assert_renders_every_field(rendered, response.context["status_form"])
    # Only where the lifecycle leads from intake is offered.
    assert [value for value, _s, _t in rendered["status"].options] == [Case.Status.ASSESSED]

    rendered["status"] = Case.Status.ASSESSED
    rendered["note"] = "เยี่ยมบ้านครั้งแรกแล้ว"
    page = submit_and_follow(rendered)

    assert "เปลี่ยนสถานะแล้ว" in page.text
    case.refresh_from_db()
    assert case.status == Case.Status.ASSESSED
    event = case.events.get(kind=CaseEvent.Kind.STATUS)
    assert (event.status_from, event.status_to, event.note, event.by) == (
        Case.Status.INTAKE,
        Case.Status.ASSESSED,
        "เยี่ยมบ้านครั้งแรกแล้ว",
        coordinator,
    )


def test_a_coordinator_closes_a_case_with_its_reason(app, case, coordinator):
    response = case_page(app, case, coordinator)
    rendered = form_posting_to(response, reverse("cases:case-close", args=[case.pk]))
    assert_renders_every_field(rendered, response.context["close_form"])

    rendered["close-reason"] = Case.ClosureReason.MOVED
    rendered["close-note"] = "ย้ายไปอยู่กับลูกที่เชียงใหม่"
    assert rendered["close-kept_case"].value == ""  # only for a duplicate
    asking = rendered.submit()
    # The retention period as a person reads it: not "1825 วัน" alone.
    assert "เมื่อครบ 1,825 วัน (ประมาณ 5 ปี) หลังปิดกรณี" in asking.text
    page = confirm_and_follow(rendered)

    assert f"ปิดกรณี {case.number} แล้ว" in page.text
    case.refresh_from_db()
    assert (case.status, case.closure_reason, case.closed_on) == (
        Case.Status.CLOSED,
        Case.ClosureReason.MOVED,
        timezone.localdate(),
    )
    assert case.events.get(kind=CaseEvent.Kind.CLOSED).note == "ย้ายไปอยู่กับลูกที่เชียงใหม่"
    # A closed case offers reopening instead of the status and close forms.
    assert reverse("cases:case-status", args=[case.pk]) not in [
        form.action for form in page.forms.values()
    ]


def test_a_coordinator_reopens_a_closed_case_with_a_note(app, case, coordinator):
    HomeVisitFactory(case=case)
    case.close(Case.ClosureReason.RESOLVED, by=coordinator, note="ได้รับการช่วยเหลือแล้ว")
    response = case_page(app, case, coordinator)
    rendered = form_posting_to(response, reverse("cases:case-reopen", args=[case.pk]))
    assert_renders_every_field(rendered, response.context["reopen_form"])

    rendered["note"] = "กลับมาขอความช่วยเหลืออีก"
    page = submit_and_follow(rendered)

    assert f"เปิดกรณี {case.number} อีกครั้งแล้ว" in page.text
    case.refresh_from_db()
    # A reopened case starts again from its assessment.
    assert (case.status, case.closure_reason, case.closed_on) == (
        Case.Status.ASSESSED,
        "",
        None,
    )
    assert case.events.get(kind=CaseEvent.Kind.REOPENED).note == "กลับมาขอความช่วยเหลืออีก"


def test_reopening_without_a_reason_is_refused_and_the_case_stays_closed(app, case, coordinator):
    case.close(Case.ClosureReason.RESOLVED, by=coordinator, note="ได้รับการช่วยเหลือแล้ว")
    response = case_page(app, case, coordinator)
    rendered = form_posting_to(response, reverse("cases:case-reopen", args=[case.pk]))
    # Where the case returns is said before it is reopened.
    assert "กรณีจะกลับไปที่ “ประเมินแล้ว”" in response.text and "“รับเรื่อง”" in response.text
    page = submit_and_follow(rendered)

    assert "ระบุเหตุผลที่เปิดกรณีอีกครั้ง" in page.text
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert not case.events.filter(kind=CaseEvent.Kind.REOPENED).exists()


def test_a_volunteer_on_the_team_is_offered_none_of_these_forms(app, case, volunteer_on_team):
    response = case_page(app, case, volunteer_on_team.user)
    actions = {form.action for form in response.forms.values()}
    for name in ("case-status", "case-close", "case-reopen"):
        assert reverse(f"cases:{name}", args=[case.pk]) not in actions
