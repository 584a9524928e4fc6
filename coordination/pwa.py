"""The installable app: its manifest, its service worker and the list of pages a
volunteer's phone keeps for working without a signal (static/js/sw.js, offline.js).

The service worker is served from the site root, not /static/: a worker controls only
the paths under its own URL, and it must control /cases/. Both it and the manifest are
public like the login page: the browser fetches them for the login page too (which
empties the phone's cache), and they hold nothing personal."""

import datetime
import json

from django.contrib.auth.decorators import login_not_required
from django.contrib.sessions.models import Session
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

THEME_COLOUR = "#1d3557"  # the navigation bar's (static/css/app.css .app-navbar)


@login_not_required
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    path = finders.find("js/sw.js")
    if not path:  # pragma: no cover - the file is part of the repository
        raise Http404
    with open(path, encoding="utf-8") as source:
        # The worker imports the outbox (static/js/outbox.js): at its current URL, hashed
        # in production, so that a new outbox reaches phones with the new worker.
        code = source.read().replace('"/static/js/outbox.js"', f'"{static("js/outbox.js")}"')
    response = HttpResponse(code, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    # A new version reaches phones on their next visit, not after a day's HTTP caching.
    response["Cache-Control"] = "no-cache"
    return response


@login_not_required
@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    data = {
        "name": _("Volunteer centre"),
        "short_name": _("Volunteers"),
        "lang": request.LANGUAGE_CODE,
        "start_url": reverse("cases:my-cases"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": "#ffffff",
        "icons": [
            {"src": static(f"img/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
            for size in (192, 512)
        ],
    }
    return HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/manifest+json"
    )


def session_end(request: HttpRequest) -> datetime.datetime:
    """When this session really ends: a stored session ends 8 hours after it was last
    saved (at login), not 8 hours after this request, which is what
    `get_expiry_date()` counts from."""
    key = request.session.session_key
    stored = (
        Session.objects.filter(session_key=key).values_list("expire_date", flat=True).first()
        if key
        else None
    )
    return stored or request.session.get_expiry_date()
