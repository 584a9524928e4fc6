from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Self

from django.apps import apps
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models, transaction
from django.db.models import Count, Exists, F, Q, Sum
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases import barthel
from coordination import dates
from coordination.choices import (
    Prefix,
    Sex,
    name_word_query,
    person_name,
    prefix_sex_mismatch,
    prefix_text,
)
from coordination.constraints import ChecksInOneQuery
from coordination.fields import NationalIDField, PhoneField
from coordination.models import Center, CenterScopedQuerySet, Subdistrict, TargetGroup
from coordination.validators import arabic_digits, normalize_national_id
from volunteers.models import Team, TeamMembership, Volunteer

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from cases.models.events import CaseEvent
    from cases.models.referrals import Referral

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


class CaseEventKind(models.TextChoices):
    """What a `CaseEvent` records; here so that the case's own methods can name it."""

    OPENED = "opened", _("case opened")
    EDITED = "edited", _("details edited")
    STATUS = "status", _("status changed")
    ASSIGNED = "assigned", _("team assigned")
    CLOSED = "closed", _("case closed")
    REOPENED = "reopened", _("case reopened")
    VISIT_LOGGED = "visit_logged", _("home visit logged")
    VISIT_CORRECTED = "visit_corrected", _("home visit corrected")
    MERGED = "merged", _("merged as a duplicate")
    MERGE_UNDONE = "merge_undone", _("merge undone")
    ASSISTANCE = "assistance", _("assistance recorded")
    ASSISTANCE_OVER_CAP = "assistance_over_cap", _("assistance recorded over its cap")
    PLAN_CHANGED = "plan_changed", _("case plan changed")
    CONFERENCE = "conference", _("discussed at a case conference")


class YearlyCounter(models.Model):
    """The last sequence number given per centre and Buddhist-era year: case numbers,
    referral letter numbers."""

    center = models.ForeignKey(Center, models.CASCADE, related_name="+")
    year_be = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.center_id}/{self.year_be}: {self.last}"

    @classmethod
    def take_next(cls, center_id: int, year_be: int, count: int = 1) -> int:
        """The last of `count` numbers taken at once (an import takes a block: the
        numbers `last - count + 1` to `last` are the caller's)."""
        # One atomic upsert: concurrent transactions queue on the counter's row lock,
        # so two taken at once never get the same number.
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {cls._meta.db_table} (center_id, year_be, last)
                VALUES (%s, %s, %s)
                ON CONFLICT (center_id, year_be) DO UPDATE SET last = {cls._meta.db_table}.last + %s
                RETURNING last
                """,
                [center_id, year_be, count, count],
            )
            return cursor.fetchone()[0]


class CaseNumberCounter(YearlyCounter):
    """The last case number given per centre and Buddhist-era year."""

    class Meta:
        constraints = [
            models.UniqueConstraint("center", "year_be", name="case_counter_unique_center_year")
        ]


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


def volunteers_cases(user, prefix: str = "") -> Q | None:
    """A volunteer sees the cases of their centre assigned to a team they are an active
    member of (None: not a volunteer). `prefix` says it of a case's row ("case__"). Their
    teams by their ids (Volunteer.team_ids), not their cases': as `case IN (their cases)`,
    PostgreSQL guessed one case, not 1,300, and looped over all of them for each pending
    plan action of the centre."""
    volunteer = getattr(user, "volunteer", None)
    if not (user.is_volunteer and volunteer is not None):
        return None
    return Q(
        **{
            f"{prefix}center_id": volunteer.center_id,
            f"{prefix}team_id__in": volunteer.team_ids,
        }
    )


def next_version(record: models.Model) -> int:
    """The version a change gives a case or a visit: one past the one saved, its row
    locked until the change commits. Counted from the row, not from the copy in hand: a
    change made meanwhile (a visit's incomes) is not counted over."""
    saved = type(record)._default_manager.select_for_update().filter(pk=record.pk)
    return saved.values_list("version", flat=True).get() + 1


WORK_STAYS = _(
    "Its centre has worked on this case (visits, referrals, help, a plan, a merge or a "
    "case conference), and that work stays with it. Close the case there as moved away, "
    "and open a case at the other centre."
)


class CaseQuerySet(CenterScopedQuerySet):
    def visible_to_others(self, user) -> CaseQuerySet:
        condition = volunteers_cases(user)
        return self.none() if condition is None else self.filter(condition)

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

    def open_figures(self, today: datetime.date) -> dict[tuple[int | None, str], dict[str, int]]:
        """The dashboard's counts of open cases per (team, status): how many, and of them
        overdue, never visited and urgent. One grouped pass over the open cases: the totals
        are the sums, the counts by team or by status the sums over the other."""
        rows = (
            self.open()
            .order_by()
            .values("team", "status")
            .annotate(
                open=Count("pk"),
                overdue=Count("pk", filter=overdue_condition(today)),
                never_visited=Count("pk", filter=Q(last_visit_at__isnull=True)),
                urgent=Count("pk", filter=Q(priority=Case.Priority.URGENT)),
            )
        )
        return {(row.pop("team"), row.pop("status")): row for row in rows}

    def month_figures(self, today: datetime.date) -> dict[str, int]:
        """Cases opened and closed this month, in one query."""
        month_start = today.replace(day=1)
        # Only this month's rows, found by the opened-on and closed-on indexes: counting
        # with FILTER over all of the centre's cases read its whole history.
        this_month = Q(opened_on__gte=month_start) | Q(closed_on__gte=month_start)
        return self.filter(this_month).aggregate(
            opened_this_month=Count("pk", filter=Q(opened_on__gte=month_start)),
            closed_this_month=Count("pk", filter=Q(closed_on__gte=month_start)),
        )

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
                word_query = name_word_query(word)
            query &= word_query
        return self.filter(query)


class Case(ChecksInOneQuery):
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
        DUPLICATE = "duplicate", _("duplicate of another case")

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
    # Unique per centre (Meta.constraints), not in the whole country: a table distributed
    # by centre (docs/scaling.md, Citus) can only enforce keys that include the centre.
    # The number starts with the centre's district code, so the two say the same thing.
    number = models.CharField(_("case number"), max_length=20, editable=False)

    # The person
    prefix = models.CharField(_("prefix"), max_length=10, choices=Prefix.choices)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("surname"), max_length=100, blank=True)
    # Read through NameFormField on every form, the admin's too (plain_name).
    NAME_FIELDS = ("first_name", "last_name")
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
    # The day the estimate was made: the age shown grows from it (Case.age()).
    estimated_age_on = models.DateField(
        _("age estimated on"), null=True, blank=True, editable=False
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
    legal_problem = models.TextField(
        _("legal problem"),
        max_length=TEXT_LIMIT,
        blank=True,
        help_text=_("E.g. the house is mortgaged and the bank will seize it."),
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
    # The case kept when this one was closed as its duplicate (same centre).
    duplicate_of = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
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

    # The target groups' names, where a list annotates them (views.list_rows); declared
    # here for the type checker.
    group_names: list[str]
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
                "number",
                name="case_number_unique_per_center",
                violation_error_message=_("A case with this number already exists in this centre."),
            ),
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
            models.CheckConstraint(
                condition=Q(duplicate_of__isnull=True)
                | (Q(closure_reason="duplicate") & ~Q(duplicate_of=F("pk"))),
                name="case_duplicate_of_only_when_closed_as_duplicate",
            ),
        ]
        indexes = [
            models.Index(fields=["center", "status"], name="case_center_status"),
            models.Index(fields=["center", "team"], name="case_center_team"),
            # The case list's default order, whole: the first and the deep pages read it in
            # order instead of sorting the centre's open cases (`-number` breaks ties).
            models.Index(
                fields=["center", "-opened_on", "-number"], name="case_center_opened_number"
            ),
            # The national administrator's admin list, every centre's rows newest first,
            # and its date drill-down (one probe a year or month, coordination.admin_dates):
            # without it the list sorted the whole table (1 million cases: 1.2 s, national).
            models.Index(fields=["opened_on"], name="case_opened_on"),
            models.Index(fields=["center", "next_visit_due"], name="case_center_next_due"),
            models.Index(fields=["center", "last_visit_at"], name="case_center_last_visit"),
            # The cases in hand, per team and next visit: the open and overdue counts of
            # the team list, team page and dashboard read these rows only, not every case
            # the centre ever closed (which grow with its years, the open ones do not).
            models.Index(
                fields=["center", "team", "next_visit_due"],
                condition=~Q(status="closed"),
                name="case_open_center_team_due",
            ),
            # "Closed this month" without reading every closed case.
            models.Index(
                fields=["center", "closed_on"],
                condition=Q(closed_on__isnull=False),
                name="case_center_closed_on",
            ),
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

    # The work a centre did on a case, which stays with that centre: its visits, its
    # referrals (their letters numbered by it), its help, its plan, its merges and case
    # conferences. A person who moves away is closed there as moved away and opened at
    # the other centre; a case with none of it, opened at the wrong centre, may move.
    WORK_DONE = (
        "visits", "referrals", "assistance", "merges", "merged_in", "duplicates", "conferences",
    )  # fmt: skip  # and a plan (has_plan)

    # The centre the stored case has, as read (from_db) or saved; unset when unknown.
    _centre_read: int | None

    @classmethod
    def from_db(cls, db, field_names, values) -> Self:
        case = super().from_db(db, field_names, values)
        if "center_id" in case.__dict__:
            case._centre_read = case.center_id
        return case

    def refresh_from_db(self, using=None, fields=None, from_queryset=None) -> None:
        super().refresh_from_db(using, fields, from_queryset)
        refreshed = fields is None or {"center", "center_id"} & set(fields)
        if refreshed and "center_id" in self.__dict__:
            self._centre_read = self.center_id

    def centre_as_stored(self) -> int | None:
        """The centre of the stored case, when this one may have another: as read with
        it, or read now (a case built from a history record by a revert). None for a new
        case, or one whose centre was neither read nor set."""
        if not self.pk or "center_id" not in self.__dict__:
            return None
        if hasattr(self, "_centre_read"):
            return self._centre_read
        return Case.objects.filter(pk=self.pk).values_list("center_id", flat=True).first()

    def save(self, *args, **kwargs) -> None:
        if not self.number:
            with transaction.atomic():
                self.number = self.next_number()
                super().save(*args, **kwargs)
        elif self.moves_centre(kwargs.get("update_fields")):
            with transaction.atomic():
                self.move_to_its_centre(*args, **kwargs)
        else:
            super().save(*args, **kwargs)
        if "center_id" in self.__dict__:
            # Once committed: a save rolled back leaves the stored centre as it was.
            centre = self.center_id
            transaction.on_commit(lambda: setattr(self, "_centre_read", centre))

    def moves_centre(self, update_fields: Iterable[str] | None) -> bool:
        if update_fields is not None and not {"center", "center_id"} & set(update_fields):
            return False
        return self.centre_as_stored() not in (None, self.center_id)

    def move_to_its_centre(self, *args, **kwargs) -> None:
        """Saves the case at the centre now set on it, its rows brought along; refused
        (ValidationError) for a case its centre has worked on, checked with the case
        locked, whatever path saves it (the admin's form says it first: clean)."""
        stored = (
            Case.objects.select_for_update().filter(pk=self.pk).values_list("center_id", flat=True)
        )
        moving = stored.first() != self.center_id
        if moving and self.has_work_done():
            raise ValidationError({"center": WORK_STAYS})
        super().save(*args, **kwargs)
        if moving:
            self.bring_rows()

    def bring_rows(self) -> None:
        """Every row of the case carries its centre (CaseChild), and pages and lists show
        a row to the centre on it: moved to another centre, the case brings its rows, or
        the centre it left would go on seeing them. Its history forgets the teams it
        was assigned to there: they are the other centre's (and the database's guard
        refuses an event of another centre's team)."""
        self.events.exclude(team=None).exclude(team__center_id=self.center_id).update(team=None)
        for model in case_row_models():
            rows = model._default_manager.filter(case_id=self.pk)
            rows.exclude(center_id=self.center_id).update(center_id=self.center_id)

    @property
    def full_name(self) -> str:
        return person_name(prefix_text(self.prefix), self.first_name, self.last_name)

    @classmethod
    def label_of(cls, name: str) -> str:
        """A field's name as the pages say it: a part of an address says which address
        (two fields read "subdistrict" alike in the history and the printout)."""
        label = str(getattr(cls._meta.get_field(name), "verbose_name", name))
        where = {"reg": _("Registered address"), "cur": _("Current address")}.get(name[:3])
        return f"{where}: {label}" if where and name[3:4] == "_" else label

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
            return dates.years_between(self.birth_date, on)
        if self.estimated_age is None or self.estimated_age_on is None:
            return self.estimated_age
        # The estimate ages with time: a person "about 79" two years ago is about 81 now.
        since = self.estimated_age_on
        years = dates.years_between(since, on)
        return self.estimated_age + max(years, 0)

    def has_plan(self) -> bool:
        """A plan: at least one goal or one planned action (cases/models/plan.py)."""
        return self.goals.exists() or self.plan_actions.exists()

    def monthly_income(self) -> Decimal:
        total = self.incomes.aggregate(total=Sum("amount"))["total"]
        return total or Decimal(0)

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        stored = self.centre_as_stored()
        if self.team and self.center_id and self.team.center_id != self.center_id:
            errors["team"] = (
                _("The team is of the centre the case leaves: clear it to move the case.")
                if self.team.center_id == stored
                else _("The team must belong to the case's coordination centre.")
            )
        if self.birth_date and self.birth_date > timezone.localdate():
            errors["birth_date"] = _("The birth date cannot be in the future.")
        if self.birth_date and self.birth_date < OLDEST_BIRTH_DATE:
            errors["birth_date"] = _("The birth date cannot be before 1900 (2443 BE).")
        if mismatch := prefix_sex_mismatch(self.prefix, self.sex):
            errors["prefix"] = mismatch
        if self.housing == self.Housing.RENTED and self.monthly_rent is None:
            errors["monthly_rent"] = _("Enter the monthly rent of a rented home.")
        if stored is not None and stored != self.center_id and self.has_work_done():
            errors["center"] = WORK_STAYS
        if errors:
            raise ValidationError(errors)

    def has_work_done(self) -> bool:
        return self.has_plan() or any(getattr(self, name).exists() for name in self.WORK_DONE)

    def disability_labels(self) -> list[StrOrPromise]:
        return [DisabilityType(value).label for value in self.disability_types]

    def consents_to(self, purpose: str) -> bool:
        """Whether a consent is recorded (how it was given) that covers `purpose`."""
        return bool(self.consent_method) and purpose in self.consent_purposes

    def consent_purpose_labels(self) -> list[StrOrPromise]:
        return [self.ConsentPurpose(value).label for value in self.consent_purposes]

    def personal_data(self) -> dict:
        """Everything held about the person of this case, for an access request (PDPA)."""
        # The case's parts are defined after the case, in modules that import this one.
        from cases.models.household import HouseholdMember

        def values(obj: models.Model, fields: Iterable[str]) -> dict:
            data = {}
            for name in fields:
                field = obj._meta.get_field(name)
                value = getattr(obj, name)
                if getattr(field, "choices", None) and not isinstance(value, list):
                    value = getattr(obj, f"get_{name}_display")()
                data[name] = value
            return data

        person = [
            "number", "prefix", "first_name", "last_name", "sex", "birth_date", "birth_year_only",
            "estimated_age", "estimated_age_on", "national_id", "marital_status", "phone", "has_welfare_card",
            "disability_types", "has_disability_card",
            *Address.typed_fields(), "current_same_as_registered", "landmark", "problems", "housing", "monthly_rent",
            "housing_condition", "legal_problem", "status", "priority", "opened_on", "closed_on", "closure_reason",
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
        data["debts"] = [values(d, list(d.RECORDED_FIELDS)) for d in self.debts.all()]
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
            {**values(e, ["at", "kind", "status_from", "status_to"]), "note": e.text}
            for e in self.events.order_by("at")
        ]
        data["assistance"] = [
            {
                **values(a, ["given_on", "kind", "amount", "description", "exception_reason"]),
                "provider": a.provider.name if a.provider else "",
            }
            for a in self.assistance.select_related("provider").order_by("given_on", "id")
        ]
        data["plan_goals"] = [
            values(g, ["text", "achieved", "achieved_on"]) for g in self.goals.all()
        ]
        data["plan_actions"] = [
            {
                **values(a, ["what", "due_on", "status", "finished_on", "note"]),
                "owner": a.owner_name,
            }
            for a in self.plan_actions.for_rows()
        ]
        data["referrals"] = [
            r.personal_data()
            for r in self.referrals.select_related("agency").prefetch_related("updates")
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
        if not self.is_overdue(today) or self.next_visit_due is None:
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
        self.log(CaseEventKind.OPENED, by=by, status_to=self.status)

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
        self.log(CaseEventKind.EDITED, by=by)

    @classmethod
    @transaction.atomic
    def move_on(cls, pk: int) -> None:
        """A change to the case's rows saved apart from it (its incomes on a visit's page,
        a household member or an income in the admin) is a change to the case: its
        version moves on, as for any change (docs/architecture.md, convention 13). An
        edit page opened before meets it instead of overwriting it; the missed-allowance
        worklist reads a new state. Saved from the row as it is now, locked: its history
        record (which a met edit reads, forms.edit_over) holds the case as it is."""
        case = cls.objects.select_for_update().get(pk=pk)
        case.version += 1
        case.save(update_fields=["version", "updated_at"])

    @transaction.atomic
    def assign_team(self, team: Team | None, *, by) -> None:
        if team is not None and team.center_id != self.center_id:
            raise ValidationError(_("The team must belong to the case's coordination centre."))
        if team == self.team:
            return
        self.team = team
        self.version = next_version(self)
        self.save(update_fields=["team", "version", "updated_at"])
        self.log(CaseEventKind.ASSIGNED, by=by, team=team)

    def check_not_closed(self, message: StrOrPromise) -> None:
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

    # The lifecycle (DOMAIN.md's case steps): where an open case may go next. Closing is
    # open from every status (a person may die, move away or refuse at any step), and
    # reopening leads back to assessed. Each step's own rule is in status_refusal().
    NEXT_STATUSES: dict[str, tuple[str, ...]] = {
        Status.INTAKE: (Status.ASSESSED,),
        Status.ASSESSED: (Status.IN_ASSISTANCE,),
        Status.IN_ASSISTANCE: (Status.FOLLOW_UP,),
        # Following up found a new need: help is arranged again.
        Status.FOLLOW_UP: (Status.IN_ASSISTANCE,),
    }

    def next_statuses(self) -> tuple[str, ...]:
        """The statuses the status form offers: where the lifecycle leads from here."""
        if self.is_closed:
            return ()
        return self.NEXT_STATUSES.get(self.status, ())

    def status_refusal(self, status: str) -> StrOrPromise | None:
        """Why the case may not move to `status` now, in the user's language; None if it may."""
        if self.is_closed:
            return _("Reopen the case before changing its status.")
        if status == self.Status.CLOSED:
            return _("Close a case with its reason.")
        if status not in self.next_statuses():
            return _("A case that is “%(from)s” cannot become “%(to)s”.") % {
                "from": self.get_status_display(),
                "to": self.Status(status).label if status in self.Status.values else status,
            }
        if status == self.Status.ASSESSED and not self.visits.exists():
            return _("Record a home visit before marking the case assessed.")
        if status == self.Status.IN_ASSISTANCE and not self.has_help_arranged():
            return _("Make a case plan or a referral before marking the case in assistance.")
        return None

    def proposes_assessment(self) -> bool:
        """The first visit proposes "assessed": the case page suggests it (no query)."""
        return self.status == self.Status.INTAKE and self.last_visit_at is not None

    def has_help_arranged(self) -> bool:
        """A case is in assistance once help is arranged: a case plan or a referral
        (HomeVisit.referral_needed is a need, not a referral)."""
        return self.has_plan() or self.referrals.exists()

    @transaction.atomic
    def change_status(self, status: str, *, by, note: str = "") -> None:
        if refusal := self.status_refusal(status):
            raise ValidationError(refusal)
        old = self.status
        self.status = status
        self.version = next_version(self)
        self.save(update_fields=["status", "version", "updated_at"])
        self.log(CaseEventKind.STATUS, by=by, status_from=old, status_to=status, note=note)

    def close_blockers(
        self, reason: str = "", open_referrals: Iterable[Referral] | None = None
    ) -> list[StrOrPromise]:
        """What must be settled before the case can close, as the close page says it:
        each referral still open (closing as a duplicate moves them to the kept case).
        `open_referrals`: the case's open referrals with their agencies, in their order,
        when the caller has read them already (the case page)."""
        blockers: list[StrOrPromise] = []
        if self.is_closed:
            blockers.append(_("This case is already closed."))
        if reason != self.ClosureReason.DUPLICATE:
            if open_referrals is None:
                open_referrals = self.referrals.open().select_related("agency")
            for referral in open_referrals:
                blockers.append(
                    _(
                        "The referral %(number)s to %(agency)s is still open: record its "
                        "outcome or cancel it first."
                    )
                    % {"number": referral.letter_number, "agency": referral.agency.name}
                )
        return blockers

    def closing_refusals(self, reason: str, note: str, kept: Case | None) -> dict[str, list[str]]:
        """What is wrong with closing the case so, by the close form's field names."""
        errors: dict[str, list] = {}
        if blockers := self.close_blockers(reason):
            errors["__all__"] = blockers
        if reason not in self.ClosureReason.values:
            errors["reason"] = [_("Choose why the case is closed.")]
        if not note.strip():
            errors["note"] = [_("Write a closing note: what was done, and how it ended.")]
        if reason == self.ClosureReason.DUPLICATE:
            if kept is None:
                errors["kept_case"] = [_("Enter the number of the case that is kept.")]
            elif kept.pk == self.pk:
                errors["kept_case"] = [_("A case cannot be a duplicate of itself.")]
            elif kept.center_id != self.center_id:
                # Said as "not found": another centre's case must not reveal itself.
                errors["kept_case"] = [_("No case with this number in this centre.")]
            elif kept.is_closed:
                errors["kept_case"] = [_("The kept case is closed: reopen it first.")]
            elif self.national_id and kept.national_id and self.national_id != kept.national_id:
                errors["kept_case"] = [
                    _(
                        "The kept case has another national ID: it is another person. If "
                        "one of the IDs was typed wrongly, correct it on its case first."
                    )
                ]
        elif kept is not None:
            errors["kept_case"] = [_("Give the kept case only when closing as a duplicate of it.")]
        return errors

    @transaction.atomic
    def close(
        self,
        reason: str,
        *,
        by,
        note: str,
        on: datetime.date | None = None,
        kept: Case | None = None,
    ) -> None:
        """Closes the case with its reason and a closing note. Closed as a duplicate, its
        visits (and what else MOVED_WITH_A_MERGE names) move to `kept`: a merge, undoable."""
        if errors := self.closing_refusals(reason, note, kept):
            raise ValidationError(errors)
        old = self.status
        self.status = self.Status.CLOSED
        self.closure_reason = reason
        self.closed_on = on or timezone.localdate()
        self.duplicate_of = kept if reason == self.ClosureReason.DUPLICATE else None
        self.version = next_version(self)
        self.save(
            update_fields=[
                "status", "closure_reason", "closed_on", "duplicate_of", "version", "updated_at"
            ]
        )  # fmt: skip
        self.log(CaseEventKind.CLOSED, by=by, status_from=old, status_to=self.status, note=note)
        if self.duplicate_of is not None:
            from cases.models.merges import CaseMerge

            CaseMerge.merge(self, self.duplicate_of, by=by)

    @classmethod
    def reopens_as(cls, *, has_visits: bool) -> str:
        """A reopened case starts again from its assessment; one never visited, from
        intake (assessed needs a visit)."""
        return cls.Status.ASSESSED if has_visits else cls.Status.INTAKE

    @transaction.atomic
    def reopen(self, *, by, note: str = "", details: dict | None = None) -> None:
        """A reopened case starts again from its assessment; one never visited, from
        intake, as assessed needs a visit (status_refusal)."""
        if not self.is_closed:
            raise ValidationError(_("Only a closed case can be reopened."))
        if self.merges.filter(undone_at__isnull=True).exists():
            raise ValidationError(
                _("This case was merged into another: undo the merge to reopen it.")
            )
        self.status = self.reopens_as(has_visits=self.visits.exists())
        self.closure_reason = ""
        self.closed_on = None
        self.duplicate_of = None
        self.version = next_version(self)
        self.save(
            update_fields=[
                "status", "closure_reason", "closed_on", "duplicate_of", "version", "updated_at"
            ]
        )  # fmt: skip
        self.log(
            CaseEventKind.REOPENED,
            by=by,
            status_from=self.Status.CLOSED,
            status_to=self.status,
            note=note,
            details=details,
        )

    @transaction.atomic
    def anonymise(self) -> None:
        """Removes what identifies the person (PDPA: kept no longer than needed) and keeps
        what statistics count: groups, area, sex, birth year, household and income figures."""
        from cases.models.debts import Debt
        from cases.models.household import HouseholdMember, IncomeSource
        from cases.models.visits import HomeVisit, VisitPhoto

        blank_fields = [
            "last_name", "national_id", "phone", "marital_status", "problems", "housing_condition",
            "landmark", "consent_given_by", "legal_problem", *Address.typed_fields(),
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
        self.debts.update(creditor="-", note="")
        self.events.update(note="", details=None)
        # What was given and planned is counted (caps, reports); what was written about
        # the person in it goes.
        self.assistance.update(description="", exception_reason="")
        self.goals.update(text="-")
        self.plan_actions.update(note="")
        self.visits.update(
            other_participants="", findings="", living_conditions="", health="", needs="",
            actions="", latitude=None, longitude=None,
        )  # fmt: skip
        self.referrals.all().anonymise()
        VisitPhoto.objects.filter(visit__case=self).delete()  # their files on commit
        # The change history holds the old values: it goes too.
        Case.history.filter(id=self.pk).delete()
        for model in (HouseholdMember, IncomeSource, HomeVisit, Debt):
            model.history.filter(case_id=self.pk).delete()

    def log(self, kind: str, *, by, **details) -> CaseEvent:
        return self.events.create(case=self, center_id=self.center_id, kind=kind, by=by, **details)

    def refresh_visit_dates(self) -> None:
        # By its centre too: the visits' (centre, case, time) index answers at once, where
        # the case's own index read every visit of the case and sorted them (2.1 ms for a
        # case with 730 visits, national; 0.05 ms so).
        visits = self.visits.filter(center_id=self.center_id).order_by("-visited_at")
        latest = visits.values_list("visited_at", "next_visit_due").first()
        self.last_visit_at, self.next_visit_due = latest or (None, None)
        Case.objects.filter(pk=self.pk).update(
            last_visit_at=self.last_visit_at, next_visit_due=self.next_visit_due
        )

    def take_visit_dates(self, visit) -> None:
        """A new visit's dates become the case's in one UPDATE when it is the case's
        latest visit: no visit of the case is later, and neither is the case's latest
        visit date (PostgreSQL asks this second again of the case's row once it holds its
        lock, should a visit saved meanwhile have moved it, which the subquery would not
        see). Else (a visit entered late, or case dates that are not its visits') they are
        refreshed from the visits."""
        later = self.visits.filter(center_id=self.center_id, visited_at__gt=visit.visited_at)
        latest = Q(last_visit_at__isnull=True) | Q(last_visit_at__lte=visit.visited_at)
        dates = {"last_visit_at": visit.visited_at, "next_visit_due": visit.next_visit_due}
        if Case.objects.filter(latest, ~Exists(later), pk=self.pk).update(**dates):
            self.last_visit_at, self.next_visit_due = visit.visited_at, visit.next_visit_due
        else:
            self.refresh_visit_dates()

    def next_number(self) -> str:
        """`<district code>-<BE year>-<sequence>`, e.g. 1027-2562-0001."""
        year_be = self.opened_on.year + 543
        sequence = CaseNumberCounter.take_next(self.center_id, year_be)
        return f"{self.center.district_id}-{year_be}-{sequence:04d}"


class CaseChildQuerySet(CenterScopedQuerySet):
    """A case's rows are seen by whoever may see the case: the same rule, said of the
    row's own centre (CaseChild.save copies the case's), so that a centre's rows are read
    on their own centre-leading index, not joined to every case of the centre (a
    50,000-case centre's dashboard: 1.4 s to 0.2 s a query)."""

    def visible_to_others(self, user) -> Self:
        condition = volunteers_cases(user, prefix="case__")
        if condition is None:
            return self.none()
        # The row's own centre says nothing new but lets PostgreSQL start from the
        # centre-leading index: without it, "my cases" read every pending plan action of
        # the country (122,351 at national scale, 185 ms of its 340).
        return self.filter(condition, center_id=user.volunteer.center_id)


def case_row_models() -> list[type[models.Model]]:
    """Every kind of row of a case (CaseChild): household, incomes, visits, events…"""
    return [model for model in apps.get_models() if issubclass(model, CaseChild)]


class CaseChild(ChecksInOneQuery):
    """Rows that belong to a case carry its centre, so every index leads with it."""

    center = models.ForeignKey(
        Center, models.PROTECT, related_name="+", verbose_name=_("coordination centre")
    )

    # Each kind of row declares its own `case` foreign key, for its own related name.
    case: Case
    case_id: int

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.case_id:
            self.center_id = self.case.center_id
        super().save(*args, **kwargs)
