"""The pages every import shares: upload → preview of every row → confirm (the volunteer
roster, cases). Each app's views say what is imported (an Importer) and call these.

Between preview and confirm the uploaded file waits in the default storage (the one
every app server shares, like visit photos) under a random name that only this
session knows; confirming reads and checks it again (the centre may have changed
meanwhile), imports it, and deletes it. Not re-upload: a person who has just read 300
rows should not have to find the file again; not the rows in the session: 5,000 rows
would make every request of the session carry them."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from coordination.access import (
    AuthenticatedRequest,
    center_for_new_objects,
    coordinator_required,
)
from coordination.audit import log_access
from coordination.imports import (
    MAX_ROWS,
    ImportChanged,
    ImportColumn,
    ImportFileError,
    ImportTable,
)
from coordination.models import AccessLog, Center
from coordination.tabular import MAX_UPLOAD_BYTES, SpreadsheetError, xlsx_response

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ImportUploadForm(forms.Form):
    file = forms.FileField(widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))

    def __init__(self, *args, importer: Importer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].label = importer.file_label
        self.fields["file"].help_text = importer.file_help

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


@dataclass(frozen=True)
class Importer:
    """What one import reads and saves, where its pages are and what they say (one
    template, coordination/import_page.html, serves every import)."""

    session_key: str
    page_url: str  # the upload page's URL name
    confirm_url: str
    template_url: str
    done_url: str  # where a finished import goes
    columns: Sequence[ImportColumn]
    read: Callable[[IO[bytes], Center], ImportTable]
    save: Callable[..., list]  # (table, centre, by=user): all rows or ImportChanged
    # The template file: its name, its sheet's title, the example row under the headings.
    template_file: tuple[str, StrOrPromise, Sequence[Any]]
    # The page's words (lazy: read in the request's language); `ready` and `button`
    # are ngettext_lazy with a `count`, `intro` has a `limit`.
    title: StrOrPromise
    file_label: StrOrPromise
    file_help: StrOrPromise
    upload_heading: StrOrPromise
    intro: StrOrPromise
    hints: Sequence[StrOrPromise]
    ready: StrOrPromise
    button: StrOrPromise
    done: StrOrPromise  # with a `count`
    changed: StrOrPromise  # a unique key taken meanwhile: nothing imported

    def views(self) -> tuple[Callable, Callable, Callable]:
        """The import's three views: the upload page (GET, POST), the confirm (POST) and
        the template file (GET), coordinators only."""

        @coordinator_required
        @require_http_methods(["GET", "POST"])
        def upload(request: AuthenticatedRequest) -> HttpResponse:
            return upload_and_preview(request, self)

        @coordinator_required
        @require_POST
        def confirm_upload(request: AuthenticatedRequest) -> HttpResponse:
            return confirm(request, self)

        @coordinator_required
        @require_http_methods(["GET"])
        def template(request: AuthenticatedRequest) -> HttpResponseBase:
            """An Excel file with the Thai headings and one example row."""
            filename, title, example = self.template_file
            headings = [column.thai for column in self.columns]
            return xlsx_response(filename, [(str(title), headings, [example])])

        return upload, confirm_upload, template


def page(
    request: HttpRequest, importer: Importer, form: forms.Form, **context: Any
) -> HttpResponse:
    table = context.get("table")
    count = len(table.rows) if table else 0
    return render(
        request,
        "coordination/import_page.html",
        {
            "importer": importer,
            "form": form,
            "intro": importer.intro % {"limit": f"{MAX_ROWS:,}"},
            "ready": importer.ready % {"count": count},
            "button": importer.button % {"count": count},
            "columns": [column.thai for column in importer.columns],
            **context,
        },
    )


def upload_and_preview(request: AuthenticatedRequest, importer: Importer) -> HttpResponse:
    center = center_for_new_objects(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None, importer=importer)
    if request.method != "POST" or not form.is_valid():
        return page(request, importer, form)
    upload = form.cleaned_data["file"]
    try:
        table = importer.read(upload, center)
    except (SpreadsheetError, ImportFileError) as error:
        form.add_error("file", str(error))
        return page(request, importer, form)
    forget_stored(request, importer)
    prune_stored()
    upload.seek(0)
    name = default_storage.save(f"imports/{secrets.token_hex(16)}.upload", upload)
    request.session[importer.session_key] = {"name": name, "sha256": table.sha256}
    return page(
        request,
        importer,
        ImportUploadForm(importer=importer),
        table=table,
        confirm=ConfirmImportForm(initial={"sha256": table.sha256}),
        filename=upload.name,
    )


def confirm(request: AuthenticatedRequest, importer: Importer) -> HttpResponse:
    center = center_for_new_objects(request.user)
    stored = request.session.get(importer.session_key) or {}
    form = ConfirmImportForm(request.POST)
    if not form.is_valid() or form.cleaned_data["sha256"] != stored.get("sha256"):
        messages.error(request, _("That preview is no longer current. Upload the file again."))
        return redirect(importer.page_url)
    try:
        with default_storage.open(stored["name"], "rb") as file:
            table = importer.read(file, center)
    except (OSError, SpreadsheetError, ImportFileError):
        forget_stored(request, importer)
        messages.error(request, _("That preview is no longer current. Upload the file again."))
        return redirect(importer.page_url)
    if not table.ok:
        # The centre changed since the preview (someone registered one of them).
        return page(
            request,
            importer,
            ImportUploadForm(importer=importer),
            table=table,
            confirm=None,
            filename="",
            changed=True,
        )
    try:
        saved = importer.save(table, center, by=request.user)
    except ImportChanged:
        messages.error(request, str(importer.changed))
        return redirect(importer.page_url)
    forget_stored(request, importer)
    log_access(request, AccessLog.Action.IMPORT, file_sha256=table.sha256)
    messages.success(request, importer.done % {"count": len(saved)})
    return redirect(importer.done_url)


def forget_stored(request: HttpRequest, importer: Importer) -> None:
    stored = request.session.pop(importer.session_key, None)
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
