"""A new centre: its five teams from the start, and a checklist on the dashboard until
it is ready to work."""

import datetime

import pytest
from django.urls import reverse

from cases.dashboard import onboarding_steps
from coordination.models import Agency, Center, TargetGroup
from tests.factories import CenterFactory, TeamFactory, UserFactory, VolunteerFactory
from volunteers.models import Team

pytestmark = pytest.mark.django_db


def test_a_centre_added_in_the_admin_starts_with_one_team_per_target_group(django_app):
    admin = UserFactory(username="national-admin", is_staff=True, is_superuser=True)
    page = django_app.get(reverse("admin:coordination_center_add"), user=admin)
    rendered = page.forms["center_form"]
    rendered["name"] = "ศูนย์ประสานงาน อพม. อำเภอเมืองนนทบุรี"
    rendered["district"].force_value("1201")  # an autocomplete: the page fills it by script
    rendered["address"] = "ศาลากลางจังหวัดนนทบุรี"
    rendered["opened_on"] = "2024-01-15"
    rendered.submit().follow()

    center = Center.objects.get(district_id="1201")
    teams = Team.objects.filter(center=center).order_by("target_group__position")
    assert [team.target_group.code for team in teams] == [
        group.code for group in TargetGroup.objects.all()
    ]
    assert [team.name for team in teams] == [
        "ทีมผู้ยากไร้",
        "ทีมผู้พิการ",
        "ทีมผู้สูงอายุ",
        "ทีมสตรี",
        "ทีมเด็กและเยาวชน",
    ]


def test_creating_the_teams_again_adds_only_the_missing_ones(center):
    elderly = TeamFactory(center=center, name="ทีมผู้สูงอายุ")  # its group is covered
    TeamFactory(
        center=center, name="ทีมสตรี", target_group=TargetGroup.objects.get(code="disability")
    )
    created = center.create_teams()
    assert len(created) == 3
    assert center.teams.filter(target_group__code="elderly").get() == elderly
    # The women's team's usual name was taken by another group's team.
    assert center.teams.get(target_group__code="women").name == "ทีมสตรี (women)"
    assert center.create_teams() == []
    assert center.teams.count() == 5


def steps(response) -> list[tuple[str, bool]]:
    return [(str(label), done) for label, done, _url in response.context["onboarding"]]


def test_the_dashboard_shows_the_checklist_until_every_step_is_done(
    coordinator_client, center, other_center
):
    url = reverse("coordination:dashboard")
    # The other centre being ready says nothing of ours.
    Agency.objects.create(center=other_center, name="โรงพยาบาล", kind="hospital")
    VolunteerFactory(center=other_center)
    center.create_teams()

    response = coordinator_client.get(url)
    assert steps(response) == [
        ("เพิ่มผู้ประสานงานแล้ว", True),  # the one looking
        ("นำเข้ารายชื่อ อพม. แล้ว", False),
        ("ทุกทีมมีหัวหน้าทีมแล้ว", False),
        ("บันทึกหน่วยงานแล้ว", False),
    ]
    assert "เริ่มต้นใช้งานศูนย์" in response.content.decode()

    volunteers = [VolunteerFactory(center=center) for _team in range(5)]
    for volunteer, team in zip(volunteers, center.teams.all(), strict=True):
        team.make_leader(volunteer)
    last = center.teams.last()
    # A leader who left the team leaves it leaderless again.
    last.memberships.filter(role="leader").update(left_on=datetime.date.today())
    assert [done for _label, done in steps(coordinator_client.get(url))] == [
        True, True, False, False,
    ]  # fmt: skip
    last.make_leader(volunteers[0])
    Agency.objects.create(center=center, name="สำนักงานเขตบึงกุ่ม", kind="district_office")

    response = coordinator_client.get(url)
    assert response.context["onboarding"] == []
    assert "เริ่มต้นใช้งานศูนย์" not in response.content.decode()


def test_a_centre_without_teams_has_not_given_its_teams_leaders(center):
    _label, teams_led, _url = onboarding_steps(center)[2]
    assert teams_led is False


def test_a_national_administrator_sees_no_checklist(client):
    CenterFactory()
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get(reverse("coordination:dashboard")).context["onboarding"] == []


def test_the_volunteers_step_links_to_the_import_and_ticks_once_volunteers_exist(
    coordinator_client, center
):
    url = reverse("coordination:dashboard")
    page = coordinator_client.get(url).content.decode()
    assert f'<a href="{reverse("volunteers:volunteer-import")}">นำเข้ารายชื่อ อพม.' in page
    label, done, link = onboarding_steps(center)[1]
    assert (done, link) == (False, reverse("volunteers:volunteer-import"))

    VolunteerFactory(center=center)

    assert onboarding_steps(center)[1][1] is True
