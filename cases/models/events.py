from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models.case import (
    Case,
    CaseChild,
    CaseEventKind,
)
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

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [models.Index(fields=["center", "case", "-at"], name="case_event_center_case_at")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()}"
