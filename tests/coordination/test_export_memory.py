"""Exports stream: 50,000 rows do not hold the worker's memory. Peak memory is measured
with tracemalloc while the response is produced and read, as a server would send it."""

import datetime
import tracemalloc

import pytest
from django.db import connection
from django.urls import reverse

from cases.models import Case
from tests.factories import CaseFactory

ROWS = 50_000
# Python objects for 50,000 cases with their groups, teams and places would take several
# hundred MB; streamed, what is alive at once is one chunk of rows (2,000) and a buffer.
PEAK_LIMIT = 40 * 1024 * 1024


def build_cases(center, team, rows: int) -> None:
    """One case by the ORM, then `rows - 1` copies made by PostgreSQL itself (each with
    its own number and name): bulk_create of 50,000 cases took minutes here, this takes
    seconds, and the rows are the same but for those two columns."""
    first = CaseFactory(
        center=center,
        team=team,
        number="1027-2568-000000",
        first_name="ผู้ประสบปัญหา0",
        last_name="ทดสอบความจำ",
        birth_date=datetime.date(1950, 1, 1),
        opened_on=datetime.date(2025, 1, 1),
    )
    columns = [f.column for f in Case._meta.concrete_fields if f.column != "id"]
    made = {
        "number": "'1027-2568-' || lpad(g::text, 6, '0')",
        "first_name": "'ผู้ประสบปัญหา' || g",
    }
    picked = ", ".join(made.get(c, f'"{c}"') for c in columns)
    named = ", ".join(f'"{c}"' for c in columns)
    through = Case.target_groups.through._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Case._meta.db_table} ({named}) "
            f"SELECT {picked} FROM {Case._meta.db_table}, generate_series(1, %s) AS g "
            "WHERE id = %s",
            [rows - 1, first.pk],
        )
        cursor.execute(
            f"INSERT INTO {through} (case_id, targetgroup_id) "
            f"SELECT c.id, t.targetgroup_id FROM {Case._meta.db_table} c, {through} t "
            "WHERE c.center_id = %s AND c.id <> %s AND t.case_id = %s",
            [center.pk, first.pk, first.pk],
        )
    assert Case.objects.filter(center=center).count() == rows


@pytest.fixture
def many_cases(center, team):
    build_cases(center, team, ROWS)


def peak_while_downloading(client, query: dict) -> tuple[int, int, int]:
    """(peak bytes, bytes sent, lines) of one export, read chunk by chunk (the test
    client closes the response after the last one, as a server does)."""
    tracemalloc.start()
    try:
        response = client.get(reverse("cases:case-list"), query)
        sent = lines = 0
        for chunk in response.streaming_content:
            sent += len(chunk)
            lines += chunk.count(b"\n")
        return tracemalloc.get_traced_memory()[1], sent, lines
    finally:
        tracemalloc.stop()


def test_an_export_of_50000_cases_streams_in_bounded_memory(coordinator_client, many_cases):
    peak, sent, lines = peak_while_downloading(coordinator_client, {"format": "csv"})

    print(f"csv: {sent / 1e6:.1f} MB sent, peak {peak / 1e6:.1f} MB traced")
    assert lines == ROWS + 1
    assert peak < PEAK_LIMIT

    # Excel: openpyxl under tracemalloc takes minutes for 50,000 rows on a loaded
    # 2-core machine, so the same dataset filtered by the list's search to the 10,000
    # numbers 1027-2568-01xxxx; the write-only workbook keeps one row in memory
    # whatever the count, so a peak within the same bound says the same.
    peak, sent, _lines = peak_while_downloading(
        coordinator_client, {"format": "xlsx", "q": "1027-2568-01"}
    )
    print(f"xlsx: {sent / 1e6:.1f} MB sent, peak {peak / 1e6:.1f} MB traced")
    assert sent > 300_000
    assert peak < PEAK_LIMIT
