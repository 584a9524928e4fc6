"""The roster import's pages: upload → preview of every row → confirm.

Between preview and confirm the uploaded file waits in the default storage (the one
every app server shares, like visit photos) under a random name that only this
session knows; confirming reads and checks it again (the centre may have changed
meanwhile), imports it, and deletes it. Not re-upload: a person who has just read 300
rows should not have to find the file again; not the rows in the session: 5,000 rows
would make every request of the session carry them."""

from __future__ import annotations

import datetime
import secrets

from django import forms
from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from coordination.access import (
    AuthenticatedRequest,
    center_for_new_objects,
    coordinator_required,
)
from coordination.audit import log_access
from coordination.models import AccessLog
from coordination.tabular import MAX_UPLOAD_BYTES, SpreadsheetError, xlsx_response
from volunteers.imports import (
    COLUMNS,
    EXAMPLE,
    MAX_ROWS,
    Roster,
    RosterChanged,
    RosterError,
    import_roster,
    read_roster,
)

SESSION_KEY = "volunteer_import"


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Roster file (.xlsx or .csv)"),
        help_text=gettext_lazy("Up to 5,000 volunteers, headings as in the template."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB: a roster is far smaller.")
                % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


class ConfirmImportForm(forms.Form):
    # Which previewed file is confirmed: a second preview in another tab replaces the
    # stored file, and this one must not import that one unseen.
    sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)


def page(request: HttpRequest, form: RosterUploadForm, **context) -> HttpResponse:
    return render(
        request,
        "volunteers/volunteer_import.html",
        {"form": form, "max_rows": MAX_ROWS, "columns": [c[1] for c in COLUMNS], **context},
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def volunteer_import(request: AuthenticatedRequest) -> HttpResponse:
    center = center_for_new_objects(request.user)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return page(request, form)
    upload = form.cleaned_data["file"]
    try:
        roster = read_roster(upload, center)
    except (SpreadsheetError, RosterError) as error:
        form.add_error("file", str(error))
        return page(request, form)
    forget_stored(request)
    prune_stored()
    upload.seek(0)
    name = default_storage.save(f"imports/{secrets.token_hex(16)}.upload", upload)
    request.session[SESSION_KEY] = {"name": name, "sha256": roster.sha256}
    return page(
        request,
        RosterUploadForm(),
        roster=roster,
        confirm=ConfirmImportForm(initial={"sha256": roster.sha256}),
        filename=upload.name,
    )


@coordinator_required
@require_POST
def volunteer_import_confirm(request: AuthenticatedRequest) -> HttpResponse:
    center = center_for_new_objects(request.user)
    stored = request.session.get(SESSION_KEY) or {}
    form = ConfirmImportForm(request.POST)
    if not form.is_valid() or form.cleaned_data["sha256"] != stored.get("sha256"):
        messages.error(request, _("That preview is no longer current. Upload the file again."))
        return redirect("volunteers:volunteer-import")
    try:
        with default_storage.open(stored["name"], "rb") as file:
            roster: Roster = read_roster(file, center)
    except (OSError, SpreadsheetError, RosterError):
        forget_stored(request)
        messages.error(request, _("That preview is no longer current. Upload the file again."))
        return redirect("volunteers:volunteer-import")
    if not roster.ok:
        # The centre changed since the preview (someone registered one of them).
        return page(
            request,
            RosterUploadForm(),
            roster=roster,
            confirm=None,
            filename="",
            changed=True,
        )
    try:
        volunteers = import_roster(roster, center)
    except RosterChanged:
        messages.error(
            request,
            _("Someone registered one of these volunteers meanwhile; nothing was imported."),
        )
        return redirect("volunteers:volunteer-import")
    forget_stored(request)
    log_access(request, AccessLog.Action.IMPORT, file_sha256=roster.sha256)
    messages.success(request, _("%(count)d volunteers imported.") % {"count": len(volunteers)})
    return redirect("volunteers:volunteer-list")


def forget_stored(request: HttpRequest) -> None:
    stored = request.session.pop(SESSION_KEY, None)
    if stored and stored.get("name"):
        default_storage.delete(stored["name"])


def prune_stored() -> None:
    """Files of previews never confirmed (a closed tab): gone after a day."""
    try:
        _dirs, names = default_storage.listdir("imports")
    except FileNotFoundError:
        return
    day_ago = timezone.now() - datetime.timedelta(days=1)
    for name in names:
        path = f"imports/{name}"
        if default_storage.get_modified_time(path) < day_ago:
            default_storage.delete(path)


@coordinator_required
@require_http_methods(["GET"])
def volunteer_import_template(request: HttpRequest) -> HttpResponseBase:
    """An Excel file with the Thai headings and one example row."""
    headings = [thai for _key, thai, _english, _required in COLUMNS]
    return xlsx_response("roster-template.xlsx", [(_("Volunteers"), headings, [EXAMPLE])])
