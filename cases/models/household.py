from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models.case import (
    NOT_NEGATIVE,
    NOT_NEGATIVE_AMOUNT,
    Case,
    CaseChild,
    CaseChildQuerySet,
)


class HouseholdMember(CaseChild):
    class Relation(models.TextChoices):
        SPOUSE = "spouse", _("spouse")
        CHILD = "child", _("child")
        PARENT = "parent", _("parent")
        SIBLING = "sibling", _("brother or sister")
        GRANDCHILD = "grandchild", _("grandchild")
        GRANDPARENT = "grandparent", _("grandparent")
        RELATIVE = "relative", _("other relative")
        OTHER = "other", _("not related")

    class Condition(models.TextChoices):
        NORMAL = "normal", _("normal")
        DISABLED = "disabled", _("disabled")
        CHRONICALLY_ILL = "chronically_ill", _("chronically ill")

    case = models.ForeignKey(
        Case, models.CASCADE, related_name="household_members", verbose_name=_("case")
    )
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    name = models.CharField(_("name"), max_length=200)
    NAME_FIELDS = ("name",)  # read through NameFormField on every form (plain_name)
    age = models.PositiveSmallIntegerField(
        _("age"), null=True, blank=True, validators=[MaxValueValidator(130)]
    )
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    monthly_income = models.DecimalField(
        _("monthly income (baht)"),
        max_digits=9,
        decimal_places=2,
        default=Decimal(0),
        validators=[NOT_NEGATIVE_AMOUNT],
    )
    condition = models.CharField(
        _("condition"), max_length=20, choices=Condition.choices, default=Condition.NORMAL
    )
    # Not known until asked: a yes by default marked a disabled member entered in haste as
    # caring for themselves.
    can_care_for_self = models.BooleanField(_("can care for self"), null=True, default=None)
    is_carer = models.BooleanField(_("cares for the person"), default=False)
    caring_stops_work = models.BooleanField(_("caring keeps them from working"), default=False)

    objects = CaseChildQuerySet.as_manager()
    history = HistoricalRecords()

    # What a coordinator records of a member: the intake form, the admin and the export.
    # A tuple: Django adds the formset's foreign key to a form's field list in place.
    RECORDED_FIELDS = (
        "relation", "name", "age", "occupation", "monthly_income", "condition", "can_care_for_self",
        "is_carer", "caring_stops_work",
    )  # fmt: skip

    class Meta:
        ordering = ["id"]
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_income__gte=Decimal(0)),
                name="household_member_income_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(age__isnull=True) | Q(age__lte=130),
                name="household_member_age_plausible",
            ),
            models.CheckConstraint(
                condition=Q(caring_stops_work=False) | Q(is_carer=True),
                name="household_member_only_a_carer_stops_work_to_care",
            ),
        ]
        indexes = [models.Index(fields=["center", "case"], name="household_center_case")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relation_display()})"

    def clean(self) -> None:
        if self.caring_stops_work and not self.is_carer:
            raise ValidationError(
                {"is_carer": _("Tick this too: only the person's carer stops work to care.")}
            )


class IncomeSource(CaseChild):
    class Kind(models.TextChoices):
        ELDERLY_ALLOWANCE = "elderly_allowance", _("older persons' allowance")
        DISABILITY_ALLOWANCE = "disability_allowance", _("disability allowance")
        CHILD_GRANT = "child_grant", _("child support grant")
        FAMILY_SUPPORT = "family_support", _("family support")
        WAGES = "wages", _("wages")
        OTHER = "other", _("other")

    case = models.ForeignKey(Case, models.CASCADE, related_name="incomes", verbose_name=_("case"))
    kind = models.CharField(_("income source"), max_length=30, choices=Kind.choices)
    amount = models.DecimalField(
        _("monthly amount (baht)"),
        max_digits=9,
        decimal_places=2,
        validators=[NOT_NEGATIVE_AMOUNT],
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = CaseChildQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("income source")
        verbose_name_plural = _("income sources")
        constraints = [
            models.CheckConstraint(condition=NOT_NEGATIVE, name="income_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["center", "case"], name="income_center_case")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.amount:,.2f}"
