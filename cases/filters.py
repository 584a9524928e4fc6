"""The filters of the case list and the follow-up worklist (coordination/filters.py
says the pattern)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import django_filters
from django import forms
from django.db.models import F, Q, QuerySet
from django.forms.models import ModelChoiceIteratorValue
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Assistance, AssistanceKind, Case, HomeVisit, Referral, ReferralStatus
from coordination.filters import (
    CheckboxFilter,
    ListFilterSet,
    ModelChoiceFilter,
    OptionsField,
    OptionsIterator,
    ThaiDateFilter,
)
from coordination.models import Subdistrict, TargetGroup
from volunteers.models import Team, Volunteer


def visible_teams(request) -> QuerySet:
    return Team.objects.visible_to(request.user).select_related("target_group")


def active_volunteers(request) -> QuerySet:
    return Volunteer.objects.visible_to(request.user).active()


class VolunteerChoiceIterator(OptionsIterator):
    """A centre's volunteers as options, their names read as tuples
    (Volunteer.objects.names()): 280 Volunteer objects built for their labels alone
    cost 3 ms a page. The option carries no instance; no widget of ours reads one."""

    def rows(self) -> Iterator[tuple[int, str]]:
        return self.queryset.names()

    def choice(self, row) -> tuple:
        pk, label = row
        return ModelChoiceIteratorValue(pk, None), label  # type: ignore[arg-type]  # no instance


class VolunteerChoiceField(OptionsField):
    iterator = VolunteerChoiceIterator


class VolunteerFilter(ModelChoiceFilter):
    field_class = VolunteerChoiceField


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
    target_group = ModelChoiceFilter(
        label=_("Target group"), queryset=TargetGroup.objects.all(), field_name="target_groups"
    )
    team = ModelChoiceFilter(label=_("Team"), queryset=visible_teams)
    subdistrict = ModelChoiceFilter(
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
    # The dashboard's links: a volunteer's cases, cases opened or closed since a day.
    volunteer = VolunteerFilter(
        label=_("Volunteer"), queryset=active_volunteers, method="of_volunteer"
    )
    opened_from = ThaiDateFilter(
        label=_("Opened on or after"), field_name="opened_on", lookup_expr="gte"
    )
    closed_from = ThaiDateFilter(
        label=_("Closed on or after"), field_name="closed_on", lookup_expr="gte"
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def of_volunteer(self, cases, name, volunteer):
        return cases.of_active_member(volunteer)

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
    team = ModelChoiceFilter(label=_("Team"), queryset=visible_teams)
    volunteer = VolunteerFilter(
        label=_("Volunteer"),
        queryset=active_volunteers,
        method="of_volunteer",
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def of_volunteer(self, cases, name, volunteer):
        return cases.of_active_member(volunteer)


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The start of a local day as an aware time: visits are filtered on their indexed
    timestamp, not on a date computed from it for each row."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class VisitFilterForm(forms.Form):
    def clean(self) -> dict:
        data = super().clean() or {}
        first, last = data.get("visited_from"), data.get("visited_to")
        if first and last and last < first:
            self.add_error("visited_to", _("The last day cannot come before the first."))
        return data


class VisitFilter(ListFilterSet):
    """The visit list: the visits the dashboard counts (a month, a team, a volunteer)."""

    visited_from = ThaiDateFilter(label=_("Visited on or after"), method="on_or_after")
    visited_to = ThaiDateFilter(label=_("Visited on or before"), method="on_or_before")
    team = ModelChoiceFilter(label=_("Team"), queryset=visible_teams, field_name="case__team")
    volunteer = VolunteerFilter(
        label=_("Volunteer"), queryset=active_volunteers, field_name="volunteers"
    )

    class Meta:
        model = HomeVisit
        fields: list[str] = []
        form = VisitFilterForm

    def on_or_after(self, visits, name, day):
        return visits.filter(visited_at__gte=local_midnight(day))

    def on_or_before(self, visits, name, day):
        return visits.filter(visited_at__lt=local_midnight(day + datetime.timedelta(days=1)))

    def finish(self, visits, data):
        return visits.order_by("-visited_at", "-pk")


class ReferralFilter(ListFilterSet):
    """The centre's referrals: those awaiting the agency's answer (the default, as the
    dashboard counts them), one status, or all."""

    OPEN = "open"
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(OPEN, _("awaiting an answer")), *ReferralStatus.choices],
        empty_label=_("all"),
        method="of_status",
    )

    class Meta:
        model = Referral
        fields: list[str] = []

    def of_status(self, referrals, name, status):
        if status == self.OPEN:
            return referrals.open()
        return referrals.filter(status=status)

    def finish(self, referrals, data):
        return referrals.order_by("-sent_on", "-pk")


class YearFilter(django_filters.NumberFilter):
    """A year is a whole number: "2569.5" is no year (django-filter's number reads it)."""

    field_class = forms.IntegerField


class AssistanceFilter(ListFilterSet):
    """Help given by the centre's cases: a fiscal year (BE, as the government counts it)
    and a kind; the dashboard's figure counts the year under way."""

    fiscal_year = YearFilter(
        label=_("Fiscal year (BE)"),
        min_value=2543,
        max_value=2643,
        error_messages={
            key: _("Write the fiscal year in the Buddhist Era, e.g. 2569.")
            for key in ("invalid", "min_value", "max_value")
        },
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind of help"), choices=AssistanceKind.choices, empty_label=_("all")
    )

    class Meta:
        model = Assistance
        fields: list[str] = []

    def finish(self, given, data):
        return given.order_by("-given_on", "-pk")
