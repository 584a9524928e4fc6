"""Creating a team and managing its members, on the pages' own forms."""

from django.urls import reverse
from django.utils import timezone

from coordination.models import TargetGroup
from tests.factories import VolunteerFactory
from tests.forms.rendered import (
    assert_renders_every_field,
    confirm_and_follow,
    form_posting_to,
    form_with_field,
    submit_and_follow,
)
from volunteers.models import Team, TeamMembership


def team_page(app, team, user):
    return app.get(reverse("volunteers:team-detail", args=[team.pk]), user=user)


def test_a_coordinator_creates_a_team(app, center, coordinator):
    response = app.get(reverse("volunteers:team-create"), user=coordinator)
    rendered = form_with_field(response, "name")
    assert_renders_every_field(rendered, response.context["form"])
    children = TargetGroup.objects.get(code="children_youth")

    rendered["name"] = "ทีมเด็กและเยาวชน"
    rendered["target_group"] = str(children.pk)
    page = submit_and_follow(rendered)

    team = Team.objects.get()
    assert page.request.path == reverse("volunteers:team-detail", args=[team.pk])
    assert "สร้างทีม ทีมเด็กและเยาวชน แล้ว" in page.text
    assert (team.center, team.target_group) == (center, children)


def test_a_coordinator_adds_a_member_chosen_from_the_list(app, center, team, coordinator):
    newcomer = VolunteerFactory(center=center, first_name="ประภา")
    # From the team page's link to the page of the form, as a person goes.
    add_page = reverse("volunteers:team-add-member", args=[team.pk])
    response = team_page(app, team, coordinator).click(href=add_page)
    rendered = form_with_field(response, "volunteer")
    assert_renders_every_field(rendered, response.context["form"])

    rendered["volunteer"] = str(newcomer.pk)
    rendered["joined_on"] = "01/11/2568"
    page = submit_and_follow(rendered)

    assert f"{newcomer} เข้าร่วมทีมแล้ว" in page.text
    membership = team.memberships.active().get(volunteer=newcomer)
    assert (membership.role, str(membership.joined_on)) == (
        TeamMembership.Role.MEMBER,
        "2025-11-01",
    )


def test_a_coordinator_makes_a_member_the_leader_and_the_old_leader_stays_a_member(
    app, center, team, coordinator, volunteer_on_team
):
    old_leader = VolunteerFactory(center=center, first_name="บุญมี")
    old_leader.join_team(team, role=TeamMembership.Role.LEADER)
    membership = team.memberships.get(volunteer=volunteer_on_team)
    rendered = form_posting_to(
        team_page(app, team, coordinator),
        reverse("volunteers:team-make-leader", args=[team.pk, membership.pk]),
    )
    page = submit_and_follow(rendered)

    assert f"{volunteer_on_team} เป็นหัวหน้าทีมแล้ว" in page.text
    roles = dict(team.memberships.active().values_list("volunteer__first_name", "role"))
    assert roles == {"สมศรี": TeamMembership.Role.LEADER, "บุญมี": TeamMembership.Role.MEMBER}


def test_a_coordinator_removes_a_member_and_the_membership_is_kept_as_history(
    app, team, coordinator, volunteer_on_team
):
    membership = team.memberships.get(volunteer=volunteer_on_team)
    rendered = form_posting_to(
        team_page(app, team, coordinator),
        reverse("volunteers:team-end-membership", args=[team.pk, membership.pk]),
    )
    page = confirm_and_follow(rendered)

    assert f"{volunteer_on_team} ออกจากทีมแล้ว" in page.text
    membership.refresh_from_db()
    assert membership.left_on == timezone.localdate()
    assert not team.memberships.active().exists()


def test_a_refused_member_is_shown_on_the_form_with_the_reason_and_nothing_is_saved(
    app, center, team, coordinator
):
    VolunteerFactory(center=center, first_name="บุญมี").join_team(team, role="leader")
    newcomer = VolunteerFactory(center=center, first_name="ประภา")
    add_page = reverse("volunteers:team-add-member", args=[team.pk])
    rendered = form_with_field(app.get(add_page, user=coordinator), "volunteer")

    rendered["volunteer"] = str(newcomer.pk)
    rendered["role"] = TeamMembership.Role.LEADER
    page = rendered.submit()

    assert page.status_code == 200 and page.request.path == add_page
    assert "มีหัวหน้าทีมแล้ว" in page.text
    # The choice is kept, to fix the role and send again.
    assert form_with_field(page, "volunteer")["volunteer"].value == str(newcomer.pk)
    assert not newcomer.memberships.exists()
