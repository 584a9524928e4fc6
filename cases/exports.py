"""What the case lists export (coordination/exports.py says how): the columns of the case
list and of the follow-up worklist. A list with other columns defines its own next to
its view and hands them to `ExportForm.response`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cases.models import Case
from coordination.exports import ExportForm
from coordination.tabular import Column

# Rows are read in chunks from a server-side cursor; prefetches run once per chunk.
CHUNK = 2000


def lives_in(case: Case):
    return case.reg_subdistrict if case.current_same_as_registered else case.cur_subdistrict


def case_columns(export: ExportForm) -> list[Column]:
    return [
        Column(_("Case number"), lambda c: c.number),
        Column(_("Name"), lambda c: c.full_name),
        export.id_column(_("National ID number"), lambda c: c.national_id),
        Column(_("Age"), lambda c: c.age()),
        Column(_("Target groups"), lambda c: ", ".join(g.name for g in c.target_groups.all())),
        Column(_("Team"), lambda c: c.team.name if c.team else ""),
        Column(_("Status"), lambda c: c.get_status_display()),
        Column(_("Priority"), lambda c: c.get_priority_display()),
        Column(_("Subdistrict"), lambda c: str(lives_in(c) or "")),
        Column(_("Phone"), lambda c: c.phone),
        Column(_("Opened"), lambda c: c.opened_on),
        Column(_("Last visit"), lambda c: c.last_visit_at),
        Column(_("Next visit due"), lambda c: c.next_visit_due),
        Column(_("closed on"), lambda c: c.closed_on),
    ]


def followup_columns(export: ExportForm) -> list[Column]:
    return [
        Column(_("Case number"), lambda c: c.number),
        Column(_("Name"), lambda c: c.full_name),
        export.id_column(_("National ID number"), lambda c: c.national_id),
        Column(_("Team"), lambda c: c.team.name if c.team else ""),
        Column(_("Subdistrict"), lambda c: str(lives_in(c) or "")),
        Column(_("Phone"), lambda c: c.phone),
        Column(_("Last visit"), lambda c: c.last_visit_at),
        Column(_("Next visit due"), lambda c: c.next_visit_due),
        Column(_("Days overdue"), lambda c: c.days_overdue()),
    ]
