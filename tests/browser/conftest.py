"""Browser tests: pytest-playwright driving a real Chromium against the live server.

Debian's Chromium headless shell (/usr/bin/chromium-headless-shell, installed by
.ci/run) is used when present, else Debian's Chromium, else Playwright's own browser. The
shell is the headless Chromium Playwright itself runs by default: the same engine
without the desktop browser's machinery, it took a third of the CPU of Debian's
`chromium --headless` for the same tests (the browser process 10 s instead of 31 s, and
47 renderer processes instead of 133). The one test of Background Sync firing by itself
when the network returns asks for the whole browser (`full_chromium`): the shell never
fires it on its own, as Safari and Firefox have none. Every page a test visits is checked with axe-core.
"""

import os
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

# Playwright's sync API runs an event loop in this thread; the test's own ORM
# calls are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
BLOCKING_IMPACTS = {"serious", "critical"}


BROWSER_TESTS = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    # This hook sees every item of the session, not only this folder's: mark ours only,
    # so that `-m "not browser"` still runs the rest of the suite.
    for item in items:
        if BROWSER_TESTS in Path(item.fspath).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    args = {
        **browser_type_launch_args,
        # This machine's network is closed: no background calls home.
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }
    system_chromium = shutil.which("chromium-headless-shell") or shutil.which("chromium")
    if system_chromium:
        args["executable_path"] = system_chromium
    return args


@pytest.fixture(scope="session")
def full_chromium(launch_browser):
    """The whole Chromium, headless: its Background Sync fires `sync` by itself when the
    network comes back, which the headless shell never does. (A test asking for it
    still gets the autouse fixtures' `page` in the shell: the shell starts once per
    worker anyway.)"""
    system_chromium = shutil.which("chromium")
    if system_chromium:
        browser = launch_browser(executable_path=system_chromium)
    else:
        browser = launch_browser(executable_path=None, channel="chromium")
    yield browser
    browser.close()


@pytest.fixture(autouse=True)
def nothing_left_open(request, browser):
    """Closes every context a test opened, failed or not: a page left open goes on
    loading from the live server during the worker's next tests, whose test client then
    reads that page's templates as its own (a failed journey made a later form test see
    the login form)."""
    yield
    browsers = [browser]
    if "full_chromium" in request.fixturenames:
        browsers.append(request.getfixturevalue("full_chromium"))
    for each in browsers:
        for context in each.contexts:
            context.close()


@pytest.fixture(autouse=True)
def short_timeouts(page):
    # A page of this app answers in milliseconds; fail fast rather than after 30 s.
    page.set_default_timeout(10_000)


def watch_csp(page, found: list[str]) -> None:
    """Collects what the Content-Security-Policy blocked: an inline script or style."""
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )


@pytest.fixture(autouse=True)
def no_csp_violations(page):
    found: list[str] = []
    watch_csp(page, found)
    yield found
    assert not found, found


# The rules that cannot fail a test: their impact (the rule's own, which overrides its
# checks', or else every check's) is never a blocking one in axe-core's metadata. axe
# skips them (a fifth of its time on a list page: `region` alone walks every node).
NEVER_BLOCKING = """blocking => axe._audit.rules.filter(rule => {
    const checks = [...rule.any, ...rule.all, ...rule.none].map(c => c.id || c);
    const impacts = rule.impact
        ? [rule.impact] : checks.map(id => axe._audit.checks[id].metadata.impact);
    return impacts.length > 0 && impacts.every(i => i && !blocking.includes(i));
}).map(rule => rule.id)"""


class Accessibility:
    def __init__(self) -> None:
        self.axe = Axe()
        self.options: dict | None = None

    def violations(self, page) -> list[dict]:
        # The page as a person sees it: a click can return once the next page's document
        # has come, and axe run then saw it half-styled (app.css in, Bootstrap not yet:
        # the menu's "Log out" white on a grey button, a failure of the page in CI). (It
        # can also return before the navigation commits: a test checking the page a click
        # opens waits for its URL first.)
        page.wait_for_load_state("load")
        # axe-core into the page once (Axe.run would put it in a second time: 65 ms of a
        # check's 310), then run with the options as they are, passed as data.
        page.evaluate(self.axe.axe_script)
        if self.options is None:
            skipped = page.evaluate(NEVER_BLOCKING, sorted(BLOCKING_IMPACTS))
            self.options = {
                "resultTypes": ["violations"],
                "rules": {rule: {"enabled": False} for rule in skipped},
            }
        return page.evaluate("options => axe.run(document, options)", self.options)["violations"]


@pytest.fixture(scope="session")
def accessibility():
    return Accessibility()


@pytest.fixture
def assert_accessible(accessibility):
    """Fails on serious or critical axe-core violations of the page as it is now."""

    def check(page) -> None:
        blocking = [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(node["target"][0] for node in v["nodes"][:3])
            for v in accessibility.violations(page)
            if v["impact"] in BLOCKING_IMPACTS
        ]
        assert not blocking, f"{page.url}\n" + "\n".join(blocking)

    return check


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return take


def authenticator_code(key: bytes, drift: int = 0) -> str:
    """What an authenticator app shows now for `key` (RFC 6238, as django-otp checks)."""
    from django_otp.oath import totp

    return f"{totp(key, drift=drift):06d}"


def log_in(
    page, live_server, username: str, password: str = "password", *, second_step: bool = True
) -> None:
    """Logs in from the login page as a person does; then the second step (the tests of
    that step itself stop before it, with `second_step=False`)."""
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    if second_step:
        pass_second_step(page, username)
    else:
        page.wait_for_load_state()


def sign_in(page, live_server, username: str) -> None:
    """Signed in without the login pages, for tests of other pages: a session made on
    the server, second step passed, and its cookie given to the browser. A coordinator's
    login through the pages (password, setting up the authenticator, the backup codes)
    was 1.5 s of each such test; the login journeys (test_login_and_admin,
    test_two_factor_journey, test_volunteer_login_journey) still go through them."""
    from django.conf import settings
    from django.test import Client

    from coordination.models import User
    from tests.conftest import passed_second_step

    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    session = client.session
    passed_second_step(session, user)
    session.save()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session.session_key,
                "url": live_server.url,
                "httpOnly": True,
            }
        ]
    )


def pass_second_step(page, username: str) -> None:
    """After the password: the second step, as the person at the phone does it. With an
    app set up, its code; without one (staff, coordinators), set it up first by typing
    the key shown (what scanning the QR code gives the app), and keep the backup codes."""
    from base64 import b32decode

    from django_otp.plugins.otp_totp.models import TOTPDevice

    page.wait_for_load_state()
    if "/account/two-factor/" in page.url:
        key = page.locator("#totp-key").inner_text().replace(" ", "")
        key += "=" * (-len(key) % 8)
        page.fill("#id_code", authenticator_code(b32decode(key)))
        page.get_by_role("button", name="ยืนยัน").click()
        page.get_by_role("link", name="เก็บรหัสไว้แล้ว — ดำเนินการต่อ").click()
    elif "/login/code/" in page.url:
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        # The same user twice within 30 seconds: a code is accepted once, so the
        # next step's code (django-otp allows one step of drift).
        for drift in (0, 1):
            page.fill("#id_code", authenticator_code(device.bin_key, drift))
            page.get_by_role("button", name="ดำเนินการต่อ").click()
            page.wait_for_load_state()
            if "/login/code/" not in page.url:
                break
    page.wait_for_load_state()
