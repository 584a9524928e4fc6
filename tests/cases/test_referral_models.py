"""Referrals as the model says them: letter numbers, the status steps allowed and
refused, the outcome and who read it, the lists (overdue, unread, open) and the visits
that still wait for a referral."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cases.models import Case, Referral, ReferralNeedDismissal, ReferralStatus, ReferralUpdate
from cases.models.referrals import TRANSITIONS
from tests.factories import (
    CaseFactory,
    HomeVisitFactory,
    ReferralFactory,
    UserFactory,
    agency_of,
)

pytestmark = pytest.mark.django_db
S = ReferralStatus
SENT_ON = datetime.date(2025, 11, 3)
REPLY_ON = datetime.date(2025, 11, 10)


def refused_by_the_database(write) -> bool:
    try:
        with transaction.atomic():
            write()
    except IntegrityError:
        return True
    return False


def test_letters_are_numbered_per_centre_and_buddhist_era_year(case, other_center):
    first = ReferralFactory(case=case)
    second = ReferralFactory(case=case)
    theirs = ReferralFactory(case=CaseFactory(center=other_center))
    next_year = ReferralFactory(
        case=case, sent_on=datetime.date(2026, 1, 5), reply_by=datetime.date(2026, 1, 19)
    )
    assert [first.letter_number, second.letter_number] == ["1/2568", "2/2568"]
    assert theirs.letter_number == "1/2568"
    assert next_year.letter_number == "1/2569"
    assert first.center_id == case.center_id


def test_sending_records_the_first_row_of_the_history(case, coordinator):
    referral = ReferralFactory(case=case, by=coordinator)
    (update,) = referral.updates.all()
    assert (update.status_from, update.status_to, update.on, update.by) == (
        "",
        S.SENT,
        SENT_ON,
        coordinator,
    )
    assert referral.created_by == coordinator
    assert referral.status == S.SENT


def test_a_closed_case_is_referred_nowhere(case, coordinator):
    case.close(Case.ClosureReason.RESOLVED, by=coordinator, note="ปิดเรื่องแล้ว")
    with pytest.raises(ValidationError, match="ปิดแล้ว"):
        ReferralFactory(case=case)
    assert not Referral.objects.exists()


def test_a_referral_goes_to_a_national_agency_or_one_of_its_centre(case, other_center):
    national = ReferralFactory(case=case, agency=agency_of(None, "สายด่วน 1300", "hotline"))
    assert national.pk
    with pytest.raises(ValidationError) as error:
        ReferralFactory(case=case, agency=agency_of(other_center))
    assert "agency" in error.value.message_dict
    # And PostgreSQL refuses it whoever writes (migration 0015's trigger).
    foreign = agency_of(other_center, "ทนายอาสา พระนคร")
    assert refused_by_the_database(
        lambda: Referral.objects.filter(pk=national.pk).update(agency=foreign)
    )
    assert Referral.objects.get(pk=national.pk).agency.center_id is None


def test_an_agency_with_referrals_cannot_move_to_another_centre(case, other_center):
    referral = ReferralFactory(case=case)
    agency = referral.agency
    agency.center = other_center
    assert refused_by_the_database(lambda: agency.save())


def test_the_visit_it_came_from_must_be_of_the_same_case(case, center):
    other_visit = HomeVisitFactory(case=CaseFactory(center=center))
    with pytest.raises(ValidationError) as error:
        ReferralFactory(case=case, visit=other_visit)
    assert "visit" in error.value.message_dict


ALLOWED = [(old, new) for old, targets in TRANSITIONS.items() for new in targets]
REFUSED = [(old, new) for old in S for new in S if new not in TRANSITIONS[old] and new != old]
PATH_TO = {
    S.SENT: [],
    S.ACKNOWLEDGED: [S.ACKNOWLEDGED],
    S.IN_PROGRESS: [S.ACKNOWLEDGED, S.IN_PROGRESS],
    S.DONE: [S.ACKNOWLEDGED, S.DONE],
    S.DECLINED: [S.DECLINED],
    S.CANCELLED: [S.CANCELLED],
}


def move(referral, status: str, by=None) -> None:
    referral.change_status(status, by=by, on=REPLY_ON, outcome="ผลการช่วยเหลือ", note="เหตุผล")


def referral_in(status: S, case) -> Referral:
    referral = ReferralFactory(case=case)
    for step in PATH_TO[status]:
        move(referral, step)
    assert referral.status == status
    return referral


@pytest.mark.parametrize(("old", "new"), ALLOWED, ids=[f"{o}->{n}" for o, n in ALLOWED])
def test_each_allowed_step_changes_the_status_and_adds_a_row(case, coordinator, old, new):
    referral = referral_in(old, case)
    rows = referral.updates.count()
    move(referral, new, by=coordinator)
    referral.refresh_from_db()
    assert referral.status == new
    last = referral.updates.last()
    assert (last.status_from, last.status_to, last.on, last.by) == (old, new, REPLY_ON, coordinator)
    assert referral.updates.count() == rows + 1


@pytest.mark.parametrize(("old", "new"), REFUSED, ids=[f"{o}->{n}" for o, n in REFUSED])
def test_each_refused_step_says_why_and_changes_nothing(case, old, new):
    referral = referral_in(old, case)
    rows = referral.updates.count()
    with pytest.raises(ValidationError) as error:
        move(referral, new)
    message = error.value.messages[0]
    if TRANSITIONS[old]:
        assert str(S(old).label) in message and str(S(new).label) in message
    else:
        assert "เปลี่ยนสถานะอีกไม่ได้" in message
    referral.refresh_from_db()
    assert referral.status == old
    assert referral.updates.count() == rows


@pytest.mark.parametrize("status", [S.DONE, S.DECLINED])
def test_done_or_declined_needs_the_outcome(case, status):
    referral = referral_in(S.ACKNOWLEDGED, case)
    with pytest.raises(ValidationError, match="บันทึกผลที่หน่วยงานแจ้ง"):
        referral.change_status(status, by=None, on=REPLY_ON, outcome="   ")
    referral.refresh_from_db()
    assert referral.status == S.ACKNOWLEDGED and referral.outcome == ""
    # PostgreSQL says it too.
    assert refused_by_the_database(
        lambda: Referral.objects.filter(pk=referral.pk).update(status=status)
    )


def test_cancelling_needs_a_reason(case):
    referral = ReferralFactory(case=case)
    with pytest.raises(ValidationError, match="ระบุเหตุผลที่ยกเลิก"):
        referral.change_status(S.CANCELLED, by=None, on=REPLY_ON, note="")
    assert Referral.objects.get(pk=referral.pk).status == S.SENT


def test_an_answer_is_dated_between_the_sending_and_today(case):
    referral = ReferralFactory(case=case)
    with pytest.raises(ValidationError, match="ต้องไม่ก่อนวันที่ส่งต่อ"):
        referral.change_status(S.ACKNOWLEDGED, by=None, on=SENT_ON - datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="อนาคต"):
        referral.change_status(
            S.ACKNOWLEDGED, by=None, on=datetime.date.today() + datetime.timedelta(days=2)
        )
    assert Referral.objects.get(pk=referral.pk).status == S.SENT


def test_the_first_reply_date_is_kept_and_a_cancellation_is_no_reply(case):
    answered = ReferralFactory(case=case)
    answered.change_status(S.ACKNOWLEDGED, by=None, on=REPLY_ON)
    answered.change_status(S.IN_PROGRESS, by=None, on=datetime.date(2025, 11, 20))
    assert Referral.objects.get(pk=answered.pk).replied_on == REPLY_ON
    cancelled = ReferralFactory(case=case)
    cancelled.change_status(S.CANCELLED, by=None, on=REPLY_ON, note="ญาติพาไปเอง")
    assert Referral.objects.get(pk=cancelled.pk).replied_on is None


def test_an_outcome_is_read_once_and_only_when_there_is_one(case, coordinator):
    referral = ReferralFactory(case=case)
    assert referral.mark_outcome_read(by=coordinator) is False
    move(referral, S.DECLINED)
    assert referral.outcome_unread
    assert referral.mark_outcome_read(by=coordinator) is True
    assert referral.mark_outcome_read(by=UserFactory()) is False
    referral.refresh_from_db()
    assert referral.outcome_read_by == coordinator and referral.outcome_read_at is not None
    assert not referral.outcome_unread


def test_the_lists_open_overdue_and_unread(case):
    today = datetime.date(2025, 11, 18)  # the day after the factory's reply-by date
    waiting = ReferralFactory(case=case)
    on_time = ReferralFactory(case=case, reply_by=datetime.date(2025, 11, 30))
    done = referral_in(S.DONE, case)
    read = referral_in(S.DONE, case)
    read.mark_outcome_read(by=None)
    cancelled = referral_in(S.CANCELLED, case)
    referrals = Referral.objects.all()
    assert set(referrals.open()) == {waiting, on_time}
    assert set(referrals.overdue(today)) == {waiting}
    assert set(referrals.unread_outcomes()) == {done}
    assert waiting.is_overdue(today) and not on_time.is_overdue(today)
    assert not cancelled.is_overdue(today) and not done.is_overdue(today)


def test_referrals_are_seen_as_their_case_is(
    case, coordinator, other_coordinator, volunteer_on_team, volunteer_off_team
):
    referral = ReferralFactory(case=case)
    assert list(Referral.objects.visible_to(coordinator)) == [referral]
    assert list(Referral.objects.visible_to(volunteer_on_team.user)) == [referral]
    assert not Referral.objects.visible_to(volunteer_off_team.user).exists()
    assert not Referral.objects.visible_to(other_coordinator).exists()


def test_a_referrals_updates_carry_its_centre_and_are_seen_as_it_is(
    case, coordinator, other_coordinator, volunteer_on_team, volunteer_off_team, other_center
):
    referral = ReferralFactory(case=case)
    move(referral, S.ACKNOWLEDGED, by=coordinator)
    updates = list(referral.updates.order_by("at", "pk"))
    assert [u.status_to for u in updates] == [S.SENT, S.ACKNOWLEDGED]
    assert {u.center_id for u in updates} == {case.center_id}
    assert set(ReferralUpdate.objects.visible_to(coordinator)) == set(updates)
    assert set(ReferralUpdate.objects.visible_to(volunteer_on_team.user)) == set(updates)
    assert not ReferralUpdate.objects.visible_to(volunteer_off_team.user).exists()
    assert not ReferralUpdate.objects.visible_to(other_coordinator).exists()
    # Another centre's, written past the model: the database refuses it.
    assert refused_by_the_database(
        lambda: ReferralUpdate.objects.bulk_create(
            [ReferralUpdate(center=other_center, referral=referral, status_to=S.DONE, on=REPLY_ON)]
        )
    )
    assert referral.updates.count() == 2


def test_an_agencys_figures_count_per_status_and_average_the_days_to_reply(case):
    agency = agency_of(case.center, "ศูนย์ช่วยเหลือทางกฎหมาย")
    one = ReferralFactory(case=case, agency=agency)
    one.change_status(S.ACKNOWLEDGED, by=None, on=SENT_ON + datetime.timedelta(days=2))
    two = ReferralFactory(case=case, agency=agency)
    two.change_status(S.DECLINED, by=None, on=SENT_ON + datetime.timedelta(days=5), outcome="x")
    ReferralFactory(case=case, agency=agency)  # no reply yet: not in the average
    ReferralFactory(case=case)  # another agency's
    stats = Referral.objects.filter(agency=agency).stats()
    assert stats["total"] == 3
    assert (stats["sent"], stats["acknowledged"], stats["declined"]) == (1, 1, 1)
    assert stats["average_reply_days"] == 3.5
    assert Referral.objects.none().stats()["average_reply_days"] is None


def test_a_visit_asking_for_a_referral_waits_until_one_is_made_or_dismissed(case, coordinator):
    asked = HomeVisitFactory(case=case, referral_needed=True)
    HomeVisitFactory(case=case, referral_needed=False)
    waiting = case.visits.needing_referral
    assert list(waiting()) == [asked]
    referral = ReferralFactory(case=case, visit=asked)
    assert list(waiting()) == []
    # A cancelled referral met no need: the visit waits again.
    referral.change_status(S.CANCELLED, by=None, on=REPLY_ON, note="ส่งผิดหน่วยงาน")
    assert list(waiting()) == [asked]
    ReferralNeedDismissal.objects.create(visit=asked, reason="ญาติรับไปดูแลแล้ว", by=coordinator)
    assert list(waiting()) == []
    assert ReferralNeedDismissal.objects.get().center_id == case.center_id


def test_a_closed_cases_visits_wait_for_nothing(case, coordinator):
    HomeVisitFactory(case=case, referral_needed=True)
    case.close(Case.ClosureReason.MOVED, by=coordinator, note="ปิดเรื่องแล้ว")
    assert not case.visits.needing_referral().exists()


def test_the_history_rows_are_kept_in_order(case):
    referral = referral_in(S.DONE, case)
    assert [u.status_to for u in ReferralUpdate.objects.filter(referral=referral)] == [
        S.SENT,
        S.ACKNOWLEDGED,
        S.DONE,
    ]


def test_an_access_request_shows_the_referrals_and_anonymising_blanks_them(case, coordinator):
    visit = HomeVisitFactory(case=case, referral_needed=True)
    ReferralNeedDismissal.objects.create(visit=visit, reason="ญาติรับไปดูแล", by=coordinator)
    referral = ReferralFactory(case=case, agency_contact="คุณสมชาย")
    move(referral, S.DECLINED)
    (shown,) = case.personal_data()["referrals"]
    assert (shown["letter_number"], shown["reason"], shown["outcome"]) == (
        referral.letter_number,
        referral.reason,
        "ผลการช่วยเหลือ",
    )
    assert [u["note"] for u in shown["updates"]] == ["", "เหตุผล"]

    case.anonymise()
    referral.refresh_from_db()
    assert (referral.reason, referral.requested, referral.agency_contact, referral.outcome) == (
        "-",
        "-",
        "",
        "-",
    )
    assert referral.status == S.DECLINED and referral.agency_id  # the figures stay
    assert set(referral.updates.values_list("note", flat=True)) == {""}
    assert ReferralNeedDismissal.objects.get().reason == "-"
