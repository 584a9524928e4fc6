"""The roster import's pages: upload → preview of every row → confirm, as every import
goes (coordination/import_views.py)."""

from __future__ import annotations

from django import forms
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from coordination.access import AuthenticatedRequest, coordinator_required
from coordination.import_views import (
    Importer,
    ImportUploadForm,
    confirm,
    template_response,
    upload_and_preview,
)
from volunteers.imports import COLUMNS, EXAMPLE, import_roster, read_roster


class RosterUploadForm(ImportUploadForm):
    file = forms.FileField(
        label=gettext_lazy("Roster file (.xlsx or .csv)"),
        help_text=gettext_lazy("Up to 5,000 volunteers, headings as in the template."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


ROSTER = Importer(
    session_key="volunteer_import",
    template="volunteers/volunteer_import.html",
    page_url="volunteers:volunteer-import",
    done_url="volunteers:volunteer-list",
    form_class=RosterUploadForm,
    columns=COLUMNS,
    read=read_roster,
    save=import_roster,
    done_message=lambda count: _("%(count)d volunteers imported.") % {"count": count},
    changed_message=lambda: _(
        "Someone registered one of these volunteers meanwhile; nothing was imported."
    ),
)


@coordinator_required
@require_http_methods(["GET", "POST"])
def volunteer_import(request: AuthenticatedRequest) -> HttpResponse:
    return upload_and_preview(request, ROSTER)


@coordinator_required
@require_POST
def volunteer_import_confirm(request: AuthenticatedRequest) -> HttpResponse:
    return confirm(request, ROSTER)


@coordinator_required
@require_http_methods(["GET"])
def volunteer_import_template(request: AuthenticatedRequest) -> HttpResponseBase:
    """An Excel file with the Thai headings and one example row."""
    return template_response(ROSTER, "roster-template.xlsx", _("Volunteers"), EXAMPLE)
