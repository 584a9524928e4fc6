"""The missed-allowance worklist keeps its answer for a centre until something it reads
changes (cases/allowances.py, Worklist). Each change a person can make (on the case's
edit page, in the admin, a dismissal, a closing, a new rate) shows on the next view of
the list seen before it, as the pages render and submit it; and a new day is a new
answer."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import allowances
from cases.models import AllowanceDismissal, AllowanceRule, Case, HouseholdMember, IncomeSource
from coordination.models import AllowanceRate
from tests.factories import (
    CaseFactory,
    HouseholdMemberFactory,
    IncomeSourceFactory,
    UserFactory,
)
from tests.forms.rendered import (
    admin_form,
    confirm_and_follow,
    form_posting_to,
    form_with_field,
    submit_and_follow,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def born_aged(years: int) -> datetime.date:
    """A birth date `years` ago, a month back so that the age holds all month."""
    return TODAY.replace(year=TODAY.year - years, day=1) - datetime.timedelta(days=31)


def worklist(app, user) -> dict[int, Decimal]:
    """{case: baht missed a month} as the list shows it."""
    page = app.get(reverse("cases:missed-allowance-list"), user=user)
    assert page.context["flagged_count"] == len(page.context["page_obj"].object_list)
    return {row.pk: row.missed for row in page.context["page_obj"]}


@pytest.fixture
def administrator(center):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def edit_page(app, case, user):
    return form_with_field(
        app.get(reverse("cases:case-edit", args=[case.pk]), user=user), "first_name"
    )


def records_the_allowance_at_a_visit(app, case, volunteer) -> None:
    """A volunteer logs a visit and records the older persons' allowance, 600 a month."""
    page = app.get(reverse("cases:visit-create", args=[case.pk]), user=volunteer)
    rendered = form_with_field(page, "findings")
    rendered["findings"] = "ได้รับเบี้ยผู้สูงอายุแล้วตั้งแต่เดือนนี้"
    rendered["income_checked"] = True
    rendered["incomes-0-kind"] = IncomeSource.Kind.ELDERLY_ALLOWANCE
    rendered["incomes-0-amount"] = "600"
    submit_and_follow(rendered)


def test_an_allowance_recorded_on_the_edit_page_takes_the_case_off_the_list_seen_before(
    app, center, team, coordinator
):
    case = CaseFactory(center=center, team=team, birth_date=born_aged(65))
    assert worklist(app, coordinator) == {case.pk: 600}
    rendered = edit_page(app, case, coordinator)
    rendered["incomes-0-kind"] = IncomeSource.Kind.ELDERLY_ALLOWANCE
    rendered["incomes-0-amount"] = "600"
    submit_and_follow(rendered)
    assert worklist(app, coordinator) == {}


def test_an_allowance_a_volunteer_records_at_a_visit_takes_the_case_off_the_list(
    app, center, team, coordinator, volunteer_on_team
):
    case = CaseFactory(center=center, team=team, birth_date=born_aged(65))
    assert worklist(app, coordinator) == {case.pk: 600}
    records_the_allowance_at_a_visit(app, case, volunteer_on_team.user)
    assert worklist(app, coordinator) == {}


def test_an_edit_page_opened_before_a_visit_changed_the_incomes_meets_it(
    app, second_app, center, team, coordinator, volunteer_on_team
):
    """The visit's incomes are the case's: the coordinator's edit page, opened before,
    would write back the incomes it showed. It is refused (409) instead."""
    case = CaseFactory(center=center, team=team, birth_date=born_aged(65))
    long_ago = timezone.make_aware(datetime.datetime(2019, 4, 24, 7, 0))
    Case.objects.filter(pk=case.pk).update(updated_at=long_ago)
    editing = edit_page(app, case, coordinator)
    records_the_allowance_at_a_visit(second_app, case, volunteer_on_team.user)

    editing["phone"] = "0812345678"
    conflict = editing.submit(status=409)
    case.refresh_from_db()
    assert case.phone != "0812345678"
    # When the visit changed it, not when the case itself was last saved.
    assert case.updated_at > long_ago
    saved_at = f"มีผู้อื่นบันทึกข้อมูลนี้เมื่อเวลา {timezone.localtime(case.updated_at):%H:%M}"
    assert saved_at in conflict.text
    assert list(case.incomes.values_list("kind", "amount")) == [
        (IncomeSource.Kind.ELDERLY_ALLOWANCE, Decimal("600.00"))
    ]


def test_a_young_child_added_to_the_household_on_the_edit_page_raises_the_grant(
    app, center, team, coordinator
):
    mother = CaseFactory(center=center, team=team, birth_date=born_aged(30))
    assert worklist(app, coordinator) == {}
    rendered = edit_page(app, mother, coordinator)
    rendered["household-0-relation"] = "child"
    rendered["household-0-name"] = "ลูกชาย"
    rendered["household-0-age"] = "2"
    submit_and_follow(rendered)
    assert worklist(app, coordinator) == {mother.pk: 600}


def test_an_income_changed_then_deleted_in_the_admin_shows_on_the_list(
    app, center, team, coordinator, administrator
):
    case = CaseFactory(center=center, team=team, birth_date=born_aged(75))
    income = IncomeSourceFactory(case=case, center=center, amount=Decimal(600))
    assert worklist(app, coordinator) == {case.pk: 100}  # 700 for 70–79

    change = admin_form(
        app, reverse("admin:cases_incomesource_change", args=[income.pk]), administrator
    )
    change["amount"] = "700"
    change.submit("_save").follow()
    assert worklist(app, coordinator) == {}

    url = reverse("admin:cases_incomesource_delete", args=[income.pk])
    submit_and_follow(form_with_field(app.get(url, user=administrator), "post"))
    assert not IncomeSource.objects.exists()
    assert worklist(app, coordinator) == {case.pk: 700}
    case.refresh_from_db()
    assert case.version == 3  # each change in the admin moved the case on


def test_a_flag_dismissed_or_a_case_closed_leaves_the_list_seen_before(
    app, center, team, coordinator
):
    dismissed = CaseFactory(center=center, team=team, birth_date=born_aged(65))
    closed = CaseFactory(center=center, team=team, birth_date=born_aged(66))
    assert worklist(app, coordinator) == {dismissed.pk: 600, closed.pk: 600}

    url = reverse("cases:case-allowance-dismiss", args=[dismissed.pk])
    rendered = form_with_field(app.get(url + "?rule=elderly_missing", user=coordinator), "reason")
    rendered["reason"] = "รับบำนาญข้าราชการ"
    submit_and_follow(rendered)
    assert worklist(app, coordinator) == {closed.pk: 600}

    page = app.get(reverse("cases:case-detail", args=[closed.pk]), user=coordinator)
    rendered = form_posting_to(page, reverse("cases:case-close", args=[closed.pk]))
    rendered["close-reason"] = Case.ClosureReason.DIED
    rendered["close-note"] = "ถึงแก่กรรม"
    confirm_and_follow(rendered)
    assert worklist(app, coordinator) == {}


def test_a_rate_changed_in_the_admin_shows_from_the_next_view(
    app, center, team, coordinator, administrator
):
    case = CaseFactory(center=center, team=team, birth_date=born_aged(65))
    IncomeSourceFactory(case=case, center=center, amount=Decimal(600))
    assert worklist(app, coordinator) == {}
    rate = AllowanceRate.objects.in_force(TODAY).get(kind="elderly", age_from=60)
    change = admin_form(
        app, reverse("admin:coordination_allowancerate_change", args=[rate.pk]), administrator
    )
    change["monthly_amount"] = "650"
    change.submit("_save").follow()
    assert worklist(app, coordinator) == {case.pk: 50}


def test_a_birthday_is_a_new_answer_the_next_day(center, team):
    tomorrow = TODAY + datetime.timedelta(days=1)
    turning_60 = CaseFactory(
        center=center, team=team, birth_date=tomorrow.replace(year=tomorrow.year - 60)
    )
    cases = Case.objects.filter(center=center)
    assert len(allowances.Worklist(cases, center.pk, TODAY)) == 0
    kept = allowances.Worklist(cases, center.pk, tomorrow)
    assert [(row.pk, row.missed) for row in kept[:]] == [(turning_60.pk, 600)]


# Found in review: states the first key (number of cases, sum of versions, highest id)
# could not tell apart, and changes it did not see.


@pytest.fixture
def national_administrator(center):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def move_in_admin(app, case, to, administrator) -> None:
    change = admin_form(app, reverse("admin:cases_case_change", args=[case.pk]), administrator)
    change["center"].force_value(str(to.pk))
    change["team"].force_value("")
    change.submit("_save").follow()


def test_two_cases_swapped_between_centres_leave_the_list_they_left(
    app, center, other_center, team, coordinator, national_administrator
):
    """Moved one each way, the centre's number of cases, sum of versions and highest id
    stayed the same: the list kept the case now another centre's, with its name."""
    CaseFactory(center=center, team=team, birth_date=born_aged(30))
    leaving = CaseFactory(center=center, team=team, birth_date=born_aged(65), first_name="ย้ายออก")
    coming = CaseFactory(center=other_center, birth_date=born_aged(30))
    CaseFactory(center=center, team=team, birth_date=born_aged(30))
    Case.move_on(leaving.pk)  # a visit's incomes: one version ahead of the one coming
    assert worklist(app, coordinator) == {leaving.pk: 600}
    move_in_admin(app, leaving, other_center, national_administrator)
    move_in_admin(app, coming, center, national_administrator)
    page = app.get(reverse("cases:missed-allowance-list"), user=coordinator)
    assert list(page.context["page_obj"]) == [] and "ย้ายออก" not in page.text
    assert (page.context["flagged_count"], page.context["total_missed"]) == (0, 0)


def test_a_household_member_moved_back_by_a_revert_in_the_admin_leaves_the_case_it_leaves(
    app, center, other_center, team, national_administrator
):
    """A revert's form starts from the old record: the case the row leaves is the one it
    is on now, read before the save."""
    a = CaseFactory(center=center, team=team, birth_date=born_aged(30))
    b = CaseFactory(center=other_center, birth_date=born_aged(30))
    child = HouseholdMemberFactory(case=a, age=2, relation="child")
    change = admin_form(
        app, reverse("admin:cases_householdmember_change", args=[child.pk]), national_administrator
    )
    change["case"].force_value(str(b.pk))
    change.submit("_save").follow()
    theirs = UserFactory(username="other-coordinator", center=other_center, role="coordinator")
    assert worklist(app, theirs) == {b.pk: 600}  # the child grant, now on b

    first = HouseholdMember.history.filter(id=child.pk).order_by("history_id").first()
    url = reverse("admin:cases_householdmember_simple_history", args=[child.pk, first.history_id])
    admin_form(app, url, national_administrator).submit("_save").follow()
    child.refresh_from_db()
    assert child.case_id == a.pk
    assert worklist(app, theirs) == {}


def test_a_dismissal_deleted_after_its_case_moved_raises_the_flag_in_the_new_centre(
    app, center, other_center, team, coordinator, national_administrator
):
    """A dismissal keeps the centre it was made in; the key reads it through its case."""
    case = CaseFactory(center=center, team=team, birth_date=born_aged(65))
    AllowanceDismissal.objects.create(
        case=case, rule=AllowanceRule.ELDERLY_MISSING, reason="รับบำนาญ", by=coordinator
    )
    move_in_admin(app, case, other_center, national_administrator)
    theirs = UserFactory(username="other-coordinator", center=other_center, role="coordinator")
    assert worklist(app, theirs) == {}
    url = reverse(
        "admin:cases_allowancedismissal_delete", args=[AllowanceDismissal.objects.get().pk]
    )
    submit_and_follow(form_with_field(app.get(url, user=national_administrator), "post"))
    assert worklist(app, theirs) == {case.pk: 600}


def test_a_case_closed_from_a_copy_loaded_before_a_visits_change_moves_on_past_it(
    center, team, coordinator
):
    """Its version is counted from the row, locked, not from the copy in hand: two
    changes, two versions (the edit page's lock and the worklist's key rely on it)."""
    case = CaseFactory(center=center, team=team, birth_date=born_aged(65))
    loaded = Case.objects.get(pk=case.pk)
    Case.move_on(case.pk)  # committed meanwhile
    loaded.close(Case.ClosureReason.DIED, by=coordinator, note="ถึงแก่กรรม")
    assert Case.objects.get(pk=case.pk).version == 3
    assert len(allowances.Worklist(Case.objects.all(), center.pk, TODAY)) == 0
