"""The embedded PostgreSQL (coordination/embedded_pg.py): started by the first process that
needs it, stopped with the last, recovered after a kill, and one clear line when it cannot
start. Each test has a temporary folder with its own server and real processes."""

import json
import os
import pwd
import random
import signal
import socket
import subprocess
import time
import traceback

import psutil
import pytest

from coordination import embedded_pg
from coordination.database import database_url
from tests.coordination import embedded
from tests.coordination.embedded import postmasters, run_user, start_user


def pgdata_of(folder):
    return (folder / ".pgdata").resolve()


def users_in(folder) -> list:
    return json.loads((pgdata_of(folder) / embedded_pg.STATE_FILE).read_text())["users"]


def assert_one_line(result, *words):
    """Refused with one line that names the problem and the way out; no traceback."""
    assert result.returncode == 1, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("The embedded PostgreSQL cannot start: ")
    for word in words:
        assert word in lines[0]


def run_user_forked_as(username: str, folder) -> subprocess.CompletedProcess:
    """database_url() in a fork that became `username`: the venv's python lies under
    /root here, which another user cannot execute, so no exec."""
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        status = 2
        try:
            os.dup2(write, 2)
            entry = pwd.getpwnam(username)
            os.setgroups([])
            os.setgid(entry.pw_gid)
            os.setuid(entry.pw_uid)
            os.environ.pop("DATABASE_URL", None)
            database_url(folder)
            status = 0
        except SystemExit as refusal:
            os.write(2, f"{refusal}\n".encode())
            status = 1
        except BaseException:
            os.write(2, traceback.format_exc().encode())
        finally:
            os._exit(status)
    os.close(write)
    with os.fdopen(read) as output:
        stderr = output.read()
    _, status = os.waitpid(child, 0)
    return subprocess.CompletedProcess([username], os.waitstatus_to_exitcode(status), "", stderr)


def dead_pid() -> int:
    finished = subprocess.Popen(["true"])
    finished.wait()  # reaped: the pid names nobody now
    return finished.pid


def test_the_first_user_starts_the_server_and_the_last_to_exit_stops_it(folder):
    first = start_user(folder)
    second = start_user(folder)
    assert len(postmasters(folder)) == 1  # shared, not a second server
    assert sorted(pid for pid, _ in users_in(folder)) == sorted([first.pid, second.pid])

    first.send_signal(signal.SIGTERM)
    first.wait(10)
    assert len(postmasters(folder)) == 1  # the second still uses it
    assert [pid for pid, _ in users_in(folder)] == [second.pid]

    second.send_signal(signal.SIGTERM)
    second.wait(10)
    assert postmasters(folder) == []  # stopped by the last one's exit, not later
    assert users_in(folder) == []


def test_when_every_user_is_killed_outright_the_watchdog_stops_the_server(folder):
    user = start_user(folder)
    watchdog = embedded.watchdog_of(folder)
    assert watchdog is not None
    assert os.getpgid(watchdog.pid) != os.getpgid(user.pid)  # a group kill misses it

    os.killpg(user.pid, signal.SIGKILL)
    user.wait(10)

    assert embedded.wait_until_stopped(folder, 5) < 5
    watchdog.wait(5)  # its work done, it has gone too
    assert users_in(folder) == []


@pytest.mark.parametrize("content", ["", "[4242, 43"], ids=["empty", "cut-short"])
def test_an_empty_or_garbled_list_of_users_is_read_as_nobody_with_one_warning(folder, content):
    (pgdata_of(folder) / embedded_pg.STATE_FILE).write_text(content)

    result = run_user(folder)

    assert result.returncode == 0, result.stderr
    warning = result.stderr.strip().splitlines()
    assert len(warning) == 1, result.stderr
    assert "taken as: no process is using the server" in warning[0]
    assert users_in(folder) == []  # rewritten whole, readable again
    assert postmasters(folder) == []


def test_a_user_that_died_without_saying_so_does_not_keep_the_server(folder):
    state = {"users": [[dead_pid(), time.time() - 60]], "watchdog": None}
    (pgdata_of(folder) / embedded_pg.STATE_FILE).write_text(json.dumps(state))

    result = run_user(folder)

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert postmasters(folder) == []  # the dead user did not keep it up
    assert users_in(folder) == []


def test_a_stale_postmaster_pid_of_a_killed_server_is_cleared(folder):
    user = start_user(folder)
    [postmaster] = postmasters(folder)
    embedded.watchdog_of(folder).kill()
    postmaster.kill()
    os.killpg(user.pid, signal.SIGKILL)
    user.wait(10)
    postmaster.wait(10)
    assert (pgdata_of(folder) / "postmaster.pid").exists()

    result = run_user(folder)

    assert result.returncode == 0, result.stderr
    assert f"removed {pgdata_of(folder) / 'postmaster.pid'}" in result.stderr
    assert f"pid {postmaster.pid}" in result.stderr
    assert postmasters(folder) == []


def test_a_postmaster_pid_naming_another_folders_server_is_cleared(folder, empty_folder):
    """After a reboot or a kill the pid may belong to another server of the same system
    user; PostgreSQL itself would then refuse to start ("lock file already exists")."""
    other = start_user(empty_folder)
    [other_postmaster] = postmasters(empty_folder)
    lines = (pgdata_of(empty_folder) / "postmaster.pid").read_text().splitlines()
    lines[1] = str(pgdata_of(folder))
    (pgdata_of(folder) / "postmaster.pid").write_text("\n".join(lines) + "\n")

    result = run_user(folder)

    assert result.returncode == 0, result.stderr
    assert f"pid {other_postmaster.pid}" in result.stderr
    assert other_postmaster.is_running()  # the other folder's server was left alone
    assert postmasters(folder) == []
    other.send_signal(signal.SIGTERM)
    other.wait(10)


WRITER = """
import signal, sys
from pathlib import Path
from coordination import embedded_pg
from coordination.database import database_url
pgdata = Path(sys.argv[1])
signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))  # as the app does
print("writing", flush=True)
count = 0
while True:
    with embedded_pg.locked(pgdata):
        embedded_pg.write_state(pgdata, {"users": [[count, 1.5]] * (count % 40), "watchdog": None})
    count += 1
"""


def test_the_list_of_users_is_never_left_half_written_whenever_its_writer_is_killed(
    empty_folder,
):
    pgdata = empty_folder / ".pgdata"
    pgdata.mkdir()
    rng = random.Random(15)
    for _ in range(12):
        writer = subprocess.Popen(
            [embedded.PYTHON, "-c", WRITER, str(pgdata)],
            cwd=embedded.REPOSITORY,
            stdout=subprocess.PIPE,
        )
        writer.stdout.readline()
        time.sleep(rng.uniform(0.0, 0.05))
        writer.send_signal(rng.choice([signal.SIGTERM, signal.SIGKILL]))
        writer.wait(10)
        state = json.loads((pgdata / embedded_pg.STATE_FILE).read_text())
        assert isinstance(state["users"], list)
    with embedded_pg.locked(pgdata):
        embedded_pg.write_state(pgdata, {"users": [], "watchdog": None})
    assert sorted(p.name for p in pgdata.iterdir()) == [embedded_pg.STATE_FILE]  # no strays


def test_a_foreign_process_on_the_socket_is_named_in_one_line(bare_folder):
    folder = bare_folder
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(pgdata_of(folder) / ".s.PGSQL.5432"))
    listener.listen()
    try:
        result = run_user(folder)
    finally:
        listener.close()

    assert_one_line(result, "in use", "make stop")
    assert postmasters(folder) == []


def test_data_of_another_postgresql_version_is_named_in_one_line(bare_folder):
    folder = bare_folder
    (pgdata_of(folder) / "PG_VERSION").write_text("16\n")

    result = run_user(folder)

    assert_one_line(result, "PostgreSQL 16", "PostgreSQL 18", "mv ")
    assert postmasters(folder) == []


def test_a_full_disk_is_named_in_one_line(empty_folder):
    small = empty_folder / "small"
    small.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(small)])
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small file system here (needs root)")
    try:
        small.chmod(0o755)
        result = run_user(small)
    finally:
        subprocess.run(["umount", "-l", str(small)], check=True)

    assert_one_line(result, "disk", "full", "free some space")


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run once as root, once as a user")
def test_a_folder_made_under_root_then_used_as_a_user_is_named_in_one_line(bare_folder):
    folder = bare_folder
    result = run_user_forked_as("nobody", folder)

    assert_one_line(result, "embedded_postgres (it was made by running as root)", "chown -R")
    assert postmasters(folder) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run once as a user, once as root")
def test_a_folder_made_by_a_user_then_used_under_root_is_left_theirs(bare_folder):
    folder = bare_folder
    pgdata = pgdata_of(folder)
    subprocess.run(["chown", "-R", "nobody:nogroup", str(pgdata)], check=True)

    result = run_user(folder)

    assert_one_line(result, "belongs to nobody (uid 65534)", "chown -R embedded_postgres")
    assert pgdata.stat().st_uid == 65534  # root did not take it over
    assert postmasters(folder) == []


def make_stop(project) -> str:
    stopped = subprocess.run(["make", "-s", "stop"], cwd=project, capture_output=True, text=True)
    assert stopped.returncode == 0, stopped.stderr
    return stopped.stdout.strip()


def test_make_stop_stops_a_server_left_running_and_says_what_it_stopped(project):
    user = start_user(project)
    [postmaster] = postmasters(project)
    embedded.watchdog_of(project).kill()  # left running: nothing will stop it now
    os.killpg(user.pid, signal.SIGKILL)
    user.wait(10)
    time.sleep(1.5)
    assert postmaster.is_running()

    said = make_stop(project)

    assert (
        said == f"Stopped the embedded PostgreSQL of {pgdata_of(project)} (pid {postmaster.pid})."
    )
    assert postmasters(project) == []
    assert make_stop(project) == f"No embedded PostgreSQL of {pgdata_of(project)} was running."

    # A server still in use: stopped all the same, and the user is named, not killed.
    user = start_user(project)
    said = make_stop(project)
    assert "Stopped the embedded PostgreSQL" in said
    assert "Ended its watchdog" in said
    assert f"still used it, now without a database: {user.pid} (" in said
    assert postmasters(project) == []
    assert psutil.pid_exists(user.pid)


SHARED_SERVER = (
    "from django.db import connection; import time;"
    "cursor = connection.cursor(); cursor.execute('SELECT pg_postmaster_start_time()');"
    "print(cursor.fetchone()[0]); time.sleep(1)"
)


def test_two_manage_py_commands_started_together_share_one_server(project):
    commands = [
        subprocess.Popen(
            [embedded.PYTHON, "manage.py", "shell", "-v", "0", "-c", SHARED_SERVER],
            cwd=project,
            env=embedded.environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [command.communicate(timeout=60) for command in commands]

    assert [command.returncode for command in commands] == [0, 0], results
    started = {stdout.strip() for stdout, _ in results}
    assert len(started) == 1  # one server, started once, answered both
    assert postmasters(project) == []  # and stopped when both had gone


SLOW_TEST = """
import time

def test_a_long_one():
    print("running", flush=True)
    time.sleep(60)

def test_after_it():
    pass
"""


def test_sigterm_ends_a_test_run_as_ctrl_c_does_and_stops_the_server(project):
    """SIGTERM inside a running test must end pytest, not fail that test and go on."""
    (project / "slow_tests").mkdir()
    (project / "slow_tests" / "test_slow.py").write_text(SLOW_TEST)
    run = subprocess.Popen(
        [embedded.PYTHON, "-m", "pytest", "slow_tests", "-s", "-p", "no:cacheprovider"],
        cwd=project,
        env=embedded.environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen = []
    for line in run.stdout:  # until the first test is under way
        seen.append(line)
        if "running" in line:
            break
    started = time.monotonic()
    run.send_signal(signal.SIGTERM)
    output = "".join(seen) + run.communicate(timeout=30)[0]

    assert time.monotonic() - started < 15
    assert "KeyboardInterrupt" in output
    assert "test_after_it" not in output and "passed" not in output, output
    deadline = time.monotonic() + 10
    while postmasters(project) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert postmasters(project) == []
