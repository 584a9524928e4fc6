"""The one pattern of every list's filters (django-filter): a FilterSet per list, its
choices scoped to the user through the request, and its form rendered by the page as
`form`. A filter that does not validate filters nothing: the page shows the whole
list and the form says what is wrong, never a half-applied filter."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import django_filters
import django_filters.fields
from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from coordination import stamps, widgets
from coordination.fields import ThaiDateField
from coordination.models import Agency, AgencyQuerySet


class CheckboxFilter(django_filters.BooleanFilter):
    """A tick box: ticked filters, unticked does not (not django-filter's yes/no/any)."""

    field_class = forms.BooleanField


# Django's widgets and ours that write the same HTML in Python (coordination/widgets.py).
QUICKER_WIDGETS = {forms.Select: widgets.Select}


class OptionsIterator(django_filters.fields.ModelChoiceIterator):
    """A select's options in one plain query. Django's iterator reads them through
    QuerySet.iterator(), a server-side cursor: DECLARE, FETCH and CLOSE, three round
    trips a select, four selects on the case list."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:  # django-filter's "null" choice
            yield (self.field.null_value, self.field.null_label)
        for row in self.kept_rows():  # a centre's teams, volunteers, subdistricts: hundreds
            yield self.choice(row)

    def rows(self) -> Iterable:
        return self.queryset

    def kept_rows(self) -> Iterable:
        """The rows, kept until the centre's data changes (coordination/stamps.py): the
        same hundreds of volunteers or subdistricts on every page of a list."""
        if self.field.kept_as is None:  # a field outside a list's filters
            return self.rows()
        request, name = self.field.kept_as
        return stamps.kept(request, "options", name, lambda: list(self.rows()))


class OptionsField(django_filters.fields.ModelChoiceField):
    iterator = OptionsIterator

    def __init__(
        self, *args: Any, kept_as: tuple[HttpRequest, tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        self.kept_as = kept_as  # the request, and which list's which filter
        super().__init__(*args, **kwargs)


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    """A list filter's model select, its options in one query (OptionsIterator)."""

    field_class = OptionsField


class ListFilterSet(django_filters.FilterSet):
    def __init__(self, request: HttpRequest, queryset: QuerySet) -> None:
        super().__init__(request.GET or None, queryset=queryset, request=request)
        # The same HTML for a fraction of the time: a list's selects (a centre's
        # volunteers, its subdistricts) have hundreds of options.
        for name, chosen in self.filters.items():
            quicker = QUICKER_WIDGETS.get(chosen.field_class.widget)
            if quicker and "widget" not in chosen.extra:
                chosen.extra["widget"] = quicker
            if issubclass(chosen.field_class, OptionsField):
                chosen.extra["kept_as"] = (request, (type(self).__qualname__, name))

    def options(self, name: str) -> list:
        """The rows of filter `name`'s select, as it reads them (kept, or read once)."""
        field = self.form.fields[name]
        return list(field.iterator(field).kept_rows())

    @property
    def qs(self) -> QuerySet:
        if not hasattr(self, "_qs"):
            valid = self.is_bound and self.is_valid()
            chosen = self.filter_queryset(self.queryset.all()) if valid else self.queryset.all()
            self._qs = self.finish(chosen, self.form.cleaned_data if valid else {})
        return self._qs

    def finish(self, queryset: QuerySet, data: dict) -> QuerySet:
        """What applies with or without filters: a default, the order."""
        return queryset


class AgencyFilter(ListFilterSet):
    """The agency directory's filters. Active agencies only unless asked: an inactive one
    is kept for its history, not offered."""

    q = django_filters.CharFilter(
        label=_("Search"), help_text=_("Name, services, contact or phone"), method="search"
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Agency.Kind.choices, empty_label=_("all")
    )
    inactive = CheckboxFilter(label=_("Also inactive agencies"), method="keep")

    class Meta:
        model = Agency
        fields: list[str] = []

    def search(self, agencies: AgencyQuerySet, name: str, value: str) -> AgencyQuerySet:
        return agencies.search(value)

    def keep(self, agencies: QuerySet, name: str, value: bool) -> QuerySet:
        return agencies  # finish() reads it: an unticked box filters too

    def finish(self, queryset: QuerySet, data: dict) -> QuerySet:
        if not data.get("inactive"):
            queryset = queryset.filter(active=True)
        return queryset.order_by("name", "pk")


class ThaiDateFilter(django_filters.DateFilter):
    """A date as people type it here (24/04/2562 or 2019-04-24), like every date form."""

    field_class = ThaiDateField
