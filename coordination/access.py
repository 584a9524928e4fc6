"""Who may do what. Row access lives on the QuerySets (`visible_to`); these helpers
turn it into answers: another centre's object is 404, a wrong role is 403."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Manager, Model, QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils.http import url_has_allowed_host_and_scheme

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from coordination.models import Center, User

    # Whoever a request carries: login is required by middleware, but the type allows both.
    AnyUser = User | AnonymousUser

# HttpResponseBase: file downloads (FileResponse, streamed exports) are views too.
View = Callable[..., HttpResponseBase]


class AuthenticatedRequest(HttpRequest):
    """A request past the login middleware: its user is one of ours. For annotations,
    so that `request.user.is_coordinator` type-checks without a cast in every view."""

    user: User


M = TypeVar("M", bound=Model)


def role_required(allowed: Callable[[Any], bool]) -> Callable[[View], View]:
    """A view for users `allowed(user)` accepts; everyone else gets 403."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not allowed(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# Roles are read from the user (User.is_coordinator_or_staff, is_case_worker): the one
# place that says who is what. docs/architecture.md, "Who sees what", says why not
# model permissions.
coordinator_required = role_required(lambda user: user.is_coordinator_or_staff)

# Also volunteers: which cases they reach is for visible_to to say.
case_worker_required = role_required(lambda user: user.is_case_worker)


def get_visible_or_404(queryset: QuerySet[M] | Manager[M], user: AnyUser, **lookup: Any) -> M:
    """The object if `user` may see it, else 404 — never revealing that it exists."""
    # visible_to is on each model's own QuerySet; after select_related() and the like
    # the stubs know only a plain QuerySet.
    return get_object_or_404(queryset.visible_to(user), **lookup)  # type: ignore[union-attr]


def may_open(user: AnyUser, obj: Model) -> bool:
    """Whether the page of `obj` behind `coordinator_required` and `get_visible_or_404`
    (a volunteer's, a team's) opens for `user`: the same two checks, asked before a
    link is shown so that no link answers 403 or 404."""
    if not user.is_authenticated or not user.is_coordinator_or_staff:
        return False
    return obj.pk in visible_pks(user, type(obj))


def visible_pks(user: AnyUser, model: type[Model]) -> set[Any]:
    """The keys of the rows of `model` that `user` may see, read once per request: a
    page that asks about each member of a team costs one query, not one per member.
    Cached on the user object, which lives as long as the request (like its roles)."""
    if not hasattr(user, "_visible_pks"):
        user._visible_pks = {}  # type: ignore[union-attr]
    cache: dict[type[Model], set[Any]] = user._visible_pks  # type: ignore[union-attr]
    if model not in cache:
        rows = model.objects.visible_to(user)  # type: ignore[attr-defined]
        cache[model] = set(rows.order_by().values_list("pk", flat=True))
    return cache[model]


def center_for_new_objects(user: User) -> Center:
    """Objects a user creates belong to their centre; a national administrator
    without one creates through the admin."""
    if user.center is None:
        raise PermissionDenied
    return user.center


def centre_asked(user: User, asked: str) -> int | None:
    """The one centre a page of a centre's rows is about: a centre's user's own, whatever
    the address asks; a national administrator's (no centre) the one asked for, when it
    reads as an id ("²" passes isdigit() and fails int()); else None, none chosen yet."""
    if user.center_id is not None:
        return user.center_id
    return int(asked) if asked.isdecimal() and len(asked) < 10 else None


def return_path(request: HttpRequest, target: str) -> str | None:
    """`target` if it is a page of this site to send the user back to (a `next`
    parameter), else None. A path only: Django's check alone let through a bare word,
    which `redirect()` then took for a URL name and answered 500 when none matched."""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None
