"""The missed-allowance worklist of a centre and the dismissal of a flag."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cases import allowances, exports
from cases.forms import DismissForm
from cases.models import AllowanceDismissal, AllowanceRule, Case, CaseQuerySet
from coordination import stamps
from coordination.access import (
    AuthenticatedRequest,
    centre_asked,
    coordinator_required,
    get_visible_or_404,
)
from coordination.exports import ExportForm
from coordination.models import Center
from coordination.paging import Paginator
from coordination.routers import reads_from_replica

PAGE_SIZE = 25


@coordinator_required
@require_http_methods(["GET", "POST"])  # POST: the export form (full IDs need a reason)
@reads_from_replica  # a report over every open case of the centre, and its export
def missed_allowance_list(request: AuthenticatedRequest) -> HttpResponseBase:
    """เบี้ยที่อาจตกหล่น: the centre's open cases with a flag, most money missed first.
    Queries: the rates, what the evaluation's key is made of, the page's cases (and, when
    the cache has no answer for that key, one row per open case of the centre)."""
    user = request.user
    cases = Case.objects.visible_to(user)
    # A national administrator reads one centre's list at a time (?center=): the rules
    # run over a centre's open cases, never over the whole country at once.
    center_id = centre_asked(user, request.GET.get("center", ""))
    export = ExportForm.of(request)
    if export.is_valid():  # the whole list, not a page of it
        rows = [] if center_id is None else worklist_of(cases, center_id)
        title = _("Allowances that may be missed")
        columns = exports.allowance_columns(export)
        return export.response(
            request, exports.allowance_rows(rows), columns, name="allowances", title=title
        )
    return render(
        request,
        "cases/missed_allowance_list.html",
        {
            # Computed only when the page is written, not when it is served as kept
            # ({% keep %}, until the centre's data changes).
            "page": stamps.Later(lambda: allowance_page(cases, center_id, request.GET.get("page"))),
            "centres": None
            if center_id is not None
            else Center.objects.order_by("name").only("pk", "name"),
            "export": export,
        },
    )


def worklist_of(cases: CaseQuerySet, center_id: int) -> allowances.Worklist:
    return allowances.Worklist(cases, center_id, timezone.localdate())


def allowance_page(cases: CaseQuerySet, center_id: int | None, number: str | None) -> dict:
    """A page of the centre's flagged cases, with their count and the baht missed a
    month in all (none before a national administrator chooses a centre)."""
    rows: Sequence[allowances.Flagged] = []
    total_missed = Decimal(0)
    if center_id is not None:
        rows = worklist = worklist_of(cases, center_id)
        total_missed = worklist.total_missed
    page = Paginator(rows, PAGE_SIZE).get_page(number)
    if isinstance(rows, allowances.Worklist):
        page.object_list = rows.with_cases(list(page))
    return {"page_obj": page, "total_missed": total_missed, "flagged_count": len(rows)}


@coordinator_required
@require_http_methods(["GET", "POST"])
def case_allowance_dismiss(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A coordinator judges that a flag does not hold for this person, and says why."""
    case = get_visible_or_404(Case.objects, request.user, pk=pk)
    found, _dismissed = allowances.for_case(case, timezone.localdate())
    chosen = request.GET.get("rule")
    form = DismissForm(
        request.POST or None,
        found=found,
        initial={"rule": chosen if chosen in AllowanceRule.values else None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                AllowanceDismissal.objects.create(
                    case=case,
                    rule=form.cleaned_data["rule"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
        except IntegrityError:
            # Someone else dismissed the same flag a moment ago: it is done either way.
            pass
        messages.success(
            request,
            _("The flag “%(rule)s” is dismissed for this case.")
            % {"rule": AllowanceRule(form.cleaned_data["rule"]).label},
        )
        return redirect("cases:case-detail", pk=case.pk)
    return render(
        request,
        "cases/allowance_dismiss.html",
        {"case": case, "form": form, "found": found},
    )
