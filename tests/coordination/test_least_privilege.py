"""The app serves as a role that owns nothing: it cannot empty, change or unprotect
the access log or the change history, nor alter any table. Tested by connecting to
the test database as that role (coordination/dbroles.py), as the app does."""

import fcntl

import psycopg2
import pytest
from django.db import connection, transaction
from django.db.utils import InternalError

from coordination.dbroles import app_role, append_only_tables, grant_sql, role_sql
from coordination.models import AccessLog
from tests.conftest import enter_backup_code


@pytest.fixture(scope="session")
def connection_params(django_db_setup, django_db_blocker) -> dict:
    """The test database's address, as the owner (the suite's own connection)."""
    with django_db_blocker.unblock():
        params = connection.get_connection_params()
    return {key: value for key, value in params.items() if key != "cursor_factory"}


@pytest.fixture(scope="session")
def app_role_ready(connection_params, tmp_path_factory) -> None:
    """The role and its grants, committed, in the test database: what `migrate` and
    the embedded server's start do, done here for a test database made before them."""
    owner = psycopg2.connect(**connection_params)
    owner.autocommit = True
    # The role is the server's, shared by the databases of parallel workers (pytest-xdist):
    # altering it at once fails ("tuple concurrently updated"). A file lock in the run's
    # common temporary folder queues them (an advisory lock is per database).
    with (
        (tmp_path_factory.getbasetemp().parent / "app-role.lock").open("a") as lock,
        owner.cursor() as cursor,
    ):
        fcntl.flock(lock, fcntl.LOCK_EX)
        for statement in role_sql(app_role(), login_password=None) + grant_sql(
            app_role(), append_only_tables()
        ):
            cursor.execute(statement)
    owner.close()


@pytest.fixture
def as_app(connection_params, app_role_ready):
    """A cursor connected as the app role; each statement in its own transaction."""
    params = {**connection_params, "user": app_role()}
    params.pop("password", None)
    app = psycopg2.connect(**params)
    app.autocommit = True
    with app.cursor() as cursor:
        yield cursor
    app.close()


def refused(cursor, sql: str) -> str:
    try:
        cursor.execute(sql)
    except psycopg2.Error as error:
        return error.pgerror or str(error)
    return ""


def test_the_app_role_is_no_superuser_and_owns_nothing(as_app):
    as_app.execute("SELECT current_user, rolsuper, rolcreaterole, rolcreatedb FROM pg_roles "
                   "WHERE rolname = current_user")  # fmt: skip
    assert as_app.fetchone() == (app_role(), False, False, False)
    as_app.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
        "WHERE r.rolname = current_user"
    )
    assert as_app.fetchone() == (0,)


def test_the_app_role_may_read_and_add_to_the_access_log(as_app):
    as_app.execute("SELECT count(*) FROM coordination_accesslog")
    as_app.execute("BEGIN")
    as_app.execute(
        "INSERT INTO coordination_accesslog (at, username, action, case_number, object_type, path)"
        " VALUES (now(), 'x', 'login', '', '', '') RETURNING id"
    )
    assert as_app.fetchone()[0] > 0
    as_app.execute("ROLLBACK")


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE coordination_accesslog SET username = 'x'",
        "DELETE FROM coordination_accesslog",
        "TRUNCATE coordination_accesslog",
        "ALTER TABLE coordination_accesslog DISABLE TRIGGER accesslog_append_only",
        "ALTER TABLE coordination_accesslog DISABLE TRIGGER ALL",
        "DROP TRIGGER accesslog_append_only ON coordination_accesslog",
        "DROP TRIGGER accesslog_no_truncate ON coordination_accesslog",
        "DROP TABLE coordination_accesslog",
        "SET session_replication_role = replica",
        "UPDATE cases_historicalcase SET first_name = 'x'",
        "DELETE FROM cases_historicalhomevisit",
        "TRUNCATE cases_case",
        "ALTER TABLE cases_case ADD COLUMN x int",
        "ALTER TABLE cases_case DISABLE TRIGGER same_centre_guard_case_team",
        "CREATE TABLE public.mine (id int)",
        "INSERT INTO django_migrations (app, name, applied) VALUES ('x', 'x', now())",
    ],
)
def test_the_app_role_cannot_change_remove_or_unprotect(as_app, sql):
    # Refused for want of the right — not because, say, the trigger were missing.
    assert any(reason in refused(as_app, sql) for reason in ("permission denied", "must be owner"))


def test_the_app_role_can_do_the_apps_work(as_app):
    """Reads and changes ordinary tables; inserts with their identity sequences."""
    as_app.execute("BEGIN")
    as_app.execute("SELECT count(*) FROM cases_case")
    as_app.execute("UPDATE cases_case SET version = version")
    as_app.execute("DELETE FROM cases_incomesource WHERE false")
    as_app.execute("INSERT INTO django_session (session_key, session_data, expire_date) "
                   "VALUES ('k', 'd', now())")  # fmt: skip
    as_app.execute("ROLLBACK")


@pytest.mark.django_db
def test_the_database_refuses_to_truncate_the_access_log_to_anyone_but_a_superuser():
    """Even a role that holds the TRUNCATE privilege (an owner that is not a superuser,
    as on an operator's server) is refused by the statement trigger."""
    AccessLog.objects.create(action=AccessLog.Action.LOGIN, username="kept")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE wants no checks pending
        cursor.execute("CREATE ROLE test_log_owner NOSUPERUSER")  # rolled back with the test
        cursor.execute("GRANT TRUNCATE, SELECT ON coordination_accesslog TO test_log_owner")
        cursor.execute("SET ROLE test_log_owner")
        with pytest.raises(InternalError, match="append-only"), transaction.atomic():
            cursor.execute("TRUNCATE coordination_accesslog")
        cursor.execute("RESET ROLE")
    assert AccessLog.objects.filter(username="kept").exists()


@pytest.fixture
def served_as_app_role(transactional_db, app_role_ready):
    """The app's own connection, as the app role, for one test; then the owner again
    (the suite's flush between tests needs TRUNCATE)."""
    owner = connection.settings_dict["USER"]
    connection.close()
    connection.settings_dict["USER"] = app_role()
    yield
    connection.close()
    connection.settings_dict["USER"] = owner


def test_the_app_does_its_work_as_the_app_role(
    client, center, coordinator, team, volunteer_on_team, settings, tmp_path, served_as_app_role
):
    """Log in, take in a case with a household, edit it removing a member, log a visit
    with a photo, read the case, export it: all as the role the app serves as."""
    from django.urls import reverse

    from cases.models import Case, HomeVisit, HouseholdMember
    from tests.cases.helpers import formset, intake_data
    from tests.images import phone_photo, upload

    settings.MEDIA_ROOT = tmp_path
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone() == (app_role(),)
    assert client.post(reverse("login"), {"username": "coordinator", "password": "password"})
    enter_backup_code(client, "coordinator")
    member = {"relation": "child", "name": "ลูก", "monthly_income": "0", "condition": "normal",
              "can_care_for_self": "True"}  # fmt: skip
    response = client.post(reverse("cases:case-create"), intake_data(household=[member]))
    assert response.status_code == 302
    case = Case.objects.get()
    kept = case.household_members.get()
    data = intake_data(version=str(case.version))
    data.update(formset("household", [{**member, "id": kept.pk, "DELETE": "on"}], initial=1))
    assert client.post(reverse("cases:case-edit", args=[case.pk]), data).status_code == 302
    assert not HouseholdMember.objects.exists()
    case.assign_team(team, by=coordinator)
    visit = {"visit_date": "01/01/2568", "visit_time": "10:00", "purpose": "follow_up",
             "volunteers": [volunteer_on_team.pk],
             "photos": upload(phone_photo(tmp_path / "p.jpg", size=(64, 48))),
             **formset("incomes", [])}  # fmt: skip
    response = client.post(reverse("cases:visit-create", args=[case.pk]), visit)
    assert response.status_code == 302, response.context["form"].errors
    assert HomeVisit.objects.get().photos.count() == 1
    assert client.get(reverse("cases:case-detail", args=[case.pk])).status_code == 200
    assert client.get(reverse("cases:case-export", args=[case.pk])).status_code == 200
    assert AccessLog.objects.filter(action__in=["view_case", "export"]).count() == 2


def test_create_app_role_prints_the_sql_an_operator_runs():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("create_app_role", stdout=out)
    sql = out.getvalue()
    assert f"CREATE ROLE {app_role()} LOGIN NOSUPERUSER" in sql
    assert "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public" in sql
    assert "coordination_accesslog" in sql and "cases_historicalcase" in sql
    assert "REVOKE UPDATE, DELETE, TRUNCATE" in sql


@pytest.mark.parametrize(
    ("argv", "owner"),
    [
        (["manage.py", "migrate"], True),
        (["manage.py", "anonymise_closed_cases", "--apply"], True),
        (["manage.py", "create_app_role"], True),
        (["manage.py", "runserver"], False),
        (["manage.py", "checkdb"], False),
        (["gunicorn", "migrate"], False),
    ],
)
def test_only_commands_that_migrate_or_delete_connect_as_the_owner(monkeypatch, argv, owner):
    import sys

    from coordination.dbroles import connects_as_owner

    monkeypatch.delenv("DJANGO_DB_OWNER", raising=False)
    monkeypatch.delitem(sys.modules, "pytest")  # as outside the test suite
    assert connects_as_owner(argv) is owner
