"""Pagination of the app's lists: Django's, with a page number below 1 read as the
first page; and of lists whose size a page has already counted."""

from django.core import paginator
from django.core.paginator import Page
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
