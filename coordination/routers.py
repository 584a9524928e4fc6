"""Reads that may be a moment old go to the read replica, when there is one.

With DATABASE_REPLICA_URL set (settings.py makes it the `replica` alias), the pages that
only count and list what is already there — the monthly report, the dashboard, the
exports, the missed-allowance report — read from a streaming replica, so that the
heaviest queries leave the primary to the work of writing. Nothing else does: Django's
routers see models, not pages, so a page says it may read the replica with
`@reads_from_replica` (or `with replica_reads():`), and only there does the router answer
`replica`.

Never a write: every write goes to the primary (a row read from the replica and saved
would otherwise be saved where it came from, as Django does by default).

Read-your-writes: a request that has written anything the user reads back, or is a POST,
reads the primary for the rest of it; so does every request for `FRESH_FOR` seconds after
(a cookie holding the moment), so that the page shown after a POST's redirect is not one
replayed a moment before the change. A replica is typically milliseconds behind; ten
seconds is far more than that and short enough to leave the replica the reports.

Without DATABASE_REPLICA_URL none of this acts: the router answers nothing (Django's
own choice stands), the middleware only passes the request on, no query is added.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponseBase

REPLICA = "replica"
FRESH_FOR = 10  # seconds after a write during which the requests of that browser read the primary
COOKIE = "read_primary_until"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Written by pages that only read, and never read back by the request that writes them:
# the access log of an export or a report must not send that export to the primary.
NEVER_READ_BACK = {"coordination.accesslog"}
# Who the user is comes from the primary always: a session made a moment ago on the
# primary may not be on the replica yet, and reading it there would log the user out.
PRIMARY_ONLY = {"sessions.session"}

T = TypeVar("T")
View = TypeVar("View", bound=Callable[..., Any])


@dataclass
class RequestReads:
    """What one request may read from the replica."""

    primary_only: bool = False  # a POST, or a write of this browser a moment ago
    wrote: bool = False

    @classmethod
    def of(cls, request: HttpRequest) -> RequestReads:
        return cls(primary_only=request.method not in SAFE_METHODS or wrote_recently(request))

    @property
    def may_read_replica(self) -> bool:
        return not (self.primary_only or self.wrote)


# The request being served (set by the middleware) and whether the code running now
# may read the replica (set by `replica_reads`). Context variables: each thread, or
# each task of an async server, serves its own request.
_request: contextvars.ContextVar[RequestReads | None] = contextvars.ContextVar(
    "replica_request", default=None
)
_in_replica_reads: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "replica_reads", default=False
)


def replica_configured() -> bool:
    # `connections.settings` is the parsed DATABASES: a dict lookup, no connection.
    return REPLICA in connections.settings


def wrote_recently(request: HttpRequest) -> bool:
    try:
        until = float(request.COOKIES.get(COOKIE, ""))
    except ValueError:
        return False
    return time.time() < until


@contextlib.contextmanager
def replica_reads() -> Iterator[None]:
    """Reads in this block may go to the replica (unless the request wrote)."""
    if not replica_configured():
        yield
        return
    token = _in_replica_reads.set(True)
    try:
        yield
    finally:
        _in_replica_reads.reset(token)


def reads_from_replica(view: View) -> View:
    """A page that only reads, and may read what is a moment old: a report, an export,
    the dashboard's counts."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if _request.get() is None and replica_configured():
            # Called without the middleware (a test's RequestFactory): same rules.
            token = _request.set(RequestReads.of(request))
            try:
                with replica_reads():
                    return view(request, *args, **kwargs)
            finally:
                _request.reset(token)
        with replica_reads():
            return view(request, *args, **kwargs)

    return cast(View, wrapper)


def in_this_context(items: Iterable[T]) -> Iterator[T]:
    """`items` read where this is called, even when read later: a streamed CSV's rows are
    read by the server after the view and its `replica_reads` have returned."""
    # Copied now, not at the first row: a generator's body would only start then.
    context = contextvars.copy_context()

    def read() -> Iterator[T]:
        iterator = context.run(iter, items)  # iter() of a QuerySet runs its query
        while True:
            try:
                item = context.run(next, iterator)
            except StopIteration:
                return
            yield item

    return read()


class ReplicaRouter:
    """Reads in `replica_reads` to the replica unless the request wrote; writes and
    migrations to the primary only."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        if not _in_replica_reads.get() or model._meta.label_lower in PRIMARY_ONLY:
            return None
        state = _request.get()
        if state is not None and not state.may_read_replica:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model: type[Model], **hints: Any) -> str | None:
        state = _request.get()
        if state is not None and model._meta.label_lower not in NEVER_READ_BACK:
            state.wrote = True
        # Also a row read from the replica: Django would save it where it came from.
        return DEFAULT_DB_ALIAS if replica_configured() else None

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # The replica is the primary's copy: a row from either may point at a row of the other.
        both = {obj1._state.db, obj2._state.db}
        return True if both <= {DEFAULT_DB_ALIAS, REPLICA} else None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == REPLICA else None


class ReadYourWritesMiddleware:
    """Keeps, for each request, whether it wrote; after a write or a POST, tells the
    browser (a cookie) to read the primary for FRESH_FOR seconds."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not replica_configured():
            return self.get_response(request)
        state = RequestReads.of(request)
        token = _request.set(state)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        if state.wrote or request.method not in SAFE_METHODS:
            response.set_cookie(
                COOKIE,
                f"{time.time() + FRESH_FOR:.3f}",
                max_age=FRESH_FOR,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
