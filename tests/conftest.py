"""The cast every test may call on: two centres, their coordinators, a team,
a volunteer on it, one who is not, and a case assigned to the team."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.db.models.signals import post_migrate
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.models import AssistanceCap
from coordination.models import (
    Agency,
    AllowanceRate,
    District,
    Province,
    Subdistrict,
    TargetGroup,
    User,
)
from coordination.twofactor import requires_second_factor
from tests.factories import (
    CaseFactory,
    CenterFactory,
    TeamFactory,
    UserFactory,
    VolunteerFactory,
)

# What the data migrations seed, parents before children.
SEEDED = (TargetGroup, AllowanceRate, Province, District, Subdistrict, Group, AssistanceCap, Agency)


class Seed:
    """The seeded rows as the migrations left them, read once; put back after a flush."""

    def __init__(self) -> None:
        self.rows = {model: list(model._base_manager.all()) for model in SEEDED}
        # Permissions are made again by each flush's post_migrate, with new ids: by name.
        self.grants = {
            group.pk: list(group.permissions.values_list("content_type__app_label", "codename"))
            for group in self.rows[Group]
        }
        assert self.rows[Subdistrict], "the test database has lost its seed: run with --create-db"
        # Every other table starts empty. A table with rows now is seeded by a migration
        # this class does not know, and would be lost after the first flush.
        remade_by_flush = {ContentType, Permission, Group.permissions.through}
        unknown = [
            model._meta.label
            for model in apps.get_models(include_auto_created=True)
            if model not in (*SEEDED, *remade_by_flush) and model._base_manager.exists()
        ]
        assert unknown == [], (
            f"rows in {unknown} before any test: add what a data migration seeds to SEEDED "
            "(tests/conftest.py), or run with --create-db if an interrupted run left them"
        )

    def put_back(self, sender, **kwargs) -> None:
        # post_migrate is sent once per app; the last one comes after every permission exists.
        if sender is not LAST_APP:
            return
        for model, rows in self.rows.items():
            model._base_manager.bulk_create(rows, batch_size=2000)  # type: ignore[arg-type]
        for group_pk, grants in self.grants.items():
            named = Q(pk__in=[])
            for app_label, codename in grants:
                named |= Q(content_type__app_label=app_label, codename=codename)
            Group.objects.get(pk=group_pk).permissions.set(Permission.objects.filter(named))


LAST_APP = [config for config in apps.get_app_configs() if config.models_module][-1]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Transactional tests (live server, concurrency) end with a flush that empties the
    seeded tables; their rows, read once here, go back after each flush, so later tests
    and the next --reuse-db run find them. (pytest-django's serialized_rollback would
    reload the whole database object by object before each such test: seconds each.)"""
    with django_db_blocker.unblock():
        seed = Seed()
    post_migrate.connect(seed.put_back, dispatch_uid="tests-seed-after-flush")
    yield
    post_migrate.disconnect(dispatch_uid="tests-seed-after-flush")


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
