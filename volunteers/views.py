from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from coordination import stamps
from coordination.access import (
    AuthenticatedRequest,
    center_for_new_objects,
    coordinator_required,
    get_visible_or_404,
)
from coordination.confirm import confirmation_page, is_confirmed
from coordination.exports import ExportForm
from coordination.models import Subdistrict
from coordination.paging import Paginator
from coordination.tabular import Column
from volunteers.filters import VolunteerFilter
from volunteers.forms import (
    AddMemberForm,
    TeamForm,
    VolunteerForm,
    VolunteerStatusForm,
)
from volunteers.models import Team, TeamMembership, Volunteer

PAGE_SIZE = 25
# The pages that show a team's or a volunteer's cases (team list and page, volunteer
# page) are in cases/team_pages.py: this app sits below cases and does not import it.


def open_memberships() -> Prefetch:
    return Prefetch(
        "memberships",
        # The membership's volunteer is the one it is prefetched for (Django sets it).
        queryset=TeamMembership.objects.active()
        .select_related("team")
        .only("volunteer", "role", "team__name"),
        to_attr="open_memberships",
    )


# What a row of the volunteer list shows (volunteer_rows.volunteer_list_rows), not the
# address, dates and account of each: 0.6 ms of the page's CPU (national scale).
VOLUNTEER_ROW_COLUMNS = (
    *("prefix", "first_name", "last_name", "national_id", "phone", "status"),
    *("subdistrict__name_th", "subdistrict__name_en"),
)


@coordinator_required
@require_http_methods(["GET", "POST"])  # POST: the export form (full IDs need a reason)
def volunteer_list(request: AuthenticatedRequest) -> HttpResponseBase:
    volunteers = (
        Volunteer.objects.visible_to(request.user)
        .select_related("subdistrict")
        .prefetch_related(open_memberships())
        .order_by("first_name", "last_name", "pk")
    )
    chosen = VolunteerFilter(request, volunteers)
    export = ExportForm.of(request)
    if export.is_valid():
        return export.response(
            request,
            chosen.qs.iterator(chunk_size=2000),
            volunteer_columns(export),
            name="volunteers",
            title=_("Volunteers"),
        )
    # Its filters and rows are kept as HTML until the centre's data changes ({% keep %}):
    # the form and the page are read only to write them.
    return render(
        request,
        "volunteers/volunteer_list.html",
        {
            "form": stamps.Later(lambda: chosen.form),
            "page_obj": stamps.Later(
                lambda: Paginator(chosen.qs.only(*VOLUNTEER_ROW_COLUMNS), PAGE_SIZE).get_page(
                    request.GET.get("page")
                )
            ),
            "export": export,
        },
    )


def volunteer_columns(export: ExportForm) -> list[Column]:
    """The volunteer list's export: the roster import's columns, and then some."""
    return [
        Column(gettext_lazy("prefix"), lambda v: v.get_prefix_display()),
        Column(gettext_lazy("first name"), lambda v: v.first_name),
        Column(gettext_lazy("surname"), lambda v: v.last_name),
        export.id_column(gettext_lazy("national ID number"), lambda v: v.national_id),
        Column(gettext_lazy("birth date"), lambda v: v.birth_date),
        Column(gettext_lazy("phone"), lambda v: v.phone),
        Column(gettext_lazy("address"), lambda v: v.address),
        Column(gettext_lazy("subdistrict"), lambda v: str(v.subdistrict or "")),
        Column(gettext_lazy("appointed on"), lambda v: v.appointed_on),
        Column(
            gettext_lazy("Teams"),
            lambda v: ", ".join(m.team.name for m in v.open_memberships),
        ),
        Column(gettext_lazy("status"), lambda v: v.get_status_display()),
    ]


@require_http_methods(["GET"])
def my_profile(request: AuthenticatedRequest) -> HttpResponse:
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
        volunteer.memberships.active().select_related("team__target_group").order_by("team__name")
        if volunteer
        else TeamMembership.objects.none()
    )
    teammates = (
        TeamMembership.objects.active()
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
def volunteer_create(request: AuthenticatedRequest) -> HttpResponse:
    center = center_for_new_objects(request.user)
    form = VolunteerForm(
        request.POST or None,
        instance=Volunteer(center=center),
        subdistricts=Subdistrict.objects.of_centres_of(request.user),
    )
    if request.method == "POST" and form.is_valid():
        volunteer = form.save()
        messages.success(request, _("Volunteer %(name)s registered.") % {"name": volunteer})
        return redirect("volunteers:volunteer-detail", pk=volunteer.pk)
    return render(request, "volunteers/volunteer_form.html", {"form": form})


@coordinator_required
@require_http_methods(["GET", "POST"])
def volunteer_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    volunteer = get_visible_or_404(Volunteer.objects, request.user, pk=pk)
    form = VolunteerForm(
        request.POST or None,
        instance=volunteer,
        subdistricts=Subdistrict.objects.of_centres_of(request.user),
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Changes saved."))
        return redirect("volunteers:volunteer-detail", pk=volunteer.pk)
    return render(request, "volunteers/volunteer_form.html", {"form": form, "volunteer": volunteer})


@coordinator_required
@require_POST
def volunteer_status(request: AuthenticatedRequest, pk: int) -> HttpResponse:
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


def confirm_leaving(request: AuthenticatedRequest, volunteer: Volunteer) -> HttpResponse:
    """Leaving ends every team membership at once: say which, before it happens."""
    teams = Team.objects.filter(memberships__in=volunteer.memberships.active()).order_by("name")
    changes = [_("%(name)s will be marked as having left the volunteers.") % {"name": volunteer}]
    # team.cases is the cases app's own QuerySet: its open() says what "open" means.
    changes += [
        _("%(name)s will leave %(team)s; its %(count)d open cases stay with the team.")
        % {"name": volunteer, "team": team.name, "count": team.cases.open().count()}
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


@coordinator_required
@require_http_methods(["GET", "POST"])
def team_create(request: AuthenticatedRequest) -> HttpResponse:
    center = center_for_new_objects(request.user)
    form = TeamForm(request.POST or None, instance=Team(center=center))
    if request.method == "POST" and form.is_valid():
        team = form.save()
        messages.success(request, _("Team %(name)s created.") % {"name": team})
        return redirect("volunteers:team-detail", pk=team.pk)
    return render(request, "volunteers/team_form.html", {"form": form})


@coordinator_required
@require_http_methods(["GET", "POST"])
def team_add_member(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Adding a member, on a page of its own: its list of the centre's active volunteers
    not yet on the team (a large centre's some 230) was on the team page, rendered on
    every visit for the rare one that adds someone: a third of that page's work."""
    team = get_visible_or_404(Team.objects.select_related("target_group"), request.user, pk=pk)
    form = AddMemberForm(request.POST or None, team=team)
    if request.method == "POST" and form.is_valid():
        volunteer = form.cleaned_data["volunteer"]
        volunteer.join_team(team, role=form.cleaned_data["role"], on=form.cleaned_data["joined_on"])
        messages.success(request, _("%(name)s joined the team.") % {"name": volunteer})
        return redirect("volunteers:team-detail", pk=team.pk)
    return render(request, "volunteers/team_add_member.html", {"team": team, "form": form})


def membership_of(request: AuthenticatedRequest, pk: int, membership_pk: int) -> TeamMembership:
    team = get_visible_or_404(Team.objects, request.user, pk=pk)
    return get_object_or_404(
        team.memberships.active().select_related("volunteer", "team"), pk=membership_pk
    )


@coordinator_required
@require_POST
def team_end_membership(request: AuthenticatedRequest, pk: int, membership_pk: int) -> HttpResponse:
    membership = membership_of(request, pk, membership_pk)
    if not is_confirmed(request):
        return confirm_removal(request, membership)
    membership.volunteer.leave_team(membership.team)
    messages.success(request, _("%(name)s left the team.") % {"name": membership.volunteer})
    return redirect("volunteers:team-detail", pk=pk)


def confirm_removal(request: AuthenticatedRequest, membership: TeamMembership) -> HttpResponse:
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
def team_make_leader(request: AuthenticatedRequest, pk: int, membership_pk: int) -> HttpResponse:
    membership = membership_of(request, pk, membership_pk)
    membership.team.make_leader(membership.volunteer)
    messages.success(request, _("%(name)s now leads the team.") % {"name": membership.volunteer})
    return redirect("volunteers:team-detail", pk=pk)
