"""Cases and what hangs on them: the invariants PostgreSQL and clean() hold."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cases.models import Case, HouseholdMember, IncomeSource
from tests.factories import (
    CaseFactory,
    HomeVisitFactory,
    HouseholdMemberFactory,
    IncomeSourceFactory,
    TeamFactory,
    national_id,
)

pytestmark = pytest.mark.django_db


def refused(**kwargs):
    """The database refuses the write, and nothing of it stays."""
    return pytest.raises(IntegrityError, **kwargs)


def test_case_numbers_are_district_be_year_and_sequence(center):
    first = CaseFactory(center=center, opened_on=datetime.date(2019, 4, 24))
    second = CaseFactory(center=center, opened_on=datetime.date(2019, 5, 1))
    next_year = CaseFactory(center=center, opened_on=datetime.date(2020, 1, 2))
    assert [first.number, second.number, next_year.number] == [
        "1027-2562-0001",
        "1027-2562-0002",
        "1027-2563-0001",
    ]


def test_each_centre_numbers_its_own_cases(center, other_center):
    ours = CaseFactory(center=center, opened_on=datetime.date(2025, 11, 1))
    theirs = CaseFactory(center=other_center, opened_on=datetime.date(2025, 11, 1))
    assert (ours.number, theirs.number) == ("1027-2568-0001", "1001-2568-0001")


def test_a_national_id_is_unique_within_a_centre_but_may_be_blank_many_times(center):
    CaseFactory(center=center, national_id=national_id(5))
    with refused(), transaction.atomic():
        CaseFactory(center=center, national_id=national_id(5))
    CaseFactory(center=center, national_id="")
    CaseFactory(center=center, national_id="")
    assert Case.objects.filter(center=center).count() == 3


def test_validate_constraints_explains_a_duplicate_id_in_thai(center):
    CaseFactory(center=center, national_id=national_id(5))
    duplicate = CaseFactory.build(center=center, national_id=national_id(5))
    with pytest.raises(ValidationError) as error:
        duplicate.validate_constraints()
    assert "มีกรณีที่ใช้เลขประจำตัวประชาชนนี้อยู่แล้วในศูนย์นี้" in str(error.value)


def test_a_bad_checksum_is_refused_by_full_clean(center):
    valid = national_id(5)
    case = CaseFactory.build(center=center, national_id=valid[:-1] + str((int(valid[-1]) + 1) % 10))
    with pytest.raises(ValidationError) as error:
        case.full_clean(exclude=["target_groups"])
    assert list(error.value.message_dict) == ["national_id"]


@pytest.mark.parametrize(
    "factory, field",
    [
        (IncomeSourceFactory, "amount"),
        (HouseholdMemberFactory, "monthly_income"),
    ],
)
def test_money_cannot_be_negative(case, factory, field):
    with refused(match="not_negative"), transaction.atomic():
        factory(case=case, **{field: Decimal("-1")})
    assert not IncomeSource.objects.exists() and not HouseholdMember.objects.exists()


def test_rent_cannot_be_negative(center):
    with refused(match="case_rent_not_negative"), transaction.atomic():
        CaseFactory(center=center, housing="rented", monthly_rent=Decimal("-100"))
    assert not Case.objects.exists()


def test_only_the_seven_official_disability_types_are_stored(center):
    CaseFactory(center=center, disability_types=[1, 3, 7])
    with refused(match="case_disability_types_official"), transaction.atomic():
        CaseFactory(center=center, disability_types=[8])


def test_a_closed_case_has_a_date_and_reason_and_an_open_one_neither(center):
    with refused(match="case_closed_has_date_and_reason"), transaction.atomic():
        CaseFactory(center=center, status="closed", closed_on=datetime.date(2025, 11, 5))
    with refused(match="case_closed_has_date_and_reason"), transaction.atomic():
        CaseFactory(center=center, status="intake", closure_reason="resolved")
    closed = CaseFactory(
        center=center, status="closed", closed_on=datetime.date(2025, 11, 5), closure_reason="died"
    )
    assert Case.objects.get(pk=closed.pk).closure_reason == "died"


def test_a_case_cannot_close_before_it_opened(center):
    with refused(match="case_closed_after_opened"), transaction.atomic():
        CaseFactory(
            center=center,
            opened_on=datetime.date(2025, 11, 5),
            status="closed",
            closed_on=datetime.date(2025, 11, 4),
            closure_reason="resolved",
        )


def test_a_case_team_must_belong_to_the_case_centre(case, other_center):
    case.team = TeamFactory(center=other_center)
    with pytest.raises(ValidationError) as error:
        case.full_clean(exclude=["target_groups"])
    assert list(error.value.message_dict) == ["team"]


def test_rows_of_a_case_carry_its_centre(case):
    member = HouseholdMemberFactory(case=case)
    income = IncomeSourceFactory(case=case)
    visit = HomeVisitFactory(case=case)
    assert {member.center_id, income.center_id, visit.center_id} == {case.center_id}


def test_the_monthly_income_is_the_sum_of_the_sources(case):
    IncomeSourceFactory(case=case, kind="family_support", amount=Decimal("1000"))
    IncomeSourceFactory(case=case, kind="elderly_allowance", amount=Decimal("700"))
    IncomeSourceFactory(case=case, kind="disability_allowance", amount=Decimal("800"))
    assert case.monthly_income() == Decimal("2500.00")


def test_age_counts_birthdays_and_year_only_births(center):
    exact = CaseFactory.build(center=center, birth_date=datetime.date(1940, 4, 25))
    year_only = CaseFactory.build(
        center=center, birth_date=datetime.date(1928, 1, 1), birth_year_only=True
    )
    estimated = CaseFactory.build(center=center, birth_date=None, estimated_age=70)
    on = datetime.date(2019, 4, 24)
    assert (exact.age(on), year_only.age(on), estimated.age(on)) == (78, 91, 70)


def test_a_visit_cannot_be_in_the_future_nor_due_again_before_it_happened(case):
    visit = HomeVisitFactory.build(
        case=case,
        center=case.center,
        visited_at=datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC),
        next_visit_due=datetime.date(2098, 12, 1),
    )
    with pytest.raises(ValidationError) as error:
        visit.full_clean()
    assert set(error.value.message_dict) == {"visited_at", "next_visit_due"}


def test_the_adl_score_stays_within_0_to_20(case):
    with refused(match="visit_adl_score_0_to_20"), transaction.atomic():
        HomeVisitFactory(case=case, adl_score=21)
    assert [HomeVisitFactory.build(adl_score=s).adl_group for s in (20, 12, 11, 5, 4, 0)] == [
        "ติดสังคม",
        "ติดสังคม",
        "ติดบ้าน",
        "ติดบ้าน",
        "ติดเตียง",
        "ติดเตียง",
    ]


@pytest.mark.django_db
def test_a_volunteer_sees_the_rows_of_their_teams_cases_only_while_a_member(
    center, team, case, volunteer_on_team, volunteer_off_team, other_center
):
    """CaseChildQuerySet.visible_to for a volunteer: the rows of cases of a team they
    are an active member of, as Case.visible_to says; none once they leave it, none of
    another team's case, none of another centre's case of a team of the same name."""
    from cases.models import HomeVisit
    from tests.factories import HomeVisitFactory, TeamFactory

    other_team = TeamFactory(center=center)
    theirs = HomeVisitFactory(case=case)
    HomeVisitFactory(case=CaseFactory(center=center, team=other_team))
    HomeVisitFactory(case=CaseFactory(center=center, team=None))
    HomeVisitFactory(case=CaseFactory(center=other_center, team=TeamFactory(center=other_center)))
    user = volunteer_on_team.user
    assert list(HomeVisit.objects.visible_to(user)) == [theirs]
    assert set(HomeVisit.objects.visible_to(user).values_list("case", flat=True)) == set(
        Case.objects.visible_to(user).values_list("pk", flat=True)
    )
    assert not HomeVisit.objects.visible_to(volunteer_off_team.user).exists()
    volunteer_on_team.leave_team(team)
    assert not HomeVisit.objects.visible_to(user).exists()
    volunteer_on_team.join_team(other_team)
    assert list(HomeVisit.objects.visible_to(user).values_list("case__team", flat=True)) == [
        other_team.pk
    ]
