"""Least privilege: the app serves as a PostgreSQL role that owns nothing.

Two roles:
- the **owner** owns the tables. Migrations run as it, the anonymisation command,
  which deletes the change history of the cases it anonymises, and the backup commands.
- the **app role** (`coordination_app` unless DJANGO_DB_APP_ROLE says otherwise) serves
  the pages. It owns nothing, so it cannot ALTER, DROP, TRUNCATE or disable a trigger;
  it may only SELECT and INSERT the access log and the change history (append-only
  records), and cannot change session_replication_role (superusers only).

With an operator's server, DATABASE_URL is the app role and DATABASE_OWNER_URL the
owner (README, "Privacy and security"); `manage.py create_app_role` prints the SQL.
With the embedded server, its superuser is the owner and the app role is created on
first use; both connect over the server's own Unix socket.
"""

import os
import sys
from urllib.parse import urlsplit, urlunsplit

# Commands that change the schema, or delete what the app role may not.
OWNER_COMMANDS = {
    "migrate", "makemigrations", "sqlmigrate", "flush", "sqlflush", "dbshell",
    "anonymise_closed_cases", "create_app_role", "loaddemo", "test", "generatedata",
    # A dump must read every table; a restore replaces the schema.
    "backup", "restore", "verify-backup",
}  # fmt: skip


def app_role() -> str:
    role = os.environ.get("DJANGO_DB_APP_ROLE", "coordination_app").strip()
    if not role.replace("_", "").isalnum() or not role.isascii():
        raise SystemExit(f"DJANGO_DB_APP_ROLE must be letters, digits and _, not {role!r}")
    return role


def connects_as_owner(argv: list[str] | None = None) -> bool:
    """This process migrates or deletes (an owner command, or the test suite, which
    creates its own database), or the operator asked for it with DJANGO_DB_OWNER=1."""
    if os.environ.get("DJANGO_DB_OWNER", "").strip() == "1":
        return True
    if "pytest" in sys.modules:
        return True
    argv = sys.argv if argv is None else argv
    return len(argv) > 1 and os.path.basename(argv[0]) == "manage.py" and argv[1] in OWNER_COMMANDS


def connection_url(url: str) -> str:
    """The URL this process connects with, given database.py's answer."""
    if os.environ.get("DATABASE_URL", "").strip():  # an operator's server
        owner_url = os.environ.get("DATABASE_OWNER_URL", "").strip()
        return owner_url if owner_url and connects_as_owner() else url
    # The embedded server: `url` is its superuser, who owns everything.
    if connects_as_owner():
        return url
    ensure_app_role(url)
    return with_user(url, app_role())


def with_user(url: str, user: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{user}:@{host}"))


def ensure_app_role(owner_url: str) -> None:
    """Creates the app role if missing and grants what it may do (each start: cheap,
    and it covers a database migrated before the role existed)."""
    import psycopg2

    statements = role_sql(app_role(), login_password=None)
    statements += grant_sql(app_role(), append_only_tables())
    connection = psycopg2.connect(owner_url)
    try:
        # One transaction: a running worker never sees the grants revoked and not yet
        # given back. Workers starting together would race on the same catalogue rows
        # ("tuple concurrently updated"): the lock queues them.
        with connection, connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('coordination.dbroles'))")
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


def append_only_tables() -> list[str]:
    """The access log and django-simple-history's tables: rows are added, never changed.
    Read from the models when Django is loaded, else from the database's own names."""
    from django.apps import apps

    if not apps.ready:
        return ["coordination_accesslog", "%_historical%"]
    history = sorted(
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model.__name__.startswith("Historical")
    )
    return ["coordination_accesslog", *history]


def role_sql(role: str, *, login_password: str | None) -> list[str]:
    password = f" PASSWORD '{login_password}'" if login_password else ""
    attributes = f"LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS{password}"
    return [
        f"""DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
        CREATE ROLE {role} {attributes};
    ELSE
        ALTER ROLE {role} {attributes};
    END IF;
END $$""",
    ]


def grant_sql(role: str, append_only: list[str]) -> list[str]:
    """Everything the app may do, from nothing: run again after every migration (new
    tables) — `migrate` does it itself (coordination.apps)."""
    # A pattern (before Django is loaded) is resolved by the database.
    revoke_rows = [
        f"""DO $$ DECLARE t text; BEGIN
    FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE '{name}'
    LOOP EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %I FROM {role}', t); END LOOP;
END $$"""
        for name in append_only
    ]
    return [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        *revoke_rows,
        # Which migrations ran: the app reads it (runserver's warning), never writes.
        f"""DO $$ BEGIN
    IF to_regclass('public.django_migrations') IS NOT NULL THEN
        REVOKE INSERT, UPDATE, DELETE ON django_migrations FROM {role};
    END IF;
END $$""",
    ]


def grant_after_migrate(using: str = "default") -> None:
    """post_migrate: new tables get the app role's grants, if that role exists here."""
    from django.db import connections, transaction

    role = app_role()
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            return
        cursor.execute("SELECT current_user")
        if cursor.fetchone()[0] == role:
            return  # the app role cannot grant itself anything
        for statement in grant_sql(role, append_only_tables()):
            cursor.execute(statement)
