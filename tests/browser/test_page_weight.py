"""Page weight on a phone with production settings: the app under gunicorn with
DEBUG off, WhiteNoise serving hashed, compressed static files with far-future cache
headers. Each main page must be at most 150 kB over the wire on a first visit (empty
cache) and at most 40 kB on the next. `make page-weight` runs this alone and prints the
figures."""

import subprocess
import sys
import urllib.request

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import Case
from coordination.models import User
from tests.conftest import load_demo
from tests.production import ROOT, gunicorn, production_env

FIRST_LOAD_BUDGET = 150_000
NEXT_LOAD_BUDGET = 40_000


@pytest.fixture
def production_server(transactional_db, settings):
    """gunicorn on the test database, configured as the README's Production section."""
    settings.DEBUG = True  # the demo loads only then; the server below runs without
    load_demo()
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--clear", "-v0"],
        cwd=ROOT,
        env=production_env(),
        check=True,
    )
    with gunicorn() as (url, _server):
        yield url


class Transfer:
    """Bytes over the wire (headers and bodies, as compressed) of one navigation,
    counted by Chromium itself; what the cache serves costs nothing."""

    def __init__(self, page) -> None:
        self.page = page
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.bytes = 0
        self.cdp.on("Network.loadingFinished", self.add)

    def add(self, event) -> None:
        self.bytes += event["encodedDataLength"]

    def load(self, url: str, *, empty_cache: bool) -> int:
        if empty_cache:
            self.cdp.send("Network.clearBrowserCache")
        self.page.wait_for_timeout(100)
        self.bytes = 0
        self.page.goto(url)
        self.page.wait_for_load_state("networkidle")
        assert self.page.url == url, f"{url} went to {self.page.url}"
        return self.bytes


def test_the_main_pages_keep_to_their_weight_on_a_phone(production_server, browser):
    # Without the service worker: what a page itself costs over the wire. (Through the
    # worker Chromium counts its fetches in the worker, not the page; what the worker
    # keeps for offline use is weighed in tests/coordination/test_pwa.py.)
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        service_workers="block",
    )
    page = context.new_page()
    transfer = Transfer(page)
    weights = {"login": (
        transfer.load(production_server + reverse("login"), empty_cache=True),
        transfer.load(production_server + reverse("login"), empty_cache=False),
    )}  # fmt: skip
    # Signed in through a session made here: with DEBUG off the login cookies are
    # Secure, which a browser keeps only over https.
    user = User.objects.get(username="volunteer")
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": production_server,
            }
        ]
    )
    case = Case.objects.visible_to(user).open().order_by("number").first()
    for name, path in [
        ("my cases", reverse("cases:my-cases")),
        ("case page", reverse("cases:case-detail", args=[case.pk])),
        ("visit form", reverse("cases:visit-create", args=[case.pk])),
    ]:
        first = transfer.load(production_server + path, empty_cache=True)
        weights[name] = (first, transfer.load(production_server + path, empty_cache=False))
    # The next visit is light because hashed files may be kept for ever.
    stylesheet = page.locator("link[rel=stylesheet]").first.get_attribute("href")
    with urllib.request.urlopen(production_server + stylesheet) as response:
        assert response.headers["Cache-Control"] == "max-age=315360000, public, immutable"
    context.close()
    print("\npage weight (bytes transferred): first load / next load")
    for name, (first, again) in weights.items():
        print(f"  {name:12} {first / 1000:6.1f} kB / {again / 1000:5.1f} kB")
    too_heavy = {
        name: weight
        for name, weight in weights.items()
        if weight[0] > FIRST_LOAD_BUDGET or weight[1] > NEXT_LOAD_BUDGET
    }
    assert not too_heavy, too_heavy
    # The numbers are real: a first load carries the CSS, scripts and fonts.
    assert all(first > 50_000 for first, _ in weights.values()), weights
