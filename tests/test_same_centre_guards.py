"""A case's team, a membership's volunteer and team, and a visit's volunteers belong
to one centre: the models' validation says so in the user's language, and PostgreSQL
refuses it whoever writes (triggers of migration cases/0010_same_centre_guards)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cases.models import Case
from tests.factories import CaseFactory, HomeVisitFactory, TeamFactory, VolunteerFactory
from volunteers.models import Team, TeamMembership, Volunteer

pytestmark = pytest.mark.django_db


def refused_by_the_database(write) -> bool:
    try:
        with transaction.atomic():
            write()
    except IntegrityError as error:
        return "same_centre_guard" in str(error)
    return False


def test_a_case_cannot_take_another_centres_team(case, other_center):
    foreign_team = TeamFactory(center=other_center)
    case.team = foreign_team
    with pytest.raises(ValidationError) as error:
        case.full_clean()
    assert "team" in error.value.message_dict
    assert refused_by_the_database(
        lambda: Case.objects.filter(pk=case.pk).update(team=foreign_team)
    )
    assert refused_by_the_database(lambda: CaseFactory(center=case.center, team=foreign_team))
    assert Case.objects.get(pk=case.pk).team.center == case.center


def test_a_membership_joins_a_volunteer_and_a_team_of_one_centre(team, other_center):
    stranger = VolunteerFactory(center=other_center)
    with pytest.raises(ValidationError):
        stranger.join_team(team)  # join_team runs full_clean()
    assert refused_by_the_database(
        lambda: TeamMembership.objects.create(volunteer=stranger, team=team, joined_on="2025-01-01")
    )
    assert not team.memberships.exists()


def test_a_visit_records_only_its_own_centres_volunteers(case, other_center):
    visit = HomeVisitFactory(case=case)
    stranger = VolunteerFactory(center=other_center)
    with pytest.raises(ValidationError) as error:
        visit.check_volunteers([stranger])
    assert "volunteers" in error.value.message_dict
    visit.check_volunteers([VolunteerFactory(center=case.center)])  # no error
    assert refused_by_the_database(lambda: visit.volunteers.add(stranger))
    assert not visit.volunteers.exists()


def test_a_volunteer_or_team_with_links_cannot_move_to_another_centre(
    case, team, volunteer_on_team, other_center
):
    visit = HomeVisitFactory(case=case)
    visit.volunteers.add(volunteer_on_team)
    assert refused_by_the_database(
        lambda: Volunteer.objects.filter(pk=volunteer_on_team.pk).update(center=other_center)
    )
    assert refused_by_the_database(
        lambda: Team.objects.filter(pk=team.pk).update(center=other_center)
    )
    lone = VolunteerFactory(center=case.center)  # no links: moving is allowed
    Volunteer.objects.filter(pk=lone.pk).update(center=other_center)
    assert Volunteer.objects.get(pk=lone.pk).center == other_center
