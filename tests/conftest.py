"""The cast every test may call on: two centres, their coordinators, a team,
a volunteer on it, one who is not, and a case assigned to the team."""

import importlib

import pytest
from django.apps import apps
from django.db.models.signals import post_migrate

from tests.factories import (
    CaseFactory,
    CenterFactory,
    TeamFactory,
    UserFactory,
    VolunteerFactory,
)

SEED_MIGRATIONS = [
    "coordination.migrations.0002_seed_target_groups",
    "coordination.migrations.0003_seed_allowance_rates",
    "coordination.migrations.0004_seed_thai_geography",
    "coordination.migrations.0005_seed_roles",
    "coordination.migrations.0013_seed_centre_admin_group",
]


def reseed(sender, **kwargs) -> None:
    """Transactional tests (live server, concurrency) end with a flush that empties the
    seeded tables; seed them again so later tests, and the next --reuse-db run, find them."""
    if sender.label != "cases":  # the last of our apps: every permission exists by now
        return
    for name in SEED_MIGRATIONS:
        module = importlib.import_module(name)
        forward = module.Migration.operations[0].code
        forward(apps, None)


post_migrate.connect(reseed, dispatch_uid="tests-reseed-after-flush")


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def center(db):
    return CenterFactory(name="ศูนย์ประสานงาน อพม. เขตบึงกุ่ม", district_id="1027")


@pytest.fixture
def other_center(db):
    return CenterFactory(name="ศูนย์ประสานงาน อพม. เขตพระนคร", district_id="1001")


@pytest.fixture
def coordinator(center):
    return UserFactory(username="coordinator", center=center, role="coordinator")


@pytest.fixture
def other_coordinator(other_center):
    return UserFactory(username="other-coordinator", center=other_center, role="coordinator")


@pytest.fixture
def team(center):
    return TeamFactory(center=center, name="ทีมผู้สูงอายุ")


@pytest.fixture
def volunteer_on_team(center, team):
    """A volunteer with a login who is an active member of `team`."""
    user = UserFactory(username="volunteer-on-team", center=center, role="volunteer")
    volunteer = VolunteerFactory(center=center, user=user, first_name="สมศรี")
    volunteer.join_team(team)
    return volunteer


@pytest.fixture
def volunteer_off_team(center):
    """A volunteer with a login in the same centre, on no team of the case."""
    user = UserFactory(username="volunteer-off-team", center=center, role="volunteer")
    return VolunteerFactory(center=center, user=user, first_name="มาลี")


@pytest.fixture
def case(center, team):
    return CaseFactory(center=center, team=team, first_name="บุญเรือน", last_name="ทดสอบ")


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def volunteer_client(client, volunteer_on_team):
    client.force_login(volunteer_on_team.user)
    return client
