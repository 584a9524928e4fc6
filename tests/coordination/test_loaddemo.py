from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from cases.models import Case, HomeVisit, HouseholdMember, IncomeSource
from coordination.models import Center, User
from volunteers.models import Team, TeamMembership, Volunteer


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Center,
            Volunteer,
            Team,
            TeamMembership,
            Case,
            HouseholdMember,
            IncomeSource,
            HomeVisit,
            User,
        )
    }


def test_the_demo_centre_loads_once_and_a_second_run_changes_nothing(db, settings):
    settings.DEBUG = True
    call_command("loaddemo", stdout=StringIO())
    first = counts()
    call_command("loaddemo", stdout=StringIO())
    assert counts() == first
    assert first == {
        "Center": 1,
        "Volunteer": 13,
        "Team": 5,
        "TeamMembership": 14,
        "Case": 2,
        "HouseholdMember": 3,
        "IncomeSource": 5,
        "HomeVisit": 2,
        "User": 3,
    }


def test_the_demo_is_bueng_kum_with_five_led_teams_and_the_two_seed_cases(db, settings):
    settings.DEBUG = True
    call_command("loaddemo", stdout=StringIO())
    center = Center.objects.get()
    assert (center.district_id, center.opened_on.isoformat()) == ("1027", "2019-04-24")
    teams = Team.objects.prefetch_related("memberships__volunteer")
    assert sorted(t.target_group.code for t in teams) == [
        "children_youth",
        "destitute",
        "disability",
        "elderly",
        "women",
    ]
    assert all(team.leader is not None for team in teams)

    cases = {c.number: c for c in Case.objects.all()}
    assert set(cases) == {"1027-2562-0001", "1027-2562-0002"}
    first, second = cases["1027-2562-0001"], cases["1027-2562-0002"]
    assert first.age(on=first.opened_on) == 79
    assert second.age(on=second.opened_on) == 91
    assert first.monthly_income() == Decimal("2500.00")
    assert second.monthly_income() == Decimal("1800.00")
    assert first.team.target_group.code == "disability"
    assert second.team.target_group.code == "elderly"
    assert {v.visited_at.date().isoformat() for v in HomeVisit.objects.all()} == {"2019-04-24"}


def test_the_three_demo_logins_work_and_have_their_roles(db, settings):
    settings.DEBUG = True
    call_command("loaddemo", stdout=StringIO())
    request = RequestFactory().post("/login/")  # the login protection needs the request
    admin = authenticate(request, username="admin", password="admin-demo-2562")
    coordinator = authenticate(request, username="coordinator", password="coordinator-demo-2562")
    volunteer = authenticate(request, username="volunteer", password="volunteer-demo-2562")
    assert admin.is_superuser and admin.is_staff
    assert coordinator.is_coordinator and not coordinator.is_staff
    assert volunteer.is_volunteer and volunteer.volunteer.memberships.open().count() == 2


def test_the_demo_refuses_to_load_in_production(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("loaddemo")
    assert not Center.objects.exists()
