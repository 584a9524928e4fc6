"""Benchmark, not a test of speed: a 5,000-row roster through the preview page and the
import, timed on this machine (the issue asks for under 30 s each on 2 cores).

    .venv/bin/python -m pytest tests/volunteers/bench_roster_import.py -s -n 0

(Named bench_*, not test_*: the suite does not collect it; `make bench` can.)

Prints the figures; fails only if the import itself goes wrong."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import CenterFactory, TeamFactory, UserFactory
from tests.volunteers.roster_files import person, xlsx
from volunteers.models import Volunteer

ROWS = 5000


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_bench_a_5000_row_roster_preview_and_import(client, db):
    center = CenterFactory(district_id="1027")
    TeamFactory(center=center, name="ทีมผู้สูงอายุ")
    coordinator = UserFactory(center=center, role="coordinator")
    client.force_login(coordinator)
    content = xlsx([person(n, team="ทีมผู้สูงอายุ") for n in range(ROWS)])

    started = time.perf_counter()
    preview = client.post(
        reverse("volunteers:volunteer-import"),
        {"file": SimpleUploadedFile("roster.xlsx", content)},
    )
    previewed = time.perf_counter() - started
    roster = preview.context["table"]
    assert roster.ok and len(roster.rows) == ROWS

    started = time.perf_counter()
    done = client.post(reverse("volunteers:volunteer-import-confirm"), {"sha256": roster.sha256})
    imported = time.perf_counter() - started
    assert done.status_code == 302
    assert Volunteer.objects.filter(center=center).count() == ROWS

    print(
        f"\nroster of {ROWS} rows, {len(content) / 1e6:.2f} MB .xlsx: "
        f"preview page {previewed:.1f} s ({len(preview.content) / 1e6:.1f} MB of HTML), "
        f"confirm and import {imported:.1f} s"
    )
