"""The case and visit workflows end in model methods, and the rules they keep hold
whoever calls them: a view, a command or the shell."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from cases.models import Case, CaseEvent, HomeVisit, IncomeSource
from tests.factories import CaseFactory, TeamFactory


def test_opening_a_case_records_who_took_the_consent_and_logs_the_opening(center, coordinator):
    case = CaseFactory.build(center=center, consent_method=Case.ConsentMethod.SIGNED)
    case.open(by=coordinator)
    case.refresh_from_db()
    assert case.consent_recorded_by == coordinator and case.consent_recorded_at is not None
    event = case.events.get()
    assert (event.kind, event.by, event.status_to) == (
        CaseEvent.Kind.OPENED,
        coordinator,
        Case.Status.INTAKE,
    )


def test_a_case_opened_without_consent_records_no_consent(center, coordinator):
    case = CaseFactory.build(center=center, consent_method="")
    case.open(by=coordinator)
    case.refresh_from_db()
    assert case.consent_recorded_by is None and case.consent_recorded_at is None


def test_an_edit_stamps_the_consent_only_when_the_consent_changed(case, coordinator):
    case.phone = "0812345678"
    case.save_checked(case.version, by=coordinator, changed=["phone"])
    case.refresh_from_db()
    assert case.consent_recorded_by is None
    case.consent_given_by = "บุตรสาว"
    case.save_checked(case.version, by=coordinator, changed=["consent_given_by"])
    case.refresh_from_db()
    assert case.consent_recorded_by == coordinator


def test_a_closed_case_refuses_a_status_change_in_the_model(case, coordinator):
    case.close(Case.ClosureReason.MOVED, by=coordinator, note="ย้ายไปต่างจังหวัด")
    with translation.override("en"), pytest.raises(ValidationError, match="Reopen the case"):
        case.change_status(Case.Status.ASSESSED, by=coordinator)
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert not case.events.filter(kind=CaseEvent.Kind.STATUS).exists()


def test_a_closed_case_refuses_a_visit_in_the_model(case, coordinator):
    case.close(Case.ClosureReason.MOVED, by=coordinator, note="ย้ายไปต่างจังหวัด")
    visit = HomeVisit(case=case, author=coordinator, visited_at=timezone.now(), purpose="follow_up")
    with (
        translation.override("en"),
        pytest.raises(ValidationError, match="reopen it before logging a visit"),
    ):
        visit.record(by=coordinator)
    assert not HomeVisit.objects.filter(case=case).exists()
    assert not case.events.filter(kind=CaseEvent.Kind.VISIT_LOGGED).exists()


def test_a_logged_visit_keeps_its_parts_and_refreshes_the_case_dates_once(
    case, coordinator, volunteer_on_team
):
    IncomeSource.objects.create(case=case, kind=IncomeSource.Kind.WAGES, amount=3000)
    visited_at = timezone.now() - datetime.timedelta(hours=1)
    visit = HomeVisit(case=case, author=coordinator, visited_at=visited_at, purpose="follow_up")
    with CaptureQueriesContext(connection) as queries:
        visit.record(by=coordinator, volunteers=[volunteer_on_team])
    case_updates = [
        q["sql"] for q in queries if q["sql"].startswith('UPDATE "cases_case" SET "last_visit_at"')
    ]
    assert len(case_updates) == 1
    case.refresh_from_db()
    assert case.last_visit_at == visited_at
    assert case.next_visit_due == visit.next_visit_due
    visit.refresh_from_db()
    assert visit.monthly_income == 3000
    assert list(visit.volunteers.all()) == [volunteer_on_team]
    assert case.events.filter(kind=CaseEvent.Kind.VISIT_LOGGED, by=coordinator).exists()


NOW = timezone.now()


def logged(case, by, days_ago: int, due_in: int) -> HomeVisit:
    """A visit of `days_ago` days ago, the next one due in `due_in` days from today."""
    visit = HomeVisit(
        case=case,
        author=by,
        visited_at=NOW - datetime.timedelta(days=days_ago),
        next_visit_due=timezone.localdate() + datetime.timedelta(days=due_in),
        purpose="follow_up",
    )
    visit.record(by=by)
    return visit


def case_dates(case) -> tuple:
    case.refresh_from_db()
    return case.last_visit_at, case.next_visit_due


def test_the_case_dates_are_the_latest_visits_whatever_order_visits_are_entered(case, coordinator):
    latest = logged(case, coordinator, days_ago=2, due_in=10)
    logged(case, coordinator, days_ago=20, due_in=-5)  # entered late, from a paper form
    assert case_dates(case) == (latest.visited_at, latest.next_visit_due)
    newest = logged(case, coordinator, days_ago=0, due_in=30)
    assert case_dates(case) == (newest.visited_at, newest.next_visit_due)
    # Corrected back in time, the newest is no longer the latest.
    newest.visited_at = NOW - datetime.timedelta(days=40)
    newest.correct(newest.version, by=coordinator, changed=["visit_date"])
    assert case_dates(case) == (latest.visited_at, latest.next_visit_due)


def test_a_new_visit_takes_its_volunteers_as_rows_or_ids_once_each(
    case, coordinator, volunteer_on_team
):
    visit = HomeVisit(case=case, author=coordinator, visited_at=timezone.now(), purpose="follow_up")
    visit.record(by=coordinator, volunteers=[volunteer_on_team, volunteer_on_team.pk])
    assert list(visit.volunteers.all()) == [volunteer_on_team]
    (created,) = visit.history.all()
    assert [row.volunteer for row in created.volunteers.all()] == [volunteer_on_team]


def test_a_new_visit_mends_case_dates_that_are_not_its_visits(case, coordinator):
    """The case's dates are its latest visit's, whatever they held before: a visit
    deleted in bulk (the admin's action) or an edit saved over them leaves them wrong,
    and the next visit logged puts them right."""
    latest = logged(case, coordinator, days_ago=3, due_in=27)
    # As if a later visit had been deleted without the case hearing of it.
    Case.objects.filter(pk=case.pk).update(last_visit_at=NOW, next_visit_due=None)
    logged(case, coordinator, days_ago=10, due_in=20)
    assert case_dates(case) == (latest.visited_at, latest.next_visit_due)
    # As if an edit had saved the dates the case had before its latest visit.
    Case.objects.filter(pk=case.pk).update(last_visit_at=None, next_visit_due=None)
    logged(case, coordinator, days_ago=20, due_in=10)
    assert case_dates(case) == (latest.visited_at, latest.next_visit_due)


def test_a_correction_says_on_the_case_which_fields_changed(case, coordinator):
    visit = HomeVisit(case=case, author=coordinator, visited_at=timezone.now(), purpose="follow_up")
    visit.record(by=coordinator)
    visit.findings = "บ้านรั่ว"
    visit.correct(visit.version, by=coordinator, changed=["what was found"])
    event = case.events.get(kind=CaseEvent.Kind.VISIT_CORRECTED)
    assert "what was found" in event.text and event.by == coordinator


def test_the_proposed_team_is_the_first_target_groups_team_of_the_case_centre(
    center, other_center, coordinator
):
    case = CaseFactory(center=center, team=None)
    groups = list(case.target_groups.order_by("position"))
    assert groups, "the factory gives a case a target group"
    TeamFactory(center=other_center, target_group=groups[0], name="ก ของศูนย์อื่น")
    own = TeamFactory(center=center, target_group=groups[0], name="ข ของศูนย์นี้")
    assert case.proposed_team() == own
