"""A case's change history, read from django-simple-history's records of the case
and of what hangs on it: who changed which field, from what to what.

Each record is compared with the one before it of the same row by simple-history's own
`diff_against`. It reads a foreign key as the key stored in the row (its attname), so
comparing costs no query; reading `record.team` instead loaded a team, a user or a
subdistrict for every record (233 queries for a case with 55 visits). The keys that did
change are named afterwards, one query per kind of thing named."""

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.db.models import F, Q, Window
from django.db.models.functions import Lag, RowNumber
from django.utils.translation import gettext as _
from simple_history.models import ModelChange

from cases.models import Case, Debt, HomeVisit, HouseholdMember, IncomeSource
from coordination.amounts import baht
from coordination.compiled import filled_in
from coordination.models import User
from coordination.templatetags.thai import be_date, be_datetime, question_of, yes_no


def backdate(obj: models.Model, at: datetime, by: AbstractBaseUser | None = None) -> None:
    """Makes the history record of `obj`'s next save say it was written at `at` by `by`
    (loaded data: the record tells when it happened, not when it was loaded). These are
    simple-history's documented attributes; the model classes do not declare them."""
    obj._history_date = at  # type: ignore[attr-defined]
    if by is not None:
        obj._history_user = by  # type: ignore[attr-defined]


# The same on every record of a case's rows: the page around the history says them
# already. (A case's own centre is shown: it changes when the case moves, in the admin.)
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
    if isinstance(model_field, models.DecimalField) and model_field.decimal_places == 2:
        return baht(value)  # the amounts (coordinates have six places)
    if isinstance(value, datetime):
        return be_datetime(value)
    if isinstance(value, date):
        return be_date(value)
    return str(value)


def diff_of(record: Any, before: Any, subject: str) -> Diff | None:
    """How `record` differs from `before`, the record before it of the same object (None
    when that is beyond the limit); None when nothing the page shows changed."""
    if record.history_type == "+":
        return Diff(record, subject, _("added"), [])
    if record.history_type == "-":
        return Diff(record, subject, _("removed"), [])
    if before is None:  # its earlier records are beyond the limit
        return Diff(record, subject, _("changed"), [])
    # Many-to-many changes (target groups, volunteers present) would cost two
    # queries per record; the case page does not show them.
    many = [f.name for f in record._history_m2m_fields]
    hidden = [name for name in HIDDEN if record.instance_type is not Case or name != "center"]
    delta = record.diff_against(before, excluded_fields=[*hidden, *many])
    return Diff(record, subject, _("changed"), delta.changes) if delta.changes else None


def with_previous(records: Iterable[Any], subject: str) -> list[tuple[Any, Any, str]]:
    """Pairs each record with the one before it of the same object, oldest first."""
    previous: dict[int, Any] = {}
    pairs = []
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        pairs.append((record, previous.get(record.id), subject))
        previous[record.id] = record
    return pairs


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


NAMED = (HouseholdMember, IncomeSource, Debt)


def in_words(diff: Diff, names: Names) -> Change:
    meta = diff.record.instance_type._meta
    # In the order of the form, not diff_against's alphabetical one.
    position = {f.name: n for n, f in enumerate(meta.fields)}
    fields = []
    for change in sorted(diff.changes, key=lambda c: position.get(c.field, len(position))):
        model_field = meta.get_field(change.field)
        fields.append(
            (
                Case.label_of(change.field)
                if meta.model is Case
                else str(model_field.verbose_name),
                shown(model_field, change.old, names),
                shown(model_field, change.new, names),
            )
        )
    # A member, an income, a debt: named in its line ("removed a household member" did not
    # say whom). The case and its visits are the page's own.
    subject = f"{diff.subject} {diff.record.instance}" if meta.model in NAMED else diff.subject
    return Change(diff.record.history_date, diff.record.history_user, subject, diff.kind, fields)


@functools.cache
def historical_model(model: type[models.Model]) -> type[models.Model]:
    return model.history.model  # type: ignore[attr-defined]


def records_of(model: type[models.Model]) -> models.QuerySet:
    """All history records of `model`: `Model.history` without an instance, whose
    descriptor makes a new manager class at each use (0.3 ms of CPU, four a page)."""
    return historical_model(model)._default_manager.all()


# A case's pk and a number of records no case has, in place of the real ones in the
# SQL compiled once per process (latest_sql).
ANY_CASE = 2_147_483_645
ANY_COUNT = 2_147_483_644

# Who made a record, as the history names them (as User.shown_name does).
USER_COLUMNS = ("username", "first_name", "last_name")


def latest_with_previous_query(records: models.QuerySet, count: int) -> models.QuerySet:
    """The newest `count` of `records` and, for each, the record before it of the same
    row however long ago that was (PostgreSQL's LAG names it, and the same query reads
    it), newest first; with the name of who made each (`by_*`)."""
    newest_first = [F("history_date").desc(), F("history_id").desc()]
    ranked = records.annotate(
        previous_id=Window(
            Lag("history_id"),
            partition_by=[F("id")],
            order_by=[F("history_date").asc(), F("history_id").asc()],
        ),
        newness=Window(RowNumber(), order_by=newest_first),
    ).filter(newness__lte=count)
    return (
        records.filter(
            Q(history_id__in=ranked.values("history_id"))
            | Q(history_id__in=ranked.values("previous_id"))
        )
        .annotate(**{f"by_{name}": F(f"history_user__{name}") for name in USER_COLUMNS})
        .order_by(*newest_first)
    )


@functools.cache
def latest_sql(model: type[models.Model], key: str) -> tuple[str, tuple]:
    """latest_with_previous_query()'s SQL for the records of ANY_CASE (by `key`) and
    ANY_COUNT, built by the ORM once per process: building and compiling its window
    subqueries was three quarters of the history's time: 11.7 ms of CPU a case page,
    2.2 ms compiled once (national data, the busiest case), the SQL itself under a
    millisecond each."""
    records = records_of(model).filter(**{key: ANY_CASE})
    return latest_with_previous_query(records, ANY_COUNT).query.sql_with_params()


def latest_with_previous(
    model: type[models.Model], key: str, case: Case, count: int
) -> tuple[list, bool]:
    """The newest `count` records of `model` whose `key` is the case, each paired with
    the record before it of the same row, newest first; and whether there are older
    records than those read. Without its own previous record, the oldest change read
    of a row was shown with nothing to compare it with."""
    sql, params = latest_sql(model, key)
    values = filled_in(params, {ANY_CASE: case.pk, ANY_COUNT: count})
    rows: list[Any] = list(historical_model(model)._default_manager.raw(sql, values))
    for record in rows:
        record.history_user = made_by(record)
    latest = {record.history_id for record in rows[:count]}
    subject = str(model._meta.verbose_name)
    pairs = [pair for pair in with_previous(rows, subject) if pair[0].history_id in latest]
    return pairs, len(rows) >= count


def made_by(record: Any) -> AbstractBaseUser | None:
    """Who made `record`, from its `by_*` columns: the user as select_related would have
    read them, only their names."""
    if record.history_user_id is None:
        return None
    read = {"id": record.history_user_id} | {
        name: getattr(record, f"by_{name}") for name in USER_COLUMNS
    }
    # from_db() takes the values in the order of the model's fields.
    names = [f.attname for f in User._meta.concrete_fields if f.attname in read]
    return User.from_db(record._state.db, names, [read[name] for name in names])


def case_history(case: Case, limit: int = 200) -> list[Change]:
    """The newest `limit` changes of the case and of what hangs on it, newest first.
    Records are compared newest first and only until `limit` changes are found:
    comparing all the records read (up to `limit` of each kind, 200 for a case with
    many visits) was most of this function's time, for changes the page did not show.
    A record that shows no change (an edit saved as it was, a change of target groups
    alone) is no line: while fewer than `limit` are found and older records remain,
    four times as many of each kind are read."""
    sources = [
        (Case, "id"),
        (HouseholdMember, "case_id"),
        (IncomeSource, "case_id"),
        (Debt, "case_id"),
        (HomeVisit, "case_id"),
    ]
    count = limit
    while True:
        pairs: list[tuple[Any, Any, str]] = []
        older = False
        for model, key in sources:
            latest, more = latest_with_previous(model, key, case, count)
            pairs += latest
            older |= more
        # Stable: records of the same time keep the order of the sources, then their own.
        pairs.sort(key=lambda pair: pair[0].history_date, reverse=True)
        diffs: list[Diff] = []
        for record, before, subject in pairs:
            if (diff := diff_of(record, before, subject)) is not None:
                diffs.append(diff)
                if len(diffs) == limit:
                    break
        if len(diffs) == limit or not older:
            break
        count *= 4
    names = related_names(diffs)
    return [in_words(diff, names) for diff in diffs]
