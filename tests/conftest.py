"""The cast every test may call on: two centres, their coordinators, a team,
a volunteer on it, one who is not, and a case assigned to the team."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from coordination.models import User
from coordination.twofactor import requires_second_factor
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


def passed_second_step(session, user) -> None:
    """Marks `session` as verified by the user's authenticator, exactly what
    django_otp.login stores after a right code (the device's id in the session)."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="test authenticator", defaults={"confirmed": True}
    )
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id


def enter_backup_code(client, username: str) -> None:
    """The second step of a login made with `client.post(reverse("login"), ...)`: one
    of the user's backup codes, each good once (an app's code is good once per 30
    seconds, too few for tests that log in again and again)."""
    from django.urls import reverse
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    device, _ = StaticDevice.objects.get_or_create(
        user=User.objects.get(username=username), name="backup codes"
    )
    code = StaticToken.random_token()
    device.token_set.create(token=code)
    response = client.post(reverse("login-code"), {"code": code})
    assert response.status_code == 302, response.content


@pytest.fixture(autouse=True)
def force_login_includes_the_second_step(monkeypatch):
    """`client.force_login(user)` stands for a finished login, so for the users the
    second step applies to (staff, coordinators) it includes that step. The app is
    unchanged: a session without the device's mark meets the code page, as the tests of
    the login itself show (tests/coordination/test_two_factor.py), which log in through
    the pages."""
    original = Client.force_login

    def force_login(self, user, backend=None) -> None:
        original(self, user, backend)
        if requires_second_factor(user):
            session = self.session
            passed_second_step(session, user)
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


def webtest_login_includes_the_second_step(sender, request, user, **kwargs) -> None:
    """The same for django-webtest's `app.get(url, user=...)` (tests/forms): only its
    own logins, made through its test-only backend."""
    if getattr(user, "backend", "").startswith("django_webtest.") and requires_second_factor(user):
        passed_second_step(request.session, user)


user_logged_in.connect(webtest_login_includes_the_second_step, dispatch_uid="tests-webtest-2fa")


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
