"""The filters of the case list and the follow-up worklist (coordination/filters.py
says the pattern)."""

from __future__ import annotations

import django_filters
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from coordination.filters import CheckboxFilter, ListFilterSet
from coordination.models import Subdistrict, TargetGroup
from volunteers.models import Team, Volunteer


def visible_teams(request) -> QuerySet:
    return Team.objects.visible_to(request.user).select_related("target_group")


class CaseFilter(ListFilterSet):
    SORTS = [
        ("-opened_on", _("newest first")),
        ("opened_on", _("oldest first")),
        ("-last_visit_at", _("last visit, latest first")),
        ("last_visit_at", _("last visit, longest ago first")),
        ("next_visit_due", _("next visit due, soonest first")),
    ]
    q = django_filters.CharFilter(
        label=_("Search"), help_text=_("Case number, name or national ID"), method="search"
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[*Case.Status.choices, ("all", _("all cases"))],
        empty_label=_("open cases"),
        method="with_status",
    )
    target_group = django_filters.ModelChoiceFilter(
        label=_("Target group"), queryset=TargetGroup.objects.all(), field_name="target_groups"
    )
    team = django_filters.ModelChoiceFilter(label=_("Team"), queryset=visible_teams)
    subdistrict = django_filters.ModelChoiceFilter(
        label=_("Subdistrict"),
        queryset=lambda request: Subdistrict.objects.of_centres_of(request.user),
        method="living_in",
    )
    priority = django_filters.ChoiceFilter(
        label=_("Priority"), choices=Case.Priority.choices, empty_label=_("any")
    )
    unassigned = CheckboxFilter(label=_("No team yet"), method="without_team")
    overdue = CheckboxFilter(label=_("Follow-up overdue"), method="only_overdue")
    sort = django_filters.ChoiceFilter(
        label=_("Sort"), choices=SORTS, empty_label=None, method="sorted_later"
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def search(self, cases, name, value):
        return cases.search(value)

    def with_status(self, cases, name, value):
        return cases if value == "all" else cases.filter(status=value)

    def living_in(self, cases, name, place):
        return cases.filter(
            Q(cur_subdistrict=place) | Q(current_same_as_registered=True, reg_subdistrict=place)
        )

    def without_team(self, cases, name, value):
        return cases.filter(team__isnull=True) if value else cases

    def only_overdue(self, cases, name, value):
        return cases.overdue() if value else cases

    def sorted_later(self, cases, name, value):
        return cases  # finish() orders, sorted or not

    def finish(self, cases, data):
        if not data.get("status"):  # the list opens on the open cases
            cases = cases.open()
        sort = data.get("sort") or "-opened_on"
        name = sort.lstrip("-")
        # NULLS LAST only on a column that can be empty: on opened_on (never empty) it
        # kept PostgreSQL from reading case_center_opened in order, and the first page
        # sorted every open case of the centre (2,120 rows joined, 35 ms, district scale).
        nulls_last = True if Case._meta.get_field(name).null else None
        field = F(name)
        first = (
            field.desc(nulls_last=nulls_last)
            if sort.startswith("-")
            else field.asc(nulls_last=nulls_last)
        )
        return cases.order_by(first, "-number")


class FollowupFilter(ListFilterSet):
    team = django_filters.ModelChoiceFilter(label=_("Team"), queryset=visible_teams)
    volunteer = django_filters.ModelChoiceFilter(
        label=_("Volunteer"),
        queryset=lambda request: Volunteer.objects.visible_to(request.user).active(),
        method="of_volunteer",
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def of_volunteer(self, cases, name, volunteer):
        return cases.of_active_member(volunteer)
