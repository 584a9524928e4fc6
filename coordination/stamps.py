"""What a page computed, kept until the data it was computed from changes.

The dashboard, the monthly report, the worklist, the case list, the case page, the team
pages and the missed-allowance list read a dozen or more queries over a centre's cases,
visits, volunteers and referrals (aggregates over all of them for the first), each on
an index already, then lay out hundreds of rows (README, "What pages keep"). Between
two changes of a centre's data their answer is the same, and a centre reads its pages
far more often than it changes them.

So a page keeps its answer (its HTML, with `{% keep %}` in its template,
coordination/templatetags/keep.py; or data several pages share, with `kept` below)
under a key made of the centre's data stamps (coordination.DataStamp): a database
trigger moves a centre's stamp on when any transaction that changed its cases, visits,
volunteers, teams, referrals, help or plans commits — a page, the admin, an import or SQL — and the stamp of scope 0 when
what every centre reads changes (target groups, rates, caps, places). A kept answer is
never stale: once the data changes, the key does, and the next request computes anew.
Old answers are left to the cache's culling (settings.CACHES).

An answer is kept for one user, their roles and their language, on one day: it is only
ever served to the person it was computed for, as they would compute it again. A
national administrator's pages span every centre and are not kept.

Inside a transaction (a request that writes, or a test) nothing is kept or read: the
stamp moves at the commit, so a transaction's own uncommitted changes would not change
the key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, new_method_proxy
from django.utils.translation import get_language

from coordination.models import DataStamp, User

T = TypeVar("T")
TIMEOUT = 24 * 60 * 60  # a day: the key holds the day anyway
MISSING = object()


def stamps_of(center_id: int) -> tuple[int, int]:
    """The centre's stamp and that of what every centre reads, in one query (0 before the
    first change)."""
    rows = dict(
        DataStamp.objects.filter(scope__in=(DataStamp.GLOBAL, center_id)).values_list(
            "scope", "version"
        )
    )
    return rows.get(center_id, 0), rows.get(DataStamp.GLOBAL, 0)


def asked(request: HttpRequest, *but: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The address's parameters, but `but`, in one order: a part of a kept answer's key."""
    return tuple(
        sorted((key, tuple(values)) for key, values in request.GET.lists() if key not in but)
    )


def stamps_for(request: HttpRequest, center_id: int) -> tuple[int, int]:
    """stamps_of(), read once by a request that only reads (a page with several kept
    parts); a request that may write reads them each time."""
    if request.method not in ("GET", "HEAD"):
        return stamps_of(center_id)
    read = getattr(request, "data_stamps", None)
    if read is None:
        read = request.data_stamps = stamps_of(center_id)  # type: ignore[attr-defined]
    return read


def kept(request: HttpRequest, name: str, parts: tuple, compute: Callable[[], T]) -> T:
    """compute()'s answer for this page (`name` and the `parts` of the address it read),
    kept for the same user at the same state of their centre's data."""
    user = request.user
    assert isinstance(user, User)
    if (
        not settings.KEEP_PAGES
        or user.center_id is None
        or connections[DEFAULT_DB_ALIAS].in_atomic_block
    ):
        return compute()
    roles = sorted(role for role in ("coordinator", "volunteer") if user.has_role(role))
    state = (
        name, parts, user.pk, user.is_staff, user.is_superuser, roles, get_language(),
        timezone.localdate(), user.center_id, stamps_for(request, user.center_id),
    )  # fmt: skip
    key = "kept:" + hashlib.sha256(repr(state).encode()).hexdigest()
    answer = cache.get(key, MISSING)
    if answer is MISSING:
        answer = compute()
        cache.set(key, answer, TIMEOUT)
    return answer


class Later(SimpleLazyObject):
    """A value a view hands its template, computed when the template first reads it: a
    part of the page kept as HTML (`{% keep %}`, coordination/templatetags/keep.py)
    that reads it reads nothing on the pages served from what was kept."""

    __format__ = new_method_proxy(format)  # a sum shown with a number format
