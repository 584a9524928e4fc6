"""Volunteers and teams: the invariants PostgreSQL and clean() hold."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.factories import TeamFactory, VolunteerFactory, national_id
from volunteers.models import TeamMembership, Volunteer

pytestmark = pytest.mark.django_db


def test_a_national_id_is_unique_within_a_centre(center):
    VolunteerFactory(center=center, national_id=national_id(1))
    with pytest.raises(IntegrityError), transaction.atomic():
        VolunteerFactory(center=center, national_id=national_id(1))
    assert Volunteer.objects.filter(national_id=national_id(1)).count() == 1


def test_the_same_person_may_volunteer_in_another_centre(center, other_center):
    VolunteerFactory(center=center, national_id=national_id(1))
    VolunteerFactory(center=other_center, national_id=national_id(1))
    assert Volunteer.objects.filter(national_id=national_id(1)).count() == 2


def test_full_clean_refuses_a_bad_checksum_and_normalises_a_typed_id(center):
    volunteer = VolunteerFactory.build(center=center, national_id="1-0000-00000-01-0")
    with pytest.raises(ValidationError) as error:
        volunteer.full_clean()
    assert "national_id" in error.value.message_dict
    typed = national_id(7)
    volunteer.national_id = f"{typed[0]}-{typed[1:5]}-{typed[5:10]}-{typed[10:12]}-{typed[12]}"
    volunteer.full_clean()
    assert volunteer.national_id == typed


def test_a_volunteer_has_one_open_membership_per_team(center, team):
    volunteer = VolunteerFactory(center=center)
    volunteer.join_team(team)
    with pytest.raises(ValidationError):
        volunteer.join_team(team)
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamMembership.objects.create(
            volunteer=volunteer, team=team, joined_on=datetime.date.today()
        )
    assert volunteer.memberships.count() == 1


def test_leaving_keeps_the_history_and_allows_rejoining(center, team):
    volunteer = VolunteerFactory(center=center)
    volunteer.join_team(team, on=datetime.date(2024, 1, 1))
    assert volunteer.leave_team(team, on=datetime.date(2024, 6, 30)) == 1
    volunteer.join_team(team, on=datetime.date(2025, 1, 1))
    history = list(volunteer.memberships.order_by("joined_on").values_list("joined_on", "left_on"))
    assert history == [
        (datetime.date(2024, 1, 1), datetime.date(2024, 6, 30)),
        (datetime.date(2025, 1, 1), None),
    ]


def test_a_volunteers_team_ids_are_their_open_memberships_and_follow_their_changes(
    center, team, django_assert_num_queries
):
    """Volunteer.team_ids: read once for the instance; joining, leaving and leaving the
    centre's roll forget it, so the next question reads the memberships again."""
    other, ended = TeamFactory(center=center), TeamFactory(center=center)
    volunteer = VolunteerFactory(center=center)
    someone_else = VolunteerFactory(center=center)
    someone_else.join_team(other)
    volunteer.join_team(ended, on=datetime.date(2024, 1, 1))
    volunteer.leave_team(ended, on=datetime.date(2024, 6, 30))
    volunteer.join_team(team)
    with django_assert_num_queries(1):
        assert volunteer.team_ids == [team.pk]
        assert volunteer.team_ids == [team.pk]  # kept
    volunteer.join_team(other)
    assert sorted(volunteer.team_ids) == sorted([team.pk, other.pk])
    volunteer.leave_team(team)
    assert volunteer.team_ids == [other.pk]
    volunteer.set_status(Volunteer.Status.LEFT)
    assert volunteer.team_ids == []
    assert Volunteer.objects.get(pk=someone_else.pk).team_ids == [other.pk]


def test_a_member_cannot_leave_before_joining(center, team):
    volunteer = VolunteerFactory(center=center)
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamMembership.objects.create(
            volunteer=volunteer,
            team=team,
            joined_on=datetime.date(2025, 1, 2),
            left_on=datetime.date(2025, 1, 1),
        )


def test_a_volunteer_cannot_join_another_centres_team(center, other_center):
    volunteer = VolunteerFactory(center=center)
    foreign_team = TeamFactory(center=other_center)
    with pytest.raises(ValidationError):
        volunteer.join_team(foreign_team)
    assert not TeamMembership.objects.exists()


def test_a_team_has_one_leader_and_the_old_one_stays_a_member(center, team):
    first, second = VolunteerFactory(center=center), VolunteerFactory(center=center)
    first.join_team(team, role=TeamMembership.Role.LEADER)
    with pytest.raises(ValidationError):
        second.join_team(team, role=TeamMembership.Role.LEADER)
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamMembership.objects.create(
            volunteer=second, team=team, role="leader", joined_on=datetime.date.today()
        )
    team.make_leader(second)
    team = type(team).objects.prefetch_related("memberships__volunteer").get(pk=team.pk)
    assert team.leader == second
    roles = dict(team.memberships.values_list("volunteer_id", "role"))
    assert roles == {first.pk: "member", second.pk: "leader"}


def test_team_names_are_unique_within_a_centre(center):
    TeamFactory(center=center, name="ทีมผู้สูงอายุ")
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamFactory(center=center, name="ทีมผู้สูงอายุ")
