"""The referral pages (ส่งต่อ), and the small functions that feed the referral sections
of other pages: the case page, the follow-up worklist's tab, an agency's page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cases import exports
from cases.filters import ReferralFilter
from cases.forms import DismissNeedForm, ReferralForm, ReferralStatusForm
from cases.models import Case, HomeVisit, Referral, ReferralNeedDismissal
from cases.models.referrals import overdue_referral_condition, unread_outcome_condition
from coordination import stamps
from coordination.access import (
    AuthenticatedRequest,
    case_worker_required,
    coordinator_required,
    get_visible_or_404,
)
from coordination.audit import log_access
from coordination.exports import ExportForm
from coordination.models import AccessLog, Agency
from coordination.paging import CountedPaginator, Paginator

# A worklist shows at most this many rows per list: a long list is a problem of its own,
# and the page's queries stay the same whatever the data.
LIST_LIMIT = 100
# What a worklist row says of its case: "number name".
CASE_NAME_COLUMNS = ("case__number", "case__prefix", "case__first_name", "case__last_name")


def case_referrals(case: Case, user) -> dict:
    """The case page's referral section, in three queries whatever the case holds."""
    referrals = list(case.referrals.select_related("agency").order_by("-sent_on", "-id"))
    today = timezone.localdate()
    return {
        "referrals": referrals,
        "referrals_open": [r for r in referrals if r.is_open],
        "referrals_overdue": [r for r in referrals if r.is_overdue(today)],
        "referrals_unread": [r for r in referrals if r.outcome_unread],
        "referrals_closed": [r for r in referrals if not r.is_open],
        # What their rows show (case_rows.referral_need_rows), and their case: the
        # related manager sets it on each (deferred, a query a row).
        "visits_needing_referral": list(
            case.visits.needing_referral()
            .only("case", "visited_at", "needs")
            .order_by("-visited_at")
        ),
        "can_refer": user.is_coordinator_or_staff and not case.is_closed,
        "dismiss_form": DismissNeedForm(),
    }


# The referral tab's lists, each paged on its own (25 rows a page, as the worklist's other
# tabs): up to 300 rows were 263 kB and three quarters of the page's CPU (national).
WORKLIST_PAGE_SIZE = 25
# Each list's page, in its own query parameter: the others keep theirs.
WORKLIST_PAGE_PARAMS = {
    "overdue": "overdue_page",
    "unread": "unread_page",
    "needing": "needing_page",
}


def worklist_referrals(user, cases: QuerySet, counts: dict[str, int], query) -> dict:
    """The follow-up worklist's referral tab: overdue referrals, outcomes nobody has read,
    visits waiting for a referral — of `cases` (the worklist's filtered open cases) — a
    page of each. Their numbers are the tab's badge's (`worklist_referral_counts`), read
    again: no COUNT(*) of their own."""
    today = timezone.localdate()
    # Only the columns _followup_referrals.html shows: each row with its case (58
    # columns) and a visit's or a referral's long texts were 22 ms of CPU for 300 rows
    # (in-process, national) before their template started.
    referrals = (
        Referral.objects.visible_to(user)
        .filter(case__in=cases)
        .for_lists()
        .only(*CASE_NAME_COLUMNS, "agency__name", "status", "reply_by", "outcome", "updated_at")
    )
    visits = (
        HomeVisit.objects.visible_to(user)
        .needing_referral(of_open_cases=cases)
        .select_related("case")
        .only(*CASE_NAME_COLUMNS, "visited_at", "needs")
        .order_by("visited_at", "id")
    )
    lists = {
        "overdue": referrals.overdue(today).order_by("reply_by", "id"),
        "unread": referrals.unread_outcomes().order_by("-updated_at", "id"),
        "needing": visits,
    }
    pages = {
        key: CountedPaginator(rows, WORKLIST_PAGE_SIZE, count=counts[key]).get_page(
            query.get(WORKLIST_PAGE_PARAMS[key])
        )
        for key, rows in lists.items()
    }
    return {
        "overdue_referrals": pages["overdue"],
        "unread_outcomes": pages["unread"],
        "visits_needing_referral": pages["needing"],
        "page_params": WORKLIST_PAGE_PARAMS,
        "dismiss_form": DismissNeedForm(),
    }


def worklist_referral_counts(user, cases: QuerySet) -> dict[str, int]:
    """The number of rows of each of the referral tab's lists (its badge is their sum),
    in two queries."""
    today = timezone.localdate()
    counts = (
        Referral.objects.visible_to(user)
        .filter(case__in=cases)
        .aggregate(
            overdue=Count("pk", filter=overdue_referral_condition(today)),
            unread=Count("pk", filter=unread_outcome_condition()),
        )
    )
    visits = HomeVisit.objects.visible_to(user).needing_referral(of_open_cases=cases)
    return {**counts, "needing": visits.count()}


def agency_referrals(agency: Agency, user) -> dict:
    """For an agency's page (`templates/cases/_agency_referrals.html`): the referrals
    to it that `user` may see — their own centre's, even for a national agency — with
    counts per status and the average days to the agency's first reply."""
    referrals = Referral.objects.visible_to(user).filter(agency=agency)
    return {
        "agency_referrals": referrals.for_lists().order_by("-sent_on", "-id")[:LIST_LIMIT],
        "agency_referral_stats": referrals.stats(),
        "list_limit": LIST_LIMIT,
    }


def get_referral_for_user(user, pk: int) -> Referral:
    return get_visible_or_404(
        Referral.objects.select_related(
            "case__center", "case__team", "agency", "visit", "created_by", "outcome_read_by"
        ),
        user,
        pk=pk,
    )


REFERRAL_PAGE_SIZE = 25


@coordinator_required
@require_http_methods(["GET", "POST"])  # POST: the export form (full IDs need a reason)
def referral_list(request: AuthenticatedRequest) -> HttpResponseBase:
    """The centre's referrals, awaiting an answer first: the list behind the dashboard's
    referral figures (the same filter counts them there)."""
    chosen = ReferralFilter(request, Referral.objects.visible_to(request.user))

    def rows() -> QuerySet:
        return chosen.qs.select_related("case", "agency")

    export = ExportForm.of(request)
    if export.is_valid():  # every row the filters choose
        columns = exports.referral_columns(export)
        return export.response(
            request, exports.chunked(rows()), columns, name="referrals", title=_("Referrals")
        )
    # Its filter, count and rows are kept as HTML until the centre's data changes
    # ({% keep %}): the form and the page are read only to write them.
    return render(
        request,
        "cases/referral_list.html",
        {
            "form": stamps.Later(lambda: chosen.form),
            "page_obj": stamps.Later(
                lambda: Paginator(rows(), REFERRAL_PAGE_SIZE).get_page(request.GET.get("page"))
            ),
            "today": timezone.localdate(),
            "export": export,
        },
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def referral_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = get_visible_or_404(Case.objects.select_related("center"), request.user, pk=pk)
    if case.is_closed:
        messages.error(request, _("This case is closed: reopen it before referring it."))
        return redirect("cases:case-detail", pk=case.pk)
    initial = {"reply_by": Referral.default_reply_by()}
    # From a visit that asked for a referral: its needs start the letter's text. A visit
    # of another case (or one not seen) is simply not taken.
    visit = case.visits.filter(pk=request.GET.get("visit")).first() if _is_id(request) else None
    if visit is not None:
        initial |= {"visit": visit.pk, "reason": visit.needs[:1000]}
    form = ReferralForm(
        request.POST or None,
        instance=Referral(case=case),
        case=case,
        initial=initial,
        from_visit=visit is not None,
    )
    if request.method == "POST" and form.is_valid():
        referral = form.save(commit=False)
        try:
            referral.send(by=request.user)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("Referral to %(agency)s recorded, letter %(number)s.")
                % {"agency": referral.agency.name, "number": referral.letter_number},
            )
            return redirect("cases:referral-detail", pk=referral.pk)
    return render(request, "cases/referral_form.html", {"form": form, "case": case, "visit": visit})


def _is_id(request: AuthenticatedRequest) -> bool:
    return request.GET.get("visit", "").isdecimal()


def detail_page(
    request: AuthenticatedRequest, referral: Referral, status_form: ReferralStatusForm | None = None
) -> HttpResponse:
    user = request.user
    can_manage = user.is_coordinator_or_staff
    return render(
        request,
        "cases/referral_detail.html",
        {
            "referral": referral,
            "case": referral.case,
            "updates": referral.updates.select_related("by"),
            "can_manage": can_manage,
            "status_form": status_form or ReferralStatusForm(referral=referral),
        },
    )


@case_worker_required
@require_http_methods(["GET"])
def referral_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_user(request.user, pk)
    log_access(request, AccessLog.Action.VIEW_CASE, case=referral.case, obj=referral)
    return detail_page(request, referral)


@coordinator_required
@require_POST
def referral_status(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_user(request.user, pk)
    form = ReferralStatusForm(request.POST, referral=referral)
    if not referral.allowed_statuses():
        messages.error(
            request,
            _("This referral is %(status)s: it does not change any more.")
            % {"status": referral.get_status_display()},
        )
        return redirect("cases:referral-detail", pk=referral.pk)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                referral.change_status(
                    data["status"], by=request.user, note=data["note"], outcome=data["outcome"],
                    on=data["on"],
                )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(
                request,
                _("The referral is now %(status)s.") % {"status": referral.get_status_display()},
            )
            return redirect("cases:referral-detail", pk=referral.pk)
    referral.refresh_from_db()
    return detail_page(request, referral, form)


@case_worker_required
@require_POST
def referral_outcome_read(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Whoever works the case (its team too) says they have read the agency's outcome."""
    referral = get_referral_for_user(request.user, pk)
    if referral.mark_outcome_read(by=request.user):
        messages.success(request, _("The outcome is marked as read."))
    else:
        messages.info(request, _("There is no unread outcome on this referral."))
    return redirect("cases:referral-detail", pk=referral.pk)


@coordinator_required
@require_http_methods(["GET"])
def referral_letter(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """หนังสือส่งต่อ, to print on A4: always in Thai, the national ID masked. Printing
    a person's data is logged like the case's own printouts."""
    referral = get_referral_for_user(request.user, pk)
    log_access(request, AccessLog.Action.PRINT, case=referral.case, obj=referral)
    signer = referral.created_by or request.user
    return render(
        request,
        "cases/referral_letter.html",
        {"referral": referral, "case": referral.case, "signer": signer},
    )


@coordinator_required
@require_POST
def visit_referral_dismiss(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """No referral will be made for what this visit asked: the reason is kept, with who
    decided and when, and the visit leaves the lists of needs waiting."""
    visit = get_visible_or_404(HomeVisit.objects.select_related("case"), request.user, pk=pk)
    form = DismissNeedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why no referral is made (at most 500 characters)."))
    elif HomeVisit.objects.needing_referral().filter(pk=visit.pk).exists():
        ReferralNeedDismissal.objects.create(
            visit=visit, reason=form.cleaned_data["reason"].strip(), by=request.user
        )
        messages.success(request, _("The referral need is dismissed."))
    else:
        messages.info(request, _("This visit does not wait for a referral."))
    # Back where the button was: the worklist's referral tab or the case page.
    if request.POST.get("next") == "followup":
        return redirect(reverse("cases:followup-list") + "?show=referrals")
    return redirect("cases:case-detail", pk=visit.case_id)
