"""The centre's monthly report (รายงานประจำเดือน): the month's figures, section by section,
as a page, a print view and an Excel file holding the same numbers.

A section is one small function of (scope, month) returning a `Section`; SECTIONS lists
them in the report's order, so adding one (referrals, assistance) is a function and a
line. Every figure is a count PostgreSQL makes (no row is loaded to be counted).
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from cases.models import (
    AllowanceDismissal,
    AllowanceRule,
    Assistance,
    AssistanceKind,
    Case,
    CaseQuerySet,
    HomeVisit,
    Referral,
    ReferralStatus,
    ReferralUpdate,
    open_condition,
)
from coordination.choices import person_namer
from coordination.dates import BE_OFFSET
from coordination.models import TargetGroup
from coordination.validators import arabic_digits
from volunteers.models import Volunteer, VolunteerQuerySet


@dataclass(frozen=True)
class Month:
    """A calendar month; `as_of` is its last day, or today for the month under way."""

    first: datetime.date

    @classmethod
    def parse(cls, text: str) -> Month:
        """`2019-04` or `2562-04` (years of 2400 and more are BE), Thai digits too."""
        found = re.fullmatch(r"(\d{4})-(\d{1,2})", arabic_digits(text.strip()))
        if not found:
            raise ValueError(text)
        year, month = int(found[1]), int(found[2])
        if year >= 2400:
            year -= BE_OFFSET
        if year < 1900 or not 1 <= month <= 12:
            raise ValueError(text)
        return cls(datetime.date(year, month, 1))

    @classmethod
    def current(cls) -> Month:
        return cls(timezone.localdate().replace(day=1))

    @property
    def last(self) -> datetime.date:
        following = (self.first + datetime.timedelta(days=32)).replace(day=1)
        return following - datetime.timedelta(days=1)

    @property
    def has_begun(self) -> bool:
        return self.first <= timezone.localdate()

    @property
    def as_of(self) -> datetime.date:
        return min(self.last, timezone.localdate())

    def starts(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The month as local-time instants [start, end), for timestamps."""
        start = datetime.datetime.combine(self.first, datetime.time())
        end = datetime.datetime.combine(self.last + datetime.timedelta(days=1), datetime.time())
        zone = timezone.get_current_timezone()
        return start.replace(tzinfo=zone), end.replace(tzinfo=zone)

    @property
    def value(self) -> str:
        """The CE form the URL takes: 2019-04."""
        return f"{self.first:%Y-%m}"


@dataclass
class Scope:
    """What the user may see: the report counts only these."""

    cases: CaseQuerySet
    visits: QuerySet[HomeVisit]
    volunteers: VolunteerQuerySet
    dismissals: QuerySet[AllowanceDismissal]
    referrals: QuerySet[Referral]
    referral_updates: QuerySet[ReferralUpdate]
    assistance: QuerySet[Assistance]
    # A national administrator's report covers every centre: totals only, no row per
    # volunteer of the country.
    one_centre: bool = True

    @classmethod
    def of(cls, user) -> Scope:
        return cls(
            cases=Case.objects.visible_to(user),
            visits=HomeVisit.objects.visible_to(user),
            volunteers=Volunteer.objects.visible_to(user),
            dismissals=AllowanceDismissal.objects.visible_to(user),
            referrals=Referral.objects.visible_to(user),
            referral_updates=ReferralUpdate.objects.visible_to(user),
            assistance=Assistance.objects.visible_to(user),
            one_centre=user.center_id is not None,
        )


@dataclass
class Section:
    """A table: a title, column headings, rows of a label and numbers."""

    key: str
    title: str
    sheet: str  # the Excel sheet's name: 31 characters at most
    headers: list[str]
    rows: list[list[str | int | Decimal]] = field(default_factory=list)
    # Said under the table, on the page and in the Excel file.
    note: str = ""


def new_cases(scope: Scope, month: Month) -> Section:
    opened = scope.cases.filter(opened_on__range=(month.first, month.last))
    by_group = opened.count_by("target_groups")
    section = Section(
        "new_cases",
        _("New cases by target group"),
        _("New cases"),
        [_("Target group"), _("Cases")],
    )
    section.rows = [[group.name, by_group.get(group.pk, 0)] for group in TargetGroup.objects.all()]
    # A case may be in several groups: the total counts each case once.
    section.rows.append([_("All new cases"), opened.count()])
    section.note = _(
        "A case in more than one target group is counted in each; the total counts it once."
    )
    return section


def closed_cases(scope: Scope, month: Month) -> Section:
    closed = scope.cases.filter(closed_on__range=(month.first, month.last))
    by_reason = closed.count_by("closure_reason")
    section = Section(
        "closed_cases",
        _("Cases closed by reason"),
        _("Closed cases"),
        [_("Reason"), _("Cases")],
    )
    section.rows = [[capfirst(str(r.label)), by_reason.get(r.value, 0)] for r in Case.ClosureReason]
    section.rows.append([_("All closed cases"), sum(by_reason.values())])
    return section


def open_at(cases: CaseQuerySet, day: datetime.date) -> CaseQuerySet:
    """Cases opened by `day` and not closed by then."""
    if day >= timezone.localdate():
        # The month under way: the cases in hand, read from the open cases' index alone
        # (with the conditions below, a centre with ten times the history read about
        # twice the rows: tests/test_cost_does_not_grow_with_history.py).
        return cases.open()
    # "Not closed" rather than "no closing date" (the same, by the constraint
    # case_closed_has_date_and_reason): the open cases' partial index and the closed-on
    # index then read the cases in hand and those closed since, not every case the
    # centre ever had.
    return cases.filter(open_condition() | Q(closed_on__gt=day), opened_on__lte=day)


def visits(scope: Scope, month: Month) -> Section:
    start, end = month.starts()
    figures = scope.visits.filter(visited_at__gte=start, visited_at__lt=end).aggregate(
        visits=Count("pk"), people=Count("case", distinct=True)
    )
    section = Section("visits", _("Home visits"), _("Home visits"), [_("Figure"), _("Number")])
    section.rows = [
        [_("Home visits"), figures["visits"]],
        [_("People visited"), figures["people"]],
        [_("Cases open at month end"), open_at(scope.cases, month.as_of).count()],
    ]
    return section


def overdue(scope: Scope, month: Month) -> Section:
    """Overdue as the worklist said on the month's last day: the next visit date of the
    latest visit made by then, past by then (the case's own next_visit_due is today's)."""
    _start, end = month.starts()
    if end > timezone.now():
        # The month under way: the cases' own next visit dates are today's, and overdue
        # is the worklist's, counted in the open cases' index alone (0.5 ms for a centre's
        # 2,120 open cases; 8 ms with the subquery, and with open_at's conditions the
        # planner read every case the centre ever closed).
        count = scope.cases.overdue(month.as_of).count()
    else:
        due_then = (
            HomeVisit.objects.filter(case=OuterRef("pk"), visited_at__lt=end)
            .order_by("-visited_at")
            .values("next_visit_due")[:1]
        )
        count = (
            open_at(scope.cases, month.as_of)
            .alias(due_then=Subquery(due_then))
            .filter(due_then__lt=month.as_of)
            .count()
        )
    section = Section(
        "overdue", _("Follow-ups overdue at month end"), _("Overdue"), [_("Figure"), _("Cases")]
    )
    section.rows = [[_("Follow-ups overdue at month end"), count]]
    return section


def volunteers(scope: Scope, month: Month) -> Section:
    start, end = month.starts()
    # Counted from the month's visits (the centre-and-time index), not by joining each
    # volunteer to every visit they ever made: that read a centre's whole history
    # (6,383 blocks, 65 ms for 5 years; 238 ms for 25).
    made = dict(
        HomeVisit.volunteers.through.objects.filter(
            homevisit__in=scope.visits.filter(visited_at__gte=start, visited_at__lt=end),
            volunteer__in=scope.volunteers,
        )
        .order_by()
        .values_list("volunteer_id")
        .annotate(n=Count("pk"))
    )
    section = Section(
        "volunteers",
        _("Volunteers active and visits per volunteer"),
        _("Volunteers"),
        [_("Volunteer"), _("Home visits")],
    )
    if scope.one_centre:
        # Their names only, each prefix translated once: whole rows and full_name were
        # 13 ms for the 212 volunteers of a large centre's month.
        name = person_namer()
        rows = sorted(
            scope.volunteers.filter(pk__in=list(made)).values_list(
                "pk", "prefix", "first_name", "last_name"
            ),
            key=lambda v: (-made[v[0]], v[2], v[3], v[0]),
        )
        section.rows = [[name(prefix, first, last), made[pk]] for pk, prefix, first, last in rows]
    section.rows.append([_("Volunteers who made visits"), len(made)])
    section.rows.append(
        [_("Volunteers with active status at month end"), scope.volunteers.active_at(end).count()]
    )
    return section


def allowances_dismissed(scope: Scope, month: Month) -> Section:
    start, end = month.starts()
    by_rule = dict(
        scope.dismissals.filter(at__gte=start, at__lt=end)
        .order_by()
        .values_list("rule")
        .annotate(n=Count("pk"))
    )
    section = Section(
        "allowances",
        _("Missed-allowance flags dismissed"),
        _("Allowance flags"),
        [_("Flag"), _("Cases")],
    )
    section.rows = [
        [capfirst(str(rule.label)), by_rule.get(rule.value, 0)] for rule in AllowanceRule
    ]
    return section


def referrals(scope: Scope, month: Month) -> Section:
    """Referrals sent in the month, and the agencies' answers recorded in it by what they
    said (a referral sent in March and done in April counts as done in April)."""
    span = (month.first, month.last)
    answered = dict(
        scope.referral_updates.filter(on__range=span)
        .exclude(status_to=ReferralStatus.SENT)
        .order_by()
        .values_list("status_to")
        .annotate(n=Count("pk"))
    )
    section = Section("referrals", _("Referrals"), _("Referrals"), [_("Referrals"), _("Number")])
    section.rows = [[_("Sent to agencies"), scope.referrals.filter(sent_on__range=span).count()]]
    section.rows += [
        [capfirst(str(status.label)), answered.get(status.value, 0)]
        for status in ReferralStatus
        if status != ReferralStatus.SENT
    ]
    return section


def assistance(scope: Scope, month: Month) -> Section:
    """Help given in the month by kind: how many times, and how much in baht."""
    given = scope.assistance.filter(given_on__range=(month.first, month.last))
    by_kind = {
        kind: (n, total)
        for kind, n, total in given.order_by()
        .values_list("kind")
        .annotate(n=Count("pk"), total=Sum("amount"))
    }
    section = Section(
        "assistance",
        _("Assistance given"),
        _("Assistance"),
        [_("Kind of help"), _("Times"), _("Baht")],
    )
    section.rows = [
        [capfirst(str(kind.label)), *by_kind.get(kind.value, (0, Decimal(0)))]
        for kind in AssistanceKind
    ]
    section.rows.append(
        [
            _("All assistance"),
            sum(n for n, _total in by_kind.values()),
            sum((total for _n, total in by_kind.values()), Decimal(0)),
        ]
    )
    return section


# The report's sections in order: each a function of (scope, month) returning a Section.
SECTIONS: list[Callable[[Scope, Month], Section]] = [
    new_cases,
    closed_cases,
    visits,
    overdue,
    volunteers,
    referrals,
    assistance,
    allowances_dismissed,
]


def monthly_report(user, month: Month) -> list[Section]:
    scope = Scope.of(user)
    return [section(scope, month) for section in SECTIONS]


def as_xlsx(sections: list[Section], title: str, scope: str) -> bytes:
    """The same numbers, a sheet per section, headings in the user's language; each
    sheet says whose and which days, as the page does (a sheet is forwarded alone)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for section in sections:
        sheet = book.create_sheet(section.sheet[:31])
        sheet.append([title])
        sheet.append([scope])
        sheet.append([section.title])
        sheet.append(section.headers)
        for cell in (sheet["A1"], sheet["A3"], *sheet[4]):
            cell.font = Font(bold=True)
        for row in section.rows:
            sheet.append(
                [str(value) if not isinstance(value, int | Decimal) else value for value in row]
            )
        if section.note:
            sheet.append([section.note])
        sheet.column_dimensions["A"].width = 48
        sheet.column_dimensions["B"].width = 14
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
