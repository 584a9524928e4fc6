import datetime
import math
import uuid
from decimal import Decimal
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib import messages
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Sum
from django.forms import BaseFormSet
from django.http import FileResponse, HttpResponse, JsonResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from cases import allowances, exports
from cases.dashboard import Dashboard, onboarding_left
from cases.filters import (
    AssistanceFilter,
    CaseFilter,
    FollowupFilter,
    VisitFilter,
    local_midnight,
    visible_teams,
)
from cases.forms import (
    ActionFormSet,
    AssignForm,
    AssistanceForm,
    AttendeeFormSet,
    BulkAssignForm,
    CaseEditForm,
    CaseForm,
    CloseForm,
    ConferenceForm,
    DebtFormSet,
    DecisionFormSet,
    GoalFormSet,
    HouseholdFormSet,
    IncomeFormSet,
    ReopenForm,
    StatusForm,
    VisitCorrectionForm,
    VisitForm,
    VisitIncomeFormSet,
    edit_over,
)
from cases.history import case_history
from cases.models import (
    Assistance,
    AssistanceCap,
    CapExceeded,
    Case,
    CaseConference,
    CaseEvent,
    CaseMerge,
    HomeVisit,
    HouseholdMember,
    PlanAction,
    ReferralNeedDismissal,
    StaleCaseError,
    StaleVisitError,
    VisitPhoto,
    assistance_summary,
    overdue_condition,
    plan_summary,
)
from cases.referrals import case_referrals, worklist_referral_counts, worklist_referrals
from cases.team_pages import count_per_team
from coordination import stamps
from coordination.access import (
    AuthenticatedRequest,
    case_worker_required,
    center_for_new_objects,
    coordinator_required,
    get_visible_or_404,
    return_path,
)
from coordination.amounts import baht
from coordination.audit import log_access
from coordination.choices import person_namer
from coordination.confirm import confirmation_page, is_confirmed
from coordination.exports import ExportForm
from coordination.forms import errors_as_messages
from coordination.middleware import is_background_copy
from coordination.models import AccessLog, Subdistrict, TargetGroup
from coordination.paging import CountedPaginator, Paginator
from coordination.routers import reads_from_replica
from coordination.templatetags.thai import be_date, days_or_years, question_of, yes_no
from coordination.validators import mask_national_id
from volunteers.models import Team, TeamMembership, Volunteer
from volunteers.templatetags.volunteer_pages import volunteer_page_urls

PAGE_SIZE = 25
# Visits on a case page; twice as many of its (one-line) events.
TIMELINE_PAGE_SIZE = 20
# The case page's latest changes; the rest are on the case's change history page, a page
# of CHANGES_PAGE_SIZE at a time, the latest CHANGES_KEPT of them.
CHANGES_SHOWN = 10
CHANGES_PAGE_SIZE = 25
CHANGES_KEPT = 1000


def get_case_for_user(user, pk: int, queryset: QuerySet | None = None) -> Case:
    """The case if `user` may see it; 404 otherwise. Every case page goes through here."""
    return get_visible_or_404(queryset if queryset is not None else Case.objects, user, pk=pk)


def teams_of(case_or_user) -> QuerySet:
    return Team.objects.filter(center_id=case_or_user.center_id).select_related("target_group")


def target_group_names() -> ArraySubquery:
    """A case's target groups' names in the active language, in their order, as a
    column of the case's own query: prefetched, they were a second query and a related
    manager a case."""
    return ArraySubquery(
        TargetGroup.objects.filter(cases=OuterRef("pk"))
        .order_by("position")  # TargetGroup's ordering, as case.target_groups.all()
        .values(TargetGroup.name_column())
    )


def list_page(cases: QuerySet, number: str | None) -> Page:
    """A page of the case list: its cases chosen by their ids alone, then read with what
    their rows show, in the same order. Read in one go, a deep page computed the target
    groups of every case it skipped: page 50 ran that subquery 1,250 times, 8 of its
    16 ms in PostgreSQL (national scale). Still one query."""
    page = Paginator(cases.values_list("pk", flat=True), PAGE_SIZE).get_page(number)
    chosen = Case.objects.filter(pk__in=page.object_list).order_by(*cases.query.order_by)
    page.object_list = list(list_rows(chosen))
    return page


# What a row of the case list shows (case_rows.case_list_rows), of a case's 58 columns:
# read whole, the page's 25 cases were 0.4 ms more of CPU (national).
CASE_ROW_COLUMNS = (
    *("number", "priority", "prefix", "first_name", "last_name", "national_id", "status"),
    *("opened_on", "last_visit_at", "next_visit_due", "team__name"),
)


def list_rows(cases: QuerySet) -> QuerySet:
    # Only what the rows show: the addresses and the centre joined three tables and
    # built three objects a row that no column reads (~1 ms of CPU a page). The target
    # groups as their names in the row's own query (1.4 ms of CPU of the page).
    return (
        cases.select_related("team")
        .only(*CASE_ROW_COLUMNS)
        .annotate(group_names=target_group_names())
    )


@coordinator_required
@require_http_methods(["GET", "POST"])  # POST: the export form (full IDs need a reason)
def case_list(request: AuthenticatedRequest) -> HttpResponseBase:
    chosen = CaseFilter(request, Case.objects.visible_to(request.user))
    export = ExportForm.of(request)
    if export.is_valid():
        rows, columns = exports.export_rows(chosen.qs), exports.case_columns(export)
        return export.response(request, rows, columns, name="cases", title=_("Cases"))
    # The filters, the rows and the pages are kept as HTML until the centre's data
    # changes ({% keep %}): the page of cases, and the form, are read only to write them.
    return render(
        request,
        "cases/case_list.html",
        {
            "form": stamps.Later(lambda: chosen.form),
            "page_obj": stamps.Later(lambda: list_page(chosen.qs, request.GET.get("page"))),
            # The filter's own teams, as its select reads them: one query for both.
            "bulk_teams": stamps.Later(lambda: chosen.options("team")),
            "export": export,
        },
    )


@coordinator_required
@require_POST
def case_bulk_assign(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = BulkAssignForm(
        request.POST,
        teams=Team.objects.visible_to(user),
        cases=Case.objects.visible_to(user),
    )
    back = the_list_posted_from(request)
    if not form.is_valid():
        errors_as_messages(request, form)
        return redirect(back)
    team = form.cleaned_data["team"]
    if not is_confirmed(request):
        return confirm_bulk_assign(request, team, form.cleaned_data["cases"], back)
    with transaction.atomic():
        cases = list(form.cleaned_data["cases"].select_for_update())
        if any(case.center_id != team.center_id for case in cases):
            messages.error(request, _("A team can only take cases of its own centre."))
            return redirect(back)
        for case in cases:
            case.assign_team(team, by=user)
    messages.success(
        request,
        _("%(count)d cases assigned to %(team)s.") % {"count": len(cases), "team": team},
    )
    return redirect(back)


def the_list_posted_from(request: AuthenticatedRequest) -> str:
    """The case list with the filters it had when the form was posted (its `list`
    field): re-encoded, and only ever the case list's own address."""
    query = QueryDict(request.POST.get("list", "")[:2000]).urlencode()
    return reverse("cases:case-list") + (f"?{query}" if query else "")


def confirm_bulk_assign(
    request: AuthenticatedRequest, team: Team, cases: QuerySet, back: str
) -> HttpResponse:
    """Names every case that moves and the team it leaves, before any of them moves."""
    moving = list(cases.select_related("team").order_by("number"))
    changes = [
        _("%(count)d cases will move to %(team)s:") % {"count": len(moving), "team": team.name}
    ]
    changes += [
        _("%(number)s %(name)s, now with %(old)s")
        % {"number": case.number, "name": case.full_name, "old": case.team.name}
        if case.team
        else _("%(number)s %(name)s, with no team yet")
        % {"number": case.number, "name": case.full_name}
        for case in moving
    ]
    if any(case.team for case in moving):
        changes.append(_("Their previous teams no longer see them in their worklists."))
    return confirmation_page(
        request,
        title=_("Move %(count)d cases to %(team)s?") % {"count": len(moving), "team": team.name},
        changes=changes,
        confirm_label=_("Yes, move the cases"),
        cancel_url=back,
    )


def viewed_or_kept(request: AuthenticatedRequest) -> str:
    """A volunteer's phone keeping the case page for use offline (static/js/sw.js) is
    logged as that, not as the volunteer opening it. Only there: the header is the
    client's word, and a coordinator's phone keeps no case (cases.offline)."""
    if request.user.is_volunteer and is_background_copy(request):
        return AccessLog.Action.OFFLINE_COPY
    return AccessLog.Action.VIEW_CASE


def case_page_cases() -> QuerySet:
    """A case as its page shows it: its team, target groups, who recorded the consent,
    and the addresses' places in a query of their own: joined with the rest, ten tables
    took PostgreSQL 2.7 ms to plan for a 0.3 ms query (national scale)."""
    places = Subdistrict.objects.select_related("district__province")
    return (
        Case.objects.select_related("team__target_group", "consent_recorded_by")
        .prefetch_related(Prefetch("reg_subdistrict", places), Prefetch("cur_subdistrict", places))
        .annotate(group_names=target_group_names())
    )


@case_worker_required
@require_http_methods(["GET"])
def case_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    # Who may open it, and the page's title: the case as its page shows it, and the
    # rest, are read only when the page is written, not when it is served as kept
    # ({% keep %}, until the centre's data changes).
    case = get_case_for_user(request.user, pk, Case.objects.only(*CASE_TITLE_COLUMNS))
    log_access(request, viewed_or_kept(request), case=case)
    return render(
        request,
        "cases/case_detail.html",
        {"case": case, "page": stamps.Later(lambda: case_page(request, pk))},
    )


# What the case page reads of a case before it knows whether it is kept.
CASE_TITLE_COLUMNS = ("center", "number", "prefix", "first_name", "last_name")


def case_page(request: AuthenticatedRequest, pk: int) -> dict:
    """What the case page shows: the case, its record and its history (written by
    templates/cases/_case_record.html and _case_history.html), and the parts with forms."""
    case = case_page_cases().get(pk=pk)
    household = list(case.household_members.all())
    money = money_of(case, household)
    referrals = case_referrals(case, request.user)
    can_manage = request.user.is_coordinator_or_staff
    record = {
        "case": case,
        "can_manage": can_manage,
        "household": household,
        **money,
        **timelines_of(case, request.GET),
        # The latest changes only, one more to know whether there are others: read,
        # compared and written out, 200 of them were a tenth of the page's time for a
        # case with 128 visits. The rest are on the change history page.
        "changes": case_history(case, limit=CHANGES_SHOWN + 1) if can_manage else [],
        "changes_shown": CHANGES_SHOWN,
        "assistance": assistance_summary(case),
        "plan": plan_summary(case),
        # Help to apply for is work on an open case (the worklist's too).
        "allowances": None
        if case.is_closed
        else allowances.for_case_page(case, timezone.localdate(), money["incomes"], household),
    }
    return {
        "case": case,
        "record": render_to_string("cases/_case_record.html", record, request),
        "history": render_to_string("cases/_case_history.html", record, request),
        "team_members": team_members_of(case, request.user),
        **status_section(case, referrals["referrals_open"]),
        **referrals,
        "can_manage": can_manage,
        "status_form": StatusForm(case=case),
        # A prefix: the status form has a "note" too, and ids must be unique.
        "close_form": CloseForm(case=case, prefix="close"),
        "reopen_form": ReopenForm(),
    }


# What a member's row on the case page shows (case_rows.member_rows); their team too:
# the related manager sets it on each (deferred, a query a row).
MEMBER_ROW_FIELDS = ("prefix", "first_name", "last_name", "phone")


def team_members_of(case: Case, viewer) -> list[TeamMembership]:
    """The case's team as the case page lists it, each member's name and page link made
    once here: per row, {% page_of %} and the name twice were 7 ms for a team of 60."""
    if case.team is None:
        return []
    members = list(
        case.team.memberships.active()
        .select_related("volunteer")
        .only("team", "role", *(f"volunteer__{name}" for name in MEMBER_ROW_FIELDS))
        .order_by("role", "joined_on")
    )
    urls = volunteer_page_urls(viewer, [m.volunteer for m in members])
    for member in members:
        member.name, member.url = member.volunteer.full_name, urls[member.volunteer_id]
    return members


def money_of(case: Case, household: list[HouseholdMember]) -> dict:
    """The person's incomes and their total, and the household's: the members' incomes
    are on their own rows, and the person's total alone read as the household's."""
    incomes = list(case.incomes.all())
    income_total = sum((i.amount for i in incomes), 0)
    return {
        "incomes": incomes,
        "income_total": income_total,
        "household_income": income_total + sum((m.monthly_income for m in household), 0),
        "debts": case.debts.all(),
    }


def timelines_of(case: Case, query: QueryDict) -> dict:
    """Paginated: a case worked for years has hundreds of visits and events, and the page
    must cost the same for it as for a new case."""
    visits = case.visits.only(*VISIT_ROW_FIELDS)
    page = Paginator(visits, TIMELINE_PAGE_SIZE).get_page(query.get("visit_page"))
    page.object_list = with_present_and_photos(list(page.object_list))
    return {
        "visits": page,
        "events": Paginator(
            # By its centre too: the events' index leads with it (a case's 280 events
            # joined to every team of the country, then sorted: 1.4 ms; 0.3 ms so).
            case.events.filter(center_id=case.center_id)
            .select_related("by", "team")
            .only(
                "case",
                "at",
                "kind",
                "status_from",
                "status_to",
                "note",
                "details",
                "team__name",
                *EVENT_BY,
            ),
            TIMELINE_PAGE_SIZE * 2,
        ).get_page(query.get("event_page")),
    }


# What a visit's row on the case page shows (case_rows.visit_rows), not its long texts,
# and its case (the related manager sets it on each: deferred, a query a row).
VISIT_ROW_FIELDS = ("case", "visited_at", "purpose", "other_participants", "findings", "adl_score")


def with_present_and_photos(visits: list[HomeVisit]) -> list[HomeVisit]:
    """Sets each visit's `present` (the names of the volunteers present, in their
    model's order) and `photo_sizes` ((pk, width, height) in the photos' order): two
    queries of four columns for the page, where prefetching built an instance of every
    volunteer and photo."""
    ids = [visit.pk for visit in visits]
    present: dict[int, list[str]] = {pk: [] for pk in ids}
    rows = (
        HomeVisit.volunteers.through.objects.filter(homevisit_id__in=ids)
        .order_by(*(f"volunteer__{name}" for name in Volunteer._meta.ordering or ()))
        .values_list(
            "homevisit_id", "volunteer__prefix", "volunteer__first_name", "volunteer__last_name"
        )
    )
    name = person_namer()
    for visit_id, prefix, first_name, last_name in rows:
        present[visit_id].append(name(prefix, first_name, last_name))
    photos: dict[int, list[tuple[int, int, int]]] = {pk: [] for pk in ids}
    for visit_id, pk, width, height in VisitPhoto.objects.filter(visit_id__in=ids).values_list(
        "visit_id", "pk", "width", "height"
    ):
        photos[visit_id].append((pk, width, height))
    for visit in visits:
        visit.present, visit.photo_sizes = present[visit.pk], photos[visit.pk]
    return visits


# Who wrote an event, as its rows name them: not the rest of a user's columns. (An event's
# case is read too: the related manager sets it on each, a query a row if deferred.)
EVENT_BY = ("by__username", "by__first_name", "by__last_name")


def status_section(case: Case, open_referrals: list | None = None) -> dict:
    """What templates/cases/_case_status_history.html shows: the status changes, the
    merge that can be undone, what stops closing (from `open_referrals`, the case's open
    referrals with their agencies, when the page has read them). A constant number of
    queries."""
    return {
        "status_history": case.events.filter(
            kind__in=[
                CaseEvent.Kind.OPENED,
                CaseEvent.Kind.STATUS,
                CaseEvent.Kind.CLOSED,
                CaseEvent.Kind.REOPENED,
                CaseEvent.Kind.MERGED,
                CaseEvent.Kind.MERGE_UNDONE,
            ]
        )
        .select_related("by")
        .only("case", "at", "kind", "status_to", "note", "details", *EVENT_BY)
        .order_by("at", "id"),
        "active_merge": case.merges.filter(undone_at__isnull=True).select_related("kept").first()
        if case.is_closed
        else None,
        "close_blockers": case.close_blockers(open_referrals=open_referrals),
    }


def save_formsets(*formsets) -> None:
    for formset in formsets:
        formset.save()


@coordinator_required
@require_http_methods(["GET", "POST"])
def case_create(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    center = center_for_new_objects(user)
    case = Case(center=center)
    data = request.POST or None
    form = CaseForm(data, instance=case, center=center, initial={"opened_on": timezone.localdate()})
    household = HouseholdFormSet(data, instance=case, prefix="household")
    incomes = IncomeFormSet(data, instance=case, prefix="incomes")
    debts = DebtFormSet(data, instance=case, prefix="debts")
    if request.method == "POST" and all(
        [form.is_valid(), household.is_valid(), incomes.is_valid(), debts.is_valid()]
    ):
        with transaction.atomic():
            case = form.save(commit=False)
            case.open(by=user)
            form.save_m2m()
            household.instance = incomes.instance = debts.instance = case
            save_formsets(household, incomes, debts)
        messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
        return redirect("cases:case-detail", pk=case.pk)
    return render(
        request,
        "cases/case_form.html",
        {"form": form, "household": household, "incomes": incomes, "debts": debts},
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def case_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    case = get_case_for_user(user, pk, Case.objects.select_related("center__district"))
    data = request.POST.copy() if request.method == "POST" else None
    initial = {"version": case.version}
    form = CaseEditForm(data, instance=case, center=case.center, initial=initial)
    household = HouseholdFormSet(data, instance=case, prefix="household")
    incomes = IncomeFormSet(data, instance=case, prefix="incomes")
    debts = DebtFormSet(data, instance=case, prefix="debts")
    if request.method == "POST" and all(
        [form.is_valid(), household.is_valid(), incomes.is_valid(), debts.is_valid()]
    ):
        try:
            with transaction.atomic():
                case = form.save(commit=False)
                case.save_checked(form.cleaned_data["version"], by=user, changed=form.changed_data)
                form.save_m2m()
                save_formsets(household, incomes, debts)
        except StaleCaseError:
            return stale_edit(request, pk, data, form)
        messages.success(request, _("Changes saved."))
        return redirect("cases:case-detail", pk=case.pk)
    return render(
        request,
        "cases/case_form.html",
        {"form": form, "household": household, "incomes": incomes, "debts": debts, "case": case},
    )


def stale_edit(request: AuthenticatedRequest, pk: int, data, form) -> HttpResponse:
    """Someone saved the case meanwhile: nothing of this save is kept; the page shows the
    case as it is now with this person's changes on it (cases.forms.edit_over), and its
    rows of members, incomes and debts as they are now."""
    current = Case.objects.select_related("center__district").get(pk=pk)
    merged, theirs, told = edit_over(form, current, center=current.center)
    sent: list[BaseFormSet] = [
        HouseholdFormSet(data, instance=current, prefix="household"),
        IncomeFormSet(data, instance=current, prefix="incomes"),
        DebtFormSet(data, instance=current, prefix="debts"),
    ]
    rows_sent = any(formset.has_changed() for formset in sent)
    say_edit_met(request, current.updated_at, theirs, told, rows=rows_sent)
    rows = {
        "household": HouseholdFormSet(instance=current, prefix="household"),
        "incomes": IncomeFormSet(instance=current, prefix="incomes"),
        "debts": DebtFormSet(instance=current, prefix="debts"),
    }
    context = {"form": merged, **rows, "case": current}
    return render(request, "cases/case_form.html", context, status=409)


@coordinator_required
@require_http_methods(["GET", "POST"])
def case_assign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, Case.objects.select_related("team"))
    proposed = case.proposed_team()
    form = AssignForm(
        request.POST or None, teams=teams_of(case), initial={"team": case.team or proposed}
    )
    if request.method == "POST" and form.is_valid():
        case.assign_team(form.cleaned_data["team"], by=request.user)
        messages.success(
            request,
            _("Case %(number)s assigned to %(team)s.") % {"number": case.number, "team": case.team},
        )
        return redirect(
            return_path(request, request.POST.get("next", ""))
            or reverse("cases:case-detail", args=[case.pk])
        )
    return render(
        request,
        "cases/case_assign.html",
        {"form": form, "case": case, "proposed": proposed},
    )


@coordinator_required
@require_POST
def case_status(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Posted from the case page; a step the lifecycle refuses comes back as this page,
    with the reason on the form and nothing saved."""
    case = get_case_for_user(request.user, pk)
    form = StatusForm(request.POST, case=case)
    if form.is_valid():
        try:
            case.change_status(
                form.cleaned_data["status"], by=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as error:  # the case changed since the form was checked
            form.add_error("status", error)
        else:
            messages.success(request, _("Status changed."))
            return redirect("cases:case-detail", pk=case.pk)
    return render(request, "cases/case_status.html", {"case": case, "form": form})


@coordinator_required
@require_POST
def case_close(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Posted from the case page: asks for confirmation, then closes (a duplicate is
    merged into the kept case). What is refused comes back as the close page."""
    case = get_case_for_user(request.user, pk)
    form = CloseForm(request.POST, case=case, prefix="close")
    if form.is_valid() and not is_confirmed(request):
        return confirm_close(request, case, form)
    if form.is_valid():
        try:
            case.close(
                form.cleaned_data["reason"],
                by=request.user,
                note=form.cleaned_data["note"],
                kept=form.kept,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Case %(number)s closed.") % {"number": case.number})
            return redirect("cases:case-detail", pk=case.pk)
    return render(
        request,
        "cases/case_close.html",
        # For the reason chosen: closing as a duplicate moves the open referrals along.
        {
            "case": case,
            "form": form,
            "blockers": case.close_blockers(form.data.get("close-reason", "")),
        },
    )


def confirm_close(request: AuthenticatedRequest, case: Case, form: CloseForm) -> HttpResponse:
    reason = form.cleaned_data["reason"]
    changes = [
        _("Case %(number)s (%(name)s) will be closed: %(reason)s.")
        % {
            "number": case.number,
            "name": case.full_name,
            "reason": Case.ClosureReason(reason).label,
        },
    ]
    if form.kept is not None and reason == Case.ClosureReason.DUPLICATE:
        moving = CaseMerge.to_move(case)
        changes.append(
            _(
                "It is merged into case %(number)s (%(name)s). Moving there: %(moving)s. The "
                "household, incomes and debts stay on this case, as do its own details "
                "(address, phone): copy to the kept case what it lacks."
            )
            % {
                "number": form.kept.number,
                "name": form.kept.full_name,
                "moving": CaseMerge.describe(moving) or _("no records"),
            }
        )
        changes += [
            _("Its help then counts for case %(number)s: %(cap)s")
            % {"number": form.kept.number, "cap": use.message()}
            for use in CaseMerge.caps_passed(case, form.kept)
        ]
        changes.append(_("The merge can be undone from the history of this case."))
    changes += [
        _("It leaves the worklists and the team's follow-ups; no visits can be logged on it."),
        _("Everything recorded is kept, and a coordinator can reopen it."),
        _("Unless it is reopened, its personal details are anonymised %(period)s after closing.")
        % {"period": days_or_years(settings.CASE_RETENTION_DAYS)},
    ]
    return confirmation_page(
        request,
        title=_("Close case %(number)s?") % {"number": case.number},
        changes=changes,
        confirm_label=_("Yes, close the case"),
        cancel_url=reverse("cases:case-detail", args=[case.pk]),
    )


@coordinator_required
@require_POST
def case_merge_undo(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Undoes the merge of this closed duplicate: its records move back, it reopens."""
    case = get_case_for_user(request.user, pk)
    merge = case.merges.filter(undone_at__isnull=True).first()
    if merge is None:
        messages.error(request, _("This case has no merge to undo."))
        return redirect("cases:case-detail", pk=case.pk)
    if not is_confirmed(request):
        return confirmation_page(
            request,
            title=_("Undo the merge of %(number)s?") % {"number": case.number},
            changes=[
                ngettext(
                    "%(count)d record moves back from case %(kept)s to this case.",
                    "%(count)d records move back from case %(kept)s to this case.",
                    merge.count_moved(),
                )
                % {"count": merge.count_moved(), "kept": merge.kept.number},
                _("This case is reopened, as %(status)s.")
                % {"status": Case.Status(merge.reopens_as()).label},
            ],
            confirm_label=_("Yes, undo the merge"),
            cancel_url=reverse("cases:case-detail", args=[case.pk]),
        )
    try:
        merge.undo(by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            _("The merge is undone; case %(number)s is open again.") % {"number": case.number},
        )
    return redirect("cases:case-detail", pk=case.pk)


@coordinator_required
@require_POST
def case_reopen(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        errors_as_messages(request, form)
        return redirect("cases:case-detail", pk=case.pk)
    try:
        case.reopen(by=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Case %(number)s reopened.") % {"number": case.number})
    return redirect("cases:case-detail", pk=case.pk)


@require_http_methods(["GET"])
def my_cases(request: AuthenticatedRequest) -> HttpResponse:
    """A volunteer's open cases: those of the teams they are an active member of,
    overdue follow-ups first."""
    if not request.user.is_volunteer:
        raise PermissionDenied
    cases = (
        Case.objects.visible_to(request.user)
        .open()
        .select_related("team")  # the rows show no address
        # Earliest due first puts the overdue on top; never-scheduled cases last.
        .order_by(F("next_visit_due").asc(nulls_last=True), "number")
    )
    # The rows and the actions due are kept as HTML until the centre's data changes
    # ({% keep %}): read only to write them.
    return render(
        request,
        "cases/my_cases.html",
        {
            "page_obj": stamps.Later(
                lambda: Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
            ),
            "plan_actions": stamps.Later(lambda: actions_due_for(request.user)),
        },
    )


ACTIONS_SHOWN = 50


class ActionRow(NamedTuple):
    """A planned action due as its row shows it (case_rows.plan_action_rows)."""

    pk: int
    what: str
    due_on: datetime.date
    case_id: int
    case_number: str
    case_name: str
    owner_name: str


def action_rows(actions: QuerySet) -> list[ActionRow]:
    """Each action's row from the columns it shows, as tuples: 50 actions, each with its
    case and owner, were 150 model instances and 2 of the 3 ms of CPU their query took
    (the worklist and my cases, national). Names as PlanAction.owner_name and
    Case.full_name write them, the prefixes translated once."""
    rows = actions.values_list(
        *("pk", "what", "due_on", "case_id"),
        *("case__number", "case__prefix", "case__first_name", "case__last_name"),
        *("owner_team__name", "owner_agency__name", "owner_volunteer_id"),
        *("owner_volunteer__prefix", "owner_volunteer__first_name", "owner_volunteer__last_name"),
    )
    name = person_namer()
    return [
        ActionRow(
            pk,
            what,
            due_on,
            case_id,
            number,
            name(prefix, first, last),
            team or (name(*volunteer) if volunteer_id else agency or ""),
        )
        for (pk, what, due_on, case_id, number, prefix, first, last, team, agency, volunteer_id,
             *volunteer) in rows
    ]  # fmt: skip


def actions_due_for(user) -> dict:
    """The planned actions due (or late) that are the user's to do: a volunteer's own and
    their teams'; a coordinator's, every one of the centre. One query for the rows."""
    actions = PlanAction.objects.visible_to(user).due()
    if not user.is_coordinator_or_staff:
        volunteer = own_volunteer(user)
        actions = actions.owned_by(volunteer) if volunteer else actions.none()
    return {
        "rows": action_rows(actions.order_by("due_on", "id")[:ACTIONS_SHOWN]),
        "today": timezone.localdate(),
        "limit": ACTIONS_SHOWN,
    }


FOLLOWUP_SECTIONS = {
    "overdue": gettext_lazy("Overdue"),
    "week": gettext_lazy("Due this week"),
    "never": gettext_lazy("Never visited since intake"),
    "stale": gettext_lazy("No visit in 30 days"),
}
# A tab of its own: referrals overdue, outcomes unread, visits waiting for a referral.
FOLLOWUP_REFERRALS = gettext_lazy("Referrals")


def followup_conditions(today) -> dict[str, tuple[Q, list[str]]]:
    """Each worklist section: which open cases, in which order."""
    # Visited on a day at least 30 days before today, whatever the hour: the tab's cases
    # stay the same all day (the worklist's counts are kept for the day).
    month_ago = local_midnight(today - datetime.timedelta(days=29))
    return {
        "overdue": (overdue_condition(today), ["next_visit_due", "number"]),
        "week": (
            Q(next_visit_due__gte=today, next_visit_due__lte=today + datetime.timedelta(days=7)),
            ["next_visit_due", "number"],
        ),
        "never": (Q(last_visit_at__isnull=True), ["opened_on", "number"]),
        "stale": (Q(last_visit_at__lt=month_ago), ["last_visit_at", "number"]),
    }


# What a worklist row shows (case_rows.followup_rows) and days_overdue() reads, of a
# case's 58 columns.
FOLLOWUP_ROW_COLUMNS = (
    *("number", "prefix", "first_name", "last_name", "status", "team__name"),
    *("last_visit_at", "next_visit_due"),
)


def worklist_tabs(counts: dict[str, int], referral_counts: dict[str, int]) -> list[tuple]:
    """(key, label, count) of each tab: the case tabs, then the referrals'."""
    tabs = [(key, label, counts[key]) for key, label in FOLLOWUP_SECTIONS.items()]
    return [*tabs, ("referrals", FOLLOWUP_REFERRALS, sum(referral_counts.values()))]


def followup_page(request: AuthenticatedRequest, rows: QuerySet, count: int) -> Page:
    """A worklist tab's page of cases. The rows show no address: the team is all they
    join. Their number is the tab's count, just read: no COUNT(*) of its own. The rows
    are read only when the page is written (not when it is served as kept, nor on the
    referral tab, which shows its own)."""
    return CountedPaginator(
        rows.select_related("team").only(*FOLLOWUP_ROW_COLUMNS), PAGE_SIZE, count=count
    ).get_page(request.GET.get("page"))


@coordinator_required
@require_http_methods(["GET", "POST"])  # POST: the export form (full IDs need a reason)
def followup_list(request: AuthenticatedRequest) -> HttpResponseBase:
    """The coordinator's worklist: which cases need a visit, by team and by volunteer.
    The referral tab lists other things than cases: its own rows, its own include."""
    user = request.user
    today = timezone.localdate()
    chosen = FollowupFilter(request, Case.objects.visible_to(user).open())
    cases = chosen.qs
    sections = followup_conditions(today)
    shown = request.GET.get("show", "")
    shown = shown if shown in sections or shown == "referrals" else "overdue"
    condition, ordering = sections.get(shown, sections["overdue"])
    rows = cases.filter(condition).order_by(*ordering)
    export = ExportForm.of(request)
    if shown in sections and export.is_valid():  # the referral tab offers no export
        columns = exports.followup_columns(export)
        title = str(FOLLOWUP_SECTIONS[shown])
        return export.response(
            request, exports.export_rows(rows), columns, name=f"followups-{shown}", title=title
        )
    counts, teams, referral_counts, actions = worklist_figures(request, cases, sections, today)
    tab = shown if shown in sections else "overdue"
    page = followup_page(request, rows, counts[tab])
    return render(
        request,
        "cases/followup_list.html",
        {
            "form": chosen.form,
            "page_obj": page,
            "tabs": worklist_tabs(counts, referral_counts),
            "shown": shown,
            **(
                worklist_referrals(user, cases, referral_counts, request.GET)
                if shown == "referrals"
                else {}
            ),
            "by_team": overdue_by_team(teams),
            "teams": teams,
            "plan_actions": actions,
            "export": export,
        },
    )


def worklist_figures(
    request: AuthenticatedRequest, cases: QuerySet, sections: dict, today: datetime.date
) -> tuple[dict[str, int], list[Team], dict[str, int], dict]:
    """The worklist's counts per tab, the centre's teams in their order (each row's
    reassign select) with their overdue cases (the by-team list), the referral tab's
    counts and the plan actions due: aggregates over the centre's open cases, kept
    for the filters chosen until the centre's data changes (coordination/stamps.py)."""

    def figures() -> tuple[dict[str, int], list[Team], dict[str, int], dict]:
        return (
            section_counts(cases, sections),
            with_overdue(visible_teams(request), today),
            worklist_referral_counts(request.user, cases),
            actions_due_for(request.user),
        )

    return stamps.kept(request, "worklist", stamps.asked(request, "page", "show"), figures)


def section_counts(cases: QuerySet, sections: dict) -> dict[str, int]:
    """Each worklist tab's number of cases, in one query."""
    return cases.aggregate(
        **{key: Count("pk", filter=cond, distinct=True) for key, (cond, _o) in sections.items()}
    )


def with_overdue(teams: QuerySet, today: datetime.date) -> list[Team]:
    """The teams, each with its number of overdue cases (`overdue`): a subquery per team
    on the centre-leading index, as on the team list (joining the teams to all their
    cases read every case of the centre)."""
    overdue_cases = Case.objects.filter(center_id=OuterRef("center_id")).filter(
        overdue_condition(today)
    )
    return list(
        teams.select_related(None)
        .only("center", "name")
        .annotate(overdue=count_per_team(overdue_cases))
    )


def overdue_by_team(teams: list[Team]) -> list[Team]:
    """The teams with overdue cases, most first, then by name (`with_overdue`'s). Sorted
    here, not in SQL: the same teams in their own order give each row's reassign select,
    and a filter on the count in SQL ran each team's subquery twice (3,214 -> 1,609
    buffers, national)."""
    return sorted((team for team in teams if team.overdue), key=lambda t: (-t.overdue, t.name))


def parse_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def own_volunteer(user) -> Volunteer | None:
    return getattr(user, "volunteer", None)


def new_visit_form(request: AuthenticatedRequest, case: Case) -> VisitForm:
    """The visit form of a new visit, filled with what is usually true."""
    now = timezone.localtime()
    me = own_volunteer(request.user)
    return VisitForm(
        request.POST or None,
        request.FILES or None,
        instance=HomeVisit(case=case, center=case.center, author=request.user),
        case=case,
        initial={
            "visit_date": now.date(),
            "visit_time": now.time().replace(second=0, microsecond=0),
            "next_visit_due": now.date()
            + datetime.timedelta(days=case.center.followup_interval_days),
            "volunteers": [me] if me else [],
            "submission_token": uuid.uuid4(),
            "purpose": HomeVisit.Purpose.FOLLOW_UP
            if case.last_visit_at
            else HomeVisit.Purpose.ASSESSMENT,
        },
    )


def visit_of_token(case: Case, token: uuid.UUID | None) -> HomeVisit | None:
    """The centre's visit saved with this form token, if any: its case and author."""
    # The one visit of the token, on the centre's unique index of tokens; then whose it
    # is. Asked with the case and author too, PostgreSQL could read every visit of the
    # case instead (1.5 ms for one with 730 visits, national).
    tokens = HomeVisit.objects.filter(center_id=case.center_id, submission_token=token)
    return next(iter(tokens.order_by().only("case", "author")[:1]), None) if token else None


def already_saved(
    request: AuthenticatedRequest, case: Case, visit: HomeVisit | None
) -> HttpResponse | None:
    """Only this person's own visit of this case counts as "already saved": a token
    taken from anyone else's form must not lead to their visit (the form says so)."""
    if visit is None or (visit.case_id, visit.author_id) != (case.pk, request.user.pk):
        return None
    messages.info(request, _("This visit was already saved."))
    return redirect("cases:visit-detail", pk=visit.pk)


@case_worker_required
@require_http_methods(["GET", "POST"])
def visit_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, Case.objects.select_related("team", "center"))
    if case.is_closed:
        messages.error(request, _("This case is closed: reopen it before logging a visit."))
        return redirect("cases:case-detail", pk=case.pk)
    form = new_visit_form(request, case)
    incomes = VisitIncomeFormSet(request.POST or None, instance=case, prefix="incomes")
    if request.method == "POST":
        token = parse_uuid(request.POST.get("submission_token", ""))
        saved = visit_of_token(case, token)
        if answer := already_saved(request, case, saved):  # a double tap or a resubmission
            return answer
        form.token_taken = saved is not None if token else None
        if form.is_valid() and incomes.is_valid():
            try:
                with transaction.atomic():
                    incomes.save()
                    visit = form.save(commit=False)
                    visit.record(by=request.user, token=token, **visit_parts(form))
            except IntegrityError:
                # The same form arrived twice at once: the first one won. If the token
                # is someone else's, the form says so (VisitForm.clean_submission_token)
                # on the next try; it never leads to their visit.
                if answer := already_saved(request, case, visit_of_token(case, token)):
                    return answer
                raise
            messages.success(request, _("Visit saved."))
            show_notices(request, form, incomes)
            return redirect("cases:visit-detail", pk=visit.pk)
        form.say_photos_not_kept()
    return render(
        request, "cases/visit_form.html", {"form": form, "incomes": incomes, "case": case}
    )


def visit_parts(form: VisitForm) -> dict:
    """What the visit form holds beside the visit's own fields."""
    return {
        "volunteers": form.cleaned_data.get("volunteers") or [],
        "photos": form.cleaned_data.get("photos") or [],
    }


def show_notices(request: AuthenticatedRequest, form: VisitForm, incomes) -> None:
    """What the form changed from what was typed (an ADL total replaced by the items'),
    and the incomes someone else changed since the page was opened, kept as they saved
    them (VisitIncomeRows)."""
    for notice in form.notices:
        messages.warning(request, notice)
    for row in incomes.overtaken:
        income = row.instance
        income.refresh_from_db()
        messages.warning(
            request,
            _(
                "Not saved: %(income)s was changed by someone else after this page was "
                "opened, and stays as they saved it (%(amount)s a month). Check it on the case."
            )
            % {"income": income.get_kind_display(), "amount": baht(income.amount)},
        )


def get_visit_for_user(user, pk: int) -> HomeVisit:
    return get_visible_or_404(
        HomeVisit.objects.select_related("case__team", "case__center", "author"), user, pk=pk
    )


@case_worker_required
@require_http_methods(["GET"])
def visit_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    visit = get_visit_for_user(request.user, pk)
    log_access(request, AccessLog.Action.VIEW_VISIT, case=visit.case, obj=visit)
    return render(
        request,
        "cases/visit_detail.html",
        {
            "visit": visit,
            "case": visit.case,
            "volunteers": visit.volunteers.all(),
            "photos": visit.photos.all(),
            "can_edit": visit.can_edit(request.user),
            # What became of its "referral needed": the referrals made from it, why none
            # is made, or that it still waits (the worklists' rule).
            "referrals": visit.referrals.select_related("agency"),
            "dismissal": ReferralNeedDismissal.objects.filter(visit=visit)
            .select_related("by")
            .first(),
            "waiting": HomeVisit.objects.needing_referral().filter(pk=visit.pk).exists(),
        },
    )


@case_worker_required
@require_http_methods(["GET", "POST"])
def visit_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    visit = get_visit_for_user(user, pk)
    if not visit.can_edit(user):
        raise PermissionDenied
    form = VisitCorrectionForm(
        request.POST or None,
        request.FILES or None,
        instance=visit,
        case=visit.case,
        initial={"version": visit.version},
    )
    incomes = VisitIncomeFormSet(request.POST or None, instance=visit.case, prefix="incomes")
    if request.method == "POST" and form.is_valid() and incomes.is_valid():
        changed = [name for name in form.changed_data if name in form.fields]
        try:
            with transaction.atomic():
                incomes.save()
                form.save(commit=False).correct(
                    form.cleaned_data["version"],
                    by=user,
                    changed=changed,
                    remove_photos=form.cleaned_data.get("remove_photos") or [],
                    **visit_parts(form),
                )
        except StaleVisitError:
            return stale_visit(request, pk, form, incomes)
        messages.success(request, _("Changes saved."))
        show_notices(request, form, incomes)
        return redirect("cases:visit-detail", pk=visit.pk)
    if request.method == "POST":
        form.say_photos_not_kept()
    return render(
        request,
        "cases/visit_form.html",
        {"form": form, "incomes": incomes, "case": visit.case, "visit": visit},
    )


def stale_visit(request: AuthenticatedRequest, pk: int, form, incomes) -> HttpResponse:
    """Someone corrected the visit meanwhile: nothing of this save is kept; the form shows
    the visit as it is now with this person's changes on it (cases.forms.edit_over), and
    the case's incomes as they are now."""
    current = HomeVisit.objects.select_related("case__center").get(pk=pk)
    merged, theirs, told = edit_over(form, current, case=current.case)
    say_edit_met(
        request,
        current.updated_at,
        theirs,
        told,
        rows=incomes.differ_from_saved(),
        photos=bool(form.cleaned_data.get("photos")),
    )
    incomes = VisitIncomeFormSet(instance=current.case, prefix="incomes")
    context = {"form": merged, "incomes": incomes, "case": current.case, "visit": current}
    return render(request, "cases/visit_form.html", context, status=409)


def say_edit_met(
    request: AuthenticatedRequest,
    saved_at: datetime.datetime,
    theirs: list,
    told: bool,
    *,
    rows: bool = False,
    photos: bool = False,
) -> None:
    """The messages of an edit that met someone else's save: when; whether this person's
    changes are on the form (edit_over could tell them) or to be made again; what the
    other person changed; the lists and photos, which are never carried over."""
    time = {"time": f"{timezone.localtime(saved_at):%H:%M}"}
    if told:
        said = _(
            "Someone else saved this at %(time)s, after you opened it. Nothing of yours is "
            "saved yet: the form shows it as it is now, with your changes on it. Check them, "
            "then save again."
        )
    else:
        said = _(
            "Someone else saved this at %(time)s, after you opened it. Nothing of yours is "
            "saved yet: the form shows it as it is now. Make your changes again, then save."
        )
    messages.error(request, said % time)
    if theirs:
        messages.warning(request, _("They changed: %(fields)s.") % {"fields": ", ".join(theirs)})
    if rows:
        messages.warning(
            request,
            _("The lists show what is saved now: if you changed any of them, change them again."),
        )
    if photos:
        messages.warning(request, _("Your photos were not kept: add them again."))


@case_worker_required
@require_http_methods(["GET"])
def visit_photo(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """Photos are never public: each request checks that the viewer may see the case."""
    photo = get_visible_or_404(
        VisitPhoto.objects.select_related("visit__case"), request.user, pk=pk
    )
    log_access(request, AccessLog.Action.PHOTO, case=photo.visit.case, obj=photo)
    wanted = (
        photo.thumbnail if request.GET.get("size") == "thumb" and photo.thumbnail else photo.image
    )
    response = FileResponse(wanted.open("rb"))
    # Like the export: a shared phone must not keep a person's photo after logout.
    response["Cache-Control"] = "no-store"
    return response


@coordinator_required
@require_http_methods(["GET"])
def case_export(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Everything held about the person, as JSON, for an access request (PDPA s. 30)."""
    case = get_case_for_user(request.user, pk, Case.objects.select_related("center", "team"))
    log_access(request, AccessLog.Action.EXPORT, case=case)
    response = JsonResponse(
        {"exported_at": timezone.now(), "case": case.personal_data()},
        encoder=LocalTimeEncoder,
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    response["Content-Disposition"] = f'attachment; filename="case-{case.number}.json"'
    response["Cache-Control"] = "no-store"
    return response


class LocalTimeEncoder(DjangoJSONEncoder):
    """Times as the centre lives them (+07:00), not in UTC: a visit at 09:00 read 02:00Z,
    and a late evening as the day before."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime) and timezone.is_aware(o):
            o = timezone.localtime(o)
        return super().default(o)


@coordinator_required
@require_http_methods(["GET"])
def case_changes(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The case's change history, newest first, a page at a time. Its records are compared
    newest first until a page's worth (and one) is found: there is no count of them all,
    so the pages link to the newer and the older ones. The latest CHANGES_KEPT are
    listed; the administration keeps every record."""
    case = get_case_for_user(request.user, pk)
    log_access(request, AccessLog.Action.VIEW_CASE, case=case)
    last_page = CHANGES_KEPT // CHANGES_PAGE_SIZE
    asked = request.GET.get("page", "")
    # A page past the last is the last; more than four digits are no page here, the first
    # (and int() refuses 4,300 digits and more).
    number = min(max(int(asked), 1), last_page) if asked.isdecimal() and len(asked) <= 4 else 1
    end = number * CHANGES_PAGE_SIZE
    changes = case_history(case, limit=end + 1)
    if number > 1 and len(changes) <= end - CHANGES_PAGE_SIZE:  # past the oldest: all read
        last = max(1, math.ceil(len(changes) / CHANGES_PAGE_SIZE))
        return redirect(f"{reverse('cases:case-changes', args=[case.pk])}?page={last}")
    return render(
        request,
        "cases/case_changes.html",
        {
            "case": case,
            "changes": changes[end - CHANGES_PAGE_SIZE : end],
            "newer": number - 1 if number > 1 else None,
            "older": number + 1 if len(changes) > end and number < last_page else None,
            "kept": CHANGES_KEPT if len(changes) > end and number == last_page else None,
        },
    )


@coordinator_required
@require_http_methods(["GET"])
def case_print(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The same, as a page to print and hand over."""
    case = get_case_for_user(request.user, pk, Case.objects.select_related("center", "team"))
    log_access(request, AccessLog.Action.PRINT, case=case)
    data = case.personal_data()
    return render(
        request,
        "cases/case_print.html",
        {"case": case, "data": data, "rows": labelled_rows(data), "today": timezone.localdate()},
    )


def labelled_rows(data: dict) -> list[tuple[str, object]]:
    """The person's own fields with their names in the reader's language."""
    other = {
        "center": _("Coordination centre"),
        "team": _("Team"),
        "target_groups": _("Target groups"),
    }
    rows = []
    for key, value in data.items():
        if key in (
            "household_members",
            "income_sources",
            "debts",
            "home_visits",
            "events",
            "referrals",
        ):
            continue  # shown as lists of their own
        if key in ("assistance", "plan_goals", "plan_actions"):
            continue  # in the export; the case page shows them
        label = other[key] if key in other else Case.label_of(key)
        if key == "national_id":
            value = mask_national_id(value)
        if isinstance(value, bool):
            value = yes_no(value, question_of(key))
        if isinstance(value, datetime.date):
            value = be_date(value)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        rows.append((label, value))
    return rows


@coordinator_required
@require_http_methods(["GET"])
def consent_form(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The consent form to print and have signed, ID masked. The form itself is always
    Thai (the template says so); the menu around it follows the reader's language."""
    case = get_case_for_user(request.user, pk, Case.objects.select_related("center"))
    log_access(request, AccessLog.Action.PRINT, case=case)
    return render(
        request, "cases/consent_form.html", {"case": case, "purposes": Case.ConsentPurpose.choices}
    )


@coordinator_required
@require_http_methods(["GET"])
@reads_from_replica  # counts only; a moment old is fine (coordination/routers.py)
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    """ภาพรวม: the centre's work at a glance; every figure links to its list
    (cases/dashboard.py counts them, in a fixed number of queries)."""
    board = Dashboard(request.user, timezone.localdate())
    every_volunteer = request.GET.get("volunteers") == "all"

    def body() -> str:
        context = board.context(every_volunteer=every_volunteer)
        return render_to_string("cases/_dashboard_body.html", context, request)

    # Computed only when the page is written: it is kept as HTML until the centre's data
    # changes ({% keep %}).
    return render(
        request,
        "cases/dashboard.html",
        {
            "body": stamps.Later(body),
            # A new centre's checklist, until done; a national administrator has none.
            "onboarding": stamps.Later(lambda: onboarding_left(request.user.center)),
        },
    )


# --- Assistance, the case plan and case conferences ---------------------------------


@coordinator_required
@require_http_methods(["GET", "POST"])  # POST: the export form (full IDs need a reason)
def assistance_list(request: AuthenticatedRequest) -> HttpResponseBase:
    """Help the centre's cases were given, and its total in baht: the list behind the
    dashboard's figure of this fiscal year."""
    chosen = AssistanceFilter(request, Assistance.objects.visible_to(request.user))

    def rows() -> QuerySet:
        return chosen.qs.select_related("case", "provider")

    export = ExportForm.of(request)
    if export.is_valid():  # every row the filters choose
        columns = exports.assistance_columns(export)
        return export.response(
            request,
            exports.chunked(rows()),
            columns,
            name="assistance",
            title=_("Assistance given"),
        )
    # Its filter, total and rows are kept as HTML until the centre's data changes
    # ({% keep %}): the form, the total and the page are read only to write them.
    return render(
        request,
        "cases/assistance_list.html",
        {
            "form": stamps.Later(lambda: chosen.form),
            "page_obj": stamps.Later(
                lambda: Paginator(rows(), PAGE_SIZE).get_page(request.GET.get("page"))
            ),
            "total": stamps.Later(
                lambda: chosen.qs.aggregate(total=Sum("amount"))["total"] or Decimal(0)
            ),
            "export": export,
        },
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def assistance_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, Case.objects.select_related("center"))
    if case.is_closed:
        messages.error(request, _("This case is closed: reopen it before recording help."))
        return redirect("cases:case-detail", pk=case.pk)
    assistance = Assistance(case=case, center=case.center)
    form = AssistanceForm(
        request.POST or None,
        instance=assistance,
        case=case,
        initial={"given_on": timezone.localdate()},
    )
    over_cap = None
    if request.method == "POST" and form.is_valid():
        try:
            form.instance.record(by=request.user, exception_reason=form.exception())
        except CapExceeded as refused:
            over_cap = refused.use
            form.add_error(None, refused.messages[0])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if assistance.exception_reason:
                messages.warning(request, _("Recorded over the cap, as an exception."))
            messages.success(request, _("Assistance recorded."))
            return redirect(reverse("cases:case-detail", args=[case.pk]) + "#assistance-heading")
    return render(
        request,
        "cases/assistance_form.html",
        {
            "form": form,
            "case": case,
            "over_cap": over_cap,
            "summary": assistance_summary(case),
            "caps": AssistanceCap.objects.in_force(timezone.localdate()),
        },
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def case_plan(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The plan's goals and actions, edited together and saved together."""
    user = request.user
    case = get_case_for_user(user, pk, Case.objects.select_related("center"))
    if case.is_closed:
        messages.error(request, _("This case is closed: reopen it before changing its plan."))
        return redirect("cases:case-detail", pk=case.pk)
    data = request.POST or None
    goals = GoalFormSet(data, instance=case, prefix="goals")
    actions = ActionFormSet(
        data, instance=case, prefix="actions", form_kwargs={"center_id": case.center_id}
    )
    if request.method == "POST" and goals.is_valid() and actions.is_valid():
        if goals.has_changed() or actions.has_changed():
            with transaction.atomic():
                goals.save()
                for action in actions.save(commit=False):
                    if action.created_by_id is None:
                        action.created_by = user
                    action.save()
                for action in actions.deleted_objects:
                    action.delete()
                case.log(CaseEvent.Kind.PLAN_CHANGED, by=user)
            messages.success(request, _("The plan is saved."))
        return redirect(reverse("cases:case-detail", args=[case.pk]) + "#plan-heading")
    return render(
        request, "cases/case_plan.html", {"case": case, "goals": goals, "actions": actions}
    )


CONFERENCE_PAGE_SIZE = 20


@coordinator_required
@require_http_methods(["GET"])
def conference_list(request: AuthenticatedRequest) -> HttpResponse:
    conferences = CaseConference.objects.visible_to(request.user).for_list()
    page = Paginator(conferences, CONFERENCE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/conference_list.html", {"page_obj": page})


@coordinator_required
@require_http_methods(["GET", "POST"])
def conference_create(request: AuthenticatedRequest) -> HttpResponse:
    """The conference, who came, and its decisions about each case, in one submission:
    each decision becomes a planned action of its case, with its owner and due date."""
    user = request.user
    center = center_for_new_objects(user)
    data = request.POST or None
    conference = CaseConference(center=center)
    form = ConferenceForm(
        data,
        instance=conference,
        user=user,
        center=center,
        initial={"held_on": timezone.localdate(), "place": center.name},
    )
    attendees = AttendeeFormSet(data, prefix="attendees")
    decisions = DecisionFormSet(
        data, prefix="decisions", form_kwargs={"user": user, "center": center}
    )
    if request.method == "POST" and all(
        [form.is_valid(), attendees.is_valid(), decisions.is_valid()]
    ):
        try:
            conference = form.save(commit=False)
            conference.record(
                by=user,
                volunteers=form.cleaned_data["volunteers"],
                cases=form.cleaned_data["cases"],
                attendees=[f.save(commit=False) for f in attendees if f.cleaned_data],
                decisions=[f.save(commit=False) for f in decisions if f.cleaned_data],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The case conference is recorded."))
            return redirect("cases:conference-detail", pk=conference.pk)
    return render(
        request,
        "cases/conference_form.html",
        {"form": form, "attendees": attendees, "decisions": decisions},
    )


@coordinator_required
@require_http_methods(["GET"])
def conference_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The record of the conference, to print (always in Thai, like the consent form)."""
    conference = get_visible_or_404(
        CaseConference.objects.select_related("center", "created_by"), request.user, pk=pk
    )
    decisions = conference.decisions.for_rows().order_by("case__number", "due_on", "id")
    cases = list(conference.cases.order_by("number"))
    by_case: dict[int, list[PlanAction]] = {case.pk: [] for case in cases}
    for decision in decisions:
        by_case.setdefault(decision.case_id, []).append(decision)
    for case in cases:
        log_access(request, AccessLog.Action.VIEW_CASE, case=case, obj=conference)
    return render(
        request,
        "cases/conference_detail.html",
        {
            "conference": conference,
            "volunteers": conference.volunteers.order_by("first_name"),
            "attendees": conference.attendees.all(),
            "cases": [(case, by_case[case.pk]) for case in cases],
        },
    )


@coordinator_required
@require_http_methods(["GET"])
def visit_list(request: AuthenticatedRequest) -> HttpResponse:
    """The centre's home visits, filtered by day, team or volunteer: the list behind the
    dashboard's visit counts (the same filters count them there)."""
    chosen = VisitFilter(request, HomeVisit.objects.visible_to(request.user))
    rows = chosen.qs.select_related("case", "case__team").prefetch_related("volunteers")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/visit_list.html", {"form": chosen.form, "page_obj": page})
