"""A national administrator moves a case to another centre in the admin (a case opened
at the wrong centre). Every row of a case carries the case's centre, and lists and pages
show a row to the centre on it: the rows moved with the case, or the centre it left kept
seeing them and the one it joined did not."""

import pytest
from django.urls import reverse

from cases.models import Case, CaseEvent, Debt, HomeVisit, HouseholdMember, IncomeSource, Referral
from tests.factories import (
    CaseFactory,
    DebtFactory,
    HomeVisitFactory,
    HouseholdMemberFactory,
    IncomeSourceFactory,
    ReferralFactory,
    UserFactory,
)
from tests.forms.rendered import admin_form


def administrator():
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def move_form(app, case, to, user):
    change = admin_form(app, reverse("admin:cases_case_change", args=[case.pk]), user)
    change["center"].force_value(str(to.pk))
    change["team"].force_value("")
    return change


def test_a_case_opened_at_the_wrong_centre_moves_with_its_household_incomes_and_debts(
    app, center, other_center, team, coordinator, other_coordinator
):
    case = CaseFactory(center=center, team=team, first_name="เปิดผิดศูนย์")
    HouseholdMemberFactory(case=case)
    IncomeSourceFactory(case=case)
    DebtFactory(case=case)
    case.log(CaseEvent.Kind.OPENED, by=coordinator)
    move_form(app, case, other_center, administrator()).submit("_save").follow()

    case.refresh_from_db()
    assert case.center_id == other_center.pk and case.team is None
    for model in (HouseholdMember, IncomeSource, Debt, CaseEvent):
        rows = model.objects.filter(case=case)
        assert rows.exists() and {row.center_id for row in rows} == {other_center.pk}, model
    # Seen by the centre it joined, with its household; the centre it left has lost it.
    page = app.get(reverse("cases:case-detail", args=[case.pk]), user=other_coordinator)
    assert "เปิดผิดศูนย์" in page.text
    assert HouseholdMember.objects.get(case=case).name in page.text
    gone = app.get(
        reverse("cases:case-detail", args=[case.pk]), user=coordinator, expect_errors=True
    )
    assert gone.status_code == 404


def test_a_case_with_work_done_by_its_centre_does_not_move_and_the_administrator_is_told_why(
    app, center, other_center, team, coordinator
):
    """A visit, a referral (its letter numbered by the centre that sent it): that centre's
    work stays with it. The person who moved away is closed there as moved away and opened
    at the other centre."""
    case = CaseFactory(center=center, team=team, first_name="มีงานแล้ว")
    visit = HomeVisitFactory(case=case)
    referral = ReferralFactory(case=case)
    HouseholdMemberFactory(case=case)
    page = move_form(app, case, other_center, administrator()).submit("_save")

    assert page.status_code == 200  # the form again, with the reason
    error = page.html.select_one(".field-center .errorlist").text
    assert "ปิดกรณี" in error and "ย้ายออกนอกพื้นที่" in error
    case.refresh_from_db()
    assert (case.center_id, case.team_id) == (center.pk, team.pk)
    assert HomeVisit.objects.get(pk=visit.pk).center_id == center.pk
    assert Referral.objects.get(pk=referral.pk).center_id == center.pk
    assert HouseholdMember.objects.get(case=case).center_id == center.pk
    # The centre's lists still show its work.
    assert "มีงานแล้ว" in app.get(reverse("cases:referral-list"), user=coordinator).text


def test_the_same_case_saved_at_its_own_centre_moves_nothing(app, center, team):
    """Only a change of centre touches the rows (a save at the same centre does not)."""
    case = CaseFactory(center=center, team=team)
    HomeVisitFactory(case=case)
    change = admin_form(app, reverse("admin:cases_case_change", args=[case.pk]), administrator())
    member = HouseholdMemberFactory(case=case)
    change["first_name"] = "แก้ชื่อ"
    change.submit("_save").follow()
    case.refresh_from_db()
    assert case.first_name == "แก้ชื่อ" and case.center_id == center.pk
    assert HouseholdMember.objects.get(pk=member.pk).center_id == center.pk


def test_the_centre_a_case_left_no_longer_reads_its_history_in_the_admin(
    app, center, other_center, team
):
    """The rows were moved without a history record of their own, and the admin read a
    record's centre from its latest version: the centre left kept its history pages."""
    case = CaseFactory(center=center, team=team)
    member = HouseholdMemberFactory(case=case)
    move_form(app, case, other_center, administrator()).submit("_save").follow()
    ours = UserFactory(username="ours", center=center, role="centre_admin", is_staff=True)
    theirs = UserFactory(username="theirs", center=other_center, role="centre_admin",
                         is_staff=True)  # fmt: skip
    first = case.history.order_by("history_id").first()
    urls = [
        reverse("admin:cases_householdmember_history", args=[member.pk]),
        reverse("admin:cases_case_history", args=[case.pk]),
        reverse("admin:cases_case_simple_history", args=[case.pk, first.history_id]),
    ]
    # A version's page: the centre that has the case may read, not revert (403).
    for url, answer in zip(urls, (200, 200, 403), strict=True):
        assert app.get(url, user=ours, expect_errors=True).status_code == 404, url
        assert app.get(url, user=theirs, expect_errors=True).status_code == answer, url


def test_a_save_naming_the_centres_column_brings_the_rows_too(center, other_center, team):
    case = CaseFactory(center=center, team=team)
    member = HouseholdMemberFactory(case=case)
    case = Case.objects.get(pk=case.pk)
    case.center_id, case.team_id = other_center.pk, None
    case.save(update_fields=["center_id", "team_id"])
    member.refresh_from_db()
    assert member.center_id == other_center.pk


def test_a_case_with_work_done_does_not_move_by_any_path(center, other_center, team):
    """The admin's form says why; a save from elsewhere (a script, the shell) is refused
    too, with the case locked, and nothing moves."""
    from django.core.exceptions import ValidationError

    case = CaseFactory(center=center, team=team)
    visit = HomeVisitFactory(case=case)
    case = Case.objects.get(pk=case.pk)
    case.center, case.team = other_center, None
    with pytest.raises(ValidationError):
        case.save()
    assert Case.objects.get(pk=case.pk).center_id == center.pk
    assert HomeVisit.objects.get(pk=visit.pk).center_id == center.pk


def test_a_move_rolled_back_is_made_again_with_its_rows(center, other_center, team):
    from django.db import transaction

    case = CaseFactory(center=center, team=team)
    member = HouseholdMemberFactory(case=case)
    case = Case.objects.get(pk=case.pk)
    case.center, case.team = other_center, None
    with pytest.raises(RuntimeError), transaction.atomic():
        case.save()
        raise RuntimeError
    case.save()
    member.refresh_from_db()
    assert (Case.objects.get(pk=case.pk).center_id, member.center_id) == (other_center.pk,) * 2


def test_rows_left_behind_by_an_earlier_move_are_brought_to_their_case(center, other_center, team):
    """Migration 0040: a case moved before its rows followed it. Its household and
    events join it; a visit, work of the centre it left, stays there."""
    import importlib

    from django.db import connection

    migration = importlib.import_module("cases.migrations.0040_rows_follow_their_moved_case")
    case = CaseFactory(center=center, team=team)
    member = HouseholdMemberFactory(case=case)
    event = case.log(CaseEvent.Kind.OPENED, by=None)
    visit = HomeVisitFactory(case=case)
    Case.objects.filter(pk=case.pk).update(center=other_center, team=None)  # as before
    with connection.cursor() as cursor:
        for table in migration.TABLES:
            cursor.execute(migration.SQL.format(table=table))
    assert HouseholdMember.objects.get(pk=member.pk).center_id == other_center.pk
    assert CaseEvent.objects.get(pk=event.pk).center_id == other_center.pk
    assert HomeVisit.objects.get(pk=visit.pk).center_id == center.pk


def test_the_move_is_in_the_case_history_the_centre_it_joined_reads(
    app, center, other_center, team, other_coordinator
):
    case = CaseFactory(center=center, team=team)
    move_form(app, case, other_center, administrator()).submit("_save").follow()
    page = app.get(reverse("cases:case-changes", args=[case.pk]), user=other_coordinator)
    assert f"{center.name} → {other_center.name}" in " ".join(page.text.split())


def test_a_moved_cases_history_no_longer_names_the_teams_of_the_centre_it_left(
    app, center, other_center, team, coordinator, other_coordinator
):
    team.name = "ทีมผู้สูงอายุ ศูนย์เดิม"
    team.save()
    case = CaseFactory(center=center, team=team, first_name="ย้ายพร้อมประวัติ")
    assigned = case.log(CaseEvent.Kind.ASSIGNED, by=coordinator, team=team)
    move_form(app, case, other_center, administrator()).submit("_save").follow()

    assigned.refresh_from_db()
    assert assigned.team is None and assigned.center_id == other_center.pk
    page = app.get(reverse("cases:case-detail", args=[case.pk]), user=other_coordinator)
    timeline = page.html.select_one("[aria-labelledby=history-heading] ol").text
    assert "มอบหมายทีม" in timeline and "ศูนย์เดิม" not in timeline


def test_the_database_refuses_an_event_brought_to_another_centre_with_its_old_team(
    center, other_center, team, coordinator
):
    """The guard fired on an event's team and case, not on its centre: a move that
    updated the events' centre alone kept the old centre's team on them."""
    from django.db import IntegrityError, connection, transaction

    case = CaseFactory(center=center, team=team)
    assigned = case.log(CaseEvent.Kind.ASSIGNED, by=coordinator, team=team)
    with connection.cursor() as cursor:  # the case's row moved, as by hand
        cursor.execute(
            "UPDATE cases_case SET center_id = %s, team_id = NULL WHERE id = %s",
            [other_center.pk, case.pk],
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseEvent.objects.filter(pk=assigned.pk).update(center_id=other_center.pk)


def test_a_case_moved_with_its_old_centres_team_is_told_to_clear_the_team(
    app, center, other_center, team
):
    case = CaseFactory(center=center, team=team)
    change = admin_form(app, reverse("admin:cases_case_change", args=[case.pk]), administrator())
    change["center"].force_value(str(other_center.pk))
    refused = change.submit("_save")
    assert refused.status_int == 200 and "ให้ล้างช่องทีมก่อน จึงจะย้ายกรณีได้" in refused.text
    case.refresh_from_db()
    assert case.center_id == center.pk
