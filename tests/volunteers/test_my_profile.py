"""A volunteer's own page: their record, their teams and their teammates' phone
numbers — instead of the coordinators' pages, which answer them 403."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import TeamFactory, UserFactory, VolunteerFactory

pytestmark = pytest.mark.django_db


def test_a_volunteer_sees_their_teams_and_teammates_with_phone_numbers(
    volunteer_client, volunteer_on_team, team, center
):
    leader = VolunteerFactory(center=center, first_name="ประไพ", phone="0891112222")
    leader.join_team(team, role="leader")
    gone = VolunteerFactory(center=center, first_name="ลาออกแล้ว")
    gone.join_team(team, on=datetime.date(2024, 1, 1))
    gone.leave_team(team, on=datetime.date(2024, 6, 1))
    elsewhere = VolunteerFactory(center=center, first_name="ทีมอื่น")
    elsewhere.join_team(TeamFactory(center=center, name="ทีมเด็ก"))

    response = volunteer_client.get(reverse("volunteers:my-profile"))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert f"<h1>{volunteer_on_team.full_name}</h1>" in html
    assert f'id="team-{team.pk}"' in html and "ทีมผู้สูงอายุ" in html
    assert "ประไพ" in html and 'href="tel:0891112222"' in html and "หัวหน้าทีม" in html
    assert "ลาออกแล้ว" not in html  # a former member is no longer a teammate
    assert "ทีมอื่น" not in html and "ทีมเด็ก" not in html  # not their team
    assert f'href="{reverse("cases:my-cases")}"' in html


def test_the_page_is_in_english_when_english_was_chosen(volunteer_client, team):
    volunteer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = volunteer_client.get(reverse("volunteers:my-profile")).content.decode()
    assert "My teams" in html and "My details" in html


def test_a_volunteer_without_a_team_is_told_who_puts_them_in_one(client, volunteer_off_team):
    client.force_login(volunteer_off_team.user)
    html = client.get(reverse("volunteers:my-profile")).content.decode()
    assert "ยังไม่ได้อยู่ในทีมใด" in html


def test_a_login_not_linked_to_a_volunteer_record_is_told_whom_to_ask(client, center):
    client.force_login(UserFactory(center=center, role="volunteer"))
    response = client.get(reverse("volunteers:my-profile"))
    assert response.status_code == 200
    assert "ยังไม่ได้เชื่อมกับข้อมูล อพม." in response.content.decode()


def test_the_volunteers_menu_leads_to_their_page(volunteer_client):
    html = volunteer_client.get(reverse("cases:my-cases")).content.decode()
    assert f'href="{reverse("volunteers:my-profile")}"' in html
    assert "หน้าของฉัน" in html


def test_a_coordinator_has_no_such_page_in_the_menu_and_gets_403(coordinator_client):
    html = coordinator_client.get(reverse("cases:case-list")).content.decode()
    assert reverse("volunteers:my-profile") not in html
    assert coordinator_client.get(reverse("volunteers:my-profile")).status_code == 403
