"""Exports stream: 20,000 rows do not hold the worker's memory. Measured where it matters,
in a gunicorn worker with production settings: its peak resident memory (the kernel's
VmHWM) before and after downloading the whole case list as CSV and as Excel."""

import datetime
import io
import time
import urllib.request
import zipfile
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from cases.models import Case
from tests.factories import CaseFactory
from tests.production import gunicorn, peak_memory, worker_of

ROWS = 20_000
# The CSV of 20,000 cases streamed: the worker's peak grew 8.6 MB. With the rows listed
# first (tried: `list(rows)` in tabular.table_rows), 72 MB. What is alive at once is one
# chunk of rows (2,000) and a buffer. (50,000 rows showed the same, in 21 s, not 10.)
GROWTH_LIMIT = 40 * 1024 * 1024


def build_cases(center, team, rows: int) -> None:
    """One case by the ORM, then `rows - 1` copies made by PostgreSQL itself (each with
    its own number and name): bulk_create of 20,000 cases took a minute here, this takes
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
def many_cases(transactional_db, center, team):
    # Committed (a transactional test): the server below reads them.
    build_cases(center, team, ROWS)


def download(url: str, session: str) -> bytes:
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={session}"})
    with urllib.request.urlopen(request, timeout=600) as response:
        assert response.status == 200
        return response.read()


def rows_in_sheet(workbook: bytes) -> int:
    """The rows of the first sheet, counted in its XML as it inflates."""
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        sheet = next(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))
        rows = 0
        tail = b""
        with archive.open(sheet) as part:
            while chunk := part.read(1024 * 1024):
                rows += (tail + chunk).count(b"</row>")
                tail = chunk[-5:]
        return rows


def test_an_export_of_20000_cases_streams_in_bounded_memory(coordinator, many_cases):
    client = Client()
    client.force_login(coordinator)
    session = client.cookies["sessionid"].value
    # A worker may spend minutes on a large Excel file: gunicorn's default of 30 s would
    # end it (the README's Production section says the same).
    with gunicorn("--timeout", "600") as (url, master):
        worker = worker_of(master)
        cases = url + reverse("cases:case-list")
        # The same code path with no rows first: what is imported and cached once.
        for fmt in ("csv", "xlsx"):
            download(cases + "?" + urlencode({"format": fmt, "q": "ไม่มีผู้ใดชื่อนี้"}), session)
        before = peak_memory(worker)

        started = time.monotonic()
        csv = download(cases + "?format=csv", session)
        csv_seconds, csv_peak = time.monotonic() - started, peak_memory(worker)

        started = time.monotonic()
        xlsx = download(cases + "?format=xlsx", session)
        xlsx_seconds, xlsx_peak = time.monotonic() - started, peak_memory(worker)

    print(
        f"\nworker peak before {before / 1e6:.0f} MB; "
        f"csv {len(csv) / 1e6:.1f} MB in {csv_seconds:.1f} s, +{(csv_peak - before) / 1e6:.1f} MB; "
        f"xlsx {len(xlsx) / 1e6:.1f} MB in {xlsx_seconds:.1f} s, +{(xlsx_peak - csv_peak) / 1e6:.1f} MB"
    )
    assert csv.count(b"\n") == ROWS + 1
    assert csv_peak - before < GROWTH_LIMIT
    assert rows_in_sheet(xlsx) == ROWS + 1
    assert xlsx_peak - before < GROWTH_LIMIT
