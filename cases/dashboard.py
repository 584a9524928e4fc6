"""The coordinator's dashboard (ภาพรวม): the centre's counts, its caseload balance and
its charts, each number a link to the list it counts.

It spans cases, visits, teams and volunteers, so it is a module of its own (STYLE 3).
Every figure is counted by PostgreSQL, on an index that leads with the centre, in a fixed
number of queries whatever the size of the centre: Python only lays out the results
(at most a row per team or volunteer, never one per case or visit).

Figures of the parts built after it (referrals awaiting an answer, assistance this fiscal
year, referrals by outcome) are one function each: EXTRA_FIGURES and EXTRA_CHARTS at the
end."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from urllib.parse import urlencode

from django.db import connections, router
from django.db.models import Count, Exists, OuterRef, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise, cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from cases.filters import ReferralFilter, local_midnight
from cases.models import (
    Assistance,
    Case,
    CaseQuerySet,
    HomeVisit,
    Referral,
    ReferralStatus,
    fiscal_year,
)
from cases.models.referrals import OPEN_STATUSES
from coordination import dates
from coordination.choices import person_namer
from coordination.compiled import filled_in
from coordination.models import Agency, Center, TargetGroup, User
from coordination.templatetags.rows import pk_url
from volunteers.models import Team, TeamMembership, Volunteer

# An id no row has, reversed into a URL and replaced by each row's (Links).
PLACEHOLDER = 987654321
# Visits "lately", for the caseload balance.
RECENT_DAYS = 30
CHART_MONTHS = 12
# The caseload balance of a centre of more than LOAD_SHOWN_FROM active volunteers shows
# the LOAD_SHOWN_EACH most and least loaded, and all of them on asking (?volunteers=all).
LOAD_SHOWN_FROM = 30
LOAD_SHOWN_EACH = 10


@functools.lru_cache(maxsize=64)
def reversed_once(name: str, prefix: str, urlconf: str | None) -> str:
    return reverse(name, urlconf=urlconf)


def link(name: str, **params: object) -> str:
    """The URL of a list with its filters, as its filter form would write them. Each
    list's URL reversed once per process: the dashboard links some 40 numbers, and a
    reverse() is some 30 µs."""
    url = reversed_once(name, get_script_prefix(), get_urlconf())
    return f"{url}?{urlencode(params)}" if params else url


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first of the month `months` after (or before) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def fiscal_year_start(today: datetime.date) -> datetime.date:
    """The Thai government's fiscal year starts on 1 October (ปีงบประมาณ)."""
    year = today.year if today.month >= 10 else today.year - 1
    return datetime.date(year, 10, 1)


def month_label(first: datetime.date) -> str:
    """`พ.ย. 69` in Thai (the Buddhist Era, as Thai charts write it), `Nov 26` in English."""
    if dates.is_thai():
        return (
            f"{dates.THAI_MONTHS_SHORT[first.month - 1]} {(first.year + dates.BE_OFFSET) % 100:02d}"
        )
    return f"{dates.ENGLISH_MONTHS_SHORT[first.month - 1]} {first.year % 100:02d}"


@dataclass(frozen=True)
class Figure:
    """One number on the dashboard and the list it counts."""

    key: str
    label: str | Promise
    value: int | Decimal
    url: str
    # Shown in the warning colour when not zero (overdue, no team yet).
    alert: bool = False
    # Money is shown in baht.
    baht: bool = False


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    url: str


@dataclass
class Chart:
    """A bar chart drawn by the server as SVG (no script: the CSP allows none inline).
    The template draws it from `bars()`; the same data is its table."""

    key: str
    title: str | Promise
    description: str | Promise
    column: str | Promise  # the heading of the values in the data table
    data: list[Bar]
    vertical: bool = False
    # viewBox units; the SVG scales to the width it is given. Bars run across a phone's
    # width at about the page's text size; twelve columns need more room.
    ROW = 44
    COLUMN_TOP = 24
    COLUMN_HEIGHT = 160

    @property
    def total(self) -> int:
        return sum(bar.value for bar in self.data)

    @property
    def summary(self) -> str:
        """The text alternative: every bar's label and value, in order."""
        return ", ".join(f"{bar.label}: {bar.value}" for bar in self.data)

    @property
    def width(self) -> int:
        return 400 if self.vertical else 320

    @property
    def height(self) -> int:
        if self.vertical:
            return self.COLUMN_TOP + self.COLUMN_HEIGHT + 40
        return max(len(self.data), 1) * self.ROW

    def bars(self) -> list[dict]:
        """Each bar's geometry in viewBox units, for the template."""
        top = max((bar.value for bar in self.data), default=0) or 1
        shapes = []
        if self.vertical:
            slot = self.width / max(len(self.data), 1)
            year_shown = ""
            for i, bar in enumerate(self.data):
                # "พ.ย. 69" is too wide for a column: the month under each, the year
                # under the first column and wherever it changes.
                month, _space, year = bar.label.partition(" ")
                height = round(self.COLUMN_HEIGHT * bar.value / top, 1)
                y = self.COLUMN_TOP + self.COLUMN_HEIGHT - height
                shapes.append(
                    {
                        "bar": bar,
                        "x": round(i * slot + slot * 0.15, 1),
                        "y": y,
                        "width": round(slot * 0.7, 1),
                        "height": height,
                        "centre": round(i * slot + slot / 2, 1),
                        "value_y": y - 6,
                        "label_y": self.COLUMN_TOP + self.COLUMN_HEIGHT + 18,
                        "month": month,
                        "year": year if year != year_shown else "",
                        "year_y": self.COLUMN_TOP + self.COLUMN_HEIGHT + 36,
                    }
                )
                year_shown = year
            return shapes
        room = self.width - 48  # the value is written after the bar
        for i, bar in enumerate(self.data):
            width = round(room * bar.value / top, 1)
            y = i * self.ROW
            shapes.append(
                {
                    "bar": bar,
                    "x": 0,
                    "y": y + 20,
                    "width": width,
                    "height": 18,
                    "label_y": y + 15,
                    "value_x": width + 6,
                    "value_y": y + 34,
                }
            )
        return shapes


@dataclass
class LoadRow:
    """A team's or a volunteer's caseload: open cases and visits lately."""

    name: str
    url: str | None
    open_cases: int
    recent_visits: int
    cases_url: str
    visits_url: str
    most: bool = False
    least: bool = False

    # The links' accessible names. Written here rather than by {% blocktranslate %} in
    # the row: a 3,000-case centre lists some 300 volunteers, and the template tag cost
    # about a millisecond a row (the same messages, so the catalogues are unchanged).
    @property
    def cases_label(self) -> str:
        return ngettext(
            "%(name)s: %(counter)s open case", "%(name)s: %(counter)s open cases", self.open_cases
        ) % {"name": self.name, "counter": self.open_cases}

    @property
    def visits_label(self) -> str:
        return ngettext(
            "%(name)s: %(counter)s visit lately",
            "%(name)s: %(counter)s visits lately",
            self.recent_visits,
        ) % {"name": self.name, "counter": self.recent_visits}


class Links:
    """The URLs of many rows' links: each URL pattern reversed once, not once a row (a
    reverse() is some 20 µs, and a volunteer's row has three links)."""

    def __init__(self, name: str):
        self.name = name

    def to(self, pk: int) -> str:
        return pk_url(self.name, pk)

    @cached_property
    def template(self) -> str:
        return reversed_once(self.name, get_script_prefix(), get_urlconf())

    def filtered(self, **params: object) -> str:
        return f"{self.template}?{urlencode(params)}"

    def filtered_by(self, key: str, **params: object) -> Callable[[int], str]:
        """`filtered(key=pk, **params)` for many rows' pks: urlencode()d once."""
        url = self.filtered(**{key: PLACEHOLDER}, **params)
        marker = f"{key}={PLACEHOLDER}"
        return lambda pk: url.replace(marker, f"{key}={pk}", 1)


def load_rows_html(rows: Sequence[LoadRow], open_heading: str, visits_heading: str) -> str:
    """The caseload table's rows, as templates/cases/_dashboard_load.html wrote them row by
    row: some 300 rows for a 3,000-case centre's volunteers, 17 ms of template work, a
    third of the dashboard; written here in about 2."""
    # escape() is what Django's escaping does (html.escape), applied to what the
    # template escaped; the headings as the template would (once, not per row).
    open_heading, visits_heading = (
        conditional_escape(open_heading),
        conditional_escape(visits_heading),
    )
    badges = (
        f' <span class="badge text-bg-danger">{escape(gettext("most loaded"))}</span>',
        f' <span class="badge text-bg-success">{escape(gettext("least loaded"))}</span>',
    )
    html = []
    for row in rows:
        if row.most:
            css, badge = ' class="load-most"', badges[0]
        elif row.least:
            css, badge = ' class="load-least"', badges[1]
        else:
            css, badge = "", ""
        html.append(
            f"\n    <tr{css}>\n"
            f'      <th scope="row"><a class="tap-target" href="{escape(str(row.url))}">'
            f"{escape(row.name)}</a>"
            f"{badge}</th>\n"
            f'      <td class="text-end" data-label="{open_heading}"><a class="tap-target" '
            f'href="{escape(row.cases_url)}" aria-label="{escape(row.cases_label)}">'
            f"{row.open_cases}</a></td>\n"
            f'      <td class="text-end" data-label="{visits_heading}"><a class="tap-target" '
            f'href="{escape(row.visits_url)}" aria-label="{escape(row.visits_label)}">'
            f"{row.recent_visits}</a></td>\n"
            "    </tr>\n"
            "  "
        )
    return mark_safe("".join(html))


def chart_html(chart: Chart) -> str:
    """A chart as templates/includes/_bar_chart.html drew it (the same HTML: a test
    compares the two): its SVG, text alternative and data table with a link per number.
    The dashboard's four charts and their 36 bars were 3 ms of template work."""
    key = escape(chart.key)
    title, description = escape(str(chart.title)), escape(str(chart.description))
    vertical = chart.vertical
    parts = [
        f'<figure class="chart mb-0" id="chart-{key}">\n'
        f'  <svg class="chart-svg{" chart-columns" if vertical else ""}" viewBox="0 0 '
        f'{chart.width} {chart.height}" role="img" aria-labelledby="chart-{key}-title '
        f'chart-{key}-desc" focusable="false">\n'
        f'    <title id="chart-{key}-title">{title}</title>\n'
        f'    <desc id="chart-{key}-desc">{description} {escape(chart.summary)}</desc>\n'
    ]
    if vertical:
        axis = chart.COLUMN_TOP + chart.COLUMN_HEIGHT
        parts.append(
            f'    <line class="chart-axis" x1="0" x2="{chart.width}" y1="{axis}" y2="{axis}"/>\n'
        )
        for shape in chart.bars():
            parts.append(
                f'    <rect class="chart-bar" x="{shape["x"]}" y="{shape["y"]}" '
                f'width="{shape["width"]}" height="{shape["height"]}"/>\n'
                f'    <text class="chart-value" x="{shape["centre"]}" y="{shape["value_y"]}" '
                f'text-anchor="middle">{shape["bar"].value}</text>\n'
                f'    <text class="chart-label chart-label-small" x="{shape["centre"]}" '
                f'y="{shape["label_y"]}" text-anchor="middle">{escape(shape["month"])}</text>\n'
            )
            if shape["year"]:
                parts.append(
                    f'    <text class="chart-label chart-label-small" x="{shape["centre"]}" '
                    f'y="{shape["year_y"]}" text-anchor="middle">{escape(shape["year"])}</text>\n'
                )
    else:
        for shape in chart.bars():
            parts.append(
                f'    <text class="chart-label" x="0" y="{shape["label_y"]}">'
                f"{escape(shape['bar'].label)}</text>\n"
                f'    <rect class="chart-bar" x="0" y="{shape["y"]}" width="{shape["width"]}" '
                f'height="{shape["height"]}"/>\n'
                f'    <text class="chart-value" x="{shape["value_x"]}" y="{shape["value_y"]}">'
                f"{shape['bar'].value}</text>\n"
            )
    total = gettext("Total: %(total)s.") % {"total": chart.total}
    parts.append(
        "  </svg>\n"
        f'  <figcaption class="small text-body-secondary">{description} {total}</figcaption>\n'
        "</figure>\n"
        '<details class="chart-data">\n'
        f"  <summary>{escape(gettext('Show the data as a table'))}</summary>\n"
        '  <table class="table table-sm">\n'
        f'    <caption class="visually-hidden">{title}</caption>\n'
        f'    <thead><tr><th scope="col">{escape(gettext("Item"))}</th>'
        f'<th scope="col" class="text-end">{escape(str(chart.column))}</th></tr></thead>\n'
        "    <tbody>\n    "
    )
    for bar in chart.data:
        label = escape(bar.label)
        parts.append(
            f'<tr><th scope="row">{label}</th><td class="text-end"><a class="tap-target" '
            f'href="{escape(bar.url)}" '
            f'aria-label="{label}: {bar.value}">{bar.value}</a></td></tr>'
        )
    parts.append("\n    </tbody>\n  </table>\n</details>\n")
    return mark_safe("".join(parts))


def mark_extremes(rows: Sequence[LoadRow]) -> None:
    """Marks the most and the least loaded by open cases; nothing when all carry the same."""
    loads = [row.open_cases for row in rows]
    if len(set(loads)) < 2:
        return
    most, least = max(loads), min(loads)  # once, not once a row
    for row in rows:
        row.most = row.open_cases == most
        row.least = row.open_cases == least


@dataclass
class Dashboard:
    user: User
    today: datetime.date
    cases: CaseQuerySet = field(init=False)
    visits: QuerySet = field(init=False)

    def __post_init__(self) -> None:
        self.cases = Case.objects.visible_to(self.user)
        self.visits = HomeVisit.objects.visible_to(self.user)
        self.month = month_start(self.today)
        self.since = self.today - datetime.timedelta(days=RECENT_DAYS)

    # The counts

    def figures(self) -> list[Figure]:
        """The number cards, in order: the open cases' from open_figures, this month's
        openings and closings, this month's visits and one query per extra figure."""
        counted = self.cases.month_figures(self.today)
        for key in ("open", "overdue", "never_visited", "urgent"):
            counted[key] = sum(row[key] for row in self.open_figures.values())
        counted["unassigned"] = sum(
            row["open"] for (team, _status), row in self.open_figures.items() if team is None
        )
        cases, month = "cases:case-list", self.month.isoformat()
        figures = [
            Figure("open", _("Open cases"), counted["open"], link(cases)),
            Figure(
                "opened_this_month",
                _("Cases opened this month"),
                counted["opened_this_month"],
                link(cases, status="all", opened_from=month),
            ),
            Figure(
                "closed_this_month",
                _("Cases closed this month"),
                counted["closed_this_month"],
                link(cases, status="closed", closed_from=month),
            ),
            Figure(
                "visits_this_month",
                _("Home visits this month"),
                self.visits.filter(visited_at__gte=local_midnight(self.month)).count(),
                link("cases:visit-list", visited_from=month),
            ),
            Figure(
                "overdue",
                _("Follow-up overdue"),
                counted["overdue"],
                link(cases, overdue="on"),
                alert=True,
            ),
            Figure(
                "unassigned",
                _("No team yet"),
                counted["unassigned"],
                link(cases, unassigned="on"),
                alert=True,
            ),
            Figure(
                "never_visited",
                _("Never visited since intake"),
                counted["never_visited"],
                link("cases:followup-list", show="never"),
            ),
            Figure(
                "urgent",
                _("Urgent"),
                counted["urgent"],
                link(cases, priority=Case.Priority.URGENT.value),
            ),
            Figure(
                "active_volunteers",
                _("Active volunteers"),
                # A centre's are listed for the balance: counted there, not again.
                len(self.active_volunteers)
                if self.user.center_id
                else Volunteer.objects.visible_to(self.user).active().count(),
                link("volunteers:volunteer-list", status=Volunteer.Status.ACTIVE.value),
            ),
        ]
        figures += [extra(self) for extra in EXTRA_FIGURES]
        return figures

    def by_status(self) -> list[tuple[str, str | Promise, int, str]]:
        counted: dict[str, int] = {}
        for (_team, status), row in self.open_figures.items():
            counted[status] = counted.get(status, 0) + row["open"]
        return [
            (
                str(status.value),
                status.label,
                counted.get(status, 0),
                link("cases:case-list", status=status.value),
            )
            for status in Case.Status
            if status != Case.Status.CLOSED
        ]

    def by_group(self) -> list[Bar]:
        """Open cases per target group: a case of two groups counts in both."""
        counted = self.cases.open().count_by("target_groups")
        return [
            Bar(
                group.name, counted.get(group.pk, 0), link("cases:case-list", target_group=group.pk)
            )
            for group in TargetGroup.objects.all()
        ]

    def visits_per_month(self) -> list[Bar]:
        """The last twelve months, this one included; a month without visits reads 0."""
        first = add_months(self.month, 1 - CHART_MONTHS)
        counted = {
            month.date(): n
            for month, n in self.visits.filter(visited_at__gte=local_midnight(first))
            .annotate(month=TruncMonth("visited_at"))  # in the local time zone
            .order_by()
            .values_list("month")
            # COUNT(*), not of the ids: the visits' index (centre, time) answers it alone,
            # where the ids were read from 6,600 of the table's pages (national: 4.3 → 2.6 ms).
            .annotate(n=Count("*"))
        }
        bars = []
        for i in range(CHART_MONTHS):
            start = add_months(first, i)
            end = add_months(start, 1) - datetime.timedelta(days=1)
            bars.append(
                Bar(
                    month_label(start),
                    counted.get(start, 0),
                    link(
                        "cases:visit-list",
                        visited_from=start.isoformat(),
                        visited_to=end.isoformat(),
                    ),
                )
            )
        return bars

    # The caseload balance

    @cached_property
    def open_figures(self) -> dict[tuple[int | None, str], dict[str, int]]:
        """Open cases per team (None: no team yet) and status, with their overdue, never
        visited and urgent: the figures, the statuses' table and the balance per team
        from one pass over the open cases (three before)."""
        return self.cases.open_figures(self.today)

    @cached_property
    def open_by_team(self) -> dict[int | None, int]:
        counted: dict[int | None, int] = {}
        for (team, _status), row in self.open_figures.items():
            counted[team] = counted.get(team, 0) + row["open"]
        return counted

    @cached_property
    def referrals_by_status(self) -> dict[str, int]:
        return dict(
            Referral.objects.visible_to(self.user)
            .order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
        )

    @cached_property
    def active_volunteers(self) -> list[tuple[int, str, str, str]]:
        """The active volunteers' pk, prefix, first and last names (a centre's only)."""
        return list(
            Volunteer.objects.visible_to(self.user)
            .active()
            .values_list("pk", "prefix", "first_name", "last_name")
        )

    @cached_property
    def recent_visits(self) -> QuerySet:
        return self.visits.filter(visited_at__gte=local_midnight(self.since))

    def team_load(self) -> list[LoadRow]:
        """Each team's open cases and the visits on its cases lately. Three queries: each
        figure is one grouped count over the centre (a count per team in a correlated
        subquery re-read a 50,000-case centre's cases once per team)."""
        since = self.since.isoformat()
        visits = dict(
            self.recent_visits.order_by().values_list("case__team").annotate(n=Count("pk"))
        )
        page, cases, visit_list = (
            Links("volunteers:team-detail"),
            Links("cases:case-list"),
            Links("cases:visit-list"),
        )
        rows = [
            LoadRow(
                team.name,
                page.to(team.pk),
                self.open_by_team.get(team.pk, 0),
                visits.get(team.pk, 0),
                cases.filtered(team=team.pk),
                visit_list.filtered(team=team.pk, visited_from=since),
            )
            for team in Team.objects.visible_to(self.user).select_related("target_group")
        ]
        mark_extremes(rows)
        return rows

    def volunteer_load(self, everyone: bool = False) -> tuple[list[LoadRow], int]:
        """Each active volunteer's open cases (those of the teams they are an active member
        of) and the visits they were on lately, most loaded first, and how many there are.
        Without `everyone`, a centre of more than LOAD_SHOWN_FROM volunteers shows the
        LOAD_SHOWN_EACH most and least loaded: who is overloaded and who has room is what
        the balance is for, and all of a large centre's 300 rows were 160 kB, two thirds of
        the page. Three queries besides the teams' counts: a volunteer's open cases are the
        sum of their teams' (a count per volunteer in a subquery re-read each team's cases
        once per member: 24 s for 285 volunteers of a 50,000-case centre)."""
        since = self.since.isoformat()
        # Names only, their prefixes translated once: Volunteer.full_name translates its
        # prefix per call, some 0.1 ms a row for a centre's 300 volunteers.
        name = person_namer()
        volunteers = self.active_volunteers
        active = Volunteer.objects.visible_to(self.user).active()
        teams_of: dict[int, list[int]] = {}
        # Theirs by a subquery: a list of 300 ids as parameters was 1 ms of preparing them.
        for volunteer_id, team_id in (
            TeamMembership.objects.active()
            .filter(volunteer__in=active.values("pk"))
            .values_list("volunteer_id", "team_id")
        ):
            teams_of.setdefault(volunteer_id, []).append(team_id)
        visits = dict(
            HomeVisit.volunteers.through.objects.filter(homevisit__in=self.recent_visits)
            .order_by()
            .values_list("volunteer_id")
            .annotate(n=Count("pk"))
        )
        loads = [
            (
                sum(self.open_by_team.get(team, 0) for team in teams_of.get(pk, [])),
                visits.get(pk, 0),
                pk,
                name,
            )
            for pk, *name in volunteers
        ]
        loads.sort(key=lambda load: (-load[0], -load[1]))  # stable: by name
        if not everyone and len(loads) > LOAD_SHOWN_FROM:
            loads = loads[:LOAD_SHOWN_EACH] + loads[-LOAD_SHOWN_EACH:]
        page, cases, visit_list = (
            Links("volunteers:volunteer-detail"),
            Links("cases:case-list"),
            Links("cases:visit-list"),
        )
        cases_of = cases.filtered_by("volunteer")
        visits_of = visit_list.filtered_by("volunteer", visited_from=since)
        rows = [
            LoadRow(
                name(prefix, first, last),
                page.to(pk),
                open_cases,
                recent,
                cases_of(pk),
                visits_of(pk),
            )
            for open_cases, recent, pk, (prefix, first, last) in loads
        ]
        # The shown rows hold the first and the last: the extremes of all.
        mark_extremes(rows)
        return rows, len(volunteers)

    # The charts

    def charts(self, teams: list[LoadRow]) -> list[Chart]:
        by_group = self.by_group()
        per_month = self.visits_per_month()
        charts = [
            Chart(
                "groups",
                _("Open cases by target group"),
                _(
                    "A bar per target group: how many open cases it has. A case in more "
                    "than one group counts in each, so the bars can add up to more than "
                    "the open cases."
                ),
                _("Open cases"),
                by_group,
            ),
            Chart(
                "visits",
                _("Home visits per month, last 12 months"),
                _("A column per month, oldest first: how many home visits were made."),
                _("Home visits"),
                per_month,
                vertical=True,
            ),
            Chart(
                "teams",
                _("Open cases per team"),
                _("A bar per team: how many open cases it works."),
                _("Open cases"),
                [Bar(row.name, row.open_cases, row.cases_url) for row in teams],
            ),
        ]
        charts += [extra(self) for extra in EXTRA_CHARTS]
        return charts

    def context(self, every_volunteer: bool = False) -> dict:
        # The balance is a centre's: a national administrator's would list every team and
        # volunteer of the country.
        by_centre = bool(self.user.center_id)
        teams = self.team_load() if by_centre else []
        volunteers, active = self.volunteer_load(every_volunteer) if by_centre else ([], 0)
        return {
            "figures": self.figures(),
            "statuses": self.by_status(),
            "balance": by_centre,
            "teams": teams,
            "volunteers": volunteers,
            # How many active volunteers the balance does not show (0: it shows them all).
            "volunteers_not_shown": active - len(volunteers),
            "volunteers_active": active,
            "volunteers_each": LOAD_SHOWN_EACH,
            "every_volunteer": every_volunteer,
            "charts": self.charts(teams),
            "recent_days": RECENT_DAYS,
        }


# The figures and charts of referrals: one function of the Dashboard each, one query
# each, every number linked to the referral list that shows the same count.
def referrals_awaiting_answer(board: Dashboard) -> Figure:
    # The open statuses' counts of the chart's grouped count: one query for both.
    waiting = sum(board.referrals_by_status.get(status, 0) for status in OPEN_STATUSES)
    return Figure(
        "referrals_waiting",
        _("Referrals awaiting an answer"),
        waiting,
        link("cases:referral-list", status=ReferralFilter.OPEN),
    )


def referrals_by_outcome(board: Dashboard) -> Chart:
    counted = board.referrals_by_status
    return Chart(
        "referrals",
        _("Referrals by outcome"),
        _("A bar per state of the centre's referrals: how many are in it."),
        _("Referrals"),
        [
            Bar(
                str(status.label),
                counted.get(status.value, 0),
                link("cases:referral-list", status=status.value),
            )
            for status in ReferralStatus
        ],
    )


def assistance_this_fiscal_year(board: Dashboard) -> Figure:
    year = fiscal_year(board.today)
    given = Assistance.objects.visible_to(board.user).filter(fiscal_year=year)
    total = given.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    return Figure(
        "assistance_fy",
        _("Assistance this fiscal year"),
        total,
        link("cases:assistance-list", fiscal_year=year),
        baht=True,
    )


EXTRA_FIGURES: list[Callable[[Dashboard], Figure]] = [
    referrals_awaiting_answer,
    assistance_this_fiscal_year,
]
EXTRA_CHARTS: list[Callable[[Dashboard], Chart]] = [referrals_by_outcome]


# A centre's pk no centre has, in place of the real one in SQL compiled once.
ANY_CENTRE = 2_147_483_646


@functools.cache
def onboarding_sql() -> tuple[str, tuple]:
    """The onboarding checklist's facts as one query of five EXISTS, for ANY_CENTRE:
    built by the ORM once per process. It runs on every dashboard, long after the
    centre's start: five queries were 2 ms of Python there, one built each time 2.8 ms
    (building and compiling the five subqueries), the SQL itself 0.1 ms."""
    leader = TeamMembership.objects.filter(team=OuterRef("pk"), role="leader", left_on=None)
    teams = Team.objects.filter(center_id=ANY_CENTRE)
    facts = Center.objects.filter(pk=ANY_CENTRE).values(
        has_coordinators=Exists(
            User.objects.filter(center_id=ANY_CENTRE, groups__name="coordinator")
        ),
        has_volunteers=Exists(Volunteer.objects.filter(center_id=ANY_CENTRE)),
        has_teams=Exists(teams),
        # The leader role and the open membership are the same row's.
        has_unled=Exists(teams.filter(~Exists(leader))),
        has_agencies=Exists(Agency.objects.filter(center_id=ANY_CENTRE)),
    )
    return facts.query.sql_with_params()


def onboarding_steps(centre: Center) -> list[tuple[Promise, bool, str]]:
    """What a new centre still has to do before its work can run, in order, with the
    page where it is done ("" for none yet); the dashboard shows the list until every
    step is done. One query of five EXISTS (onboarding_sql()), on the connection the
    router gives reads (the replica, on the dashboard)."""
    sql, params = onboarding_sql()
    with connections[router.db_for_read(Center)].cursor() as cursor:
        cursor.execute(sql, filled_in(params, {ANY_CENTRE: centre.pk}))
        done = dict(
            zip([column.name for column in cursor.description], cursor.fetchone(), strict=True)
        )
    return [
        (_("Coordinators added"), done["has_coordinators"], ""),
        (_("Volunteers imported"), done["has_volunteers"], reverse("volunteers:volunteer-import")),
        (
            _("Every team given a leader"),
            done["has_teams"] and not done["has_unled"],
            reverse("volunteers:team-list"),
        ),
        (_("Agencies entered"), done["has_agencies"], ""),
    ]


def onboarding_left(centre: Center | None) -> list[tuple[Promise, bool, str]]:
    """The checklist while a step is left to do; nothing once every step is done (and
    none for a national administrator, who has no centre)."""
    if centre is None:
        return []
    steps = onboarding_steps(centre)
    return [] if all(done for _label, done, _url in steps) else steps
