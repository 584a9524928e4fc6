from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from cases.models.assistance import AssistanceKind, CapUse
from cases.models.case import (
    Case,
    CaseChild,
    CaseEventKind,
)
from coordination.amounts import baht
from coordination.templatetags.thai import be_date
from volunteers.models import Team


class CaseEvent(CaseChild):
    """What happened to a case and who did it: opening, status changes, team
    assignments, closing and reopening. Append-only."""

    Kind = CaseEventKind

    case = models.ForeignKey(Case, models.CASCADE, related_name="events", verbose_name=_("case"))
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    status_from = models.CharField(
        _("from status"), max_length=20, choices=Case.Status.choices, blank=True
    )
    status_to = models.CharField(
        _("to status"), max_length=20, choices=Case.Status.choices, blank=True
    )
    team = models.ForeignKey(
        Team, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("team")
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    # What a note the app writes is made of (help's kind and amount, a conference's day
    # and place, a merge, a corrected visit's fields), written out in the reader's
    # language when shown (CaseEvent.text): a sentence stored whole stayed in the
    # language of whoever caused it. `note` keeps what a person typed.
    details = models.JSONField(_("details"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [
            models.Index(fields=["center", "case", "-at"], name="case_event_center_case_at"),
            # The national administrator's admin list, every centre's rows newest first,
            # and its date drill-down (one probe a year or month, coordination.admin_dates):
            # without it the list sorted the whole table (10.6 million events: 18 s, national).
            models.Index(fields=["at"], name="case_event_at"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()}"

    @property
    def text(self) -> str:
        """The note as the reader's language writes it: what the app wrote (from
        `details`), then what a person typed."""
        writer = WRITERS.get(self.kind)
        if not (self.details and writer):
            return self.note
        try:
            written = writer(self.details)
        except (KeyError, TypeError, ValueError, ArithmeticError):  # a shape not known
            return self.note
        return f"{written} · {self.note}" if self.note else written


def help_given(details: dict) -> str:
    """The help and its amount; over a cap, the cap and what was given before."""
    given = f"{AssistanceKind(details['help']).label} {baht(Decimal(details['amount']))}"
    if "cap" in details:
        return f"{given} · {CapUse.from_details(details['cap']).message()}"
    return given


def conference_held(details: dict) -> str:
    return f"{be_date(datetime.date.fromisoformat(details['held_on']))} {details['place']}"


def merged(details: dict) -> str:
    values = {"number": details["number"], "count": details["count"]}
    if details["merged"] == "into":
        return (
            ngettext(
                "merged into %(number)s; %(count)d record moved",
                "merged into %(number)s; %(count)d records moved",
                details["count"],
            )
            % values
        )
    written = (
        ngettext(
            "%(number)s merged into this case; %(count)d record moved",
            "%(number)s merged into this case; %(count)d records moved",
            details["count"],
        )
        % values
    )
    # The caps its help took this case over (CaseMerge.caps_passed).
    passed = [CapUse.from_details(use).message() for use in details.get("over_cap", [])]
    return " · ".join([written, *passed])


def visit_corrected(details: dict) -> str:
    """The correction form's labels of the fields changed (the form's own fields too:
    the visit's date, its photos)."""
    from cases.forms import VisitCorrectionForm  # the form names the fields changed

    fields = VisitCorrectionForm.base_fields
    labels = [str(fields[name].label) if name in fields else name for name in details["fields"]]
    return gettext("Visit of %(date)s: %(fields)s") % {
        "date": be_date(datetime.datetime.fromisoformat(details["visited_at"])),
        "fields": ", ".join(labels) or "–",
    }


def merge_undone(details: dict) -> str:
    return gettext("merge of %(duplicate)s into %(kept)s undone") % {
        "duplicate": details["undone"],
        "kept": details["kept"],
    }


WRITERS: dict[str, Callable[[dict], str]] = {
    CaseEventKind.ASSISTANCE: help_given,
    CaseEventKind.ASSISTANCE_OVER_CAP: help_given,
    CaseEventKind.CONFERENCE: conference_held,
    CaseEventKind.MERGED: merged,
    CaseEventKind.VISIT_CORRECTED: visit_corrected,
    CaseEventKind.MERGE_UNDONE: merge_undone,
    CaseEventKind.REOPENED: merge_undone,  # the duplicate reopened by the undoing
}
