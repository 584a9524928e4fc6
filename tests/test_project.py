"""Project-wide promises: migrations committed, code lint-clean, health check public."""

import gettext
import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[1]


def test_every_model_change_has_its_migration(db):
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


def test_ruff_finds_nothing():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_nothing():
    """Types checked with django-stubs, as `make lint` does: CI runs only `make test`, so
    the check is a test. The settings are read for the plugin; a placeholder database URL
    keeps it from starting the embedded PostgreSQL (nothing connects)."""
    env = {**os.environ, "DATABASE_URL": "postgres://mypy@localhost/unused"}
    result = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_health_check_answers_without_login(client, db):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.content == b"ok"


def test_every_other_page_needs_a_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def catalog(mo_path: Path) -> dict:
    with mo_path.open("rb") as mo:
        return gettext.GNUTranslations(mo)._catalog


@pytest.mark.parametrize("language", ["th", "en"])
def test_the_committed_catalogues_are_complete_and_compiled(language, tmp_path):
    if not shutil.which("msgfmt"):
        pytest.skip("gettext's msgfmt is not installed (.ci/run installs it)")
    po = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
    stats = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "fresh.mo"), str(po)],
        capture_output=True,
        text=True,
    )
    assert stats.returncode == 0, stats.stderr
    assert "untranslated" not in stats.stderr and "fuzzy" not in stats.stderr, stats.stderr
    committed = catalog(po.with_suffix(".mo"))
    assert committed == catalog(tmp_path / "fresh.mo"), "run `make messages` and commit the .mo"
