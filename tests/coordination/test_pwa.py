"""The installable app's files (coordination/pwa.py, cases/offline.py): the service worker at the root, the
manifest, the list of pages a volunteer's phone keeps, and what keeping them weighs."""

import datetime
import gzip
import json
import re
from pathlib import Path

from django.contrib.sessions.models import Session
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from cases.models import Case
from tests.factories import CaseFactory

OFFLINE_BUNDLE_BUDGET = 300_000


def test_the_service_worker_is_served_from_the_root_to_anyone(client, db):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    assert b'addEventListener("fetch"' in response.content


def test_the_manifest_names_the_app_in_thai_and_starts_on_my_cases(client, db):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "ศูนย์ประสานงาน อพม."
    assert manifest["short_name"] == "อพม."
    assert manifest["start_url"] == reverse("cases:my-cases")
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#1d3557"
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        with Image.open(path) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]
            assert image.format == "PNG"
    assert sorted(icon["sizes"] for icon in manifest["icons"]) == ["192x192", "512x512"]


def test_a_volunteers_phone_keeps_their_open_cases_and_their_forms(
    client, volunteer_on_team, case, center, team
):
    closed = CaseFactory(
        center=center,
        team=team,
        status=Case.Status.CLOSED,
        closed_on=datetime.date.today(),
        closure_reason=Case.ClosureReason.MOVED,
    )
    not_theirs = CaseFactory(center=center)
    client.force_login(volunteer_on_team.user)
    before = timezone.now()
    response = client.get(reverse("offline-pages"))
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert data["user"] == volunteer_on_team.user.pk
    assert data["urls"] == [
        reverse("cases:my-cases"),
        reverse("cases:case-detail", args=[case.pk]),
        reverse("cases:visit-create", args=[case.pk]),
    ]
    for other in (closed, not_theirs):
        assert reverse("cases:case-detail", args=[other.pk]) not in data["urls"]
    # Kept no longer than the session: 8 hours.
    expires = datetime.datetime.fromtimestamp(data["expires"] / 1000, tz=datetime.UTC)
    assert abs(expires - before - datetime.timedelta(hours=8)) < datetime.timedelta(minutes=1)


def test_kept_pages_end_with_the_session_not_8_hours_after_the_last_page(
    client, volunteer_on_team, case
):
    client.force_login(volunteer_on_team.user)
    # Logged in 7 hours ago: one hour is left, whatever page was opened last.
    end = timezone.now() + datetime.timedelta(hours=1)
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=end)
    data = client.get(reverse("offline-pages")).json()
    assert data["expires"] == int(end.timestamp() * 1000)


def test_a_coordinators_phone_keeps_no_pages(client, coordinator, case):
    client.force_login(coordinator)
    assert client.get(reverse("offline-pages")).json()["urls"] == []


def test_every_page_says_who_is_logged_in_for_the_phones_cache(client, volunteer_on_team, db):
    page = client.get(reverse("login")).content.decode()
    assert 'data-user=""' in page and 'rel="manifest"' in page
    client.force_login(volunteer_on_team.user)
    page = client.get(reverse("cases:my-cases")).content.decode()
    assert f'data-user="{volunteer_on_team.user.pk}"' in page
    assert 'id="waiting-visits"' in page


def test_the_offline_bundle_weighs_under_300_kB(client, volunteer_on_team, case, settings):
    """Shell (CSS, JS, fonts, icons), service worker and one case (its page and visit
    form), each as sent compressed (WhiteNoise's and GZipMiddleware's gzip)."""
    client.force_login(volunteer_on_team.user)
    pages = [
        client.get(url).content
        for url in (
            reverse("cases:my-cases"),
            reverse("cases:case-detail", args=[case.pk]),
            reverse("cases:visit-create", args=[case.pk]),
        )
    ]
    shell = set()
    for html in pages:
        shell |= set(re.findall(r'(?:href|src)="/static/([^"]+)"', html.decode()))
    shell |= {"img/icon-192.png", "img/icon-512.png"}
    shell |= {"js/outbox.js"}  # imported by offline.js and by the worker, not in a tag
    files = [Path(finders.find(name)).read_bytes() for name in sorted(shell)]
    files.append(client.get("/sw.js").content)
    total = sum(len(gzip.compress(body)) for body in pages + files)
    print(f"\noffline bundle: {total} bytes gzipped ({len(shell)} static files)")
    assert total < OFFLINE_BUNDLE_BUDGET


def test_the_worker_imports_the_outbox_at_its_static_url(client, db):
    """The worker is a module that sends the waiting visits with static/js/outbox.js: the
    import names the outbox's URL as the static storage gives it (hashed in production),
    so a new outbox reaches phones with the worker."""
    from django.templatetags.static import static

    body = client.get("/sw.js").content.decode()
    assert f'import {{ openStore, sendWaiting }} from "{static("js/outbox.js")}";' in body
    assert client.get(static("js/outbox.js")).status_code == 200
