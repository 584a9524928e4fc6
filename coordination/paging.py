"""Pagination of the app's lists: Django's, with a page number below 1 read as the
first page; of lists whose size a page has already counted; and of the admin's lists of
whole tables of millions of rows, counted by estimate."""

from django.core import paginator
from django.core.paginator import Page
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property


class Paginator(paginator.Paginator):  # noqa: TID251 (the one that may)
    """Django's, except that ?page=0 or ?page=-1 is the first page, not the last (Django
    reads any page out of range as the last)."""

    def get_page(self, number) -> Page:
        try:
            if int(number) < 1:
                number = 1
        except (TypeError, ValueError):
            pass  # not a number: Django's own answer, the first page
        return super().get_page(number)


class CountedPaginator(Paginator):
    """A Paginator told how many rows there are, already counted by another query (a
    tab's badge): no COUNT(*) of its own."""

    def __init__(self, object_list, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count


# A whole table of this many rows or more is counted by the planner's estimate in the
# admin's lists (EstimatingPaginator).
ESTIMATE_FROM = 1_000_000


class EstimatingPaginator(Paginator):
    """An admin list's pages. A national administrator's unfiltered list of a table of
    millions of rows (the access log grows by every page a case is opened on) counted it
    whole on every opening: 0.25 s for 5 million rows, and growing with it. Such a count
    is the planner's estimate (pg_class.reltuples, kept by autovacuum's ANALYZE); a
    filtered list, or a smaller table, is counted exactly."""

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if isinstance(rows, QuerySet) and not rows.query.where and not rows.query.distinct:
            with connections[rows.db].cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [rows.model._meta.db_table],
                )
                found = cursor.fetchone()
            if found and found[0] >= ESTIMATE_FROM:
                return int(found[0])
        return super().count
