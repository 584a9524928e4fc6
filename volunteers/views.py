from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from coordination.access import center_for_new_objects, coordinator_required, get_visible_or_404
from coordination.confirm import confirmation_page, is_confirmed
from coordination.models import Subdistrict, TargetGroup
from volunteers.forms import (
    AddMemberForm,
    TeamForm,
    VolunteerFilterForm,
    VolunteerForm,
    VolunteerStatusForm,
)
from volunteers.models import Team, TeamMembership, Volunteer

PAGE_SIZE = 25
# The model behind team.cases: volunteers must not import the cases app above it.
Case = Team.cases.rel.related_model


def subdistricts_for(user) -> QuerySet:
    """Subdistricts of the user's district (an administrator: of every centre's)."""
    if user.center_id:
        return Subdistrict.objects.filter(district_id=user.center.district_id)
    return Subdistrict.objects.filter(district__center__isnull=False)


def open_memberships() -> Prefetch:
    return Prefetch(
        "memberships",
        queryset=TeamMembership.objects.open().select_related("team", "volunteer"),
        to_attr="open_memberships",
    )


@coordinator_required
@require_http_methods(["GET"])
def volunteer_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = VolunteerFilterForm(
        request.GET or None,
        teams=Team.objects.visible_to(user).select_related("target_group"),
        subdistricts=subdistricts_for(user),
    )
    volunteers = (
        Volunteer.objects.visible_to(user)
        .select_related("subdistrict", "center")
        .prefetch_related(open_memberships())
        .order_by("first_name", "last_name", "pk")
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            volunteers = volunteers.search(data["q"])
        if data["team"]:
            volunteers = volunteers.filter(
                memberships__team=data["team"], memberships__left_on__isnull=True
            )
        if data["status"]:
            volunteers = volunteers.filter(status=data["status"])
        if data["subdistrict"]:
            volunteers = volunteers.filter(subdistrict=data["subdistrict"])
    page = Paginator(volunteers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "volunteers/volunteer_list.html", {"form": form, "page_obj": page})


@coordinator_required
@require_http_methods(["GET"])
def volunteer_detail(request: HttpRequest, pk: int) -> HttpResponse:
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


@require_http_methods(["GET"])
def my_profile(request: HttpRequest) -> HttpResponse:
    """A volunteer's own page: their record, their teams and their teammates' phone
    numbers — what they need in the field, where the coordinators' pages answer 403."""
    if not request.user.is_volunteer:
        raise PermissionDenied
    # Their own record, not visible_to: a coordinator who also volunteers sees many.
    volunteer = (
        Volunteer.objects.filter(user=request.user)
        .select_related("subdistrict__district__province", "center")
        .first()
    )
    memberships = (
        volunteer.memberships.open().select_related("team__target_group").order_by("team__name")
        if volunteer
        else TeamMembership.objects.none()
    )
    teammates = (
        TeamMembership.objects.open()
        .filter(team__in=[m.team_id for m in memberships])
        .exclude(volunteer=volunteer)
        .select_related("volunteer")
        .order_by("role", "volunteer__first_name", "volunteer__last_name")
    )
    teams = [
        (membership, [m for m in teammates if m.team_id == membership.team_id])
        for membership in memberships
    ]
    return render(request, "volunteers/my_profile.html", {"volunteer": volunteer, "teams": teams})


@coordinator_required
@require_http_methods(["GET", "POST"])
def volunteer_create(request: HttpRequest) -> HttpResponse:
    center = center_for_new_objects(request.user)
    form = VolunteerForm(
        request.POST or None,
        instance=Volunteer(center=center),
        subdistricts=subdistricts_for(request.user),
    )
    if request.method == "POST" and form.is_valid():
        volunteer = form.save()
        messages.success(request, _("Volunteer %(name)s registered.") % {"name": volunteer})
        return redirect("volunteers:volunteer-detail", pk=volunteer.pk)
    return render(request, "volunteers/volunteer_form.html", {"form": form})


@coordinator_required
@require_http_methods(["GET", "POST"])
def volunteer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = get_visible_or_404(Volunteer.objects, request.user, pk=pk)
    form = VolunteerForm(
        request.POST or None, instance=volunteer, subdistricts=subdistricts_for(request.user)
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Changes saved."))
        return redirect("volunteers:volunteer-detail", pk=volunteer.pk)
    return render(request, "volunteers/volunteer_form.html", {"form": form, "volunteer": volunteer})


@coordinator_required
@require_POST
def volunteer_status(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = get_visible_or_404(Volunteer.objects, request.user, pk=pk)
    form = VolunteerStatusForm(request.POST)
    if form.is_valid():
        status = form.cleaned_data["status"]
        if status == Volunteer.Status.LEFT and not is_confirmed(request):
            return confirm_leaving(request, volunteer)
        volunteer.set_status(status, by=request.user)
        messages.success(
            request,
            _("%(name)s is now %(status)s.")
            % {"name": volunteer, "status": volunteer.get_status_display()},
        )
    else:
        messages.error(request, _("Choose a status from the list."))
    return redirect("volunteers:volunteer-detail", pk=volunteer.pk)


def confirm_leaving(request: HttpRequest, volunteer: Volunteer) -> HttpResponse:
    """Leaving ends every team membership at once: say which, before it happens."""
    teams = list(
        Team.objects.filter(memberships__in=volunteer.memberships.open())
        .annotate(open_cases=Count("cases", filter=~Q(cases__status="closed"), distinct=True))
        .order_by("name")
    )
    changes = [_("%(name)s will be marked as having left the volunteers.") % {"name": volunteer}]
    changes += [
        _("%(name)s will leave %(team)s; its %(count)d open cases stay with the team.")
        % {"name": volunteer, "team": team.name, "count": team.open_cases}
        for team in teams
    ]
    if volunteer.user_id:
        changes.append(_("Their login is closed at once; rejoining opens it again."))
    changes.append(_("The record and the visits they logged are kept."))
    return confirmation_page(
        request,
        title=_("Mark %(name)s as left?") % {"name": volunteer},
        changes=changes,
        confirm_label=_("Yes, mark as left"),
        cancel_url=reverse("volunteers:volunteer-detail", args=[volunteer.pk]),
    )


def with_counts(teams: QuerySet) -> QuerySet:
    """Leader, member count, open cases and overdue follow-ups of each team."""
    today = timezone.localdate()
    open_case = ~Q(cases__status="closed")
    return (
        teams.select_related("target_group", "center")
        .annotate(
            member_count=Count(
                "memberships", filter=Q(memberships__left_on__isnull=True), distinct=True
            ),
            open_case_count=Count("cases", filter=open_case, distinct=True),
            overdue_count=Count(
                "cases", filter=open_case & Q(cases__next_visit_due__lt=today), distinct=True
            ),
        )
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=TeamMembership.objects.open()
                .filter(role=TeamMembership.Role.LEADER)
                .select_related("volunteer"),
            )
        )
    )


@coordinator_required
@require_http_methods(["GET"])
def team_list(request: HttpRequest) -> HttpResponse:
    teams = list(with_counts(Team.objects.visible_to(request.user)))
    groups = [
        (group, [team for team in teams if team.target_group_id == group.pk])
        for group in TargetGroup.objects.all()
    ]
    return render(request, "volunteers/team_list.html", {"groups": groups})


@coordinator_required
@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest) -> HttpResponse:
    center = center_for_new_objects(request.user)
    form = TeamForm(request.POST or None, instance=Team(center=center))
    if request.method == "POST" and form.is_valid():
        team = form.save()
        messages.success(request, _("Team %(name)s created.") % {"name": team})
        return redirect("volunteers:team-detail", pk=team.pk)
    return render(request, "volunteers/team_form.html", {"form": form})


@coordinator_required
@require_http_methods(["GET"])
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_visible_or_404(with_counts(Team.objects), request.user, pk=pk)
    # Not team.memberships: with_counts() prefetched only the leader's there.
    memberships = (
        TeamMembership.objects.filter(team=team)
        .select_related("volunteer")
        .order_by("left_on", "role", "joined_on")
    )
    cases = team.cases.open().select_related("team").order_by("next_visit_due", "number")
    current = [m for m in memberships if m.is_open]
    add_member_figures(current)
    return render(
        request,
        "volunteers/team_detail.html",
        {
            "team": team,
            "current": current,
            "former": [m for m in memberships if not m.is_open],
            "cases": cases,
            "add_form": AddMemberForm(team=team),
        },
    )


def add_member_figures(memberships: list[TeamMembership]) -> None:
    """Per member: open cases of all their teams, visits this month, days since their
    last visit. Two queries, however many members."""
    ids = [m.volunteer_id for m in memberships]
    open_cases = dict(
        TeamMembership.objects.open()
        .filter(volunteer_id__in=ids)
        .values("volunteer_id")
        .annotate(n=Count("team__cases", filter=~Q(team__cases__status="closed"), distinct=True))
        .values_list("volunteer_id", "n")
    )
    now = timezone.localtime()
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    visits = {
        v.pk: v
        for v in Volunteer.objects.filter(pk__in=ids).annotate(
            visits_this_month=Count("visits", filter=Q(visits__visited_at__gte=month_start)),
            last_visit_at=Max("visits__visited_at"),
        )
    }
    for membership in memberships:
        figures = visits[membership.volunteer_id]
        membership.open_cases = open_cases.get(membership.volunteer_id, 0)
        membership.visits_this_month = figures.visits_this_month
        membership.days_since_visit = (
            (now.date() - timezone.localtime(figures.last_visit_at).date()).days
            if figures.last_visit_at
            else None
        )


@coordinator_required
@require_POST
def team_add_member(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_visible_or_404(Team.objects, request.user, pk=pk)
    form = AddMemberForm(request.POST, team=team)
    if form.is_valid():
        volunteer = form.cleaned_data["volunteer"]
        volunteer.join_team(team, role=form.cleaned_data["role"], on=form.cleaned_data["joined_on"])
        messages.success(request, _("%(name)s joined the team.") % {"name": volunteer})
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("volunteers:team-detail", pk=team.pk)


def membership_of(request: HttpRequest, pk: int, membership_pk: int) -> TeamMembership:
    team = get_visible_or_404(Team.objects, request.user, pk=pk)
    return get_object_or_404(
        team.memberships.open().select_related("volunteer", "team"), pk=membership_pk
    )


@coordinator_required
@require_POST
def team_end_membership(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    membership = membership_of(request, pk, membership_pk)
    if not is_confirmed(request):
        return confirm_removal(request, membership)
    membership.volunteer.leave_team(membership.team)
    messages.success(request, _("%(name)s left the team.") % {"name": membership.volunteer})
    return redirect("volunteers:team-detail", pk=pk)


def confirm_removal(request: HttpRequest, membership: TeamMembership) -> HttpResponse:
    team, volunteer = membership.team, membership.volunteer
    open_cases = team.cases.open().count()
    changes = [
        _("%(name)s will leave %(team)s; the team's %(count)d open cases stay with the team.")
        % {"name": volunteer, "team": team.name, "count": open_cases}
    ]
    if membership.role == TeamMembership.Role.LEADER:
        changes.append(_("The team will have no leader until you choose one."))
    changes.append(_("The membership stays in the team's history as a former member."))
    return confirmation_page(
        request,
        title=_("Remove %(name)s from %(team)s?") % {"name": volunteer, "team": team.name},
        changes=changes,
        confirm_label=_("Yes, remove from the team"),
        cancel_url=reverse("volunteers:team-detail", args=[team.pk]),
    )


@coordinator_required
@require_POST
def team_make_leader(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    membership = membership_of(request, pk, membership_pk)
    membership.team.make_leader(membership.volunteer)
    messages.success(request, _("%(name)s now leads the team.") % {"name": membership.volunteer})
    return redirect("volunteers:team-detail", pk=pk)
