"""Temporary project folders with their own embedded PostgreSQL (see embedded.py)."""

import os
import subprocess

import pytest

from coordination import embedded_pg
from tests.coordination import embedded


@pytest.fixture(scope="session")
def pgdata_template():
    """One initdb for the session (it takes seconds); each folder gets a copy."""
    folder = embedded.new_folder()
    try:
        result = embedded.run_user(folder)
        assert result.returncode == 0, result.stderr
        yield folder / ".pgdata"
    finally:
        embedded.clean_up(folder)


def _with_data(folder, template):
    # cp -a keeps the owner: under root the files belong to the server's user.
    subprocess.run(["cp", "-a", str(template), str(folder / ".pgdata")], check=True)
    return folder


@pytest.fixture
def folder(pgdata_template):
    """A folder with a stopped server's data in .pgdata/, removed (servers stopped) after."""
    path = _with_data(embedded.new_folder(), pgdata_template)
    yield path
    embedded.clean_up(path)


@pytest.fixture
def bare_folder():
    """.pgdata/ with only PG_VERSION, owned as a start leaves it: enough for the checks
    made before the server is started, without copying a database."""
    path = embedded.new_folder()
    pgdata = path / ".pgdata"
    pgdata.mkdir(mode=0o700)
    (pgdata / "PG_VERSION").write_text(embedded_pg._bundled_major() + "\n")
    if os.geteuid() == 0:
        subprocess.run(["chown", "-R", f"{embedded_pg.SYSTEM_USER}:", str(pgdata)], check=True)
    yield path
    embedded.clean_up(path)


@pytest.fixture
def empty_folder():
    path = embedded.new_folder()
    yield path
    embedded.clean_up(path)


@pytest.fixture
def project(pgdata_template):
    """A copy of the project (manage.py, the apps, the Makefile) with its own .pgdata/."""
    path = _with_data(embedded.new_folder(project=True), pgdata_template)
    yield path
    embedded.clean_up(path)
