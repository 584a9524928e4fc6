"""Help given to a case (การช่วยเหลือ), and the yearly caps it is counted against."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from cases.models.case import (
    NOT_NEGATIVE,
    NOT_NEGATIVE_AMOUNT,
    TEXT_LIMIT,
    Case,
    CaseChild,
    CaseChildQuerySet,
    CaseEventKind,
)
from coordination.amounts import money
from coordination.models import Agency

# Help recorded before this date is a typing error, not history (the first centres
# opened in 2019; a person's earlier help is told on the visit form, not here).
EARLIEST_ASSISTANCE = datetime.date(2000, 1, 1)

if TYPE_CHECKING:
    pass


def fiscal_year(day: datetime.date) -> int:
    """The Thai fiscal year of `day`, named by the BE year in which it ends:
    1 Oct 2025 – 30 Sep 2026 is FY2569."""
    return day.year + 543 + (1 if day.month >= 10 else 0)


def fiscal_year_bounds(year_be: int) -> tuple[datetime.date, datetime.date]:
    """The first and last day of fiscal year `year_be` (BE)."""
    end = year_be - 543
    return datetime.date(end - 1, 10, 1), datetime.date(end, 9, 30)


class AssistanceKind(models.TextChoices):
    EMERGENCY_GRANT = "emergency_grant", _("emergency grant")
    ELDERLY_HARDSHIP = "elderly_hardship", _("hardship grant for older persons")
    DISABILITY_RELIEF = "disability_relief", _("relief for persons with disabilities")
    GOODS = "goods", _("goods")
    ASSISTIVE_DEVICE = "assistive_device", _("assistive device")
    HOME_MODIFICATION = "home_modification", _("home modification")
    REGISTRATION = "registration", _("allowance or welfare-card registration")
    LEGAL_ADVICE = "legal_advice", _("legal advice")
    OTHER = "other", _("other")


# Grants of money: recorded with what was paid, never 0 (other help may be worth nothing
# in baht: advice, a registration).
CASH_KINDS = frozenset(
    {
        AssistanceKind.EMERGENCY_GRANT,
        AssistanceKind.ELDERLY_HARDSHIP,
        AssistanceKind.DISABILITY_RELIEF,
    }
)


class AssistanceCapQuerySet(models.QuerySet):
    def in_force(self, on: datetime.date) -> AssistanceCapQuerySet:
        return self.filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=on), effective_from__lte=on
        )


class AssistanceCap(models.Model):
    """How much of one kind of help may be given in a fiscal year: rules that change
    (DOMAIN.md), so data an administrator edits in the admin, never constants."""

    class Scope(models.TextChoices):
        CASE = "case", _("per person (case)")
        HOUSE = "house", _("per house")

    kind = models.CharField(_("kind of help"), max_length=20, choices=AssistanceKind.choices)
    scope = models.CharField(_("counted"), max_length=10, choices=Scope.choices, default="case")
    max_per_time = models.DecimalField(
        _("most per time (baht)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[NOT_NEGATIVE_AMOUNT],
    )
    max_times = models.PositiveSmallIntegerField(
        _("most times per fiscal year"), null=True, blank=True
    )
    max_total = models.DecimalField(
        _("most in total per fiscal year (baht)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[NOT_NEGATIVE_AMOUNT],
    )
    effective_from = models.DateField(_("in force from"))
    effective_to = models.DateField(_("in force until"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    objects = AssistanceCapQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "-effective_from"]
        verbose_name = _("assistance cap")
        verbose_name_plural = _("assistance caps")
        constraints = [
            models.UniqueConstraint(
                "kind", "effective_from", name="assistance_cap_unique_kind_from"
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="assistance_cap_period_ordered",
            ),
            models.CheckConstraint(
                condition=(Q(max_per_time__isnull=True) | Q(max_per_time__gte=0))
                & (Q(max_total__isnull=True) | Q(max_total__gte=0)),
                name="assistance_cap_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.describe()}"

    def describe(self) -> str:
        parts = []
        if self.max_per_time is not None:
            parts.append(
                gettext("%(amount)s baht a time") % {"amount": f"{self.max_per_time:,.0f}"}
            )
        if self.max_times is not None:
            parts.append(gettext("%(times)d times a fiscal year") % {"times": self.max_times})
        if self.max_total is not None:
            parts.append(
                gettext("%(amount)s baht in total a fiscal year")
                % {"amount": f"{self.max_total:,.0f}"}
            )
        # Not in brackets: the scope's own label has some ("per person (case)").
        return ", ".join([*parts, str(self.get_scope_display())])


@dataclass(frozen=True)
class CapUse:
    """What a cap allows in one fiscal year, what is already given and what remains."""

    cap: AssistanceCap
    fiscal_year: int
    times: int
    total: Decimal

    @property
    def times_left(self) -> int | None:
        if self.cap.max_times is None:
            return None
        return max(self.cap.max_times - self.times, 0)

    @property
    def amount_left(self) -> Decimal | None:
        if self.cap.max_total is None:
            return None
        return max(self.cap.max_total - self.total, Decimal(0))

    def as_details(self) -> dict:
        """What message() is made of, for a case event (CaseEvent.details) to write it
        out in its reader's language."""
        cap = self.cap
        return {
            "kind": cap.kind,
            "scope": cap.scope,
            "max_per_time": None if cap.max_per_time is None else str(cap.max_per_time),
            "max_times": cap.max_times,
            "max_total": None if cap.max_total is None else str(cap.max_total),
            "fiscal_year": self.fiscal_year,
            "times": self.times,
            "total": str(self.total),
        }

    @classmethod
    def from_details(cls, details: dict) -> CapUse:
        def amount(name: str) -> Decimal | None:
            return None if details[name] is None else Decimal(details[name])

        cap = AssistanceCap(
            kind=details["kind"],
            scope=details["scope"],
            max_per_time=amount("max_per_time"),
            max_times=details["max_times"],
            max_total=amount("max_total"),
        )
        return cls(cap, details["fiscal_year"], details["times"], Decimal(details["total"]))

    @classmethod
    def of(cls, cap: AssistanceCap, fiscal_year: int, given: QuerySet) -> CapUse:
        """What `given` (help of the cap's kind in that year) counts against the cap."""
        figures = given.aggregate(times=Count("pk"), total=Sum("amount"))
        return cls(cap, fiscal_year, figures["times"], figures["total"] or Decimal(0))

    @property
    def is_over(self) -> bool:
        """More given than the cap allows (a merge can do it: CaseMerge.caps_passed)."""
        cap = self.cap
        return bool(
            (cap.max_times is not None and self.times > cap.max_times)
            or (cap.max_total is not None and self.total > cap.max_total)
        )

    def refuses(self, amount: Decimal) -> bool:
        cap = self.cap
        return bool(
            (cap.max_per_time is not None and amount > cap.max_per_time)
            or (cap.max_times is not None and self.times + 1 > cap.max_times)
            or (cap.max_total is not None and self.total + amount > cap.max_total)
        )

    def message(self) -> str:
        """The cap, what was already given this fiscal year, and what remains."""
        left = []
        if self.amount_left is not None:
            left.append(gettext("%(amount)s baht") % {"amount": money(self.amount_left)})
        if self.times_left is not None:
            left.append(
                ngettext("%(times)d more time", "%(times)d more times", self.times_left)
                % {"times": self.times_left}
            )
        return ngettext(
            "Over the cap for %(kind)s: %(cap)s. Already given in FY%(year)d: %(times)d "
            "time, %(total)s baht. Remaining: %(left)s.",
            "Over the cap for %(kind)s: %(cap)s. Already given in FY%(year)d: %(times)d "
            "times, %(total)s baht. Remaining: %(left)s.",
            self.times,
        ) % {
            "kind": self.cap.get_kind_display(),
            "cap": self.cap.describe(),
            "year": self.fiscal_year,
            "times": self.times,
            "total": money(self.total),
            "left": ", ".join(left) or gettext("no limit on the amount"),
        }


class CapExceeded(ValidationError):
    def __init__(self, use: CapUse) -> None:
        self.use = use
        super().__init__(use.message(), code="over_cap")


def house_key(case: Case) -> str:
    """Where the person lives, as one comparable text: a house's help is counted across
    every case living there. Empty when the house number is unknown (then per case)."""
    prefix = "reg" if case.current_same_as_registered else "cur"
    house_no = getattr(case, f"{prefix}_house_no").strip()
    subdistrict = getattr(case, f"{prefix}_subdistrict_id")
    if not house_no or subdistrict is None:
        return ""
    parts = [house_no] + [
        getattr(case, f"{prefix}_{part}").strip() for part in ("moo", "village", "soi", "road")
    ]
    return "|".join([str(subdistrict), *(" ".join(p.split()).casefold() for p in parts)])[:300]


def counted_with(case: Case, cap: AssistanceCap, year: int) -> AssistanceQuerySet:
    """The help of the cap's kind in a fiscal year that the cap counts with `case`'s: its
    house's when the cap is per house and the house is known, else the case's own."""
    given = Assistance.objects.filter(kind=cap.kind, fiscal_year=year)
    key = house_key(case)
    if cap.scope == AssistanceCap.Scope.HOUSE and key:
        return given.filter(center_id=case.center_id, house_key=key)
    return given.filter(case_id=case.pk)


class AssistanceQuerySet(CaseChildQuerySet):
    def in_fiscal_year(self, year_be: int) -> AssistanceQuerySet:
        return self.filter(fiscal_year=year_be)

    def totals(self, year_be: int) -> dict:
        """Count and baht in total and in fiscal year `year_be`, in one query."""
        this_year = Q(fiscal_year=year_be)
        figures = self.aggregate(
            times=Count("pk"),
            total=Sum("amount"),
            times_year=Count("pk", filter=this_year),
            total_year=Sum("amount", filter=this_year),
        )
        return {key: value or 0 for key, value in figures.items()}


class Assistance(CaseChild):
    """Help given: a grant, goods, a device, advice. Counted against its kind's cap."""

    Kind = AssistanceKind

    case = models.ForeignKey(
        Case, models.CASCADE, related_name="assistance", verbose_name=_("case")
    )
    kind = models.CharField(_("kind of help"), max_length=20, choices=AssistanceKind.choices)
    amount = models.DecimalField(
        _("amount (baht)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal(0),
        validators=[NOT_NEGATIVE_AMOUNT],
        help_text=_("0 for advice or help without money."),
    )
    provider = models.ForeignKey(
        Agency,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="assistance",
        verbose_name=_("given by"),
        help_text=_("Empty: the coordination centre itself."),
    )
    # The referral that led to this help, when there was one (legal aid after a referral).
    referral = models.ForeignKey(
        "cases.Referral",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="assistance",
        verbose_name=_("after the referral"),
    )
    given_on = models.DateField(_("date given"))
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (BE)"), editable=False)
    # Kept as it was when the help was given: a house's help stays counted for that
    # house when the person moves.
    house_key = models.CharField(max_length=300, blank=True, editable=False)
    description = models.CharField(_("what was given"), max_length=500, blank=True)
    exception_reason = models.TextField(
        _("reason for going over the cap"), max_length=TEXT_LIMIT, blank=True
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = AssistanceQuerySet.as_manager()

    class Meta:
        ordering = ["-given_on", "-id"]
        verbose_name = _("assistance")
        verbose_name_plural = _("assistance")
        constraints = [
            models.CheckConstraint(condition=NOT_NEGATIVE, name="assistance_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(given_on__gte=EARLIEST_ASSISTANCE),
                name="assistance_given_on_plausible",
            ),
        ]
        indexes = [
            models.Index(
                fields=["center", "case", "kind", "fiscal_year"], name="assist_case_kind_fy"
            ),
            models.Index(
                fields=["center", "house_key", "kind", "fiscal_year"], name="assist_house_kind_fy"
            ),
            # A month's or a fiscal year's help (the report, the dashboard) and the list's
            # order, read without every row the centre ever gave.
            models.Index(fields=["center", "-given_on", "-id"], name="assist_center_given"),
            models.Index(fields=["center", "fiscal_year"], name="assist_center_fy"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount:,.2f} ({self.given_on})"

    def save(self, *args, **kwargs) -> None:
        self.fiscal_year = fiscal_year(self.given_on)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors = {}
        if self.given_on and self.given_on > timezone.localdate():
            errors["given_on"] = _("Help cannot be recorded before it is given.")
        if self.given_on and self.given_on < EARLIEST_ASSISTANCE:
            errors["given_on"] = _("The date is too far in the past: check the year.")
        if (
            self.provider
            and self.case_id
            and self.provider.center_id not in (None, self.case.center_id)
        ):
            errors["provider"] = _("Choose an agency of this centre or a national one.")
        if self.referral and self.case_id and self.referral.case_id != self.case_id:
            errors["referral"] = _("Choose one of this case's referrals.")
        if self.kind in CASH_KINDS and self.amount is not None and self.amount <= 0:
            errors["amount"] = _("A grant is money given: write the amount paid, more than 0.")
        if errors:
            raise ValidationError(errors)

    def cap_use(self) -> CapUse | None:
        """The cap of this help's kind in force on its date, and what it already counts
        in that fiscal year (this entry not included); None when the kind has no cap."""
        cap = AssistanceCap.objects.in_force(self.given_on).filter(kind=self.kind).first()
        if cap is None:
            return None
        year = fiscal_year(self.given_on)
        given = counted_with(self.case, cap, year)
        if self.pk:
            given = given.exclude(pk=self.pk)
        return CapUse.of(cap, year, given)

    @transaction.atomic
    def record(self, *, by, exception_reason: str = "") -> None:
        """Saves new help unless it goes over its cap; over the cap only with a reason,
        which is logged on the case."""
        # Two coordinators recording for one case (or one house) at once: the second
        # waits here and then counts the first's entry, so together they cannot pass
        # the cap. The case row is the lock of a case; a house has an advisory lock.
        Case.objects.select_for_update().filter(pk=self.case_id).exists()
        self.house_key = house_key(self.case)
        if self.house_key:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(hashtext(%s))",
                    [f"assistance-house:{self.case.center_id}:{self.house_key}"],
                )
        self.full_clean(exclude=["by", "center", "fiscal_year"])
        use = self.cap_use()
        over = use is not None and use.refuses(self.amount)
        reason = " ".join(exception_reason.split())
        if use is not None and over and not reason:
            raise CapExceeded(use)
        self.exception_reason = reason if over else ""
        self.by = by
        self.center_id = self.case.center_id
        self.save()
        details = {"help": self.kind, "amount": str(self.amount)}
        if use is not None and over:
            self.case.log(
                CaseEventKind.ASSISTANCE_OVER_CAP,
                by=by,
                details={**details, "cap": use.as_details()},
                note=reason[:500],
            )
        else:
            self.case.log(CaseEventKind.ASSISTANCE, by=by, details=details)


def assistance_summary(case: Case, today: datetime.date | None = None) -> dict:
    """The case page's section: this fiscal year's help and all of it, in two queries."""
    year = fiscal_year(today or timezone.localdate())
    given = case.assistance.all()
    return {
        "fiscal_year": year,
        "figures": given.totals(year),
        # Their providers' names; not who recorded them, which no row shows.
        "rows": list(given.select_related("provider")[:20]),
    }
