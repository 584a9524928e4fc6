from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models.case import (
    NOT_NEGATIVE,
    NOT_NEGATIVE_AMOUNT,
    Case,
    CaseChild,
    CaseChildQuerySet,
)


class Debt(CaseChild):
    """What the person owes, and to whom: the founding example's house, mortgaged by her
    brother, that the bank will seize."""

    class Kind(models.TextChoices):
        MORTGAGE = "mortgage", _("mortgage or foreclosure")
        INFORMAL = "informal", _("informal lender")
        BANK_LOAN = "bank_loan", _("bank loan")
        COOPERATIVE = "cooperative", _("cooperative or village fund")
        OTHER = "other", _("other")

    case = models.ForeignKey(Case, models.CASCADE, related_name="debts", verbose_name=_("case"))
    creditor = models.CharField(_("creditor"), max_length=200)
    kind = models.CharField(_("kind of debt"), max_length=20, choices=Kind.choices)
    amount = models.DecimalField(
        _("amount owed (baht)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal(0),
        validators=[NOT_NEGATIVE_AMOUNT],
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = CaseChildQuerySet.as_manager()
    history = HistoricalRecords()

    # What a coordinator records of a debt: the case form, the admin and the export.
    RECORDED_FIELDS = ("creditor", "kind", "amount", "due_on", "note")

    class Meta:
        ordering = ["id"]
        verbose_name = _("debt")
        verbose_name_plural = _("debts")
        constraints = [
            models.CheckConstraint(condition=NOT_NEGATIVE, name="debt_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["center", "case"], name="debt_center_case")]

    def __str__(self) -> str:
        return f"{self.creditor}: {self.amount:,.2f}"
