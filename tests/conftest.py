"""The cast every test may call on: two centres, their coordinators, a team,
a volunteer on it, one who is not, and a case assigned to the team."""

import datetime
import io

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.test import Client, TransactionTestCase
from django.utils import timezone
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
    """What the migrations leave in the test database (the seeded rows, the content types
    and permissions), read once with COPY and kept in memory with a fingerprint per table.

    A transactional test (live server, concurrency) ends, in Django, with a flush: TRUNCATE
    of all 60-odd tables, then post_migrate to make the content types and permissions
    again, then the seed put back: 1.5 s after every such test, a fifth of the suite.
    `empty()` leaves the same database in PostgreSQL alone: it empties the tables that
    have rows, and only those reference tables whose fingerprint changed, and copies
    those back. (Not in a schema of the test database: a backup test would carry it.
    pytest-django's serialized_rollback would reload the whole database object by
    object before each such test: seconds each.)"""

    def __init__(self) -> None:
        assert Subdistrict.objects.exists(), (
            "the test database has lost its seed: run with --create-db"
        )
        # Every other table starts empty. A table with rows now is seeded by a migration
        # this class does not know, and would be lost after the first transactional test.
        unknown = [
            model._meta.label
            for model in apps.get_models(include_auto_created=True)
            if model not in REFERENCE and model._base_manager.exists()
        ]
        assert unknown == [], (
            f"rows in {unknown} before any test: add what a data migration seeds to SEEDED "
            "(tests/conftest.py), or run with --create-db if an interrupted run left them"
        )
        self.rows: dict[str, bytes] = {}
        with connection.cursor() as cursor:
            for model in REFERENCE:
                table = model._meta.db_table
                copied = io.BytesIO()
                cursor.copy_expert(f'COPY public."{table}" TO STDOUT', copied)
                self.rows[table] = copied.getvalue()
            cursor.execute(self.checks(list(self.rows)))
            self.fingerprints = dict(cursor.fetchall())
            # Tables whose triggers refuse a DELETE (the append-only access log; a BEFORE
            # DELETE trigger): TRUNCATE.
            cursor.execute(
                "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND t.tgtype & 8 <> 0 AND t.tgtype & 2 <> 0"
            )
            self.refuse_delete = {row[0] for row in cursor.fetchall()}

    @staticmethod
    def fingerprint(table: str) -> str:
        return (
            f"""SELECT '{table}', md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"""
            f""" FROM public."{table}" t"""
        )

    def checks(self, tables: list[str]) -> str:
        return " UNION ALL ".join(
            self.fingerprint(table)
            if table in self.rows
            else f"""SELECT '{table}', 'rows' WHERE EXISTS (SELECT FROM public."{table}")"""
            for table in tables
        )

    def dirty(self, using: str) -> list[str]:
        """The tables with a row, and the reference tables that changed: one query."""
        with connections[using].cursor() as cursor:
            tables = connections[using].introspection.django_table_names(
                only_existing=True, include_views=False
            )
            cursor.execute(self.checks(tables))
            return [
                table for table, found in cursor.fetchall() if found != self.fingerprints.get(table)
            ]

    def copy_of(self, tables: list[str]) -> dict[str, bytes]:
        """The rows of `tables`, as COPY writes them, parents before children (the
        same-centre triggers look up a row's parent as it is inserted)."""
        copies = {}
        with connection.cursor() as cursor:
            # Not the data stamps: copying the rows back moves them on anyway.
            for table in parents_first([t for t in tables if t != "coordination_datastamp"]):
                copied = io.BytesIO()
                cursor.copy_expert(f'COPY public."{table}" TO STDOUT', copied)
                copies[table] = copied.getvalue()
        return copies

    def copy_back(self, copies: dict[str, bytes]) -> None:
        """Puts `copies` back into a database as the migrations left it (`dirty()` is
        empty): a changed reference table whole, the others' rows added."""
        with transaction.atomic(), connection.cursor() as cursor:
            for table, rows in copies.items():
                if table in self.rows:
                    cursor.execute(f'DELETE FROM public."{table}"')
                cursor.copy_expert(f'COPY public."{table}" FROM STDIN', io.BytesIO(rows))

    def empty(self, using: str) -> None:
        """The database as the migrations left it, as a flush and the seed would leave it."""
        dirty = self.dirty(using)
        if not dirty:
            return
        # DELETE, not TRUNCATE: a few rows each, where TRUNCATE makes new files for every
        # table (0.4 s). Django's foreign keys are DEFERRABLE INITIALLY DEFERRED, so the
        # order does not matter within the transaction; a changed reference table is
        # emptied and copied back whole.
        with connections[using].cursor() as cursor, transaction.atomic(using=using):
            for table in dirty:
                if table in self.refuse_delete:
                    cursor.execute(f'TRUNCATE public."{table}"')
                else:
                    cursor.execute(f'DELETE FROM public."{table}"')
            for table, rows in self.rows.items():  # parents before children
                if table in dirty:
                    cursor.copy_expert(f'COPY public."{table}" FROM STDIN', io.BytesIO(rows))
            # The data stamps these deletes moved on (coordination.DataStamp) are moved
            # now, not at the commit, and go too: the next test starts with none.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute('DELETE FROM public."coordination_datastamp"')


# What the data migrations seed, parents before children, then what `migrate` itself makes
# (content types, permissions, the groups' permissions).
REFERENCE = (
    *SEEDED,
    ContentType,
    Permission,
    Group.permissions.through,
)


def parents_first(tables: list[str]) -> list[str]:
    """`tables` ordered so that a table comes after the tables its foreign keys name (a
    cycle is cut where it closes)."""
    models = {m._meta.db_table: m for m in apps.get_models(include_auto_created=True)}
    ordered: list[str] = []
    seen: set[str] = set()

    def visit(table: str) -> None:
        if table in seen or table not in models:
            return
        seen.add(table)
        for field in models[table]._meta.concrete_fields:
            if field.is_relation and field.related_model is not None:
                visit(field.related_model._meta.db_table)
        ordered.append(table)

    for table in tables:
        visit(table)
    return [table for table in ordered if table in tables]


class DemoCopy:
    """The demo centre as `loaddemo` writes it, for the transactional tests that use it as
    their data (`load_demo`): loaded once per test process, then copied back with COPY.
    Its 929 queries were about a second of each of some fifteen browser tests. The rows
    keep their ids (the sequences have moved past them: `Seed.empty` resets none) and are
    used on the day they were made (the demo's dates count back from today). Its own
    tests (tests/coordination/test_loaddemo.py) run the command itself."""

    def __init__(self, seed: Seed) -> None:
        self.seed = seed
        self.day: datetime.date | None = None
        self.copies: dict[str, bytes] = {}

    def load(self) -> None:
        clean = not self.seed.dirty(DEFAULT_DB_ALIAS)
        if clean and self.day == timezone.localdate():
            self.seed.copy_back(self.copies)
            return
        call_command("loaddemo", stdout=io.StringIO())
        if clean:  # the demo alone: what the next test may have back
            self.copies = self.seed.copy_of(self.seed.dirty(DEFAULT_DB_ALIAS))
            self.day = timezone.localdate()


demo_copy: DemoCopy | None = None


def load_demo() -> None:
    """`manage.py loaddemo` (with DEBUG on), for a transactional test (see DemoCopy)."""
    assert demo_copy is not None, "the test database is not set up"
    demo_copy.load()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Transactional tests end with `Seed.empty` instead of Django's flush (see Seed)."""
    global demo_copy
    with django_db_blocker.unblock():
        seed = Seed()
    demo_copy = DemoCopy(seed)

    def fixture_teardown(self) -> None:
        for using in self._databases_names(include_mirrors=False):
            seed.empty(using)
        # What pages kept (coordination/stamps.py) is of data now gone, and the next
        # test's data, copied back with the same ids, starts its stamps again from none.
        cache.clear()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TransactionTestCase, "_fixture_teardown", fixture_teardown)
        yield


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


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


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
