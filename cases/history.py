"""A case's change history, read from django-simple-history's records of the case
and of what hangs on it: who changed which field, from what to what."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.translation import gettext as _

from cases.models import Case, HomeVisit, HouseholdMember, IncomeSource
from coordination.templatetags.thai import be_date, be_datetime, question_of, yes_no

HIDDEN = {"version", "updated_at", "created_at", "center", "case", "monthly_income"}


@dataclass
class Change:
    at: datetime
    user: object
    subject: str
    kind: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)


def shown(record, name: str) -> str:
    """A recorded value as the case page writes it: labels of choices, yes/no in the
    words its question takes, dates in the reader's era (BE on Thai pages)."""
    value = getattr(record, name)
    model_field = record.instance_type._meta.get_field(name)
    if value in (None, "") or value == []:
        return "–"
    if isinstance(value, list):
        labels = dict(getattr(model_field, "base_field", model_field).flatchoices)
        return ", ".join(str(labels.get(item, item)) for item in value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return yes_no(value, question_of(name))
    if isinstance(value, datetime):
        return be_datetime(value)
    if isinstance(value, date):
        return be_date(value)
    return str(value)


def changes_of(records, label: str) -> list[Change]:
    """Pairs each record with the one before it of the same object."""
    previous: dict[int, object] = {}
    changes = []
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        model = record.instance_type
        names = [
            f.name
            for f in model._meta.concrete_fields
            if f.name not in HIDDEN and f.name in {h.name for h in record._meta.fields}
        ]
        before = previous.get(record.id)
        if record.history_type == "+" or before is None:
            kind = _("added") if record.history_type == "+" else _("changed")
            fields = []
        elif record.history_type == "-":
            kind, fields = _("removed"), []
        else:
            kind = _("changed")
            fields = [
                (str(model._meta.get_field(n).verbose_name), shown(before, n), shown(record, n))
                for n in names
                if getattr(before, n) != getattr(record, n)
            ]
            if not fields:
                previous[record.id] = record
                continue
        changes.append(Change(record.history_date, record.history_user, f"{label}", kind, fields))
        previous[record.id] = record
    return changes


def case_history(case: Case, limit: int = 200) -> list[Change]:
    sources = [
        (Case.history.filter(id=case.pk), str(Case._meta.verbose_name)),
        (HouseholdMember.history.filter(case_id=case.pk), str(HouseholdMember._meta.verbose_name)),
        (IncomeSource.history.filter(case_id=case.pk), str(IncomeSource._meta.verbose_name)),
        (HomeVisit.history.filter(case_id=case.pk), str(HomeVisit._meta.verbose_name)),
    ]
    changes = []
    for records, label in sources:
        changes += changes_of(
            records.select_related("history_user").order_by("-history_date")[:limit], label
        )
    return sorted(changes, key=lambda c: c.at, reverse=True)[:limit]
