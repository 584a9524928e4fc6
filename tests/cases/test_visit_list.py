"""The visit list (the dashboard's visit counts open it) and the case list's filters the
dashboard links to: a volunteer's cases, cases opened or closed since a day."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.filters import local_midnight
from cases.models import Case
from tests.factories import CaseFactory, HomeVisitFactory, TeamFactory, VolunteerFactory

pytestmark = pytest.mark.django_db

VISITS = "cases:visit-list"
CASES = "cases:case-list"


def shown(client, name: str, **params) -> list:
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    return list(response.context["page_obj"])


def test_a_day_counts_from_local_midnight_to_local_midnight(coordinator_client, center, case):
    day = datetime.date(2025, 11, 30)
    before = HomeVisitFactory(
        case=case, visited_at=local_midnight(day) - datetime.timedelta(minutes=1)
    )
    first = HomeVisitFactory(case=case, visited_at=local_midnight(day))
    last = HomeVisitFactory(
        case=case, visited_at=local_midnight(day) + datetime.timedelta(hours=23, minutes=59)
    )
    after = HomeVisitFactory(case=case, visited_at=local_midnight(day) + datetime.timedelta(days=1))
    # 30 Nov 2025 in Bangkok began on 29 Nov at 17:00 UTC.
    assert first.visited_at == datetime.datetime(2025, 11, 29, 17, 0, tzinfo=datetime.UTC)
    assert shown(coordinator_client, VISITS, visited_from="30/11/2568", visited_to="30/11/2568") == [
        last, first
    ]  # fmt: skip
    assert shown(coordinator_client, VISITS, visited_from="2025-12-01") == [after]
    assert shown(coordinator_client, VISITS, visited_to="2025-11-29") == [before]


def test_visits_are_found_by_team_and_by_volunteer(coordinator_client, center, team, case):
    other_team = TeamFactory(center=center)
    somsri = VolunteerFactory(center=center, first_name="สมศรี")
    somsri.join_team(team)
    mine = HomeVisitFactory(case=case)
    mine.volunteers.set([somsri])
    theirs = HomeVisitFactory(case=CaseFactory(center=center, team=other_team))
    assert shown(coordinator_client, VISITS, team=other_team.pk) == [theirs]
    assert shown(coordinator_client, VISITS, volunteer=somsri.pk) == [mine]
    page = coordinator_client.get(reverse(VISITS)).content.decode()
    assert "2 home visits" in page or "การเยี่ยมบ้าน 2 ครั้ง" in page


def test_a_date_in_the_address_is_shown_in_the_pages_era(coordinator_client, case):
    """The dashboard's links write ISO dates (2026-11-01); the filter shows the day as
    the page writes dates: in the Buddhist Era on a Thai page."""
    response = coordinator_client.get(
        reverse(VISITS), {"visited_from": "2025-12-01", "visited_to": "2568-12-31"}
    )
    html = response.content.decode()
    assert 'value="01/12/2568"' in html and 'value="31/12/2568"' in html
    assert 'value="2025-12-01"' not in html
    coordinator_client.cookies["django_language"] = "en"
    html = coordinator_client.get(reverse(VISITS), {"visited_from": "2025-12-01"}).content.decode()
    assert 'value="01/12/2025"' in html


def test_a_date_that_is_no_date_is_said_in_thai_and_filters_nothing(coordinator_client, case):
    visit = HomeVisitFactory(case=case)
    response = coordinator_client.get(reverse(VISITS), {"visited_from": "31/02/2568"})
    assert response.status_code == 200
    assert list(response.context["page_obj"]) == [visit]
    assert "วัน/เดือน/ปี" in response.content.decode()  # the date field's own message


def test_another_centres_visits_and_choices_are_not_shown(coordinator_client, case, other_center):
    HomeVisitFactory(case=CaseFactory(center=other_center))
    stranger = VolunteerFactory(center=other_center)
    assert shown(coordinator_client, VISITS) == []
    response = coordinator_client.get(reverse(VISITS), {"volunteer": stranger.pk})
    assert not response.context["form"].is_valid()
    assert str(stranger.pk) not in [
        str(value) for value, _label in response.context["form"].fields["volunteer"].choices
    ]


def test_volunteers_may_not_open_the_visit_list(volunteer_client):
    assert volunteer_client.get(reverse(VISITS)).status_code == 403


def test_the_visit_list_keeps_its_queries_whatever_the_number_of_visits(
    coordinator_client, case, django_assert_max_num_queries
):
    volunteer = VolunteerFactory(center=case.center)
    HomeVisitFactory(case=case).volunteers.set([volunteer])
    with CaptureQueriesContext(connection) as few:
        coordinator_client.get(reverse(VISITS))
    for _ in range(20):
        HomeVisitFactory(case=CaseFactory(center=case.center)).volunteers.set([volunteer])
    with django_assert_max_num_queries(len(few)):
        coordinator_client.get(reverse(VISITS))


def test_the_case_list_shows_a_volunteers_cases_those_of_their_active_teams(
    coordinator_client, center, team
):
    other_team = TeamFactory(center=center)
    left_team = TeamFactory(center=center)
    somsri = VolunteerFactory(center=center)
    somsri.join_team(team)
    somsri.join_team(left_team)
    somsri.leave_team(left_team)
    ours = CaseFactory(center=center, team=team)
    CaseFactory(center=center, team=other_team)
    CaseFactory(center=center, team=left_team)
    assert shown(coordinator_client, CASES, volunteer=somsri.pk) == [ours]


def test_the_case_list_finds_cases_opened_or_closed_since_a_day(coordinator_client, center):
    today = timezone.localdate()
    month = today.replace(day=1)
    new = CaseFactory(center=center, opened_on=month)
    CaseFactory(center=center, opened_on=month - datetime.timedelta(days=1))
    closed = CaseFactory(center=center, opened_on=month - datetime.timedelta(days=40))
    closed.close(Case.ClosureReason.RESOLVED, by=None, on=month, note="ปิดเรื่องแล้ว")
    earlier = CaseFactory(center=center, opened_on=month - datetime.timedelta(days=40))
    earlier.close(
        Case.ClosureReason.MOVED, by=None, on=month - datetime.timedelta(days=1), note="ปิดเรื่องแล้ว"
    )
    assert shown(coordinator_client, CASES, status="all", opened_from=month.isoformat()) == [new]
    assert shown(coordinator_client, CASES, status="closed", closed_from=month.isoformat()) == [
        closed
    ]


def test_a_range_ending_before_it_starts_is_said_and_filters_nothing(coordinator_client, case):
    """Before, the list answered "no visits", as if there had been none."""
    visit = HomeVisitFactory(case=case)
    response = coordinator_client.get(
        reverse(VISITS), {"visited_from": "31/12/2568", "visited_to": "01/12/2568"}
    )
    assert list(response.context["page_obj"]) == [visit]
    assert "วันสุดท้ายต้องไม่อยู่ก่อนวันแรก" in response.content.decode()
