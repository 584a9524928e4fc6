"""The case page's change history (django-simple-history's records, compared with its
`diff_against`): who changed what, in the reader's words, and at a cost that does not
grow with the number of records."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Debt
from coordination.models import Subdistrict
from tests.factories import CaseFactory, HomeVisitFactory, TeamFactory, UserFactory

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
    # Which address: the registered and the current one both have a subdistrict.
    place = Subdistrict.objects.get(code="102704").name_th
    assert f"ที่อยู่ตามทะเบียนบ้าน: แขวง/ตำบล: – → {place}" in history


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


def rewritten(case, times: int) -> None:
    """`times` changes of the case's problems, the last "ปัญหาครั้งที่ {times}"."""
    for n in range(1, times + 1):
        case.problems = f"ปัญหาครั้งที่ {n}"
        case.save()


def change_lines(html: str) -> int:
    return html.count('<li class="mb-2">')


def test_the_case_page_shows_the_latest_ten_changes_and_links_to_the_rest(coordinator_client, case):
    url = reverse("cases:case-detail", args=[case.pk])
    history = reverse("cases:case-changes", args=[case.pk])
    rewritten(case, 8)  # with the case's "added": 9 changes, all on the page
    html = changes_section(coordinator_client.get(url).content.decode())
    assert change_lines(html) == 9 and history not in html
    rewritten(case, 3)  # 12 changes: the latest 10, and the link
    html = changes_section(coordinator_client.get(url).content.decode())
    assert change_lines(html) == 10 and history in html
    assert "ปัญหาครั้งที่ 3" in html and "ประวัติการแก้ไขทั้งหมด" in html


def test_the_change_history_pages_go_from_the_newest_to_the_oldest(coordinator_client, case):
    rewritten(case, 30)  # and the case's "added": 31 changes, 25 a page
    url = reverse("cases:case-changes", args=[case.pk])
    first = coordinator_client.get(url).content.decode()
    assert change_lines(first) == 25
    assert first.index("ปัญหาครั้งที่ 29 → ปัญหาครั้งที่ 30") < first.index("ปัญหาครั้งที่ 28 → ปัญหาครั้งที่ 29")
    assert "?page=2" in first and "การแก้ไขที่เก่ากว่า" in first
    assert "การแก้ไขที่ใหม่กว่า" not in first
    second = coordinator_client.get(url, {"page": 2}).content.decode()
    assert change_lines(second) == 6
    assert "ปัญหาครั้งที่ 4 → ปัญหาครั้งที่ 5" in second and "เพิ่ม" in second
    assert "?page=1" in second and "การแก้ไขที่เก่ากว่า" not in second
    # Past the oldest: to the last page; a page that is no number: the first.
    assert coordinator_client.get(url, {"page": 7}).url == f"{url}?page=2"
    for asked in ("abc", "0", "-1", "²", "๒", "9" * 40, "9" * 4301):
        response = coordinator_client.get(url, {"page": asked})
        assert response.status_code in (200, 302), asked


def test_the_change_history_is_the_coordinators_and_its_reading_is_logged(
    coordinator_client, volunteer_on_team, case
):
    from django.test import Client

    from coordination.models import AccessLog

    url = reverse("cases:case-changes", args=[case.pk])
    volunteer = Client()
    volunteer.force_login(volunteer_on_team.user)
    assert volunteer.get(reverse("cases:case-detail", args=[case.pk])).status_code == 200
    assert volunteer.get(url).status_code == 403
    logged = AccessLog.objects.filter(case_id=case.pk)
    assert logged.count() == 1  # the case page's, not the refused history's
    page = coordinator_client.get(url)
    assert page.status_code == 200
    assert page.content.decode().count("<h1") == 1
    assert logged.count() == 2 and logged.latest("pk").action == "view_case"


def test_the_change_history_page_costs_the_same_queries_for_many_records_as_for_few(
    coordinator_client, coordinator, center, team
):
    teams = [team, TeamFactory(center=center)]
    case = CaseFactory(center=center, team=team)
    url = reverse("cases:case-changes", args=[case.pk])
    add_work(case, coordinator, teams, rounds=2)
    with CaptureQueriesContext(connection) as few:
        assert coordinator_client.get(url).status_code == 200
    add_work(case, coordinator, teams, rounds=20)
    with CaptureQueriesContext(connection) as many:
        assert coordinator_client.get(url, {"page": 2}).status_code == 200
    assert len(many) == len(few)


def test_saves_that_change_nothing_shown_hide_no_older_change(coordinator_client, case):
    """An edit saved as it was, or a change of target groups alone, leaves a record that
    is no line: the pages read on until they have their changes."""
    from coordination.models import TargetGroup

    rewritten(case, 12)  # with "added": 13 changes
    groups = list(TargetGroup.objects.all()[:2])
    for n in range(30):
        case.save()
        case.target_groups.set([groups[n % 2]])
    html = changes_section(
        coordinator_client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    )
    assert change_lines(html) == 10 and "ปัญหาครั้งที่ 11 → ปัญหาครั้งที่ 12" in html
    assert reverse("cases:case-changes", args=[case.pk]) in html
    every = coordinator_client.get(reverse("cases:case-changes", args=[case.pk]))
    page = every.content.decode()
    assert change_lines(page) == 13 and "ปัญหาครั้งที่ 1 → ปัญหาครั้งที่ 2" in page
    assert "การแก้ไขที่เก่ากว่า" not in page


def test_an_old_visit_corrected_today_is_compared_with_its_own_first_record(
    coordinator_client, coordinator, case
):
    # Its first record is older than the page's ten newest of every kind: it is read
    # all the same, and the correction says what changed.
    old = HomeVisitFactory(case=case, author=coordinator, findings="บ้านทรุดโทรม")
    for n in range(15):
        HomeVisitFactory(case=case, author=coordinator, findings=f"เยี่ยม {n}")
    old.findings = "บ้านซ่อมแล้ว"
    old.save()
    html = changes_section(
        coordinator_client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    )
    assert "บ้านทรุดโทรม → บ้านซ่อมแล้ว" in html


def test_each_change_names_who_made_it(coordinator_client, case):
    """By full name, by username when the account has no name, and no one for a change
    made outside anyone's session (a script); the names read with the records."""
    from cases.history import backdate

    named = UserFactory(first_name="สมศรี", last_name="ใจดี")
    unnamed = UserFactory(username="officer7")
    now = timezone.now()
    for minutes, user in [(1, named), (2, unnamed), (3, None)]:
        case.problems = f"ปัญหาครั้งที่ {minutes}"
        backdate(case, now + datetime.timedelta(minutes=minutes), by=user)
        if user is None:
            del case._history_user  # saved with no user, as a script saves
        case.save()
    url = reverse("cases:case-changes", args=[case.pk])
    with CaptureQueriesContext(connection) as captured:
        html = coordinator_client.get(url).content.decode()
    lines = html.split('<li class="mb-2">')[1:4]  # newest first
    assert "ปัญหาครั้งที่ 3" in lines[0] and "text-muted" not in lines[0]
    assert "ปัญหาครั้งที่ 2" in lines[1] and "officer7" in lines[1]
    assert "ปัญหาครั้งที่ 1" in lines[2] and "สมศรี ใจดี" in lines[2]
    # The request's own user, read by the session; the makers came with the records.
    users_read = [query for query in captured if 'FROM "coordination_user"' in query["sql"]]
    assert len(users_read) == 1


def test_a_debt_added_changed_and_removed_is_in_the_history(coordinator_client, case):
    """Debts keep history like the household and incomes; the page showed none of it."""
    debt = Debt.objects.create(case=case, center=case.center, creditor="สหกรณ์", amount=20000)
    debt.creditor, debt.amount = "ธนาคาร ก", Decimal("15000")
    debt.save()
    debt.delete()
    html = coordinator_client.get(reverse("cases:case-changes", args=[case.pk])).content.decode()
    removed, changed, added = html.split('<li class="mb-2">')[1:4]  # newest first
    assert "ลบหนี้สิน ธนาคาร ก: 15,000.00" in removed and "เพิ่มหนี้สิน สหกรณ์: 20,000.00" in added
    assert "แก้ไขหนี้สิน" in changed
    assert "สหกรณ์ → ธนาคาร ก" in changed and "20,000 บาท → 15,000 บาท" in changed
