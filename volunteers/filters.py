"""The volunteer list's filters (coordination/filters.py says the pattern)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from coordination.filters import ListFilterSet, ModelChoiceFilter
from coordination.models import Subdistrict
from coordination.widgets import Select
from volunteers.models import Team, Volunteer


class VolunteerFilter(ListFilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), help_text=_("Name, national ID or phone"), method="search"
    )
    team = ModelChoiceFilter(
        label=_("Team"),
        queryset=lambda request: Team.objects.visible_to(request.user).select_related(
            "target_group"
        ),
        method="in_team",
        widget=Select,
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=Volunteer.Status.choices,
        empty_label=_("all"),
        widget=Select,
    )
    subdistrict = ModelChoiceFilter(
        label=_("Subdistrict"),
        queryset=lambda request: Subdistrict.objects.of_centres_of(request.user),
        widget=Select,
    )

    class Meta:
        model = Volunteer
        fields: list[str] = []

    def search(self, volunteers, name, value):
        return volunteers.search(value)

    def in_team(self, volunteers, name, team):
        return volunteers.in_team(team)
