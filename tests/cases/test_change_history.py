"""The case page's change history (django-simple-history's records, compared with its
`diff_against`): who changed what, in the reader's words, and at a cost that does not
grow with the number of records."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coordination.models import Subdistrict
from tests.factories import CaseFactory, HomeVisitFactory, TeamFactory

pytestmark = pytest.mark.django_db


def changes_section(html: str) -> str:
    return html[html.index('id="changes-heading"') :]


def queries_of_case_page(client, case) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("cases:case-detail", args=[case.pk]))
    assert response.status_code == 200
    return len(captured)


def add_work(case, coordinator, teams, rounds: int) -> None:
    """Visits logged and corrected by the coordinator, the case moved between teams and
    addresses: each record names users, teams and subdistricts by key."""
    subdistricts = list(Subdistrict.objects.filter(district_id="1027"))
    for n in range(rounds):
        visit = HomeVisitFactory(case=case, author=coordinator, findings=f"พบ {n}")
        visit.findings = f"พบ {n} แก้ไข"
        visit.save()
        case.team = teams[n % len(teams)]
        case.reg_subdistrict = subdistricts[n % len(subdistricts)]
        case.save()


def test_the_history_costs_the_same_queries_for_many_records_as_for_few(
    coordinator_client, coordinator, center, team
):
    teams = [team, TeamFactory(center=center)]
    case = CaseFactory(center=center, team=team)
    add_work(case, coordinator, teams, rounds=2)
    few = queries_of_case_page(coordinator_client, case)
    add_work(case, coordinator, teams, rounds=20)
    many = queries_of_case_page(coordinator_client, case)
    assert many == few


def test_a_team_or_address_change_is_named_not_numbered(coordinator_client, center, team):
    other = TeamFactory(center=center, name="ทีมเยี่ยมบ้านใหม่")
    case = CaseFactory(center=center, team=team)
    case.team = other
    case.reg_subdistrict = Subdistrict.objects.get(code="102704")
    case.save()
    html = coordinator_client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    history = changes_section(html)
    assert f"ทีม: {team.name} → ทีมเยี่ยมบ้านใหม่" in history
    assert f"แขวง/ตำบล: – → {Subdistrict.objects.get(code='102704').name_th}" in history


def test_choices_and_bookkeeping_fields_read_as_on_the_case_page(coordinator_client, center):
    case = CaseFactory(center=center, priority=2, disability_types=[])
    case.priority = 1
    case.disability_types = [1, 4]
    case.save()
    html = coordinator_client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    history = changes_section(html)
    assert "ความเร่งด่วน: ปกติ → ต่ำ" in history
    assert "ประเภทความพิการ: – → ทางการเห็น, ทางจิตใจหรือพฤติกรรม" in history
    # Bookkeeping the page does not show: the edit counter and timestamps.
    assert "ฉบับที่" not in history and "แก้ไขล่าสุดเมื่อ" not in history


def test_a_corrected_visit_shows_what_changed_and_an_unchanged_save_shows_nothing(
    coordinator_client, coordinator, center, case
):
    visit = HomeVisitFactory(
        case=case,
        author=coordinator,
        findings="บ้านทรุดโทรม",
        visited_at=datetime.datetime(2025, 11, 3, 10, 0, tzinfo=datetime.UTC),
    )
    visit.findings = "บ้านซ่อมแล้ว"
    visit.save()
    visit.save()  # nothing changed: no line in the history
    html = coordinator_client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    history = changes_section(html)
    assert "บ้านทรุดโทรม → บ้านซ่อมแล้ว" in history
    # Added, then changed once: the save that changed nothing adds no line.
    assert history.count('<li class="mb-2">') == 2 + 1  # the visit twice, the case once
