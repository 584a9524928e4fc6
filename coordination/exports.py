"""A list page's export to Excel or CSV: the rows the page's filters choose (all of them,
not one page), national IDs masked unless the coordinator asks for them whole and says
why — and that goes to the access log. A list wires it in three lines:

    export = ExportForm.of(request)
    if export.is_valid():
        return export.response(request, rows, COLUMNS, name="cases", title=_("Cases"))

and its template includes `includes/_export.html` with `export` in the context."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordination import dates
from coordination.audit import log_access
from coordination.models import AccessLog
from coordination.routers import in_this_context, replica_configured, replica_reads
from coordination.tabular import FORMATS, Column, table_response
from coordination.validators import format_national_id, mask_national_id


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("File"),
        choices=[("xlsx", _("Excel (.xlsx)")), ("csv", _("CSV (UTF-8)"))],
        initial="xlsx",
        widget=forms.RadioSelect,
    )
    full_ids = forms.BooleanField(
        label=_("Full national ID numbers"),
        required=False,
        help_text=_("Otherwise they are masked (3-1234-xxxxx-xx-1). Your reason is logged."),
    )
    reason = forms.CharField(
        label=_("Reason for full ID numbers"),
        max_length=300,
        required=False,
    )

    @classmethod
    def of(cls, request: HttpRequest) -> ExportForm:
        """Bound when an export is asked for: the form posted from the list page, or
        `?format=csv|xlsx` in a link (masked IDs only: a link carries no reason)."""
        if request.method == "POST":
            return cls(request.POST, prefix="export")
        if request.GET.get("format") in FORMATS:
            return cls({"export-format": request.GET["format"]}, prefix="export")
        return cls(prefix="export")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["reason"] = (cleaned.get("reason") or "").strip()
        if cleaned.get("full_ids") and not cleaned["reason"]:
            self.add_error("reason", _("Say why the full national ID numbers are needed."))
        return cleaned

    def national_id(self, value: str) -> str:
        """The ID as this export shows it: whole only when asked for with a reason."""
        # Whole IDs with dashes: Excel would turn 13 bare digits into 3.12346E+12.
        full = self.cleaned_data["full_ids"]
        return format_national_id(value) if full else mask_national_id(value)

    def response(
        self,
        request: HttpRequest,
        rows: Iterable[Any],
        columns: Sequence[Column],
        *,
        name: str,
        title: str,
    ) -> StreamingHttpResponse | FileResponse:
        """The file of `rows`, logged; call is_valid() first. Columns reading a national
        ID go through `self.national_id` (see `id_column`)."""
        data = self.cleaned_data
        log_access(
            request,
            AccessLog.Action.EXPORT_LIST,
            reason=data["reason"] if data["full_ids"] else "",
        )
        stamp = dates.file_stamp(timezone.localtime())
        # The rows from the replica when there is one (the access log above does not count
        # as a write the export reads back). A CSV streams: its rows are read after the
        # view has returned, so they keep this context.
        with replica_reads():
            if replica_configured():
                rows = in_this_context(rows)
            return table_response(data["format"], f"{name}-{stamp}", str(title), columns, rows)

    def id_column(self, heading: Any, read: Any) -> Column:
        return Column(heading, lambda row: self.national_id(read(row) or ""))
