from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models.case import Case, CaseChild, CaseChildQuerySet


class AllowanceRule(models.TextChoices):
    """Why a person appears to miss an allowance (cases/allowances.py says when each
    holds). The codes are stored with dismissals: never rename one."""

    ELDERLY_MISSING = "elderly_missing", _("60 or over and no older persons' allowance recorded")
    ELDERLY_RATE = "elderly_rate", _("older persons' allowance below the rate of their age band")
    DISABILITY_MISSING = (
        "disability_missing",
        _("disability ID card and no disability allowance recorded"),
    )
    DISABILITY_RATE = (
        "disability_rate",
        _("disability allowance below the rate for their age or state welfare card"),
    )
    DISABILITY_CARD = (
        "disability_card",
        _("disability recorded but no disability ID card and no disability allowance"),
    )
    CHILD_GRANT = (
        "child_grant",
        _("young child in a low-income household without the child support grant"),
    )
    NO_CARD = "no_card", _("disability allowance recorded without a disability ID card")


class AllowanceDismissal(CaseChild):
    """A coordinator's judgement that a flag does not hold for this person ("not
    eligible: has a pension"): who, when and why. Kept as the log of that decision; the
    flag stays hidden for the case from then on."""

    case = models.ForeignKey(
        Case, models.CASCADE, related_name="allowance_dismissals", verbose_name=_("case")
    )
    rule = models.CharField(_("rule"), max_length=30, choices=AllowanceRule.choices)
    reason = models.CharField(_("reason"), max_length=300)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("dismissed allowance flag")
        verbose_name_plural = _("dismissed allowance flags")
        constraints = [
            # Once per case and rule; the centre leads, as in every key of a case's rows.
            models.UniqueConstraint(
                "center", "case", "rule", name="allowance_dismissal_once_per_rule"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_rule_display()}"
