"""What PostgreSQL's planner is told about the data beyond its columns one by one:
extended statistics, made by migrations (Django has no model option for them)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from cases.models import Case

pytestmark = pytest.mark.django_db


def estimated_rows(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    return plan[0]["Plan"]["Plan Rows"]


def test_the_planner_knows_that_a_cases_team_decides_its_centre():
    # Six centres of five teams: taken as independent, "this centre and this team" would
    # be a sixth of "this team" (national scale: 1 case guessed, 961 read).
    call_command(
        "generatedata", "--centres", "6", "--cases-per-centre", "60",
        "--today", "2026-11-26", stdout=StringIO(),
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")
    case = Case.objects.filter(team__isnull=False).order_by("pk").first()
    team_alone = estimated_rows("SELECT * FROM cases_case WHERE team_id = %s", [case.team_id])
    both = estimated_rows(
        "SELECT * FROM cases_case WHERE center_id = %s AND team_id = %s",
        [case.center_id, case.team_id],
    )
    actual = Case.objects.filter(center_id=case.center_id, team_id=case.team_id).count()
    assert team_alone == both
    assert actual / 2 <= both <= actual * 2
