"""The pages of teams and volunteers that show their cases. They live here, above
both apps, because `cases` may use `volunteers` and not the other way round; their
URLs keep the volunteers' names (the root URLconf wires them in)."""

import datetime

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    BooleanField,
    Count,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cases.dashboard import PLACEHOLDER
from cases.models import Case, HomeVisit, open_condition, overdue_condition
from coordination import stamps
from coordination.access import AuthenticatedRequest, coordinator_required, get_visible_or_404
from coordination.models import TargetGroup
from coordination.paging import CountedPaginator
from coordination.templatetags.rows import pk_url
from coordination.templatetags.thai import last_visit_words
from volunteers.forms import VolunteerStatusForm
from volunteers.models import Team, TeamMembership, Volunteer

PAGE_SIZE = 25
# How far back a member's last visit is looked for on the team page.
LAST_VISIT_WINDOW = datetime.timedelta(days=365)
# Looked at first, from the centre's visits: where most members' last visit is.
RECENT_WINDOW = datetime.timedelta(days=31)


@coordinator_required
@require_http_methods(["GET"])
def volunteer_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    volunteer = get_visible_or_404(
        Volunteer.objects.select_related("subdistrict__district", "center", "user"),
        request.user,
        pk=pk,
    )
    memberships = volunteer.memberships.select_related("team__target_group").order_by(
        "left_on", "-joined_on"
    )
    open_team_ids = [m.team_id for m in memberships if m.is_open]
    cases = (
        Case.objects.visible_to(request.user)
        .open()
        .filter(team_id__in=open_team_ids)
        .select_related("team")
        .order_by("next_visit_due", "number")
    )
    # Only visits of cases the viewer may see: a volunteer may have been recorded on a
    # visit of a case this viewer has no business with.
    visits = (
        volunteer.visits.visible_to(request.user).select_related("case").order_by("-visited_at")
    )[:10]
    return render(
        request,
        "volunteers/volunteer_detail.html",
        {
            "volunteer": volunteer,
            "memberships": memberships,
            "cases": cases,
            "visits": visits,
            "status_form": VolunteerStatusForm(initial={"status": volunteer.status}),
        },
    )


def count_per_team(rows: QuerySet) -> Coalesce:
    """How many of `rows` belong to the outer team, as a subquery of the team's own rows.
    Counting through joins (team → memberships × cases, then COUNT(DISTINCT)) multiplied
    the rows: 224,404 for a 3,000-case centre, sorted on disk (FINDINGS.md)."""
    counted = (
        rows.filter(team_id=OuterRef("pk"))
        .order_by()
        .values("team_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_counts(teams: QuerySet) -> QuerySet:
    """Leader, member count, open cases and overdue follow-ups of each team."""
    today = timezone.localdate()
    # The cases' subqueries name the team's centre too, so they run on the index that
    # leads with it (case_center_team) and stay one centre's work.
    cases = Case.objects.filter(center_id=OuterRef("center_id"))
    return (
        teams.select_related("target_group", "center")
        .annotate(
            member_count=count_per_team(TeamMembership.objects.active()),
            open_case_count=count_per_team(cases.filter(open_condition())),
            overdue_count=count_per_team(cases.filter(overdue_condition(today))),
        )
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=TeamMembership.objects.active()
                .filter(role=TeamMembership.Role.LEADER)
                .select_related("volunteer"),
            )
        )
    )


@coordinator_required
@require_http_methods(["GET"])
def team_list(request: AuthenticatedRequest) -> HttpResponse:

    def groups() -> list[tuple[TargetGroup, list[Team]]]:
        teams = list(with_counts(Team.objects.visible_to(request.user)))
        return [
            (group, [team for team in teams if team.target_group_id == group.pk])
            for group in TargetGroup.objects.all()
        ]

    # Counts per team over the centre's cases: computed only when the page is written,
    # not when it is served as kept ({% keep %}, until the centre's data changes).
    return render(request, "volunteers/team_list.html", {"groups": stamps.Later(groups)})


MEMBERSHIP_COLUMNS = ("volunteer", "team", "role", "joined_on", "left_on")
MEMBER_NAME_COLUMNS = ("prefix", "first_name", "last_name")


@coordinator_required
@require_http_methods(["GET"])
def team_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    # Who may open it, and the page's title: its members and cases are read only when
    # the page is written, not when it is served as kept ({% keep %}, until the
    # centre's data changes).
    team = get_visible_or_404(Team.objects.only("center", "name"), request.user, pk=pk)
    return render(
        request,
        "volunteers/team_detail.html",
        {"team": team, "page": stamps.Later(lambda: team_page(request, pk))},
    )


def team_page(request: AuthenticatedRequest, pk: int) -> dict:
    """The team page's team with its figures, members, former members, leader, and its
    page of open cases with their count and the overdue ones'."""
    team = Team.objects.select_related("target_group").get(pk=pk)
    # Not with_counts(): its member count is not shown here, its leader is among the
    # memberships read below, and its open cases' count is the cases' pagination's.
    # Each member's name only, not their whole record: 76 memberships of a large
    # centre's team built 76 volunteers of 30 columns (0.6 ms of CPU).
    memberships = list(
        TeamMembership.objects.filter(team=team)
        .select_related("volunteer")
        .only(*MEMBERSHIP_COLUMNS, *(f"volunteer__{name}" for name in MEMBER_NAME_COLUMNS))
        .order_by("left_on", "role", "joined_on")
    )
    current = [m for m in memberships if m.is_open]
    leader = next((m.volunteer for m in current if m.role == TeamMembership.Role.LEADER), None)
    # Both figures in one pass over the team's open cases (on the index that leads with
    # the centre), the first also the pagination's count.
    cases = Case.objects.filter(center_id=team.center_id, team=team).open()
    counted = cases.order_by().aggregate(
        open=Count("pk"), overdue=Count("pk", filter=overdue_condition(timezone.localdate()))
    )

    # Paginated: a team of a large centre has hundreds of open cases (222 kB of page).
    page = CountedPaginator(
        cases.only(*CASE_ROW_COLUMNS).order_by("next_visit_due", "number"),
        PAGE_SIZE,
        count=counted["open"],
    ).get_page(request.GET.get("page"))
    add_member_figures(current, team.center_id)
    add_member_rows(current, team)
    team.open_case_count, team.overdue_count = counted["open"], counted["overdue"]
    return {
        "team": team,
        "leader": leader,
        "current": current,
        "former": [m for m in memberships if not m.is_open],
        "cases": page,
        "page_obj": page,
    }


# What a case's row on the team page reads (cases/templatetags/team_rows.py).
CASE_ROW_COLUMNS = ["number", "prefix", "first_name", "last_name", "status", "next_visit_due"]


def add_member_rows(memberships: list[TeamMembership], team: Team) -> None:
    """What each member's row writes, made here rather than by the template: three URLs
    reversed once (not per row), the name once (not three times) and the two sentences
    (the catalogue's own messages, so they read the same): per row they were 0.4 ms of
    template work, a third of the page for a team of 60."""
    make_leader = reverse("volunteers:team-make-leader", args=[team.pk, PLACEHOLDER])
    end = reverse("volunteers:team-end-membership", args=[team.pk, PLACEHOLDER])
    marker = str(PLACEHOLDER)
    for m in memberships:
        m.name = m.volunteer.full_name
        m.volunteer_url = pk_url("volunteers:volunteer-detail", m.volunteer_id)
        m.make_leader_url = make_leader.replace(marker, str(m.pk))
        m.end_url = end.replace(marker, str(m.pk))
        m.figures = _("%(cases)s open cases · %(visits)s visits this month") % {
            "cases": m.open_cases,
            "visits": m.visits_this_month,
        }
        days = m.days_since_visit
        m.last_visit = _("no visit in the past year") if days is None else last_visit_words(days)


def add_member_figures(memberships: list[TeamMembership], center_id: int) -> None:
    """Per member: open cases of all their teams, visits this month, days since their
    last visit. Three queries, however many members."""
    ids = [m.volunteer_id for m in memberships]
    # A case has one team: a member's open cases are the sum over their teams. Counting
    # per team once, instead of joining every member to every case of their teams
    # (61,235 rows for one team page), keeps it one small grouped query.
    teams_of = TeamMembership.objects.active().filter(volunteer_id__in=ids)
    pairs = list(teams_of.values_list("volunteer_id", "team_id"))
    per_team = dict(
        Case.objects.open()
        .filter(team_id__in={team_id for _v, team_id in pairs})
        .filter(center_id=center_id)  # the open cases' partial index leads with the centre
        .order_by()
        .values("team_id")
        .annotate(n=Count("pk"))
        .values_list("team_id", "n")
    )
    open_cases: dict[int, int] = {}
    for volunteer_id, team_id in pairs:
        open_cases[volunteer_id] = open_cases.get(volunteer_id, 0) + per_team.get(team_id, 0)
    now = timezone.localtime()
    # Windows from the day's start, not the hour's: the page is the same all day (it is
    # kept for the day, coordination/stamps.py).
    today_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    month_start = today_start.replace(day=1)
    # From the centre's recent visits (its centre-and-time index), the way a month's
    # report counts, in two steps. Joining the members' visit rows to the centre's last
    # year read every visit a member ever made (73,183 rows for one team of a centre with
    # 25 years of visits, 25 ms; 14,328 look-ups and 199 ms as a nested loop before).
    # 1. The last 31 days (this month included): most members' figures, whole.
    recent_start = min(month_start, today_start - RECENT_WINDOW)
    visits = visit_figures(ids, center_id, recent_start, month_start)
    # 2. The last year, only for members without a visit lately: their visit rows are
    # few, or they stopped visiting.
    quiet = [volunteer_id for volunteer_id in ids if volunteer_id not in visits]
    if quiet:
        visits.update(visit_figures(quiet, center_id, today_start - LAST_VISIT_WINDOW, month_start))
    for membership in memberships:
        figures = visits.get(membership.volunteer_id, {"this_month": 0, "last": None})
        membership.open_cases = open_cases.get(membership.volunteer_id, 0)
        membership.visits_this_month = figures["this_month"]
        membership.days_since_visit = (
            (now.date() - timezone.localtime(figures["last"]).date()).days
            if figures["last"]
            else None
        )


class EqualsAny(Func):
    """`column = ANY(array)`: true when the array holds the column's value."""

    template = "%(expressions)s)"
    arg_joiner = " = ANY("
    output_field = BooleanField()


def visit_figures(
    ids: list[int], center_id: int, since: datetime.datetime, month_start: datetime.datetime
) -> dict[int, dict]:
    """Volunteer id -> visits this month and the latest visit, among the centre's visits
    since `since`, for those of `ids` who made any.

    The centre's visits since then first, as an array, then their rows for these
    volunteers by the (visit, volunteer) key. Joined as tables, the planner may instead
    read every visit row these volunteers ever made (by the volunteer's index) and keep
    the recent ones: as cheap as the other way on a small data set, so chosen by chance
    there, and ten times the rows for a centre with ten times the years."""
    recent = (
        HomeVisit.objects.filter(center_id=center_id, visited_at__gte=since).order_by().values("pk")
    )
    rows = (
        HomeVisit.volunteers.through.objects.filter(
            EqualsAny(F("homevisit_id"), ArraySubquery(recent)), volunteer_id__in=ids
        )
        .values("volunteer_id")
        .annotate(
            this_month=Count("pk", filter=Q(homevisit__visited_at__gte=month_start)),
            last=Max("homevisit__visited_at"),
        )
    )
    return {row["volunteer_id"]: row for row in rows}
