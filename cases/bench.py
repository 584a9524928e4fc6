"""`make bench`: the key pages under load, against a generated data set, as production
serves them.

1. A database of its own on the embedded PostgreSQL (`bench_<scale>`), migrated and
   filled once by `manage.py generatedata --scale <scale>`; later runs reuse it.
2. gunicorn as in production: 2 sync workers, DJANGO_DEBUG=0, persistent connections
   (DJANGO_CONN_MAX_AGE), the least-privilege app role, on 127.0.0.1:BENCH_PORT.
   Requests carry `X-Forwarded-Proto: https`, as from the TLS proxy production sits
   behind (SECURE_SSL_REDIRECT and the secure cookies stay on).
3. Logs in through the real login pages: the coordinator of the largest centre and an
   administrator with their second factor — the bench enrols a TOTP device with a
   known key for them *in the bench database only* and computes the code as an
   authenticator app does; nothing in the app has a bench-only path — and a volunteer
   with the password alone.
4. Drives each page with wrk (from Debian) for a fixed time, counts each page's SQL
   queries in-process with the same session, and prints and writes the table.

Run: `make bench` (SCALE=district|national|small, DURATION=10, CONNECTIONS=16).
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, replace
from http.cookies import SimpleCookie
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "bench-only-secret-key-never-used-in-production-2569-0123456789"
# The RFC 6238 test key: this bench's devices live in its own database only.
TOTP_KEY = "3132333435363738393031323334353637383930"
ADMIN_USERNAME = "bench-admin"
PASSWORD = "generated-data-2569"  # cases/management/commands/generatedata.py


@dataclass
class Page:
    name: str
    path: str
    who: str = "coordinator"
    expected: int = 200


@dataclass
class Result:
    page: Page
    p50: float
    p95: float
    p99: float
    rate: float
    unexpected: int
    queries: int
    kilobytes: float


def bench_urls(scale: str) -> tuple[str, str]:
    """(owner URL, app URL) of the bench database on the embedded server, created if new."""
    import psycopg2

    from coordination import dbroles, embedded_pg
    from coordination.database import exit_cleanly_on_signals

    # This process is a user of the server: it runs until we exit. A SIGTERM ends us as
    # Ctrl-C does, through `finally`, which stops gunicorn.
    server = embedded_pg.use(BASE_DIR / ".pgdata")
    exit_cleanly_on_signals()
    name = f"bench_{scale}"
    connection = psycopg2.connect(server)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    owner = server.replace("/postgres?", f"/{name}?", 1)
    return owner, dbroles.with_user(owner, dbroles.app_role())


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def prepare(scale: str, env: dict[str, str], owner_url: str) -> None:
    from coordination import dbroles

    manage(env, "migrate", "--noinput", "--verbosity", "0")
    dbroles.ensure_app_role(owner_url)
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    import psycopg2

    connection = psycopg2.connect(owner_url)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM coordination_center")
        generated = cursor.fetchone()[0] > 0
    connection.close()
    if generated:
        print(f"Reusing the generated {scale} data set (bench_{scale}).")
    else:
        manage(env, "generatedata", "--scale", scale)


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    # The bench process enrols devices and counts queries: as the owner.
    os.environ["DJANGO_DB_OWNER"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coordination.settings")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def cast_and_pages() -> tuple[dict[str, str], list[Page]]:
    """The users to log in as (with the second factor where required) and the pages."""
    from django.db.models import Count
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cases.models import Case
    from coordination.models import Center, User
    from volunteers.models import Team

    centre = Center.objects.order_by("pk").first()
    assert centre is not None, "no generated centre"
    coordinator = User.objects.get(username=f"c{centre.district_id}")
    admin, _ = User.objects.get_or_create(
        username=ADMIN_USERNAME, defaults={"is_staff": True, "is_superuser": True}
    )
    admin.set_password(PASSWORD)
    admin.save()
    for user in (coordinator, admin):
        TOTPDevice.objects.update_or_create(
            user=user, name="bench", defaults={"key": TOTP_KEY, "confirmed": True, "last_t": -1}
        )
    cases = Case.objects.filter(center=centre)
    busiest = cases.annotate(n=Count("visits")).order_by("-n").first()
    team = Team.objects.filter(center=centre).annotate(n=Count("cases")).order_by("-n").first()
    national_id = (
        cases.exclude(national_id="").order_by("pk").values_list("national_id", flat=True)[0]
    )
    deep = min(50, max(1, cases.open().count() // 25))
    assert busiest is not None and team is not None
    pages = [
        Page("trivial view (home → redirect)", "/", expected=302),
        Page("case list", "/cases/"),
        Page("case list, status filter", "/cases/?status=follow_up"),
        Page("case list, sorted by next visit", "/cases/?sort=next_visit_due"),
        Page("case list, Thai name search", "/cases/?q=" + urllib.parse.quote("สม")),
        Page("case list, ID digits search", f"/cases/?q={national_id[-6:]}"),
        Page(f"case list, page {deep}", f"/cases/?page={deep}"),
        Page(f"case page ({busiest.n} visits)", f"/cases/{busiest.pk}/"),
        Page("my cases (volunteer)", "/cases/mine/", who="volunteer"),
        Page("follow-ups: overdue", "/cases/follow-ups/?show=overdue"),
        Page("follow-ups: this week", "/cases/follow-ups/?show=week"),
        Page("follow-ups: never visited", "/cases/follow-ups/?show=never"),
        Page("follow-ups: no visit in 30 days", "/cases/follow-ups/?show=stale"),
        Page("team list", "/volunteers/teams/"),
        Page(f"team page ({team.n} cases)", f"/volunteers/teams/{team.pk}/"),
        Page("volunteer list", "/volunteers/"),
        Page("dashboard", "/dashboard/"),
        # Generated with referrals, help and plans (generatedata): their lists at scale.
        Page("referral list", "/cases/referrals/"),
        Page("assistance list", "/cases/assistance/"),
        # The rules over every open case of the centre, and the month's report.
        Page("missed allowances", "/cases/allowances/"),
        Page("monthly report", "/dashboard/report/"),
        Page(
            "admin case changelist, same centre",
            f"/admin/cases/case/?center__id__exact={centre.pk}",
            who="admin",
        ),
    ]
    logins = {
        "coordinator": coordinator.username,
        "admin": ADMIN_USERNAME,
        "volunteer": f"v{centre.district_id}-0001",
    }
    print(
        f"Centre {centre} ({cases.count():,} cases, {cases.open().count():,} open), "
        f"coordinator {coordinator.username}."
    )
    return logins, pages


class Browser:
    """Just enough of a browser to log in over HTTP: cookies, CSRF tokens, redirects."""

    HEADERS = {"X-Forwarded-Proto": "https", "User-Agent": "coordination-bench"}

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = dict(self.HEADERS)
        headers["Cookie"] = self.cookie_header()
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://127.0.0.1:{self.port}{path}"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        for header in response.msg.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        text = response.read().decode("utf-8", "replace")
        location = urllib.parse.urlsplit(response.getheader("Location") or "")
        target = location.path + (f"?{location.query}" if location.query else "")
        return response.status, text, target

    def cookie_header(self) -> str:
        return "; ".join(f"{key}={value}" for key, value in self.cookies.items())

    def submit(self, path: str, fields: dict[str, str]) -> tuple[int, str, str]:
        _status, page, _ = self.request("GET", path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, f"no CSRF token on {path}"
        return self.request("POST", path, {"csrfmiddlewaretoken": token.group(1), **fields})

    def log_in(self, username: str, second_factor: bool) -> str:
        status, _page, target = self.submit("/login/", {"username": username, "password": PASSWORD})
        assert status == 302, f"login of {username} answered {status}"
        if second_factor:
            from django_otp.oath import TOTP

            code = f"{TOTP(bytes.fromhex(TOTP_KEY)).token():06d}"
            status, _page, target = self.submit("/login/code/", {"code": code})
            assert status == 302 and "/login" not in target, f"second step of {username}: {status}"
        return self.cookie_header()


def start_gunicorn(env: dict[str, str], port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(BASE_DIR / ".venv/bin/gunicorn"), "coordination.wsgi", "--workers", "2",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=BASE_DIR, env=env,
    )  # fmt: skip
    for _ in range(120):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health/", headers=Browser.HEADERS)
            connection.getresponse().read()
            return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("gunicorn did not answer within a minute")


def count_queries(page: Page, cookie: str, explain: Path | None = None) -> tuple[int, float]:
    """SQL queries of one request (the second: the first warms per-process caches), and
    the response's size, in this process with the same session. With `explain`, the
    plans of its three slowest SELECTs, run again under EXPLAIN (ANALYZE, BUFFERS), are
    appended to that file."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_X_FORWARDED_PROTO="https")
    client.cookies.load(cookie)
    client.get(page.path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page.path)
    assert response.status_code == page.expected, f"{page.path}: {response.status_code}"
    if explain is not None:
        selects = [q for q in queries.captured_queries if q["sql"].startswith("SELECT")]
        slowest = sorted(selects, key=lambda q: float(q["time"]), reverse=True)[:3]
        with explain.open("a", encoding="utf-8") as out, connection.cursor() as cursor:
            out.write(f"\n## {page.name} ({page.path}): {len(queries)} queries\n")
            for query in slowest:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                plan = "\n".join(row[0] for row in cursor.fetchall())
                out.write(f"\n{query['time']} s: {query['sql']}\n{plan}\n")
    return len(queries), len(response.content) / 1024


def visit_post_median(volunteer: str, count: int = 20) -> tuple[float, int]:
    """A visit logged through the form as rendered (django-webtest, in this process, one
    at a time: what a volunteer's phone waits for, without the load of the others), the
    median of `count`. The visits stay in the bench database. Returns (ms, saved)."""
    import statistics

    from django.core.wsgi import get_wsgi_application
    from webtest import TestApp

    from cases.models import Case, HomeVisit
    from coordination.models import User

    user = User.objects.get(username=volunteer)
    # The newest case: the oldest is the busiest one the case page is measured on.
    case = Case.objects.visible_to(user).open().order_by("-pk").first()
    assert case is not None, f"{volunteer} has no open case"
    base = "https://127.0.0.1"
    app = TestApp(
        get_wsgi_application(),
        extra_environ={"HTTP_X_FORWARDED_PROTO": "https", "HTTP_HOST": "127.0.0.1"},
    )
    login = next(f for f in app.get(f"{base}/login/").forms.values() if "username" in f.fields)
    login["username"], login["password"] = volunteer, PASSWORD
    login.submit(headers={"Referer": f"{base}/login/"})
    before = HomeVisit.objects.filter(case=case).count()
    path = f"{base}/cases/{case.pk}/visits/new/"
    times = []
    for _ in range(count):
        form = next(f for f in app.get(path).forms.values() if "findings" in f.fields)
        form["findings"] = "make bench"
        started = time.perf_counter()
        response = form.submit(headers={"Referer": path})
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_int == 302, f"visit POST answered {response.status}"
    return statistics.median(times), HomeVisit.objects.filter(case=case).count() - before


def load(
    page: Page, cookie: str, port: int, args: argparse.Namespace
) -> tuple[float, float, float, float, int]:
    script = BASE_DIR / "cases" / "bench.lua"
    output = subprocess.run(
        ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s",
         "--timeout", "60s", "-s", str(script), "-H", f"Cookie: {cookie}", "-H", "X-Forwarded-Proto: https",
         f"http://127.0.0.1:{port}{page.path}", "--", str(page.expected)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    # wrk has gone, but gunicorn's sync workers still owe the requests queued on its
    # socket: one more request returns once they are done, so the next page starts on
    # an idle server.
    drain = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    drain.request("GET", "/health/", headers=Browser.HEADERS)
    drain.getresponse().read()
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    p50, p95, p99, requests, micros, unexpected = (int(x) for x in line.split()[1:])
    return p50 / 1000, p95 / 1000, p99 / 1000, requests / (micros / 1e6), unexpected


def table(results: list[Result], args: argparse.Namespace, started: datetime.datetime) -> str:
    ceiling = [r.rate for r in results if r.page.path == results[0].page.path]
    trivial = sum(ceiling) / len(ceiling)
    admin = next((r.rate for r in results if r.page.who == "admin"), 0)
    lines = [
        f"`make bench` — scale {args.scale}, {started:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
        f"gunicorn 2 sync workers, wrk -t{args.threads} -c{args.connections} "
        f"-d{args.duration}s" + (", nothing kept (--cold)" if args.cold else ""),
        "",
        "The share of the trivial view is of its mean over its two runs, the first and the last.",
        "",
        "| page | p50 ms | p95 ms | p99 ms | req/s | unexpected status | queries | kB "
        "| % of trivial view |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        share = f"{100 * r.rate / trivial:.1f} %" if trivial else "–"
        name = r.page.name
        if r.page.name.startswith("case list") and admin:
            name += f" ({r.rate / admin:.1f}× admin)"
        lines.append(
            f"| {name} | {r.p50:.0f} | {r.p95:.0f} | {r.p99:.0f} | {r.rate:.1f} "
            f"| {r.unexpected} | {r.queries} | {r.kilobytes:.0f} | {share} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default=os.environ.get("SCALE", "district"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8100")))
    parser.add_argument("--duration", type=int, default=int(os.environ.get("DURATION", "10")))
    parser.add_argument("--connections", type=int, default=int(os.environ.get("CONNECTIONS", "16")))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--only",
        default="",
        help="Only pages whose name contains this (or one of these, comma-separated).",
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="Nothing kept (DJANGO_KEEP_PAGES=0): each page computed on every view, as "
        "after each change of the centre's data.",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="No load: write the plans of each page's slowest queries (EXPLAIN ANALYZE).",
    )
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `apt-get install wrk` (make bench does it).")
    started = datetime.datetime.now(datetime.UTC)
    sys.path.insert(0, str(BASE_DIR))
    owner_url, app_url = bench_urls(args.scale)
    env = {
        **os.environ,
        "DATABASE_URL": app_url,
        "DATABASE_OWNER_URL": owner_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
        "DJANGO_CONN_MAX_AGE": "600",
        "DJANGO_KEEP_PAGES": "0" if args.cold else "1",
    }
    prepare(args.scale, env, owner_url)
    setup_django(env)
    logins, pages = cast_and_pages()
    # A visit POST at the start and at the end, as the ceiling: the machine drifts.
    posts = [] if args.only or args.explain else [visit_post_median(logins["volunteer"])]
    server = start_gunicorn(env, args.port)
    try:
        cookies = {
            who: Browser(args.port).log_in(username, second_factor=who != "volunteer")
            for who, username in logins.items()
        }
        results = []
        folder = BASE_DIR / "bench-results"
        folder.mkdir(exist_ok=True)
        explain = (
            folder / f"explain-{args.scale}-{started:%Y%m%d-%H%M}.txt" if args.explain else None
        )
        for page in pages:
            wanted = [name for name in args.only.split(",") if name]
            if wanted and not any(name in page.name for name in wanted) and page is not pages[0]:
                continue
            queries, kilobytes = count_queries(page, cookies[page.who], explain)
            if explain is not None:
                print(f"{page.name}: {queries} queries, plans in {explain.name}")
                continue
            figures = load(page, cookies[page.who], args.port, args)
            p50, p95, p99, rate, unexpected = figures
            results.append(Result(page, p50, p95, p99, rate, unexpected, queries, kilobytes))
            print(f"{page.name}: p50 {figures[0]:.0f} ms, {figures[3]:.1f} req/s", flush=True)
        if explain is None and len(results) > 1:
            # The ceiling again: this machine's speed drifts over a run (shared cores),
            # and the shares are of the two measurements' mean.
            again = replace(pages[0], name=f"{pages[0].name}, again at the end")
            p50, p95, p99, rate, unexpected = load(again, cookies[again.who], args.port, args)
            first = results[0]
            results.append(
                Result(again, p50, p95, p99, rate, unexpected, first.queries, first.kilobytes)
            )
            print(f"{again.name}: p50 {p50:.0f} ms, {rate:.1f} req/s", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    if explain is not None:
        return 0
    report = table(results, args, started)
    path = folder / f"{args.scale}{'-cold' if args.cold else ''}-{started:%Y%m%d-%H%M}.md"
    path.write_text(report, encoding="utf-8")
    if posts:
        posts.append(visit_post_median(logins["volunteer"]))
        (first_ms, first_saved), (last_ms, last_saved) = posts
        report += (
            f"\nVisit POST through the form as rendered, in-process, one at a time: median "
            f"{first_ms:.0f} ms before the pages' load, {last_ms:.0f} ms after it, over "
            f"{first_saved} and {last_saved} visits saved.\n"
        )
        path.write_text(report, encoding="utf-8")
    print()
    print(report)
    print(f"Written to {path.relative_to(BASE_DIR)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
