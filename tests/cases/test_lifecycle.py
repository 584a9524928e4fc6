"""The case lifecycle as model methods: intake → assessed → in assistance → follow-up →
closed → reopened (assessed). Each step allowed, each refused with its reason, and
nothing saved when refused."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from cases.models import (
    Assistance,
    Case,
    CaseEvent,
    CaseMerge,
    Debt,
    HouseholdMember,
    PlanAction,
    PlanGoal,
)
from tests.factories import CaseFactory, HomeVisitFactory, HouseholdMemberFactory, ReferralFactory

S = Case.Status
NOTE = "ได้รับความช่วยเหลือครบแล้ว"


def refused(case: Case, status: str) -> str:
    """The refusal's message (in English); asserts nothing of the case changed."""
    before = (case.status, case.version, case.events.count())
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            case.change_status(status, by=None)
        message = error.value.messages[0]
    case.refresh_from_db()
    assert (case.status, case.version, case.events.count()) == before
    return message


def test_intake_becomes_assessed_once_a_visit_is_recorded(case, coordinator):
    assert refused(case, S.ASSESSED) == "Record a home visit before marking the case assessed."
    HomeVisitFactory(case=case)
    case.refresh_from_db()
    assert case.proposes_assessment()  # the case page suggests it
    case.change_status(S.ASSESSED, by=coordinator, note="ประเมินแล้ว")
    case.refresh_from_db()
    assert case.status == S.ASSESSED and not case.proposes_assessment()
    event = case.events.get(kind=CaseEvent.Kind.STATUS)
    assert (event.status_from, event.status_to, event.by, event.note) == (
        S.INTAKE,
        S.ASSESSED,
        coordinator,
        "ประเมินแล้ว",
    )


def test_assessed_becomes_in_assistance_only_with_a_plan_or_a_referral(center):
    case = CaseFactory(center=center, status=S.ASSESSED)
    HomeVisitFactory(case=case)
    assert not case.has_help_arranged()
    assert refused(case, S.IN_ASSISTANCE) == (
        "Make a case plan or a referral before marking the case in assistance."
    )


def test_assessed_becomes_in_assistance_with_a_planned_action(center, coordinator, team):
    case = CaseFactory(center=center, status=S.ASSESSED, team=team)
    HomeVisitFactory(case=case)
    PlanAction.objects.create(
        case=case, what="พาไปพบทนาย", owner_team=team, due_on=datetime.date.today()
    )
    assert case.has_help_arranged() and case.status_refusal(S.IN_ASSISTANCE) is None
    case.change_status(S.IN_ASSISTANCE, by=coordinator)
    case.refresh_from_db()
    assert case.status == S.IN_ASSISTANCE


def test_in_assistance_becomes_follow_up(center, coordinator):
    case = CaseFactory(center=center, status=S.IN_ASSISTANCE)
    case.change_status(S.FOLLOW_UP, by=coordinator)
    case.refresh_from_db()
    assert case.status == S.FOLLOW_UP
    assert case.events.get().status_from == S.IN_ASSISTANCE


def test_follow_up_goes_back_to_in_assistance_only_with_help_arranged(center):
    case = CaseFactory(center=center, status=S.FOLLOW_UP)
    assert case.next_statuses() == (S.IN_ASSISTANCE,)
    assert "case plan or a referral" in refused(case, S.IN_ASSISTANCE)


@pytest.mark.parametrize(
    "start, wanted",
    [
        (S.IN_ASSISTANCE, S.INTAKE),  # the jump the issue reports
        (S.ASSESSED, S.INTAKE),
        (S.FOLLOW_UP, S.INTAKE),
        (S.INTAKE, S.IN_ASSISTANCE),
        (S.INTAKE, S.FOLLOW_UP),
        (S.ASSESSED, S.FOLLOW_UP),
        (S.FOLLOW_UP, S.ASSESSED),
        (S.IN_ASSISTANCE, S.ASSESSED),
        (S.ASSESSED, S.ASSESSED),
    ],
)
def test_a_step_the_lifecycle_does_not_have_is_refused(center, start, wanted):
    case = CaseFactory(center=center, status=start)
    HomeVisitFactory(case=case)  # a visit does not open a way the lifecycle lacks
    case.refresh_from_db()
    message = refused(case, wanted)
    with translation.override("en"):
        labels = str(S(start).label), str(S(wanted).label)
    assert message == f"A case that is “{labels[0]}” cannot become “{labels[1]}”."
    assert wanted not in case.next_statuses()


def test_a_made_up_status_is_refused(case):
    assert "cannot become" in refused(case, "archived")


def test_closing_goes_through_close_with_its_reason(case):
    assert refused(case, S.CLOSED) == "Close a case with its reason."


@pytest.mark.parametrize("start", [S.INTAKE, S.ASSESSED, S.IN_ASSISTANCE, S.FOLLOW_UP])
def test_a_case_closes_from_any_open_status_with_a_reason_and_a_note(center, coordinator, start):
    case = CaseFactory(center=center, status=start)
    assert case.close_blockers() == []
    case.close(Case.ClosureReason.DIED, by=coordinator, note="ถึงแก่กรรม")
    case.refresh_from_db()
    assert (case.status, case.closure_reason, case.closed_on) == (
        S.CLOSED,
        Case.ClosureReason.DIED,
        timezone.localdate(),
    )
    event = case.events.get(kind=CaseEvent.Kind.CLOSED)
    assert (event.status_from, event.note) == (start, "ถึงแก่กรรม")


@pytest.mark.parametrize(
    "reason, note, field",
    [
        (Case.ClosureReason.RESOLVED, "", "note"),
        (Case.ClosureReason.RESOLVED, "   ", "note"),
        ("", NOTE, "reason"),
        ("forgotten", NOTE, "reason"),
        (Case.ClosureReason.DUPLICATE, NOTE, "kept_case"),  # a duplicate of which case?
    ],
)
def test_closing_without_a_reason_or_a_note_is_refused(case, coordinator, reason, note, field):
    with pytest.raises(ValidationError) as error:
        case.close(reason, by=coordinator, note=note)
    assert field in error.value.message_dict
    case.refresh_from_db()
    assert case.status == S.INTAKE and not case.events.exists()


def test_a_closed_case_cannot_close_again_nor_change_status(case, coordinator):
    case.close(Case.ClosureReason.MOVED, by=coordinator, note="ย้ายไปต่างจังหวัด")
    with translation.override("en"):
        assert case.close_blockers() == ["This case is already closed."]
        with pytest.raises(ValidationError, match="already closed"):
            case.close(Case.ClosureReason.RESOLVED, by=coordinator, note=NOTE)
    assert case.next_statuses() == ()
    assert refused(case, S.ASSESSED) == "Reopen the case before changing its status."


def test_a_reopened_case_goes_back_to_assessed(case, coordinator):
    HomeVisitFactory(case=case)
    case.close(Case.ClosureReason.REFUSED, by=coordinator, note="ปฏิเสธความช่วยเหลือ")
    case.reopen(by=coordinator, note="กลับมาขอความช่วยเหลือ")
    case.refresh_from_db()
    assert (case.status, case.closure_reason, case.closed_on) == (S.ASSESSED, "", None)
    assert case.events.filter(kind=CaseEvent.Kind.REOPENED).get().status_to == S.ASSESSED


def test_a_reopened_case_never_visited_goes_back_to_intake(case, coordinator):
    """Assessed needs a visit: the status form refuses it to a case never visited, and
    reopening (or undoing a merge) must not put one there."""
    case.close(Case.ClosureReason.REFUSED, by=coordinator, note="ปฏิเสธความช่วยเหลือ")
    case.reopen(by=coordinator, note="กลับมาขอความช่วยเหลือ")
    case.refresh_from_db()
    assert (case.status, case.closure_reason, case.closed_on) == (S.INTAKE, "", None)
    assert case.events.filter(kind=CaseEvent.Kind.REOPENED).get().status_to == S.INTAKE


def test_an_open_case_cannot_be_reopened(case, coordinator):
    with translation.override("en"), pytest.raises(ValidationError, match="Only a closed"):
        case.reopen(by=coordinator)


# The estimated age ages with time


def test_an_estimated_age_grows_from_the_day_it_was_estimated(center):
    case = CaseFactory(
        center=center,
        birth_date=None,
        estimated_age=79,
        estimated_age_on=datetime.date(2024, 4, 24),
    )
    assert case.age(on=datetime.date(2024, 4, 24)) == 79
    assert case.age(on=datetime.date(2025, 4, 23)) == 79
    assert case.age(on=datetime.date(2025, 4, 24)) == 80
    assert case.age(on=datetime.date(2026, 11, 26)) == 81


def test_an_estimate_without_its_day_stays_as_it_was(center):
    case = CaseFactory(center=center, birth_date=None, estimated_age=79, estimated_age_on=None)
    assert case.age(on=datetime.date(2030, 1, 1)) == 79


# Closing as a duplicate: a merge, undoable


@pytest.fixture
def pair(center):
    kept = CaseFactory(center=center, status=S.ASSESSED)
    duplicate = CaseFactory(center=center)
    return kept, duplicate


def test_closing_as_a_duplicate_moves_the_visits_to_the_kept_case(pair, coordinator, team):
    kept, duplicate = pair
    old_visit = HomeVisitFactory(case=kept)
    goal = PlanGoal.objects.create(case=duplicate, text="ยายยังมีบ้านอยู่")
    action = PlanAction.objects.create(
        case=duplicate, what="พาไปพบทนาย", owner_team=team, due_on=datetime.date.today()
    )
    help_given = Assistance(
        case=duplicate, kind="goods", amount=Decimal(500), given_on=datetime.date.today()
    )
    help_given.record(by=coordinator)
    moved = [
        HomeVisitFactory(
            case=duplicate, visited_at=datetime.datetime(2025, 11, d, tzinfo=datetime.UTC)
        )
        for d in (3, 4)
    ]
    member = HouseholdMemberFactory(case=duplicate)
    duplicate.refresh_from_db()

    duplicate.close(Case.ClosureReason.DUPLICATE, by=coordinator, note="ลงทะเบียนซ้ำ", kept=kept)

    duplicate.refresh_from_db()
    kept.refresh_from_db()
    assert (duplicate.status, duplicate.duplicate_of) == (S.CLOSED, kept)
    assert set(kept.visits.all()) == {old_visit, *moved}
    assert not duplicate.visits.exists()
    assert kept.last_visit_at == moved[-1].visited_at  # the kept case's dates follow
    assert duplicate.last_visit_at is None
    # The household stays where it was recorded.
    assert HouseholdMember.objects.get().case == duplicate == member.case
    merge = CaseMerge.objects.get()
    assert (merge.case, merge.kept, merge.merged_by) == (duplicate, kept, coordinator)
    assert merge.moved == {
        "cases.homevisit": [v.pk for v in moved],
        "cases.assistance": [help_given.pk],
        "cases.plangoal": [goal.pk],
        "cases.planaction": [action.pk],
        "cases.referral": [],
    }
    for row in (goal, action, help_given):
        row.refresh_from_db()
        assert row.case == kept
    assert duplicate.events.filter(kind=CaseEvent.Kind.MERGED).exists()
    assert duplicate.number in kept.events.get(kind=CaseEvent.Kind.MERGED).text


def test_undoing_a_merge_moves_back_exactly_what_moved_and_reopens_the_duplicate(pair, coordinator):
    kept, duplicate = pair
    moved = HomeVisitFactory(case=duplicate)
    duplicate.close(Case.ClosureReason.DUPLICATE, by=coordinator, note="ลงทะเบียนซ้ำ", kept=kept)
    since = HomeVisitFactory(case=kept)  # logged on the kept case after the merge

    with translation.override("en"), pytest.raises(ValidationError, match="undo the merge"):
        duplicate.reopen(by=coordinator)
    CaseMerge.objects.get().undo(by=coordinator)

    duplicate.refresh_from_db()
    kept.refresh_from_db()
    assert list(duplicate.visits.all()) == [moved]
    assert list(kept.visits.all()) == [since]
    assert (duplicate.status, duplicate.closure_reason, duplicate.duplicate_of) == (
        S.ASSESSED,
        "",
        None,
    )
    merge = CaseMerge.objects.get()
    assert merge.undone_by == coordinator and merge.undone_at is not None
    assert kept.events.filter(kind=CaseEvent.Kind.MERGE_UNDONE).exists()
    assert duplicate.events.filter(kind=CaseEvent.Kind.REOPENED).exists()
    with pytest.raises(ValidationError):
        merge.undo(by=coordinator)


def test_a_case_of_another_centre_cannot_be_the_kept_case(case, other_center, coordinator):
    foreign = CaseFactory(center=other_center)
    HomeVisitFactory(case=case)
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            case.close(Case.ClosureReason.DUPLICATE, by=coordinator, note=NOTE, kept=foreign)
        assert error.value.message_dict["kept_case"] == ["No case with this number in this centre."]
    case.refresh_from_db()
    assert case.status == S.INTAKE and case.visits.count() == 1
    assert not CaseMerge.objects.exists()


def test_a_case_is_no_duplicate_of_itself_nor_of_a_closed_case(pair, coordinator):
    kept, duplicate = pair
    with pytest.raises(ValidationError):
        duplicate.close(Case.ClosureReason.DUPLICATE, by=coordinator, note=NOTE, kept=duplicate)
    kept.close(Case.ClosureReason.MOVED, by=coordinator, note="ย้ายออก")
    with translation.override("en"), pytest.raises(ValidationError, match="reopen it first"):
        duplicate.close(Case.ClosureReason.DUPLICATE, by=coordinator, note=NOTE, kept=kept)
    duplicate.refresh_from_db()
    assert duplicate.status == S.INTAKE


def test_the_database_refuses_a_duplicate_link_without_the_reason(pair):
    kept, duplicate = pair
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=duplicate.pk).update(duplicate_of=kept)


# What the story needs the form to hold


def test_a_debt_cannot_be_negative_in_the_database(case):
    with pytest.raises(IntegrityError), transaction.atomic():
        Debt.objects.create(case=case, creditor="ธนาคาร", kind="mortgage", amount=Decimal("-1"))
    debt = Debt.objects.create(case=case, creditor="ธนาคาร", kind="mortgage", amount=Decimal(0))
    assert debt.center_id == case.center_id


def test_only_a_carer_stops_work_to_care(case):
    member = HouseholdMemberFactory.build(case=case, is_carer=False, caring_stops_work=True)
    with pytest.raises(ValidationError) as error:
        member.full_clean()
    assert "is_carer" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        member.save()


def test_the_data_migration_dates_existing_estimates_from_their_creation(center):
    from django.apps import apps

    migration = importlib.import_module("cases.migrations.0015_lifecycle_date_the_estimated_ages")
    estimated = CaseFactory(center=center, birth_date=None, estimated_age=79)
    born = CaseFactory(center=center)
    Case.objects.filter(pk=estimated.pk).update(
        created_at=datetime.datetime(2019, 4, 24, 10, tzinfo=datetime.UTC)
    )
    migration.date_the_estimates(apps, None)
    estimated.refresh_from_db()
    born.refresh_from_db()
    assert estimated.estimated_age_on == datetime.date(2019, 4, 24)
    assert born.estimated_age_on is None
    assert estimated.age(on=datetime.date(2026, 4, 24)) == 86


# Referrals in the lifecycle: help arranged, a blocker for closing, moved by a merge


def test_a_referral_arranges_help_and_an_open_one_stops_the_case_closing(center, coordinator):
    case = CaseFactory(center=center, status=S.ASSESSED)
    HomeVisitFactory(case=case)
    referral = ReferralFactory(case=case)
    assert case.has_help_arranged()
    case.change_status(S.IN_ASSISTANCE, by=coordinator)
    with translation.override("en"):
        assert case.close_blockers() == [
            f"The referral {referral.letter_number} to {referral.agency.name} is still open: "
            "record its outcome or cancel it first."
        ]
        with pytest.raises(ValidationError, match="still open"):
            case.close(Case.ClosureReason.RESOLVED, by=coordinator, note="ช่วยเหลือแล้ว")
    case.refresh_from_db()
    assert case.status == S.IN_ASSISTANCE
    referral.change_status("cancelled", by=coordinator, on=referral.sent_on, note="ไม่ต้องแล้ว")
    assert case.close_blockers() == []
    case.close(Case.ClosureReason.RESOLVED, by=coordinator, note="ช่วยเหลือแล้ว")
    case.refresh_from_db()
    assert case.status == S.CLOSED


def test_closing_as_a_duplicate_moves_an_open_referral_instead_of_stopping(pair, coordinator):
    kept, duplicate = pair
    referral = ReferralFactory(case=duplicate)
    duplicate.close(Case.ClosureReason.DUPLICATE, by=coordinator, note="ซ้ำ", kept=kept)
    referral.refresh_from_db()
    assert referral.case == kept and referral.is_open
    merge = CaseMerge.objects.get()
    merge.undo(by=coordinator)
    referral.refresh_from_db()
    assert referral.case == duplicate
