"""A national administrator moves a case to another centre in the admin (a case opened
at the wrong centre). Every row of a case carries the case's centre, and lists and pages
show a row to the centre on it: the rows moved with the case, or the centre it left kept
seeing them and the one it joined did not."""

from django.urls import reverse

from cases.models import CaseEvent, Debt, HomeVisit, HouseholdMember, IncomeSource, Referral
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
    change["first_name"] = "แก้ชื่อ"
    change.submit("_save").follow()
    case.refresh_from_db()
    assert case.first_name == "แก้ชื่อ" and case.center_id == center.pk
