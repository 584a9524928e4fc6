"""A temporary project folder with its own embedded PostgreSQL, for the tests of
coordination/embedded_pg.py: processes that use its server the way `make run` and
`make test` do, and a clean-up that stops whatever it left running."""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from coordination import embedded_pg

REPOSITORY = Path(__file__).resolve().parent.parent.parent
PYTHON = sys.executable
# What `manage.py` needs to run from another folder (BASE_DIR is where settings.py is).
PROJECT_PARTS = ["manage.py", "Makefile", "pyproject.toml", "coordination", "cases",
                 "volunteers", "templates", "static", "locale"]  # fmt: skip

# A process using the server as the settings module does: prints the URL once connected,
# then keeps the server until it is ended (or exits at once with "exit").
USER_SCRIPT = """
import os, sys, time
from pathlib import Path
import psycopg2
from coordination.database import database_url
url = database_url(Path(sys.argv[1]))
with psycopg2.connect(url) as connection, connection.cursor() as cursor:
    cursor.execute("SELECT 1")
print(url, flush=True)
if sys.argv[2] == "wait":  # until ended, or until the test run that started it has gone
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(0.2)
"""


def environment() -> dict:
    """The embedded server, whatever the outer test run was pointed at."""
    return {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}


def new_folder(*, project: bool = False) -> Path:
    """A short path (Unix sockets allow ~107 bytes) readable by the server's user."""
    folder = Path(tempfile.mkdtemp(prefix="pg-", dir="/tmp"))
    folder.chmod(0o755)
    if project:
        for part in PROJECT_PARTS:
            source = REPOSITORY / part
            if source.is_dir():
                shutil.copytree(source, folder / part, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(source, folder / part)
        (folder / ".venv").symlink_to(REPOSITORY / ".venv")
    return folder


def postmasters(folder: Path) -> list[psutil.Process]:
    pgdata = (folder / ".pgdata").resolve()
    named = embedded_pg.running_postmaster(pgdata)
    return ([named] if named else []) + embedded_pg.stray_postmasters(pgdata)


def wait_until_stopped(folder: Path, seconds: float) -> float:
    """Seconds until no PostgreSQL of the folder runs; fails after `seconds`."""
    began = time.monotonic()
    while postmasters(folder):
        if time.monotonic() - began > seconds:
            raise AssertionError(f"PostgreSQL of {folder} still running after {seconds} s")
        time.sleep(0.1)
    return time.monotonic() - began


def run_user(folder: Path, *, user: str | None = None) -> subprocess.CompletedProcess:
    """One process that starts (or joins) the server, answers a query and exits."""
    return subprocess.run(
        [PYTHON, "-c", USER_SCRIPT, str(folder), "exit"],
        cwd=REPOSITORY,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=120,
        user=user,
    )


def start_user(folder: Path) -> subprocess.Popen:
    """A process that keeps using the server until it is ended; returns once connected."""
    process = subprocess.Popen(
        [PYTHON, "-c", USER_SCRIPT, str(folder), "wait"],
        cwd=REPOSITORY,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    line = process.stdout.readline()
    assert line.startswith("postgresql://"), process.stderr.read()
    return process


def watchdog_of(folder: Path) -> psutil.Process | None:
    state = embedded_pg.read_state((folder / ".pgdata").resolve(), quiet=True)
    if embedded_pg.is_alive(state["watchdog"]):
        return psutil.Process(state["watchdog"][0])
    return None


def clean_up(folder: Path) -> None:
    """Whatever a test did or failed to do: no process and no server of the folder stays."""
    pgdata = (folder / ".pgdata").resolve()
    for process in psutil.process_iter(["name", "cmdline", "cwd"]):
        # Users name the folder (python -c ... FOLDER) or run in it (manage.py runserver).
        command = " ".join(process.info["cmdline"] or [])
        inside = str(folder) in command or str(process.info["cwd"]).startswith(str(folder))
        if process.info["name"] != "postgres" and inside:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(psutil.Error):
                process.kill()
    for process in postmasters(folder):
        embedded_pg._end(process)
    if pgdata.exists():
        with contextlib.suppress(embedded_pg.StartError):
            embedded_pg.stop_command(pgdata)
    shutil.rmtree(folder, ignore_errors=True)
