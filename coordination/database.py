"""Where the database is: DATABASE_URL, or else the embedded PostgreSQL in .pgdata/.

The embedded server is started by the first process that needs it and stopped when the
last such process has gone, however it went (coordination/embedded_pg.py), so `make run`
and `make test` need no installed PostgreSQL and leave no server behind.
"""

import os
import signal
import threading
from pathlib import Path

import dj_database_url


def database_url(base_dir: Path) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return url
    from coordination import embedded_pg

    try:
        url = embedded_pg.use(base_dir / ".pgdata")
    except embedded_pg.StartError as error:
        # One line, no traceback: what is wrong and what to do.
        raise SystemExit(f"The embedded PostgreSQL cannot start: {error}.") from None
    exit_cleanly_on_signals()
    return url


def replica_database(url: str, *, conn_max_age: int) -> dj_database_url.DBConfig:
    """The `replica` alias of DATABASE_REPLICA_URL: a streaming (physical) replica of the
    primary, read by the reports, exports and dashboard (coordination/routers.py)."""
    config = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
    # A copy of the primary's whole cluster: the test run's database reaches it by
    # replication. The test runner must not try to create one there (it is read-only);
    # it points the alias at the primary's test database name instead.
    config["TEST"] = {"MIRROR": "default"}
    return config


def exit_cleanly_on_signals() -> None:
    """SIGTERM (kill, systemd, a script) and SIGHUP (the terminal closed) end the process
    as Ctrl-C does, through the exit hooks, so the last user stops the server at once.
    As Ctrl-C, not as sys.exit(): whatever runs at that moment may catch a SystemExit
    (pytest reports it as the running test's error and carries on), while every program
    here already ends cleanly on KeyboardInterrupt. Only where nobody else (gunicorn,
    say) has claimed the signal."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(signum) == signal.SIG_DFL:
            signal.signal(signum, signal.default_int_handler)
