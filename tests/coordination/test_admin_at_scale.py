"""The national administrator's admin lists read a page, not the country.

At national scale (10.6 million case events, 5 million visits, 1 million cases) the
unfiltered lists of case events, visits, cases and referrals took 17 s, 10.5 s, 1.9 s and
0.6 s: each sorted its whole table for its first hundred rows, and the date drill-down
above it read every row for its years. Rows read are counted from EXPLAIN ANALYZE of the
page's queries with sequential scans off, as the planner takes them at scale
(tests/test_cost_does_not_grow_with_history.py does the same for the centre's pages)."""

import datetime
import json
import zoneinfo

import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseEvent, HomeVisit, Referral
from coordination import paging
from coordination.templatetags.admin_dates import periods
from tests.factories import CaseFactory, HomeVisitFactory, ReferralFactory, UserFactory
from tests.test_cost_does_not_grow_with_history import rows_read

pytestmark = pytest.mark.django_db

ROWS = 3000
# A page of the list (100 rows) and a row of each table it joins for each.
PAGE_READS = 1000


def copies(model: type[Model], row: Model, n: int, **made: str) -> None:
    """`n` copies of `row` made by PostgreSQL itself, `made` giving the SQL of the columns
    that differ (`g` is the copy's number, 1 to n)."""
    columns = [f.column for f in model._meta.concrete_fields if f.column != "id"]
    picked = ", ".join(made.get(c, f'"{c}"') for c in columns)
    named = ", ".join(f'"{c}"' for c in columns)
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({named}) SELECT {picked} "
            f"FROM {table}, generate_series(1, %s) AS g WHERE id = %s",
            [n, row.pk],
        )
        # Statistics, as autovacuum keeps them: the planner took 3,001 fresh rows for none.
        cursor.execute(f"ANALYZE {table}")


@pytest.fixture
def a_countrys_worth(center, team, coordinator):
    """ROWS cases, visits, events and referrals, their dates spread over years."""
    case = CaseFactory(
        center=center, team=team, national_id="", opened_on=datetime.date(2025, 6, 1)
    )
    copies(Case, case, ROWS, number="'1027-2568-' || lpad(g::text, 6, '0')",
           opened_on="opened_on - g")  # fmt: skip
    visit = HomeVisitFactory(case=case)
    copies(HomeVisit, visit, ROWS, visited_at="visited_at - g * interval '1 day'",
           submission_token="gen_random_uuid()")  # fmt: skip
    event = CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.OPENED, by=coordinator)
    copies(CaseEvent, event, ROWS, at="at - g * interval '1 day'")
    referral = ReferralFactory(case=case, by=coordinator)
    copies(Referral, referral, ROWS, letter_seq="letter_seq + g", sent_on="sent_on - g",
           reply_by="sent_on - g")  # fmt: skip


def rows_read_by(client, path: str) -> dict[str, float]:
    """The rows each query of the page read, but counts (a count reads what it counts)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    read = {}
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for query in queries.captured_queries:
            sql = query["sql"]
            if not sql.startswith("SELECT") or sql.startswith("SELECT COUNT(*)"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            read[sql] = rows_read(plan[0]["Plan"])
        cursor.execute("SET LOCAL enable_seqscan = on")
    return read


@pytest.mark.parametrize(
    ("model", "drill_down"),
    [
        ("caseevent", "at__year=2024"),
        ("homevisit", "visited_at__year=2024&visited_at__month=3"),
        ("case", "opened_on__year=2020"),
        ("referral", "sent_on__year=2022"),
    ],
)
def test_the_national_lists_and_their_drill_down_read_a_page_not_the_table(
    admin_client, a_countrys_worth, model, drill_down
):
    changelist = reverse(f"admin:cases_{model}_changelist")
    for path in (changelist, f"{changelist}?{drill_down}"):
        read = rows_read_by(admin_client, path)
        too_many = {sql[:200]: n for sql, n in read.items() if n > PAGE_READS}
        assert not too_many, (path, too_many)


BANGKOK = zoneinfo.ZoneInfo("Asia/Bangkok")


@pytest.mark.parametrize("kind", ["year", "month", "day"])
def test_the_probed_periods_are_djangos_distinct_ones(center, team, kind):
    case = CaseFactory(center=center, team=team, opened_on=datetime.date(2019, 12, 31))
    # The edges: a visit late on New Year's Eve in UTC is in the new year in Bangkok; a
    # leap day; two in one day; a gap of years.
    for when in (
        datetime.datetime(2019, 12, 31, 18, 30, tzinfo=datetime.UTC),  # 1 Jan 2020, 01:30
        datetime.datetime(2019, 12, 31, 16, 59, tzinfo=datetime.UTC),  # 31 Dec 2019, 23:59
        datetime.datetime(2020, 2, 29, 9, 0, tzinfo=BANGKOK),
        datetime.datetime(2020, 2, 29, 15, 0, tzinfo=BANGKOK),
        datetime.datetime(2020, 12, 1, 0, 0, tzinfo=BANGKOK),
        datetime.datetime(2024, 7, 15, 12, 0, tzinfo=BANGKOK),
    ):
        HomeVisitFactory(case=case, visited_at=when)
    visits = HomeVisit.objects.filter(case=case)
    with timezone.override(BANGKOK):
        assert periods(visits, "visited_at", kind, aware=True) == list(
            visits.datetimes("visited_at", kind)
        )
        # As the admin's drill-down filters them: a year, a month.
        in_2020 = visits.filter(visited_at__gte=datetime.datetime(2020, 1, 1, tzinfo=BANGKOK),
                                visited_at__lt=datetime.datetime(2021, 1, 1, tzinfo=BANGKOK))  # fmt: skip
        assert periods(in_2020, "visited_at", kind, aware=True) == list(
            in_2020.datetimes("visited_at", kind)
        )
    # The last day there is (a day after it was an OverflowError, found by review).
    CaseFactory(center=center, team=team, opened_on=datetime.date(9999, 12, 31))
    assert periods(Case.objects.all(), "opened_on", kind, aware=False) == list(
        Case.objects.dates("opened_on", kind)
    )


def test_the_drill_down_shows_the_years_months_and_days_in_the_buddhist_era(
    admin_client, center, team
):
    case = CaseFactory(center=center, team=team)
    for when in (
        datetime.datetime(2023, 5, 2, 10, 0, tzinfo=BANGKOK),
        datetime.datetime(2025, 3, 9, 10, 0, tzinfo=BANGKOK),
        datetime.datetime(2025, 3, 21, 10, 0, tzinfo=BANGKOK),
        datetime.datetime(2025, 8, 1, 10, 0, tzinfo=BANGKOK),
    ):
        HomeVisitFactory(case=case, visited_at=when)
    changelist = reverse("admin:cases_homevisit_changelist")
    years = admin_client.get(changelist, HTTP_ACCEPT_LANGUAGE="th").text
    assert "visited_at__year=2023" in years and "visited_at__year=2025" in years
    assert ">2566<" in years and ">2568<" in years and "visited_at__year=2024" not in years
    months = admin_client.get(f"{changelist}?visited_at__year=2025").text
    assert "visited_at__month=3" in months and "visited_at__month=8" in months
    assert "visited_at__month=5" not in months and "2568" in months
    days = admin_client.get(f"{changelist}?visited_at__year=2025&visited_at__month=3").text
    assert "visited_at__day=9" in days and "visited_at__day=21" in days
    assert "visited_at__day=1&" not in days and 'visited_at__day=1"' not in days


def counts_of(client, path: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    counts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT(")]
    return response.context["cl"].result_count, counts


def test_a_whole_table_of_millions_is_counted_by_estimate_and_a_filtered_list_exactly(
    admin_client, center, other_center, team, monkeypatch
):
    """The access log of a country grows by a row each time a case is opened: counting it
    whole on each opening of the list took 0.25 s for 5 million rows, twice."""
    monkeypatch.setattr(paging, "ESTIMATE_FROM", 3)  # these few rows stand for millions
    CaseFactory.create_batch(3, center=center, team=team)
    CaseFactory(center=other_center)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")
    cases = reverse("admin:cases_case_changelist")

    shown, counts = counts_of(admin_client, cases)
    assert shown == 4 and counts == []  # the planner's figure, no COUNT(*)
    shown, counts = counts_of(admin_client, f"{cases}?center__id__exact={center.pk}")
    # Exactly, and only the list's own rows: not "of N in all", the whole table again.
    assert shown == 3 and len(counts) == 1 and "WHERE" in counts[0]
    monkeypatch.setattr(paging, "ESTIMATE_FROM", 1_000)
    shown, counts = counts_of(admin_client, cases)
    assert shown == 4 and len(counts) == 1  # a small table: counted


def test_the_access_logs_user_filter_lists_one_centres_users(
    admin_client, center, other_center, coordinator
):
    """Its users were read by a DISTINCT over the whole log (0.6 s for 5 million rows)."""
    theirs = UserFactory(username="their-coordinator", center=other_center, role="coordinator")
    log = reverse("admin:coordination_accesslog_changelist")
    national = admin_client.get(log).text
    assert f"user__id__exact={coordinator.pk}" not in national
    assert f"user__id__exact={theirs.pk}" not in national
    UserFactory(username="another-of-theirs", center=other_center)  # Django hides one choice
    chosen = admin_client.get(f"{log}?center__id__exact={other_center.pk}").text
    assert f"user__id__exact={theirs.pk}" in chosen
    assert f"user__id__exact={coordinator.pk}" not in chosen
