from dataclasses import asdict

from csp.constants import HEADER
from csp.middleware import CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import add_never_cache_headers


class ThaiFirstLocaleMiddleware(LocaleMiddleware):
    """Thai unless the user chose English with the language switch (its cookie).

    The browser's Accept-Language is ignored on purpose: the centre's shared
    computers and volunteers' phones often run in English, and the work is in Thai.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = dict(settings.LANGUAGES)
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class CSPEverywhereMiddleware(CSPMiddleware):
    """django-csp leaves Django's debug 404 and 500 pages without the policy. Every
    response here carries it in every mode, so that development sends — and the tests
    see — what production sends."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase):
        if (
            response.status_code in (404, 500)
            and HEADER not in response
            and not getattr(response, "_csp_exempt", False)
        ):
            parts = self.get_policy_parts(request=request, response=response)
            if policy := build_policy(**asdict(parts)):
                response[HEADER] = policy
        return super().process_response(request, response)


class ExplainedNotAllowedMiddleware:
    """Opening a form's action by its address (a reload after posting, a bookmark, the
    login sending one back where one was) is a GET that the action refuses with 405.
    Django's answer is an empty page; this one says what happened and where to go."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.status_code == 405 and request.method == "GET" and not response.content:
            page = render(request, "405.html", status=405)
            page["Allow"] = response["Allow"]
            return page
        return response


# Sent by the phone's service worker with the pages it fetches in the background to keep
# for use without a signal (static/js/sw.js, refreshPages).
BACKGROUND_COPY_HEADER = "X-Offline-Copy"
MESSAGES_COOKIE = CookieStorage.cookie_name


def is_background_copy(request: HttpRequest) -> bool:
    return request.headers.get(BACKGROUND_COPY_HEADER) == "1"


class BackgroundCopyMiddleware:
    """A page the phone's service worker fetches in the background changes nothing of
    what the person is doing on the phone: its answer sets no session or messages cookie.
    A fetch sent with the session that a password change had just replaced found no
    session, and its answer deleted the new session's cookie: logged out. A page read in
    the background would likewise take the message of a save that the page opened next
    should show. Above the session and messages middleware: it acts after them."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if is_background_copy(request):
            for name in (settings.SESSION_COOKIE_NAME, MESSAGES_COOKIE):
                response.cookies.pop(name, None)
        return response


class PrivatePagesMiddleware:
    """A signed-in person's pages hold people's data: no browser keeps them (a shared
    phone, an office PC), and the Back button asks again rather than showing a list as
    it was before a change (a dismissed flag, a case taken off a worklist). A response
    that says how it may be kept (a static file, the app's worker) is left as it is."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.user.is_authenticated and "Cache-Control" not in response:
            add_never_cache_headers(response)
        return response
