"""Teams: one per target group, their members and the cases they work."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import CaseFactory, TeamFactory, VolunteerFactory
from volunteers.models import Team, TeamMembership, Volunteer

pytestmark = pytest.mark.django_db


def test_the_list_shows_the_five_groups_and_each_teams_figures(coordinator_client, center, team):
    leader = VolunteerFactory(center=center, first_name="หัวหน้า")
    leader.join_team(team, role="leader")
    VolunteerFactory(center=center).join_team(team)
    CaseFactory(center=center, team=team, next_visit_due=None)
    overdue = CaseFactory(center=center, team=team)
    overdue.next_visit_due = datetime.date(2020, 1, 1)
    overdue.save()
    CaseFactory(
        center=center,
        team=team,
        status="closed",
        closed_on=datetime.date(2025, 11, 2),
        closure_reason="resolved",
    )
    response = coordinator_client.get(reverse("volunteers:team-list"))
    groups = response.context["groups"]
    assert [g.code for g, _ in groups] == [
        "destitute",
        "disability",
        "elderly",
        "women",
        "children_youth",
    ]
    shown = dict(groups)
    [elderly_team] = next(teams for g, teams in groups if g.code == "elderly")
    assert (
        elderly_team.member_count,
        elderly_team.open_case_count,
        elderly_team.overdue_count,
    ) == (2, 2, 1)
    assert elderly_team.leader == leader
    assert shown and "หัวหน้า" in response.content.decode()


def test_the_list_keeps_a_constant_number_of_queries(
    coordinator_client, center, django_assert_max_num_queries
):
    # A query per team (its leader, its count of cases) would pass the budget of 8.
    for _ in range(12):
        team = TeamFactory(center=center)
        VolunteerFactory(center=center).join_team(team, role="leader")
        CaseFactory.create_batch(2, center=center, team=team)
    with django_assert_max_num_queries(8):
        response = coordinator_client.get(reverse("volunteers:team-list"))
    assert response.status_code == 200


def test_a_coordinator_creates_a_team(coordinator_client, center):
    response = coordinator_client.post(
        reverse("volunteers:team-create"), {"name": "ทีมสตรี", "target_group": _group("women")}
    )
    team = Team.objects.get()
    assert response["Location"] == reverse("volunteers:team-detail", args=[team.pk])
    assert (team.center, team.target_group.code) == (center, "women")


def test_a_duplicate_team_name_is_refused(coordinator_client, center, team):
    response = coordinator_client.post(
        reverse("volunteers:team-create"), {"name": team.name, "target_group": _group("elderly")}
    )
    assert "ชื่อนี้แล้ว" in " ".join(response.context["form"].errors["name"])
    assert Team.objects.count() == 1


def _group(code: str) -> int:
    from coordination.models import TargetGroup

    return TargetGroup.objects.get(code=code).pk


def test_the_page_shows_members_former_members_and_cases(coordinator_client, center, team):
    current = VolunteerFactory(center=center, first_name="ปัจจุบัน")
    current.join_team(team)
    former = VolunteerFactory(center=center, first_name="อดีต")
    former.join_team(team, on=datetime.date(2020, 1, 1))
    former.leave_team(team, on=datetime.date(2021, 1, 1))
    case = CaseFactory(center=center, team=team)
    response = coordinator_client.get(reverse("volunteers:team-detail", args=[team.pk]))
    assert [m.volunteer for m in response.context["current"]] == [current]
    assert [m.volunteer for m in response.context["former"]] == [former]
    assert list(response.context["cases"]) == [case]


def test_a_coordinator_adds_a_volunteer_of_the_centre(coordinator_client, center, team):
    volunteer = VolunteerFactory(center=center)
    response = coordinator_client.post(
        reverse("volunteers:team-add-member", args=[team.pk]),
        {"volunteer": volunteer.pk, "role": "member", "joined_on": "01/11/2568"},
    )
    assert response.status_code == 302
    membership = TeamMembership.objects.get(team=team)
    assert (membership.volunteer, membership.joined_on) == (volunteer, datetime.date(2025, 11, 1))


def test_another_centres_volunteer_cannot_be_added(coordinator_client, team, other_center):
    foreign = VolunteerFactory(center=other_center)
    coordinator_client.post(
        reverse("volunteers:team-add-member", args=[team.pk]),
        {"volunteer": foreign.pk, "role": "member"},
    )
    assert not TeamMembership.objects.exists()


def test_a_second_leader_is_refused_with_a_message(coordinator_client, center, team):
    VolunteerFactory(center=center).join_team(team, role="leader")
    newcomer = VolunteerFactory(center=center)
    response = coordinator_client.post(
        reverse("volunteers:team-add-member", args=[team.pk]),
        {"volunteer": newcomer.pk, "role": "leader"},
        follow=True,
    )
    assert "มีหัวหน้าทีมแล้ว" in response.content.decode()
    assert not newcomer.memberships.exists()


def test_removing_a_member_ends_the_membership_and_keeps_it(coordinator_client, center, team):
    volunteer = VolunteerFactory(center=center)
    membership = volunteer.join_team(team)
    coordinator_client.post(
        reverse("volunteers:team-end-membership", args=[team.pk, membership.pk]),
        {"confirmed": "yes"},
    )
    membership.refresh_from_db()
    assert membership.left_on is not None
    assert TeamMembership.objects.count() == 1


def test_making_a_leader_keeps_the_old_one_as_member(coordinator_client, center, team):
    old = VolunteerFactory(center=center)
    old.join_team(team, role="leader")
    new = VolunteerFactory(center=center)
    membership = new.join_team(team)
    coordinator_client.post(reverse("volunteers:team-make-leader", args=[team.pk, membership.pk]))
    roles = dict(team.memberships.active().values_list("volunteer_id", "role"))
    assert roles == {old.pk: "member", new.pk: "leader"}


def test_another_centres_team_answers_404_and_stays_unchanged(coordinator_client, other_center):
    foreign_team = TeamFactory(center=other_center)
    foreign_member = VolunteerFactory(center=other_center)
    membership = foreign_member.join_team(foreign_team)
    assert (
        coordinator_client.get(
            reverse("volunteers:team-detail", args=[foreign_team.pk])
        ).status_code
        == 404
    )
    response = coordinator_client.post(
        reverse("volunteers:team-end-membership", args=[foreign_team.pk, membership.pk])
    )
    assert response.status_code == 404
    membership.refresh_from_db()
    assert membership.left_on is None


def test_a_membership_of_another_team_answers_404(coordinator_client, center, team):
    other_team = TeamFactory(center=center)
    membership = VolunteerFactory(center=center).join_team(other_team)
    response = coordinator_client.post(
        reverse("volunteers:team-make-leader", args=[team.pk, membership.pk])
    )
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["team-end-membership", "team-make-leader"])
def test_team_changes_are_post_only(coordinator_client, center, team, name):
    membership = VolunteerFactory(center=center).join_team(team)
    args = [team.pk, membership.pk]
    assert coordinator_client.get(reverse(f"volunteers:{name}", args=args)).status_code == 405


def test_volunteers_get_403_on_team_pages(volunteer_client, team):
    assert volunteer_client.get(reverse("volunteers:team-list")).status_code == 403
    assert (
        volunteer_client.get(reverse("volunteers:team-detail", args=[team.pk])).status_code == 403
    )


def test_the_team_page_gives_each_members_workload(coordinator_client, center, team):
    from django.utils import timezone

    from tests.factories import HomeVisitFactory

    busy = VolunteerFactory(center=center, first_name="ขยัน")
    busy.join_team(team)
    idle = VolunteerFactory(center=center, first_name="ว่าง")
    idle.join_team(team)
    other_team = TeamFactory(center=center)
    busy.join_team(other_team)
    CaseFactory(center=center, team=team)
    other_case = CaseFactory(center=center, team=other_team)
    now = timezone.now()
    for days_ago in (0, 1):
        visit = HomeVisitFactory(
            case=other_case, visited_at=now - datetime.timedelta(days=days_ago)
        )
        visit.volunteers.add(busy)
    response = coordinator_client.get(reverse("volunteers:team-detail", args=[team.pk]))
    figures = {
        m.volunteer.first_name: (m.open_cases, m.visits_this_month, m.days_since_visit)
        for m in response.context["current"]
    }
    this_month = 2 if timezone.localdate().day > 1 else 1
    assert figures == {"ขยัน": (2, this_month, 0), "ว่าง": (1, 0, None)}


def test_a_member_whose_last_visit_is_over_a_year_old_shows_no_visit_in_the_past_year(
    coordinator_client, center, team
):
    from django.utils import timezone

    from tests.factories import HomeVisitFactory

    member = VolunteerFactory(center=center, first_name="นานแล้ว")
    member.join_team(team)
    case = CaseFactory(center=center, team=team)
    visit = HomeVisitFactory(case=case, visited_at=timezone.now() - datetime.timedelta(days=400))
    visit.volunteers.add(member)

    response = coordinator_client.get(reverse("volunteers:team-detail", args=[team.pk]))

    (shown,) = [m for m in response.context["current"] if m.volunteer_id == member.pk]
    assert (shown.visits_this_month, shown.days_since_visit) == (0, None)
    assert "ไม่ได้เยี่ยมในรอบปีที่ผ่านมา" in response.content.decode()


def test_a_members_last_visit_months_ago_is_found_beyond_the_recent_visits(
    coordinator_client, center, team
):
    """The figures come from the centre's last 31 days first, then the year for members
    not seen lately: both kinds of member on one page."""
    from django.utils import timezone

    from tests.factories import HomeVisitFactory

    lately, months_ago = (
        VolunteerFactory(center=center, first_name="เมื่อวาน"),
        VolunteerFactory(center=center, first_name="ร้อยวัน"),
    )
    lately.join_team(team)
    months_ago.join_team(team)
    case = CaseFactory(center=center, team=team)
    for member, days_ago in ((lately, 1), (months_ago, 100), (months_ago, 200)):
        visit = HomeVisitFactory(
            case=case, visited_at=timezone.now() - datetime.timedelta(days=days_ago)
        )
        visit.volunteers.add(member)

    response = coordinator_client.get(reverse("volunteers:team-detail", args=[team.pk]))

    days = {m.volunteer.first_name: m.days_since_visit for m in response.context["current"]}
    assert days == {"เมื่อวาน": 1, "ร้อยวัน": 100}
    assert "เยี่ยมล่าสุดเมื่อ 100 วันก่อน" in response.content.decode()


def test_a_visit_today_reads_today_on_the_team_page_and_in_my_cases(
    coordinator_client, center, team, volunteer_on_team
):
    """Not "last visit 0 days ago"."""
    from django.test import Client
    from django.utils import timezone

    from tests.factories import HomeVisitFactory

    case = CaseFactory(center=center, team=team)
    # Today's first minute in Bangkok: "now minus a few minutes" is yesterday after midnight.
    early = datetime.datetime.combine(timezone.localdate(), datetime.time(0, 1))
    visit = HomeVisitFactory(case=case, visited_at=timezone.make_aware(early))
    visit.volunteers.add(volunteer_on_team)

    team_page = coordinator_client.get(reverse("volunteers:team-detail", args=[team.pk]))
    volunteer = Client()
    volunteer.force_login(volunteer_on_team.user)
    mine = volunteer.get(reverse("cases:my-cases"))
    for page in (team_page, mine):
        text = page.content.decode()
        assert "เยี่ยมล่าสุดวันนี้" in text and "0 วันก่อน" not in text


def test_the_add_member_page_offers_the_centres_active_volunteers_not_on_the_team(
    coordinator_client, center, team, other_center
):
    member = VolunteerFactory(center=center, first_name="สมาชิก")
    member.join_team(team)
    former = VolunteerFactory(center=center, first_name="เคยอยู่")
    former.join_team(team, on=datetime.date(2020, 1, 1))
    former.leave_team(team, on=datetime.date(2021, 1, 1))
    newcomer = VolunteerFactory(center=center, first_name="ใหม่")
    VolunteerFactory(center=center, first_name="ลาออก", status=Volunteer.Status.LEFT)
    VolunteerFactory(center=other_center, first_name="ศูนย์อื่น")

    response = coordinator_client.get(reverse("volunteers:team-add-member", args=[team.pk]))

    assert response.status_code == 200
    offered = set(response.context["form"].fields["volunteer"].queryset)
    # A former member may join again; a current one is on the team already.
    assert offered == {newcomer, former}


def test_the_team_page_links_to_adding_a_member_and_lists_no_volunteers_to_choose(
    coordinator_client, center, team
):
    VolunteerFactory(center=center, first_name="ใหม่")
    page = coordinator_client.get(reverse("volunteers:team-detail", args=[team.pk]))
    html = page.content.decode()
    assert f'href="{reverse("volunteers:team-add-member", args=[team.pk])}"' in html
    assert "<select" not in html and "ใหม่" not in html
