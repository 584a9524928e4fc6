"""Who may do what. Row access lives on the QuerySets (`visible_to`); these helpers
turn it into answers: another centre's object is 404, a wrong role is 403."""

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404


def role_required(allowed: Callable[..., bool]) -> Callable:
    """A view for users `allowed(user)` accepts; everyone else gets 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
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


def get_visible_or_404(queryset: QuerySet, user, **lookup) -> Model:
    """The object if `user` may see it, else 404 — never revealing that it exists."""
    return get_object_or_404(queryset.visible_to(user), **lookup)


def may_open(user, obj: Model) -> bool:
    """Whether the page of `obj` behind `coordinator_required` and `get_visible_or_404`
    (a volunteer's, a team's) opens for `user`: the same two checks, asked before a
    link is shown so that no link answers 403 or 404."""
    if not user.is_authenticated or not user.is_coordinator_or_staff:
        return False
    return obj.pk in visible_pks(user, type(obj))


def visible_pks(user, model: type[Model]) -> set:
    """The keys of the rows of `model` that `user` may see, read once per request: a
    page that asks about each member of a team costs one query, not one per member.
    Cached on the user object, which lives as long as the request (like its roles)."""
    if not hasattr(user, "_visible_pks"):
        user._visible_pks = {}
    cache = user._visible_pks
    if model not in cache:
        cache[model] = set(model.objects.visible_to(user).order_by().values_list("pk", flat=True))
    return cache[model]


def center_for_new_objects(user):
    """Objects a user creates belong to their centre; a national administrator
    without one creates through the admin."""
    if user.center_id is None:
        raise PermissionDenied
    return user.center
