"""Settings come from the environment and refuse to start on unsafe or malformed values."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_django(env_changes: dict[str, str], code: str = "import django; django.setup()"):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update({"DJANGO_SETTINGS_MODULE": "coordination.settings", **env_changes})
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_without_a_secret_key_and_debug_off_it_refuses_to_start_with_one_line():
    result = run_django({"DJANGO_DEBUG": "0"})
    assert result.returncode == 1
    assert result.stderr.strip() == "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off."


def test_a_malformed_boolean_is_refused_by_name():
    result = run_django({"DJANGO_DEBUG": "maybe"})
    assert result.returncode == 1
    assert result.stderr.strip() == "DJANGO_DEBUG must be 0 or 1, not 'maybe'"


def test_production_settings_are_read_from_the_environment():
    result = run_django(
        {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "x" * 60,
            "DJANGO_ALLOWED_HOSTS": "apm.example.org, www.apm.example.org",
            "DATABASE_URL": "postgres://app:pw@db.example.org:5432/apm",
        },
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.ALLOWED_HOSTS, s.DATABASES['default']['HOST'], "
        "s.DATABASES['default']['CONN_MAX_AGE'], s.DATABASES['default']['CONN_HEALTH_CHECKS'], "
        "s.SESSION_COOKIE_SECURE)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "False ['apm.example.org', 'www.apm.example.org'] db.example.org 60 True True"
    )


def test_an_unreachable_database_ends_checkdb_with_one_clear_line():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["DATABASE_URL"] = "postgres://nobody@127.0.0.1:9/nothing"
    result = subprocess.run(
        [sys.executable, "manage.py", "checkdb"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("CommandError: Cannot reach the database")
    assert "Traceback" not in result.stderr


def test_a_replica_url_makes_the_replica_alias_a_mirror_for_the_tests():
    show = (
        "import django; django.setup(); from django.conf import settings as s; "
        "r = s.DATABASES.get('replica'); "
        "print(r and (r['HOST'], r['NAME'], r['CONN_MAX_AGE'], r['TEST']['MIRROR']), s.DATABASE_ROUTERS)"
    )
    result = run_django(
        {
            "DATABASE_URL": "postgres://app:pw@db.example.org:5432/apm",
            "DATABASE_REPLICA_URL": "postgres://app:pw@replica.example.org:5432/apm",
        },
        show,
    )
    assert result.returncode == 0, result.stderr
    # MIRROR: the test run creates no database on it (a replica is read-only).
    assert result.stdout.strip() == (
        "('replica.example.org', 'apm', 60, 'default') ['coordination.routers.ReplicaRouter']"
    )
    without = run_django({"DATABASE_URL": "postgres://app:pw@db.example.org:5432/apm"}, show)
    assert without.stdout.strip() == "None ['coordination.routers.ReplicaRouter']"
