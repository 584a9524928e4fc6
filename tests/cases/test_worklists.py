"""My cases (a volunteer's) and the follow-up worklist (a coordinator's)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from tests.factories import CaseFactory, HomeVisitFactory, TeamFactory, VolunteerFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def visited(case: Case, days_ago: int, next_in_days: int | None) -> Case:
    HomeVisitFactory(
        case=case,
        visited_at=timezone.now() - datetime.timedelta(days=days_ago),
        next_visit_due=None
        if next_in_days is None
        else TODAY + datetime.timedelta(days=next_in_days),
    )
    case.refresh_from_db()
    return case


def test_my_cases_lists_my_teams_open_cases_overdue_first(volunteer_client, center, team):
    on_time = visited(CaseFactory(center=center, team=team), 5, 20)
    overdue = visited(CaseFactory(center=center, team=team), 40, -10)
    never = CaseFactory(center=center, team=team)
    CaseFactory(center=center, team=team, status="closed", closed_on=TODAY, closure_reason="moved")
    CaseFactory(center=center, team=TeamFactory(center=center))  # another team's
    response = volunteer_client.get(reverse("cases:my-cases"))
    assert [c.pk for c in response.context["page_obj"]] == [overdue.pk, on_time.pk, never.pk]
    html = response.content.decode()
    assert "เกินกำหนด" in html and "ยังไม่เคยเยี่ยม" in html and "40 วันก่อน" in html


def test_after_leaving_a_team_its_cases_disappear(
    volunteer_client, volunteer_on_team, center, team
):
    CaseFactory(center=center, team=team)
    volunteer_on_team.leave_team(team)
    assert len(volunteer_client.get(reverse("cases:my-cases")).context["page_obj"]) == 0


def test_my_cases_is_for_volunteers(coordinator_client):
    assert coordinator_client.get(reverse("cases:my-cases")).status_code == 403


def test_my_cases_keeps_a_constant_number_of_queries(
    volunteer_client, center, team, django_assert_max_num_queries
):
    # Two full pages: a query per row would show 25 times on page 2, over the budget.
    CaseFactory.create_batch(50, center=center, team=team)
    # Seven: the volunteer's row and roles come with the user (coordination.backends);
    # their teams are read once as ids (Volunteer.team_ids), so that PostgreSQL plans
    # the page's queries for those teams.
    with django_assert_max_num_queries(7):
        response = volunteer_client.get(reverse("cases:my-cases"), {"page": 2})
    assert response.context["page_obj"].paginator.count == 50
    assert len(response.context["page_obj"]) == 25


def test_the_worklist_sorts_cases_into_its_sections(coordinator_client, center, team):
    overdue = visited(CaseFactory(center=center, team=team), 40, -10)
    this_week = visited(CaseFactory(center=center, team=team), 10, 3)
    never = CaseFactory(center=center, team=team)
    stale_and_overdue = visited(CaseFactory(center=center, team=team), 45, -15)
    visited(CaseFactory(center=center, team=team), 2, 28)  # fine
    url = reverse("cases:followup-list")
    response = coordinator_client.get(url)
    html = response.content.decode()
    assert "ครบกำหนดสัปดาห์นี้" in html and "ไม่ได้เยี่ยมเกิน 30 วัน" in html
    assert {key: count for key, _label, count in response.context["tabs"]} == {
        "overdue": 2,
        "week": 1,
        "never": 1,
        "stale": 2,
        "referrals": 0,
    }
    assert [c.pk for c in response.context["page_obj"]] == [stale_and_overdue.pk, overdue.pk]
    assert [c.pk for c in coordinator_client.get(url, {"show": "week"}).context["page_obj"]] == [
        this_week.pk
    ]
    assert [c.pk for c in coordinator_client.get(url, {"show": "never"}).context["page_obj"]] == [
        never.pk
    ]
    assert [c.pk for c in coordinator_client.get(url, {"show": "stale"}).context["page_obj"]] == [
        stale_and_overdue.pk,
        overdue.pk,
    ]


def test_the_worklist_filters_by_team_and_by_volunteer(coordinator_client, center, team):
    other_team = TeamFactory(center=center, name="ทีมอื่น")
    ours = visited(CaseFactory(center=center, team=team), 40, -10)
    theirs = visited(CaseFactory(center=center, team=other_team), 40, -10)
    volunteer = VolunteerFactory(center=center)
    volunteer.join_team(other_team)
    url = reverse("cases:followup-list")
    assert [c.pk for c in coordinator_client.get(url, {"team": team.pk}).context["page_obj"]] == [
        ours.pk
    ]
    assert [
        c.pk for c in coordinator_client.get(url, {"volunteer": volunteer.pk}).context["page_obj"]
    ] == [theirs.pk]
    by_team = {t.name: t.overdue for t in coordinator_client.get(url).context["by_team"]}
    assert by_team == {team.name: 1, "ทีมอื่น": 1}


def test_one_click_reassign_from_the_worklist_returns_to_it(coordinator_client, center, team):
    case = visited(CaseFactory(center=center, team=team), 40, -10)
    other_team = TeamFactory(center=center)
    back = reverse("cases:followup-list") + "?show=overdue"
    response = coordinator_client.post(
        reverse("cases:case-assign", args=[case.pk]), {"team": other_team.pk, "next": back}
    )
    assert response["Location"] == back
    case.refresh_from_db()
    assert case.team == other_team


def test_an_outside_next_address_is_ignored(coordinator_client, center, case):
    other_team = TeamFactory(center=center)
    response = coordinator_client.post(
        reverse("cases:case-assign", args=[case.pk]),
        {"team": other_team.pk, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("cases:case-detail", args=[case.pk])


def test_the_worklist_keeps_a_constant_number_of_queries(
    coordinator_client, center, team, django_assert_max_num_queries
):
    # Two full pages: a query per row would show 25 times on page 2, over the budget.
    cases = CaseFactory.create_batch(50, center=center, team=team)
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(
        next_visit_due=TODAY - datetime.timedelta(days=3)
    )
    # 12, 2 for the referral tab's badge (cases/referrals.py, worklist_referral_count)
    # and one for the section of planned actions due (cases/_plan_actions_due.html).
    with django_assert_max_num_queries(15):
        response = coordinator_client.get(reverse("cases:followup-list"), {"page": 2})
    assert response.context["page_obj"].paginator.count == 50
    assert len(response.context["page_obj"]) == 25


def test_the_worklist_never_shows_another_centre(coordinator_client, other_center):
    foreign = CaseFactory(center=other_center)
    Case.objects.filter(pk=foreign.pk).update(next_visit_due=TODAY - datetime.timedelta(days=3))
    response = coordinator_client.get(reverse("cases:followup-list"))
    assert len(response.context["page_obj"]) == 0


@pytest.mark.parametrize("filtered", [False, True])
def test_each_worklist_tab_pages_through_exactly_its_cases(
    coordinator_client, center, team, filtered
):
    """The pages of a tab are counted by the tab's own badge (no COUNT of their own):
    they must hold every case of the tab once, with a volunteer filter too."""
    volunteer = VolunteerFactory(center=center)
    volunteer.join_team(team)
    overdue = [
        Case.objects.filter(pk=CaseFactory(center=center, team=team).pk).update(
            next_visit_due=TODAY - datetime.timedelta(days=3)
        )
        for _ in range(27)
    ]
    CaseFactory(center=center, team=TeamFactory(center=center))  # never visited, other team
    url = reverse("cases:followup-list")
    query = {"show": "overdue", **({"volunteer": volunteer.pk} if filtered else {})}
    first = coordinator_client.get(url, query).context
    second = coordinator_client.get(url, {**query, "page": 2}).context
    assert first["page_obj"].paginator.num_pages == 2
    shown = [c.pk for c in first["page_obj"]] + [c.pk for c in second["page_obj"]]
    assert len(shown) == len(set(shown)) == len(overdue) == 27
    assert {key: count for key, _label, count in first["tabs"]}["overdue"] == 27
    never = coordinator_client.get(url, {**query, "show": "never"}).context
    assert never["page_obj"].paginator.count == (27 if filtered else 28)


def test_overdue_by_team_lists_the_most_overdue_first_then_by_name(
    coordinator_client, center, team
):
    """team is "ทีมผู้สูงอายุ"; a team with nothing overdue is left out."""
    second, third = TeamFactory(center=center, name="ทีมอื่น"), TeamFactory(center=center)
    TeamFactory(center=center, name="ทีมที่ไม่มีงานค้าง")
    for owner in [team, second, third, third]:
        visited(CaseFactory(center=center, team=owner), 40, -10)
    by_team = coordinator_client.get(reverse("cases:followup-list")).context["by_team"]
    assert [(t.name, t.overdue) for t in by_team] == [
        (third.name, 2),
        ("ทีมผู้สูงอายุ", 1),
        ("ทีมอื่น", 1),
    ]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_export_asked_of_the_referral_tab_shows_the_tab(coordinator_client, kind):
    """The tab offers no export; an address with one (edited, bookmarked) was a 500."""
    url = reverse("cases:followup-list")
    response = coordinator_client.get(url, {"show": "referrals", "format": kind})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert response.context["shown"] == "referrals"


def test_no_visit_in_30_days_counts_whole_days_whatever_the_hour(coordinator_client, center, team):
    """The tab is the same all day (it is kept for the day): a visit on the day 30 days
    ago counts, even late that evening; one on the day after does not, even at dawn."""
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)

    def last_visited(at: datetime.datetime) -> Case:
        case = CaseFactory(center=center, team=team)
        HomeVisitFactory(case=case, visited_at=at, next_visit_due=TODAY + datetime.timedelta(3))
        return case

    late_on_day_30 = last_visited(midnight - datetime.timedelta(days=29, minutes=1))
    last_visited(midnight - datetime.timedelta(days=29) + datetime.timedelta(minutes=1))
    response = coordinator_client.get(reverse("cases:followup-list"), {"show": "stale"})
    assert [c.pk for c in response.context["page_obj"]] == [late_on_day_30.pk]
