from __future__ import annotations

import datetime
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases import barthel
from coordination.choices import Prefix, Sex, person_name
from coordination.fields import NationalIDField, PhoneField
from coordination.models import Center, CenterScopedQuerySet, Subdistrict, TargetGroup
from coordination.templatetags.thai import be_date
from coordination.validators import arabic_digits, normalize_national_id
from volunteers.models import Team, TeamMembership, Volunteer

# Free text is for notes, not documents: long enough for any visit, short of abuse.
TEXT_LIMIT = 5000
OLDEST_BIRTH_DATE = datetime.date(1900, 1, 1)
NOT_NEGATIVE = Q(amount__gte=Decimal(0))
NOT_NEGATIVE_AMOUNT = MinValueValidator(Decimal(0), _("An amount of money cannot be negative."))


class DisabilityType(models.IntegerChoices):
    """The seven official types of disability."""

    VISUAL = 1, _("visual")
    HEARING = 2, _("hearing or communication")
    MOBILITY = 3, _("mobility or physical")
    MENTAL = 4, _("mental or behavioural")
    INTELLECTUAL = 5, _("intellectual")
    LEARNING = 6, _("learning")
    AUTISM = 7, _("autism")


class CaseNumberCounter(models.Model):
    """The last sequence number given per centre and Buddhist-era year."""

    center = models.ForeignKey(Center, models.CASCADE, related_name="+")
    year_be = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint("center", "year_be", name="case_counter_unique_center_year")
        ]

    def __str__(self) -> str:
        return f"{self.center_id}/{self.year_be}: {self.last}"

    @classmethod
    def take_next(cls, center: Center, year_be: int) -> int:
        # One atomic upsert: concurrent transactions queue on the counter's row lock,
        # so two cases created at once never get the same number.
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {cls._meta.db_table} (center_id, year_be, last)
                VALUES (%s, %s, 1)
                ON CONFLICT (center_id, year_be) DO UPDATE SET last = {cls._meta.db_table}.last + 1
                RETURNING last
                """,
                [center.pk, year_be],
            )
            return cursor.fetchone()[0]


class StaleCaseError(Exception):
    """Someone else saved the case since the form was opened."""


def open_condition(through: str = "") -> Q:
    """A case still being worked: any status but closed. `through` reaches cases from
    another model (e.g. "cases__" from a team), so counts there mean the same thing."""
    return ~Q(**{f"{through}status": Case.Status.CLOSED})


def overdue_condition(today: datetime.date, through: str = "") -> Q:
    """The one meaning of "overdue": open, and past its next visit date."""
    return open_condition(through) & Q(**{f"{through}next_visit_due__lt": today})


@dataclass(frozen=True)
class Address:
    """One of a case's two addresses (`reg_…` as in the house registration, `cur_…`
    where the person lives now), in the parts a Thai address is written in. The form
    asks for these parts, cases/_address.html writes them, anonymising blanks them."""

    # Typed as text, in writing order; then the subdistrict (chosen) and postal code.
    LINE = ("house_no", "moo", "village", "lane", "soi", "road")
    PREFIXES = ("reg", "cur")

    house_no: str
    moo: str
    village: str
    lane: str
    soi: str
    road: str
    subdistrict: Subdistrict | None
    postal_code: str

    @classmethod
    def of(cls, case: Case, prefix: str) -> Address:
        parts = (*cls.LINE, "subdistrict", "postal_code")
        return cls(**{part: getattr(case, f"{prefix}_{part}") for part in parts})

    @classmethod
    def typed_fields(cls) -> list[str]:
        """The case's columns typed for both addresses: all but the subdistricts."""
        return [f"{p}_{part}" for p in cls.PREFIXES for part in (*cls.LINE, "postal_code")]


class CaseQuerySet(CenterScopedQuerySet):
    def visible_to_others(self, user) -> CaseQuerySet:
        """A volunteer sees the cases assigned to a team they are an active member of."""
        volunteer = getattr(user, "volunteer", None)
        if not (user.is_volunteer and volunteer is not None):
            return self.none()
        return self.filter(
            Q(center_id=volunteer.center_id),
            TeamMembership.active_condition("team__memberships__", volunteer=volunteer),
        )

    def open(self) -> CaseQuerySet:
        return self.filter(open_condition())

    def due_for_anonymising(
        self, retention_days: int, today: datetime.date | None = None
    ) -> CaseQuerySet:
        cutoff = (today or timezone.localdate()) - datetime.timedelta(days=retention_days)
        return self.filter(
            status=Case.Status.CLOSED, closed_on__lte=cutoff, anonymised_on__isnull=True
        )

    def overdue(self, today: datetime.date | None = None) -> CaseQuerySet:
        return self.filter(overdue_condition(today or timezone.localdate()))

    def of_active_member(self, volunteer: Volunteer) -> CaseQuerySet:
        """Cases of the teams `volunteer` is an active member of."""
        return self.filter(
            TeamMembership.active_condition("team__memberships__", volunteer=volunteer)
        )

    def figures(self, today: datetime.date) -> dict[str, int]:
        """The dashboard's counts, in two queries."""
        month_start = today.replace(day=1)
        figures = self.open().aggregate(
            open=Count("pk"),
            overdue=Count("pk", filter=overdue_condition(today)),
            unassigned=Count("pk", filter=Q(team__isnull=True)),
            never_visited=Count("pk", filter=Q(last_visit_at__isnull=True)),
            urgent=Count("pk", filter=Q(priority=Case.Priority.URGENT)),
        )
        figures.update(
            self.aggregate(
                opened_this_month=Count("pk", filter=Q(opened_on__gte=month_start)),
                closed_this_month=Count("pk", filter=Q(closed_on__gte=month_start)),
            )
        )
        return figures

    def count_by(self, field: str) -> dict:
        """How many of these cases per value of `field` (status, target group...)."""
        return dict(self.order_by().values_list(field).annotate(n=Count("pk")))

    def search(self, text: str) -> CaseQuerySet:
        """Case number, national ID (digits as typed) or any part of the names.

        A word with digits is looked up as a number, any other as a name: keeping the
        two apart lets the name search use its trigram index."""
        query = Q()
        for word in text.split():
            word = arabic_digits(word)
            if any(char.isdigit() for char in word):
                word_query = Q(number__icontains=word)
                digits = normalize_national_id(word)
                if digits.isdigit() and len(digits) >= 4:
                    word_query |= Q(national_id__contains=digits)
            else:
                word_query = Q(first_name__icontains=word) | Q(last_name__icontains=word)
            query &= word_query
        return self.filter(query)


class Case(models.Model):
    """A person in hardship (ผู้ประสบปัญหาทางสังคม) whom the centre helps."""

    class Status(models.TextChoices):
        INTAKE = "intake", _("intake")
        ASSESSED = "assessed", _("assessed")
        IN_ASSISTANCE = "in_assistance", _("in assistance")
        FOLLOW_UP = "follow_up", _("follow-up")
        CLOSED = "closed", _("closed")

    class Priority(models.IntegerChoices):
        LOW = 1, _("low")
        NORMAL = 2, _("normal")
        HIGH = 3, _("high")
        URGENT = 4, _("urgent")

    class Housing(models.TextChoices):
        OWN_SECURE = "own_secure", _("own house, secure")
        OWN_AT_RISK = "own_at_risk", _("own house, at risk of losing it")
        OTHERS_LAND = "others_land", _("on someone else's land")
        RENTED = "rented", _("rented")
        RELATIVES = "relatives", _("lives with relatives")
        NONE = "none", _("no fixed home")

    class MaritalStatus(models.TextChoices):
        SINGLE = "single", _("single")
        MARRIED = "married", _("married")
        WIDOWED = "widowed", _("widowed")
        DIVORCED = "divorced", _("divorced")
        SEPARATED = "separated", _("separated")

    class ClosureReason(models.TextChoices):
        RESOLVED = "resolved", _("resolved")
        MOVED = "moved", _("moved away")
        DIED = "died", _("died")
        REFUSED = "refused", _("refused help")
        REFERRED_OUT = "referred_out", _("referred out")

    class ConsentMethod(models.TextChoices):
        SIGNED = "signed", _("signed paper form")
        VERBAL = "verbal", _("verbal, with a witness")

    class ConsentPurpose(models.TextChoices):
        ASSISTANCE = "assistance", _("assessment and assistance")
        REFERRAL = "referral", _("referral to agencies")
        PHOTOS = "photos", _("photos on home visits")
        STATISTICS = "statistics", _("anonymous statistics")

    center = models.ForeignKey(
        Center, models.PROTECT, related_name="cases", verbose_name=_("coordination centre")
    )
    number = models.CharField(_("case number"), max_length=20, unique=True, editable=False)

    # The person
    prefix = models.CharField(_("prefix"), max_length=10, choices=Prefix.choices)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("surname"), max_length=100, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    birth_year_only = models.BooleanField(
        _("only the birth year is known"),
        default=False,
        help_text=_("The birth date is then 1 January of that year."),
    )
    estimated_age = models.PositiveSmallIntegerField(
        _("estimated age"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(130)],
        help_text=_("When no birth date is known."),
    )
    national_id = NationalIDField(blank=True)
    marital_status = models.CharField(
        _("marital status"), max_length=10, choices=MaritalStatus.choices, blank=True
    )
    phone = PhoneField(blank=True)
    has_welfare_card = models.BooleanField(_("holds a state welfare card"), default=False)
    disability_types = ArrayField(
        models.PositiveSmallIntegerField(choices=DisabilityType.choices),
        verbose_name=_("disability types"),
        default=list,
        blank=True,
    )
    has_disability_card = models.BooleanField(_("holds a disability ID card"), default=False)

    # Address per house registration
    reg_house_no = models.CharField(_("house number"), max_length=20, blank=True)
    reg_moo = models.CharField(_("village number (moo)"), max_length=10, blank=True)
    reg_village = models.CharField(_("village or building"), max_length=100, blank=True)
    reg_lane = models.CharField(_("lane (trok)"), max_length=100, blank=True)
    reg_soi = models.CharField(_("soi"), max_length=100, blank=True)
    reg_road = models.CharField(_("road"), max_length=100, blank=True)
    reg_subdistrict = models.ForeignKey(
        Subdistrict,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("subdistrict"),
    )
    reg_postal_code = models.CharField(_("postal code"), max_length=5, blank=True)

    # Where the person lives now
    current_same_as_registered = models.BooleanField(
        _("lives at the registered address"), default=True
    )
    cur_house_no = models.CharField(_("house number"), max_length=20, blank=True)
    cur_moo = models.CharField(_("village number (moo)"), max_length=10, blank=True)
    cur_village = models.CharField(_("village or building"), max_length=100, blank=True)
    cur_lane = models.CharField(_("lane (trok)"), max_length=100, blank=True)
    cur_soi = models.CharField(_("soi"), max_length=100, blank=True)
    cur_road = models.CharField(_("road"), max_length=100, blank=True)
    cur_subdistrict = models.ForeignKey(
        Subdistrict,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("subdistrict"),
    )
    cur_postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    landmark = models.CharField(_("landmark"), max_length=200, blank=True)

    # The situation
    target_groups = models.ManyToManyField(
        TargetGroup, related_name="cases", verbose_name=_("target groups")
    )
    problems = models.TextField(_("problems"), max_length=TEXT_LIMIT, blank=True)
    housing = models.CharField(_("housing"), max_length=20, choices=Housing.choices, blank=True)
    monthly_rent = models.DecimalField(
        _("monthly rent (baht)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[NOT_NEGATIVE_AMOUNT],
    )
    housing_condition = models.TextField(
        _("condition of the house"), max_length=TEXT_LIMIT, blank=True
    )

    # The work
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.INTAKE
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    team = models.ForeignKey(
        Team,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("team"),
    )
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    # Kept from the latest visit (HomeVisit.save) so that worklists filter and sort
    # on an index instead of a subquery per case.
    last_visit_at = models.DateTimeField(_("last visit"), null=True, blank=True, editable=False)
    next_visit_due = models.DateField(_("next visit due"), null=True, blank=True, editable=False)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closure_reason = models.CharField(
        _("closure reason"), max_length=20, choices=ClosureReason.choices, blank=True
    )

    # Consent (PDPA section 26: health and disability data are sensitive)
    consent_given_by = models.CharField(
        _("consent given by"),
        max_length=200,
        blank=True,
        help_text=_("The person, or the guardian who consented for them."),
    )
    consent_method = models.CharField(
        _("how consent was given"), max_length=10, choices=ConsentMethod.choices, blank=True
    )
    consent_purposes = ArrayField(
        models.CharField(max_length=20, choices=ConsentPurpose.choices),
        verbose_name=_("purposes consented to"),
        default=list,
        blank=True,
    )
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent recorded by"),
    )
    consent_recorded_at = models.DateTimeField(_("consent recorded at"), null=True, blank=True)

    anonymised_on = models.DateField(_("anonymised on"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CaseQuerySet.as_manager()
    history = HistoricalRecords(
        m2m_fields=[target_groups], excluded_fields=["last_visit_at", "next_visit_due"]
    )

    class Meta:
        ordering = ["-opened_on", "-number"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(
                "center",
                "national_id",
                condition=~Q(national_id=""),
                name="case_unique_national_id_per_center",
                violation_error_message=_(
                    "A case with this national ID number already exists in this centre."
                ),
            ),
            models.CheckConstraint(
                condition=Q(disability_types__contained_by=DisabilityType.values),
                name="case_disability_types_official",
            ),
            models.CheckConstraint(
                condition=Q(monthly_rent__isnull=True) | Q(monthly_rent__gte=Decimal(0)),
                name="case_rent_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(estimated_age__isnull=True) | Q(estimated_age__lte=130),
                name="case_estimated_age_plausible",
            ),
            models.CheckConstraint(
                condition=(Q(status="closed", closed_on__isnull=False) & ~Q(closure_reason=""))
                | (~Q(status="closed") & Q(closed_on__isnull=True, closure_reason="")),
                name="case_closed_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="case_closed_after_opened",
            ),
        ]
        indexes = [
            models.Index(fields=["center", "status"], name="case_center_status"),
            models.Index(fields=["center", "team"], name="case_center_team"),
            models.Index(fields=["center", "-opened_on"], name="case_center_opened"),
            models.Index(fields=["center", "next_visit_due"], name="case_center_next_due"),
            models.Index(fields=["center", "last_visit_at"], name="case_center_last_visit"),
            # Partial Thai names: icontains is UPPER(col) LIKE '%…%', which a trigram
            # index on the same expression serves.
            GinIndex(
                OpClass(Upper("first_name"), name="gin_trgm_ops"),
                OpClass(Upper("last_name"), name="gin_trgm_ops"),
                name="case_name_trgm",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.full_name}"

    def save(self, *args, **kwargs) -> None:
        if not self.number:
            with transaction.atomic():
                self.number = self.next_number()
                super().save(*args, **kwargs)
            return
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return person_name(self.get_prefix_display(), self.first_name, self.last_name)

    @property
    def registered_address(self) -> Address:
        return Address.of(self, "reg")

    @property
    def current_address(self) -> Address:
        return Address.of(self, "cur")

    def age(self, on: datetime.date | None = None) -> int | None:
        on = on or timezone.localdate()
        if self.birth_date:
            if self.birth_year_only:
                return on.year - self.birth_date.year
            before_birthday = (on.month, on.day) < (self.birth_date.month, self.birth_date.day)
            return on.year - self.birth_date.year - before_birthday
        return self.estimated_age

    def monthly_income(self) -> Decimal:
        total = self.incomes.aggregate(total=Sum("amount"))["total"]
        return total or Decimal(0)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.team_id and self.center_id and self.team.center_id != self.center_id:
            errors["team"] = _("The team must belong to the case's coordination centre.")
        if self.birth_date and self.birth_date > timezone.localdate():
            errors["birth_date"] = _("The birth date cannot be in the future.")
        if self.birth_date and self.birth_date < OLDEST_BIRTH_DATE:
            errors["birth_date"] = _("The birth date cannot be before 1900 (2443 BE).")
        if self.housing == self.Housing.RENTED and self.monthly_rent is None:
            errors["monthly_rent"] = _("Enter the monthly rent of a rented home.")
        if errors:
            raise ValidationError(errors)

    def disability_labels(self) -> list[str]:
        return [DisabilityType(value).label for value in self.disability_types]

    def consent_purpose_labels(self) -> list[str]:
        return [self.ConsentPurpose(value).label for value in self.consent_purposes]

    def personal_data(self) -> dict:
        """Everything held about the person of this case, for an access request (PDPA)."""

        def values(obj, fields: list[str]) -> dict:
            data = {}
            for name in fields:
                field = obj._meta.get_field(name)
                value = getattr(obj, name)
                if field.choices and not isinstance(value, list):
                    value = getattr(obj, f"get_{name}_display")()
                data[name] = value
            return data

        person = [
            "number", "prefix", "first_name", "last_name", "sex", "birth_date", "birth_year_only",
            "estimated_age", "national_id", "marital_status", "phone", "has_welfare_card",
            "disability_types", "has_disability_card",
            *Address.typed_fields(), "current_same_as_registered", "landmark", "problems", "housing", "monthly_rent",
            "housing_condition", "status", "priority", "opened_on", "closed_on", "closure_reason",
            "consent_given_by", "consent_method", "consent_purposes", "consent_recorded_at",
        ]  # fmt: skip
        data = values(self, person)
        data["disability_types"] = self.disability_labels()
        data["consent_purposes"] = self.consent_purpose_labels()
        data["reg_subdistrict"] = self.reg_subdistrict.full_name() if self.reg_subdistrict else ""
        data["cur_subdistrict"] = self.cur_subdistrict.full_name() if self.cur_subdistrict else ""
        data["center"] = self.center.name
        data["team"] = self.team.name if self.team else ""
        data["target_groups"] = [group.name for group in self.target_groups.all()]
        data["household_members"] = [
            values(m, HouseholdMember.RECORDED_FIELDS) for m in self.household_members.all()
        ]
        data["income_sources"] = [values(i, ["kind", "amount", "note"]) for i in self.incomes.all()]
        data["home_visits"] = [
            {
                **values(
                    v,
                    [
                        "visited_at",
                        "purpose",
                        "other_participants",
                        "findings",
                        "living_conditions",
                        "health",
                        "adl_score",
                        *barthel.FIELDS,
                        "needs",
                        "actions",
                        "referral_needed",
                        "monthly_income",
                        "next_visit_due",
                        "latitude",
                        "longitude",
                    ],
                ),  # fmt: skip
                "volunteers": [volunteer.full_name for volunteer in v.volunteers.all()],
                "photos": [photo.pk for photo in v.photos.all()],
            }
            for v in self.visits.prefetch_related("volunteers", "photos").order_by("visited_at")
        ]
        data["events"] = [
            values(e, ["at", "kind", "status_from", "status_to", "note"])
            for e in self.events.order_by("at")
        ]
        return data

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        """overdue_condition(), for a case already loaded."""
        return bool(
            not self.is_closed
            and self.next_visit_due
            and self.next_visit_due < (today or timezone.localdate())
        )

    def days_overdue(self, today: datetime.date | None = None) -> int:
        """How many days past its next visit date an overdue case is; 0 when not overdue."""
        if not self.is_overdue(today):
            return 0
        return ((today or timezone.localdate()) - self.next_visit_due).days

    CONSENT_FIELDS = frozenset({"consent_given_by", "consent_method", "consent_purposes"})

    def record_consent(self, *, by) -> None:
        """Stamps who recorded the consent, and when; saved with the case."""
        self.consent_recorded_by, self.consent_recorded_at = by, timezone.now()

    @transaction.atomic
    def open(self, *, by) -> None:
        """Saves a new case and records who opened it (and took its consent, if given)."""
        if self.consent_method:
            self.record_consent(by=by)
        self.save()
        self.log(CaseEvent.Kind.OPENED, by=by, status_to=self.status)

    @transaction.atomic
    def save_checked(self, expected_version: int, *, by, changed: Iterable[str] = ()) -> None:
        """Saves an edit unless someone else saved the case since `expected_version`;
        a change to the consent records who recorded it."""
        if self.CONSENT_FIELDS & set(changed):
            self.record_consent(by=by)
        bumped = Case.objects.filter(pk=self.pk, version=expected_version).update(
            version=F("version") + 1
        )
        if not bumped:
            raise StaleCaseError
        self.version = expected_version + 1
        self.save()
        self.log(CaseEvent.Kind.EDITED, by=by)

    @transaction.atomic
    def assign_team(self, team: Team | None, *, by) -> None:
        if team is not None and team.center_id != self.center_id:
            raise ValidationError(_("The team must belong to the case's coordination centre."))
        if team == self.team:
            return
        self.team = team
        self.version += 1
        self.save(update_fields=["team", "version", "updated_at"])
        self.log(CaseEvent.Kind.ASSIGNED, by=by, team=team)

    def check_not_closed(self, message: str) -> None:
        """Nothing changes on a closed case but its reopening."""
        if self.is_closed:
            raise ValidationError(message)

    def proposed_team(self) -> Team | None:
        """The team of the case's first target group (the ministry's order)."""
        first_group = self.target_groups.order_by("position").first()
        if first_group is None:
            return None
        return (
            Team.objects.filter(center_id=self.center_id, target_group=first_group)
            .order_by("name")
            .first()
        )

    @transaction.atomic
    def change_status(self, status: str, *, by, note: str = "") -> None:
        self.check_not_closed(_("Reopen the case before changing its status."))
        if status == self.Status.CLOSED:
            raise ValidationError(_("Close a case with its reason."))
        old = self.status
        if old == status:
            return
        self.status = status
        self.version += 1
        self.save(update_fields=["status", "version", "updated_at"])
        self.log(CaseEvent.Kind.STATUS, by=by, status_from=old, status_to=status, note=note)

    @transaction.atomic
    def close(self, reason: str, *, by, on: datetime.date | None = None, note: str = "") -> None:
        self.check_not_closed(_("This case is already closed."))
        old = self.status
        self.status = self.Status.CLOSED
        self.closure_reason = reason
        self.closed_on = on or timezone.localdate()
        self.version += 1
        self.save(update_fields=["status", "closure_reason", "closed_on", "version", "updated_at"])
        self.log(CaseEvent.Kind.CLOSED, by=by, status_from=old, status_to=self.status, note=note)

    @transaction.atomic
    def reopen(self, *, by, note: str = "") -> None:
        if not self.is_closed:
            raise ValidationError(_("Only a closed case can be reopened."))
        self.status = self.Status.FOLLOW_UP
        self.closure_reason = ""
        self.closed_on = None
        self.version += 1
        self.save(update_fields=["status", "closure_reason", "closed_on", "version", "updated_at"])
        self.log(
            CaseEvent.Kind.REOPENED,
            by=by,
            status_from=self.Status.CLOSED,
            status_to=self.status,
            note=note,
        )

    @transaction.atomic
    def anonymise(self) -> None:
        """Removes what identifies the person (PDPA: kept no longer than needed) and keeps
        what statistics count: groups, area, sex, birth year, household and income figures."""
        blank_fields = [
            "last_name", "national_id", "phone", "marital_status", "problems", "housing_condition",
            "landmark", "consent_given_by", *Address.typed_fields(),
        ]  # fmt: skip
        for name in blank_fields:
            setattr(self, name, "")
        self.first_name = "-"
        if self.birth_date:
            self.birth_date, self.birth_year_only = self.birth_date.replace(month=1, day=1), True
        self.anonymised_on = timezone.localdate()
        self.save()
        self.household_members.update(name="-", occupation="")
        self.incomes.update(note="")
        self.events.update(note="")
        self.visits.update(
            other_participants="", findings="", living_conditions="", health="", needs="",
            actions="", latitude=None, longitude=None,
        )  # fmt: skip
        photos = list(VisitPhoto.objects.filter(visit__case=self))
        VisitPhoto.objects.filter(pk__in=[p.pk for p in photos]).delete()
        # Files go only once the database has let go of them.
        files = [f for p in photos for f in (p.image, p.thumbnail) if f]
        transaction.on_commit(lambda: [f.storage.delete(f.name) for f in files])
        # The change history holds the old values: it goes too.
        Case.history.filter(id=self.pk).delete()
        for model in (HouseholdMember, IncomeSource, HomeVisit):
            model.history.filter(case_id=self.pk).delete()

    def log(self, kind: str, *, by, **details) -> CaseEvent:
        return CaseEvent.objects.create(
            case=self, center_id=self.center_id, kind=kind, by=by, **details
        )

    def refresh_visit_dates(self) -> None:
        latest = self.visits.order_by("-visited_at").first()
        self.last_visit_at = latest.visited_at if latest else None
        self.next_visit_due = latest.next_visit_due if latest else None
        Case.objects.filter(pk=self.pk).update(
            last_visit_at=self.last_visit_at, next_visit_due=self.next_visit_due
        )

    def next_number(self) -> str:
        """`<district code>-<BE year>-<sequence>`, e.g. 1027-2562-0001."""
        year_be = self.opened_on.year + 543
        sequence = CaseNumberCounter.take_next(self.center, year_be)
        return f"{self.center.district_id}-{year_be}-{sequence:04d}"


class CaseChildQuerySet(models.QuerySet):
    def visible_to(self, user) -> CaseChildQuerySet:
        """A case's rows are seen by whoever may see the case."""
        return self.filter(case__in=Case.objects.visible_to(user).values("pk"))


class CaseChild(models.Model):
    """Rows that belong to a case carry its centre, so every index leads with it."""

    center = models.ForeignKey(
        Center, models.PROTECT, related_name="+", verbose_name=_("coordination centre")
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.case_id:
            self.center_id = self.case.center_id
        super().save(*args, **kwargs)


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
    can_care_for_self = models.BooleanField(_("can care for self"), default=True)

    objects = CaseChildQuerySet.as_manager()
    history = HistoricalRecords()

    # What a coordinator records of a member: the intake form, the admin and the export.
    # A tuple: Django adds the formset's foreign key to a form's field list in place.
    RECORDED_FIELDS = (
        "relation", "name", "age", "occupation", "monthly_income", "condition", "can_care_for_self",
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
        ]
        indexes = [models.Index(fields=["center", "case"], name="household_center_case")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relation_display()})"


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


class HomeVisitQuerySet(CaseChildQuerySet):
    """A visit is seen by whoever may see its case."""


def plausible_visit_time(value: datetime.datetime) -> None:
    """A validator of `HomeVisit.visited_at`, also run by the visit form on the date and
    time it combines: the field is not on that form, so its errors go to the date."""
    if value.year < 2000:
        raise ValidationError(_("A visit cannot be before the year 2000 (2543 BE)."))
    # A few minutes of grace: a phone's clock may run ahead of the server's.
    if value > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError(_("A visit cannot be in the future."))


class HomeVisit(CaseChild):
    """เยี่ยมบ้าน: what the volunteers found, did, and when they come back."""

    EDIT_WINDOW = datetime.timedelta(hours=24)

    class Purpose(models.TextChoices):
        ASSESSMENT = "assessment", _("first visit and assessment")
        FOLLOW_UP = "follow_up", _("follow-up")
        EMERGENCY = "emergency", _("emergency")

    case = models.ForeignKey(Case, models.CASCADE, related_name="visits", verbose_name=_("case"))
    visited_at = models.DateTimeField(_("visited at"), validators=[plausible_visit_time])
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    volunteers = models.ManyToManyField(
        Volunteer, related_name="visits", blank=True, verbose_name=_("volunteers present")
    )
    other_participants = models.CharField(_("other participants"), max_length=300, blank=True)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    findings = models.TextField(_("what was found"), max_length=TEXT_LIMIT, blank=True)
    living_conditions = models.TextField(_("living conditions"), max_length=TEXT_LIMIT, blank=True)
    health = models.TextField(_("health and self-care"), max_length=TEXT_LIMIT, blank=True)
    adl_score = models.PositiveSmallIntegerField(
        _("Barthel ADL score"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(20)],
        help_text=_("0–20: 12 or more independent, 5–11 housebound, 0–4 bed-bound."),
    )
    # The ten Barthel items as ten small columns rather than one JSON value: PostgreSQL
    # checks each item's range, all-or-none and the total; the history shows which item
    # changed; reports can count "cannot bathe" without parsing. Blank = not assessed.
    adl_feeding = models.PositiveSmallIntegerField(_("feeding"), null=True, blank=True)
    adl_grooming = models.PositiveSmallIntegerField(_("grooming"), null=True, blank=True)
    adl_transfer = models.PositiveSmallIntegerField(_("transfer"), null=True, blank=True)
    adl_toilet = models.PositiveSmallIntegerField(_("toilet use"), null=True, blank=True)
    adl_mobility = models.PositiveSmallIntegerField(_("mobility"), null=True, blank=True)
    adl_dressing = models.PositiveSmallIntegerField(_("dressing"), null=True, blank=True)
    adl_stairs = models.PositiveSmallIntegerField(_("stairs"), null=True, blank=True)
    adl_bathing = models.PositiveSmallIntegerField(_("bathing"), null=True, blank=True)
    adl_bowels = models.PositiveSmallIntegerField(_("bowels"), null=True, blank=True)
    adl_bladder = models.PositiveSmallIntegerField(_("bladder"), null=True, blank=True)
    needs = models.TextField(_("needs"), max_length=TEXT_LIMIT, blank=True)
    actions = models.TextField(_("what was done or advised"), max_length=TEXT_LIMIT, blank=True)
    referral_needed = models.BooleanField(_("referral needed"), default=False)
    income_checked = models.BooleanField(
        _("income and allowances checked"),
        default=False,
        help_text=_("The household's income sources were confirmed or updated on this visit."),
    )
    # What the income sources added up to on the day: the case's own list changes later.
    monthly_income = models.DecimalField(
        _("monthly income at the visit (baht)"),
        max_digits=11,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
    )
    next_visit_due = models.DateField(_("next visit due"), null=True, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    # One per submitted form: a double tap or a resubmission cannot make two visits.
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = HomeVisitQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[volunteers], excluded_fields=["submission_token"])

    class Meta:
        ordering = ["-visited_at"]
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")
        constraints = [
            models.CheckConstraint(
                condition=Q(adl_score__isnull=True) | Q(adl_score__lte=20),
                name="visit_adl_score_0_to_20",
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{item.field}__lte": item.maximum}),
                    name=f"visit_{item.field}_range",
                    violation_error_message=_("Choose one of the answers offered."),
                )
                for item in barthel.ITEMS
            ],
            # All ten items or none; with the items the total is theirs.
            models.CheckConstraint(
                condition=Q(**{f"{name}__isnull": True for name in barthel.FIELDS})
                | Q(
                    **{f"{name}__isnull": False for name in barthel.FIELDS},
                    adl_score=sum((F(name) for name in barthel.FIELDS[1:]), F(barthel.FIELDS[0])),
                ),
                name="visit_barthel_items_all_or_none_and_total",
                violation_error_message=_(
                    "Answer all ten ADL items, or leave them all blank (a total may be typed "
                    "alone)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="visit_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="visit_longitude_range",
            ),
        ]
        indexes = [
            models.Index(fields=["center", "case", "-visited_at"], name="visit_center_case_time"),
            models.Index(fields=["center", "next_visit_due"], name="visit_center_next_due"),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {timezone.localtime(self.visited_at):%Y-%m-%d}"

    def save(self, *args, **kwargs) -> None:
        if self.has_adl_items():
            # The items decide the total, whatever was typed.
            self.adl_score = self.adl_items_total()
        if self.next_visit_due is None and self.visited_at:
            self.next_visit_due = self.default_next_visit_due()
        with transaction.atomic():
            super().save(*args, **kwargs)
            self.case.refresh_visit_dates()

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            result = super().delete(*args, **kwargs)
            self.case.refresh_visit_dates()
        return result

    @transaction.atomic
    def record(self, *, by, volunteers=(), photos=(), token: uuid.UUID | None = None) -> None:
        """Logs a new visit: with its volunteers and photos, the household's income on the
        day, and an event on the case. A closed case takes no visit."""
        self.case.check_not_closed(_("This case is closed: reopen it before logging a visit."))
        self.submission_token = token
        self.store(volunteers, photos)
        self.case.log(CaseEvent.Kind.VISIT_LOGGED, by=by)

    @transaction.atomic
    def correct(self, *, by, changed: Iterable[str], volunteers=(), photos=()) -> None:
        """Saves a correction and says on the case which fields (their labels) changed."""
        self.store(volunteers, photos)
        fields = ", ".join(str(label) for label in changed) or "–"
        note = _("Visit of %(date)s: %(fields)s") % {
            "date": be_date(self.visited_at),
            "fields": fields,
        }
        self.case.log(CaseEvent.Kind.VISIT_CORRECTED, by=by, note=str(note)[:500])

    def store(self, volunteers, photos) -> None:
        # The income is read before the one save: the case's visit dates are refreshed
        # once (by save), and the visit keeps what the income sources add up to today.
        self.monthly_income = self.case.monthly_income()
        self.save()
        self.volunteers.set(volunteers)
        for image, thumbnail in photos:
            VisitPhoto.objects.create(visit=self, image=image, thumbnail=thumbnail)

    def can_edit(self, user) -> bool:
        """Coordinators of the centre always; the author for 24 hours after saving."""
        if user.is_national_admin or (
            (user.is_coordinator or user.is_centre_admin) and user.center_id == self.center_id
        ):
            return True
        return self.author_id == user.pk and timezone.now() - self.created_at < self.EDIT_WINDOW

    def default_next_visit_due(self) -> datetime.date:
        """The centre's usual interval after this visit: a case without a next date would
        drop off every worklist."""
        interval = datetime.timedelta(days=self.case.center.followup_interval_days)
        return timezone.localtime(self.visited_at).date() + interval

    def adl_item_values(self) -> list[int | None]:
        return [getattr(self, name) for name in barthel.FIELDS]

    def has_adl_items(self) -> bool:
        return all(value is not None for value in self.adl_item_values())

    def adl_items_total(self) -> int:
        return sum(value or 0 for value in self.adl_item_values())

    def adl_answers(self) -> list[tuple[str, int, str]]:
        """Each item as (item, score, the answer chosen) for the visit page."""
        if not self.has_adl_items():
            return []
        return [
            (item.label, score, dict(item.choices)[score])
            for item, score in zip(barthel.ITEMS, self.adl_item_values(), strict=True)
        ]

    @property
    def adl_group(self) -> str:
        return barthel.group(self.adl_score)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if (
            self.visited_at
            and self.next_visit_due
            and self.next_visit_due < timezone.localtime(self.visited_at).date()
        ):
            errors["next_visit_due"] = _("The next visit cannot be before this visit.")
        given = [value is not None for value in self.adl_item_values()]
        if all(given):
            self.adl_score = self.adl_items_total()
        elif any(given):
            errors[NON_FIELD_ERRORS] = _(
                "Answer all ten ADL items, or leave them all blank (a total may be typed alone)."
            )
        if errors:
            raise ValidationError(errors)

    def check_volunteers(self, volunteers) -> None:
        """Only the visit's own centre's volunteers can have been there. Many-to-many
        rows are not there yet when clean() runs, so the form calls this with its
        choice; a database trigger (same_centre_guard_visit_volunteer) says it too."""
        if any(volunteer.center_id != self.center_id for volunteer in volunteers):
            raise ValidationError(
                {"volunteers": _("Only volunteers of this coordination centre can be recorded.")}
            )


def visit_photo_path(photo: VisitPhoto, filename: str) -> str:
    # Random names: a file name says nothing about the person and cannot be guessed.
    extension = os.path.splitext(filename)[1].lower()
    return f"visits/{photo.center_id}/{uuid.uuid4().hex}{extension}"


class VisitPhotoQuerySet(models.QuerySet):
    def visible_to(self, user) -> VisitPhotoQuerySet:
        """A photo is seen by whoever may see its visit's case."""
        return self.filter(visit__in=HomeVisit.objects.visible_to(user).values("pk"))


class VisitPhoto(models.Model):
    """A photo from a home visit. Never public: served only by a view that checks the
    viewer may see the case. Stored re-encoded, without EXIF (and so without GPS).
    It hangs on a visit, not on a case, so it is no CaseChild; it carries the centre
    all the same, for the index and the same-centre guards."""

    MAX_PER_VISIT = 5

    center = models.ForeignKey(
        Center, models.PROTECT, related_name="+", verbose_name=_("coordination centre")
    )
    visit = models.ForeignKey(
        HomeVisit, models.CASCADE, related_name="photos", verbose_name=_("home visit")
    )
    image = models.ImageField(
        _("photo"), upload_to=visit_photo_path, width_field="width", height_field="height"
    )
    thumbnail = models.ImageField(_("thumbnail"), upload_to=visit_photo_path, blank=True)
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = VisitPhotoQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")
        indexes = [models.Index(fields=["center", "visit"], name="visit_photo_center_visit")]

    def __str__(self) -> str:
        return f"{self.visit} #{self.pk}"

    def save(self, *args, **kwargs) -> None:
        if self.visit_id:
            self.center_id = self.visit.center_id
        super().save(*args, **kwargs)


class CaseEvent(CaseChild):
    """What happened to a case and who did it: opening, status changes, team
    assignments, closing and reopening. Append-only."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("case opened")
        EDITED = "edited", _("details edited")
        STATUS = "status", _("status changed")
        ASSIGNED = "assigned", _("team assigned")
        CLOSED = "closed", _("case closed")
        REOPENED = "reopened", _("case reopened")
        VISIT_LOGGED = "visit_logged", _("home visit logged")
        VISIT_CORRECTED = "visit_corrected", _("home visit corrected")

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
