"""The monthly report's page, print view and Excel file (cases/reports.py makes the figures).

It lives in cases, as the dashboard does: it counts cases and visits, and coordination
may not import cases (tests/test_dependencies.py); the root URLconf names it
`coordination:report-monthly`."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cases import reports
from coordination import stamps
from coordination.access import coordinator_required
from coordination.dates import display_year, format_month
from coordination.routers import reads_from_replica
from coordination.templatetags.thai import be_date

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@coordinator_required
@require_http_methods(["GET"])
@reads_from_replica  # the month's figures, counted on the replica when there is one
def report_monthly(request: HttpRequest) -> HttpResponse:
    """`?month=2019-04` or `?month=2562-04` (this month without it); `&format=xlsx`."""
    typed = request.GET.get("month", "").strip()
    error = ""
    try:
        month = reports.Month.parse(typed) if typed else reports.Month.current()
    except ValueError:
        error = _(
            "“%(month)s” is not a month. Write the year and the month, e.g. 2562-04 or 2019-04."
        ) % {"month": typed[:20]}
        month = None
    if month is not None and not month.has_begun:
        error = _("%(month)s has not begun yet: choose this month or an earlier one.") % {
            "month": format_month(month.first)
        }
        month = None
    if month is None:
        return render(
            request,
            "cases/report_monthly.html",
            {"error": error, "typed": typed, "sections": []},
            status=400,
        )
    title = _("Monthly report, %(month)s") % {"month": format_month(month.first)}
    scope = whose_and_when(request, month)
    if request.GET.get("format") == "xlsx":
        sections = reports.monthly_report(request.user, month)
        response = HttpResponse(reports.as_xlsx(sections, title, scope), content_type=XLSX)
        name = f"report-{display_year(month.first)}-{month.first.month:02d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(
        request,
        "cases/report_monthly.html",
        {
            "tables": report_tables(request, month),
            "month": month,
            "title": title,
            "scope": scope,
            # As the page writes years: 2569-11 on a Thai page, whatever the link said.
            "typed": f"{display_year(month.first)}-{month.first.month:02d}",
        },
    )


def report_tables(request: HttpRequest, month: reports.Month) -> str:
    """The report's tables as the page shows them: a dozen counts over the centre's
    cases, visits, referrals and help, kept until its data changes (coordination/stamps.py)."""

    def tables() -> str:
        sections = reports.monthly_report(request.user, month)
        return render_to_string("cases/_report_sections.html", {"sections": sections}, request)

    return stamps.kept(request, "monthly report", (month.value,), tables)


def whose_and_when(request: HttpRequest, month: reports.Month) -> str:
    """What the page and each sheet of its Excel file say under the heading: the centre
    (or all), the days, and that the month is under way when it is."""
    said = _("%(centre)s, from %(first)s to %(last)s") % {
        "centre": getattr(getattr(request.user, "center", None), "name", "") or _("All centres"),
        "first": be_date(month.first),
        "last": be_date(month.last),
    }
    if month.as_of < month.last:
        said += " " + _(
            "The month is under way: its figures “at month end” are as of today, %(day)s."
        ) % {"day": be_date(month.as_of)}
    return said
