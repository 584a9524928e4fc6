"""The case import's pages: upload → preview of every row → confirm, as every import
goes (coordination/import_views.py)."""

from __future__ import annotations

from django import forms
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from cases.imports import COLUMNS, EXAMPLE, import_cases, read_cases
from coordination.access import AuthenticatedRequest, coordinator_required
from coordination.import_views import (
    Importer,
    ImportUploadForm,
    confirm,
    template_response,
    upload_and_preview,
)


class CaseFileUploadForm(ImportUploadForm):
    file = forms.FileField(
        label=gettext_lazy("File of cases (.xlsx or .csv)"),
        help_text=gettext_lazy("Up to 5,000 people, headings as in the template."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


CASES = Importer(
    session_key="case_import",
    template="cases/case_import.html",
    page_url="cases:case-import",
    done_url="cases:case-list",
    form_class=CaseFileUploadForm,
    columns=COLUMNS,
    read=read_cases,
    save=import_cases,
    done_message=lambda count: _("%(count)d cases imported.") % {"count": count},
    changed_message=lambda: _(
        "Someone opened a case for one of these people meanwhile; nothing was imported."
    ),
)


@coordinator_required
@require_http_methods(["GET", "POST"])
def case_import(request: AuthenticatedRequest) -> HttpResponse:
    return upload_and_preview(request, CASES)


@coordinator_required
@require_POST
def case_import_confirm(request: AuthenticatedRequest) -> HttpResponse:
    return confirm(request, CASES)


@coordinator_required
@require_http_methods(["GET"])
def case_import_template(request: AuthenticatedRequest) -> HttpResponseBase:
    """An Excel file with the Thai headings and one example row."""
    return template_response(CASES, "cases-template.xlsx", _("Cases"), EXAMPLE)
