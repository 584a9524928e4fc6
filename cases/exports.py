"""What the case lists export (coordination/exports.py says how): the columns of the case
list and of the follow-up worklist. A list with other columns defines its own next to
its view and hands them to `ExportForm.response`.

Tens of thousands of rows go through here: labels are looked up once per export, not
per row (Django's get_FOO_display() rebuilds its choices map on every call), and the
target groups come as an array of keys from one subquery rather than a prefetch."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from cases.models import Assistance, Case, Referral
from coordination.choices import person_namer
from coordination.exports import ExportForm
from coordination.models import TargetGroup
from coordination.tabular import Column

# Rows are read in chunks from a server-side cursor.
CHUNK = 2000


def chunked(rows: QuerySet) -> Iterator:
    """A list's rows as its export reads them: from a server-side cursor, a chunk at a time."""
    return rows.iterator(chunk_size=CHUNK)


def export_rows(cases: QuerySet) -> Iterator:
    """The filtered cases as an export reads them, in chunks."""
    groups = (
        Case.target_groups.through.objects.filter(case_id=OuterRef("pk"))
        .order_by("targetgroup__position")
        .values("targetgroup_id")
    )
    return chunked(
        cases.select_related("team", "cur_subdistrict", "reg_subdistrict").annotate(
            group_ids=ArraySubquery(groups)
        )
    )


def labels(choices) -> dict:
    return {value: str(label) for value, label in choices}


def lives_in(case: Case) -> str:
    place = case.reg_subdistrict if case.current_same_as_registered else case.cur_subdistrict
    return place.name if place else ""


def person_columns(export: ExportForm) -> list[Column]:
    name = person_namer()
    return [
        Column(_("Case number"), lambda c: c.number),
        Column(_("Name"), lambda c: name(c.prefix, c.first_name, c.last_name)),
        export.id_column(_("National ID number"), lambda c: c.national_id),
    ]


def case_columns(export: ExportForm) -> list[Column]:
    today = timezone.localdate()
    groups = {group.pk: group.name for group in TargetGroup.objects.all()}
    statuses, priorities = labels(Case.Status.choices), labels(Case.Priority.choices)
    return [
        *person_columns(export),
        Column(_("Age"), lambda c: c.age(today)),
        Column(_("Target groups"), lambda c: ", ".join(groups[pk] for pk in c.group_ids or [])),
        Column(_("Team"), lambda c: c.team.name if c.team else ""),
        Column(_("Status"), lambda c: statuses.get(c.status, c.status)),
        Column(_("Priority"), lambda c: priorities.get(c.priority, c.priority)),
        Column(_("Subdistrict"), lives_in),
        Column(_("Phone"), lambda c: c.phone),
        Column(_("Opened"), lambda c: c.opened_on),
        Column(_("Last visit"), lambda c: c.last_visit_at),
        Column(_("Next visit due"), lambda c: c.next_visit_due),
        Column(_("closed on"), lambda c: c.closed_on),
    ]


def followup_columns(export: ExportForm) -> list[Column]:
    today = timezone.localdate()
    return [
        *person_columns(export),
        Column(_("Team"), lambda c: c.team.name if c.team else ""),
        Column(_("Subdistrict"), lives_in),
        Column(_("Phone"), lambda c: c.phone),
        Column(_("Last visit"), lambda c: c.last_visit_at),
        Column(_("Next visit due"), lambda c: c.next_visit_due),
        Column(_("Days overdue"), lambda c: c.days_overdue(today)),
    ]


def allowance_rows(rows: Sequence) -> Iterator:
    """The missed-allowance worklist's rows (a centre's flagged cases, an
    `allowances.Worklist`), each with its case loaded, a chunk at a time."""
    for start in range(0, len(rows), CHUNK):
        yield from rows.with_cases(rows[start : start + CHUNK])  # type: ignore[attr-defined]


def of_case(column: Column) -> Column:
    """A case's column read from a worklist row that carries the case."""
    return Column(column.heading, lambda row: column.value(row.case))


def allowance_columns(export: ExportForm) -> list[Column]:
    return [
        *(of_case(column) for column in person_columns(export)),
        Column(_("Team"), lambda r: r.case.team.name if r.case.team else ""),
        Column(_("Flags"), lambda r: "; ".join(finding.label for finding in r.found)),
        Column(_("Missed per month"), lambda r: r.missed),
    ]


def label_of(model, name: str) -> str:
    """A column named as the model names its field (the admin and the forms do too)."""
    return capfirst(model._meta.get_field(name).verbose_name)


def assistance_columns(export: ExportForm) -> list[Column]:
    """The assistance list's rows: help given, with its person (`row.case`)."""
    kinds = labels(Assistance.Kind.choices)
    field = functools.partial(label_of, Assistance)
    return [
        *(of_case(column) for column in person_columns(export)),
        Column(field("kind"), lambda a: kinds.get(a.kind, a.kind)),
        Column(field("amount"), lambda a: a.amount),
        Column(field("given_on"), lambda a: a.given_on),
        Column(field("fiscal_year"), lambda a: a.fiscal_year),
        Column(field("provider"), lambda a: a.provider.name if a.provider else ""),
        Column(field("description"), lambda a: a.description),
        Column(field("exception_reason"), lambda a: a.exception_reason),
    ]


def referral_columns(export: ExportForm) -> list[Column]:
    """The referral list's rows: a letter each, with its person (`row.case`)."""
    statuses = labels(Referral.Status.choices)
    field = functools.partial(label_of, Referral)
    return [
        Column(field("letter_seq"), lambda r: r.letter_number),
        *(of_case(column) for column in person_columns(export)),
        Column(field("agency"), lambda r: r.agency.name),
        Column(field("sent_on"), lambda r: r.sent_on),
        Column(field("reply_by"), lambda r: r.reply_by),
        Column(field("status"), lambda r: statuses.get(r.status, r.status)),
        Column(field("outcome"), lambda r: r.outcome),
    ]
