"""A centre's pages read the rows of its work in hand, not of its history: a centre with
ten times the cases and visits behind it (`generatedata --history 10`: the same cases
in the last five years, nine times as many before, all closed) reads about as many
rows as one without.

Rows read are counted from EXPLAIN ANALYZE of each query of a page: what each scan
returned and what its filters threw away, times its loops. Tables this small are read
whole (a sequential scan is cheaper than any index), which would make both centres the
same whatever the queries; so the plans are taken with sequential scans off, as the
planner takes them at scale, where the indexes that lead with the centre are used.

Not here: the dashboard, whose chart of all the centre's referrals by outcome counts its
whole history (as it should), and whose count of open cases per target group the
planner, at this size, takes by reading every case's groups (not so at scale: 306
blocks for a centre with 10× the history, 2,290 for a normal one, EXPLAIN ANALYZE).
The case and referral lists are paginated and counted as a whole (all of a centre's
referrals and help ever given): they grow with history."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases.models import Case
from coordination.models import Center, User
from volunteers.models import Team

pytestmark = pytest.mark.django_db

# Work in hand differs a little between the two centres (their own random draws).
ALLOWED_GROWTH = 1.3


def rows_read(node: dict) -> float:
    own = 0.0
    # A bitmap heap scan reads the rows its index scan found and says so: counted once.
    # (Counted twice, a freshly generated centre of 10× the history read "twice" its
    # open cases: the index still held the rows' versions from before generatedata's
    # update of their visit dates, which vacuum removes.)
    if "Scan" in node["Node Type"] and node["Node Type"] != "Bitmap Index Scan":
        own = (
            node.get("Actual Rows", 0)
            + node.get("Rows Removed by Filter", 0)
            + node.get("Rows Removed by Index Recheck", 0)
        ) * node.get("Actual Loops", 1)
    return own + sum(rows_read(child) for child in node.get("Plans", []))


def pages_of(centre: Center) -> dict[str, str]:
    team = (
        Team.objects.filter(center=centre)
        .annotate(n=Count("cases", filter=~Q(cases__status=Case.Status.CLOSED)))
        .order_by("-n", "pk")
        .first()
    )
    assert team is not None
    return {
        "team list": "/volunteers/teams/",
        "team page": f"/volunteers/teams/{team.pk}/",
        "monthly report": "/dashboard/report/",
        "volunteer list": "/volunteers/",
    }


def rows_per_page(centre: Center) -> dict[str, float]:
    client = Client()
    client.force_login(User.objects.get(username=f"c{centre.district_id}"))
    read = {}
    for name, path in pages_of(centre).items():
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (name, response.status_code)
        total = 0.0
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            for query in queries.captured_queries:
                if not query["sql"].startswith("SELECT"):
                    continue
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query["sql"])
                plan = cursor.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                total += rows_read(plan[0]["Plan"])
            cursor.execute("SET LOCAL enable_seqscan = on")
        read[name] = total
    return read


def test_a_centre_with_ten_times_the_history_reads_about_the_same_rows():
    call_command(
        "generatedata", "--centres", "2", "--cases-per-centre", "100", "--history", "10",
        stdout=StringIO(),
    )  # fmt: skip
    normal, old = Center.objects.order_by("pk")
    assert (
        Case.objects.filter(center=old).count() == 10 * Case.objects.filter(center=normal).count()
    )

    read_normal, read_old = rows_per_page(normal), rows_per_page(old)

    grown = {
        name: (read_normal[name], read_old[name])
        for name in read_normal
        if read_old[name] > ALLOWED_GROWTH * read_normal[name]
    }
    assert not grown, f"rows read (normal centre, 10× history): {grown}"
