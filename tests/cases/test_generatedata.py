"""`manage.py generatedata`: the data set of load tests and `make bench`, at its smallest."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from cases.models import Case, CaseEvent, HomeVisit, HouseholdMember, IncomeSource
from coordination.models import Center, User
from volunteers.models import Team, TeamMembership, Volunteer

TODAY = "2026-11-26"

pytestmark = pytest.mark.django_db


def generate() -> str:
    out = StringIO()
    call_command("generatedata", "--scale", "small", "--today", TODAY, stdout=out)
    return out.getvalue()


def fingerprint() -> list[tuple]:
    """What the rows say, without the ids a sequence hands out."""
    return list(
        Case.objects.order_by("number").values_list(
            "number", "first_name", "last_name", "status", "opened_on", "team__name",
            "last_visit_at", "next_visit_due",
        )
    )  # fmt: skip


def test_small_scale_fills_every_table_and_prints_a_line_per_table():
    output = generate()

    assert Center.objects.count() == 2
    assert Team.objects.count() == 10
    for model in (Case, HomeVisit, HouseholdMember, IncomeSource, CaseEvent, Volunteer):
        assert model.objects.exists(), model
    assert HomeVisit.volunteers.through.objects.exists()
    assert Case.history.exists() and HomeVisit.history.exists()
    # A line per table with its rows and rate.
    assert "cases_case " in output and "rows/s" in output
    assert "cases_homevisit " in output and "Generated 2 centres" in output
    # Every status and target group is represented.
    assert set(Case.objects.values_list("status", flat=True)) == set(Case.Status.values)
    assert Case.target_groups.through.objects.values("targetgroup").distinct().count() == 5


def test_every_row_passes_the_models_own_validation():
    generate()
    for model in (Case, Volunteer, TeamMembership, HomeVisit, HouseholdMember, IncomeSource):
        for row in model.objects.all():
            row.full_clean()


def test_visit_dates_of_each_case_are_those_of_its_latest_visit():
    generate()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM cases_case c
            LEFT JOIN LATERAL (SELECT visited_at, next_visit_due FROM cases_homevisit v
                               WHERE v.case_id = c.id ORDER BY visited_at DESC LIMIT 1) v ON true
            WHERE c.last_visit_at IS DISTINCT FROM v.visited_at
               OR c.next_visit_due IS DISTINCT FROM v.next_visit_due
            """
        )
        assert cursor.fetchone()[0] == 0
    assert Case.objects.filter(last_visit_at__isnull=False).count() > Case.objects.count() // 2
    # Open cases to follow up: some overdue, some not yet due.
    today = datetime.date.fromisoformat(TODAY)
    assert Case.objects.open().overdue(today).exists()
    assert Case.objects.open().filter(next_visit_due__gte=today).exists()


def test_teams_have_one_leader_and_visits_were_made_by_the_cases_team():
    generate()
    for team in Team.objects.all():
        assert team.memberships.active().filter(role="leader").count() == 1
    assert TeamMembership.objects.filter(left_on__isnull=False).exists()
    present = HomeVisit.volunteers.through.objects.select_related("homevisit__case", "volunteer")
    for row in present:
        assert row.volunteer.memberships.filter(team_id=row.homevisit.case.team_id).exists()
    assert not HomeVisit.objects.filter(visited_at__date__gte=TODAY).exists()


def test_a_case_opened_afterwards_takes_the_next_free_number():
    generate()
    centre = Center.objects.order_by("pk").first()
    last_year = Case.objects.filter(center=centre).order_by("-number").first()
    case = Case(
        center=centre, prefix="mr", first_name="ทดสอบ", sex="male", opened_on=last_year.opened_on
    )
    case.save()
    prefix, sequence = case.number.rsplit("-", 1)
    assert last_year.number.rsplit("-", 1) == [prefix, f"{int(sequence) - 1:04d}"]


def test_the_same_seed_and_day_give_the_same_rows():
    with transaction.atomic():
        generate()
        first = fingerprint()
        transaction.set_rollback(True)
    assert not Case.objects.exists()
    generate()
    assert fingerprint() == first


def test_generated_logins_work_with_the_printed_password():
    output = generate()
    centre = Center.objects.order_by("pk").first()
    coordinator = User.objects.get(username=f"c{centre.district_id}")
    assert coordinator.is_coordinator
    password = output.rsplit("password ", 1)[1].strip(" .\n")
    assert coordinator.check_password(password)
    assert User.objects.get(username=f"v{centre.district_id}-0001").volunteer.memberships.exists()
