"""No link on a case page answers 403 or 404: one rule (`may_open`) decides whether a
user may open a volunteer's or a team's page, the views apply it and the page asks it."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coordination.access import may_open
from tests.factories import UserFactory, VolunteerFactory

pytestmark = pytest.mark.django_db


def links_to_people_and_teams(html: str) -> list[str]:
    """Links of the page's content, not of the menu, to volunteers' and teams' pages."""
    content = html[html.index("<main") :]
    return re.findall(r'href="(/volunteers/[^"]*)"', content)


@pytest.fixture
def teammate(center, team):
    volunteer = VolunteerFactory(center=center, first_name="ประไพ")
    volunteer.join_team(team, role="leader")
    return volunteer


@pytest.fixture
def administrator(db):
    return UserFactory(is_staff=True, is_superuser=True)


def test_a_coordinator_can_follow_every_team_and_volunteer_link_on_a_case(
    coordinator_client, case, team, teammate, volunteer_on_team
):
    html = coordinator_client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    links = links_to_people_and_teams(html)
    assert reverse("volunteers:team-detail", args=[team.pk]) in links
    assert reverse("volunteers:volunteer-detail", args=[teammate.pk]) in links
    assert reverse("volunteers:volunteer-detail", args=[volunteer_on_team.pk]) in links
    for link in links:
        assert coordinator_client.get(link).status_code == 200, link


def test_a_volunteer_sees_no_link_that_would_answer_403(
    volunteer_client, case, team, teammate, volunteer_on_team
):
    html = volunteer_client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    links = links_to_people_and_teams(html)
    own_page = reverse("volunteers:my-profile")
    # Their name and their team lead to their own page; a teammate's name is plain text.
    assert links == [f"{own_page}#team-{team.pk}", own_page]
    assert "ประไพ" in html
    for link in links:
        assert volunteer_client.get(link.split("#")[0]).status_code == 200, link
    assert reverse("volunteers:team-detail", args=[team.pk]) not in html
    assert reverse("volunteers:volunteer-detail", args=[teammate.pk]) not in html


@pytest.mark.parametrize(
    "who", ["coordinator", "other_coordinator", "volunteer_on_team", "administrator"]
)
def test_may_open_answers_as_the_pages_do(
    client, request, who, team, teammate, volunteer_on_team, other_center
):
    """The rule the templates ask and the views' own checks never disagree."""
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)  # a volunteer fixture is the record, not the login
    client.force_login(user)
    other_volunteer = VolunteerFactory(center=other_center)
    for obj, name in [
        (team, "volunteers:team-detail"),
        (teammate, "volunteers:volunteer-detail"),
        (volunteer_on_team, "volunteers:volunteer-detail"),
        (other_volunteer, "volunteers:volunteer-detail"),
    ]:
        status = client.get(reverse(name, args=[obj.pk])).status_code
        assert status in (200, 403, 404)
        assert may_open(user, obj) == (status == 200), (who, obj, status)


def test_asking_about_each_member_costs_no_query_per_member(coordinator_client, case, team, center):
    url = reverse("cases:case-detail", args=[case.pk])
    VolunteerFactory(center=center).join_team(team)
    with CaptureQueriesContext(connection) as one_member:
        coordinator_client.get(url)
    for _ in range(9):
        VolunteerFactory(center=center).join_team(team)
    with CaptureQueriesContext(connection) as ten_members:
        html = coordinator_client.get(url).content.decode()
    assert len(links_to_people_and_teams(html)) == 11
    assert len(ten_members) == len(one_member)
