"""A case's change history, read from django-simple-history's records of the case
and of what hangs on it: who changed which field, from what to what.

Each record is compared with the one before it of the same row by simple-history's own
`diff_against`. It reads a foreign key as the key stored in the row (its attname), so
comparing costs no query; reading `record.team` instead loaded a team, a user or a
subdistrict for every record (233 queries for a case with 55 visits). The keys that did
change are named afterwards, one query per kind of thing named."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.utils.translation import gettext as _
from simple_history.models import ModelChange

from cases.models import Case, HomeVisit, HouseholdMember, IncomeSource
from coordination.templatetags.thai import be_date, be_datetime, question_of, yes_no


def backdate(obj: models.Model, at: datetime, by: AbstractBaseUser | None = None) -> None:
    """Makes the history record of `obj`'s next save say it was written at `at` by `by`
    (loaded data: the record tells when it happened, not when it was loaded). These are
    simple-history's documented attributes; the model classes do not declare them."""
    obj._history_date = at  # type: ignore[attr-defined]
    if by is not None:
        obj._history_user = by  # type: ignore[attr-defined]


# The same on every record of a case: the page around the history says them already.
# Fields that are not editable (version, created_at, the visit's income figure) are left
# out by diff_against itself.
HIDDEN = ("center", "case")


@dataclass
class Change:
    at: datetime
    user: AbstractBaseUser | None
    subject: str
    kind: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class Diff:
    """A record and how it differs from the record before it, not yet put into words."""

    record: Any  # a historical model, made by simple-history at run time
    subject: str
    kind: str
    changes: list[ModelChange]


Names = dict[Any, dict[Any, models.Model]]  # by related model, then key


def shown(model_field: models.Field, value: Any, names: Names) -> str:
    """A recorded value as the case page writes it: labels of choices, names of related
    rows, yes/no in the words its question takes, dates in the reader's era (BE on Thai
    pages)."""
    if value in (None, "") or value == []:
        return "–"
    if model_field.many_to_one:
        named = names.get(model_field.related_model, {}).get(value)
        return str(named if named is not None else value)
    if isinstance(value, list):
        labels = dict(getattr(model_field, "base_field", model_field).flatchoices)
        return ", ".join(str(labels.get(item, item)) for item in value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return yes_no(value, question_of(model_field.name))
    if isinstance(value, datetime):
        return be_datetime(value)
    if isinstance(value, date):
        return be_date(value)
    return str(value)


def diffs_of(records: Iterable[Any], subject: str) -> list[Diff]:
    """Pairs each record with the one before it of the same object."""
    previous: dict[int, Any] = {}
    diffs = []
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        before = previous.get(record.id)
        previous[record.id] = record
        if record.history_type == "+":
            diffs.append(Diff(record, subject, _("added"), []))
        elif record.history_type == "-":
            diffs.append(Diff(record, subject, _("removed"), []))
        elif before is None:  # its earlier records are beyond the limit
            diffs.append(Diff(record, subject, _("changed"), []))
        else:
            # Many-to-many changes (target groups, volunteers present) would cost two
            # queries per record; the case page does not show them.
            many = [f.name for f in record._history_m2m_fields]
            delta = record.diff_against(before, excluded_fields=[*HIDDEN, *many])
            if delta.changes:
                diffs.append(Diff(record, subject, _("changed"), delta.changes))
    return diffs


def related_names(diffs: list[Diff]) -> Names:
    """The rows that changed foreign keys point at, one query per related model."""
    keys: dict[type[models.Model], set] = defaultdict(set)
    for diff in diffs:
        meta = diff.record.instance_type._meta
        for change in diff.changes:
            model_field = meta.get_field(change.field)
            if model_field.many_to_one:
                keys[model_field.related_model] |= {change.old, change.new} - {None}
    return {model: model._base_manager.in_bulk(pks) for model, pks in keys.items()}


def in_words(diff: Diff, names: Names) -> Change:
    meta = diff.record.instance_type._meta
    # In the order of the form, not diff_against's alphabetical one.
    position = {f.name: n for n, f in enumerate(meta.fields)}
    fields = []
    for change in sorted(diff.changes, key=lambda c: position.get(c.field, len(position))):
        model_field = meta.get_field(change.field)
        fields.append(
            (
                str(model_field.verbose_name),
                shown(model_field, change.old, names),
                shown(model_field, change.new, names),
            )
        )
    return Change(
        diff.record.history_date, diff.record.history_user, diff.subject, diff.kind, fields
    )


def case_history(case: Case, limit: int = 200) -> list[Change]:
    sources = [
        (Case.history.filter(id=case.pk), Case),
        (HouseholdMember.history.filter(case_id=case.pk), HouseholdMember),
        (IncomeSource.history.filter(case_id=case.pk), IncomeSource),
        (HomeVisit.history.filter(case_id=case.pk), HomeVisit),
    ]
    diffs: list[Diff] = []
    for records, model in sources:
        latest = records.select_related("history_user").order_by("-history_date")[:limit]
        diffs += diffs_of(latest, str(model._meta.verbose_name))
    diffs = sorted(diffs, key=lambda d: d.record.history_date, reverse=True)[:limit]
    names = related_names(diffs)
    return [in_words(diff, names) for diff in diffs]
