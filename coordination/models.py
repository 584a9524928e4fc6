from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NoReturn, Self

from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from coordination import dates
from coordination.fields import PhoneField
from coordination.validators import agency_phone_parts, validate_agency_phone

if TYPE_CHECKING:
    pass


class CenterScopedQuerySet(models.QuerySet):
    """Rows that belong to a centre. The one rule of who sees them: a national
    administrator all, a coordinator or centre administrator their centre's, anyone
    else what `visible_to_others` allows."""

    def visible_to(self, user: User | AnonymousUser) -> Self:
        if not isinstance(user, User):  # not logged in
            return self.none()
        if user.is_national_admin:
            return self
        if user.is_coordinator or user.is_centre_admin:
            return self.filter(center_id=user.center_id)
        return self.visible_to_others(user)

    def visible_to_others(self, user: User) -> Self:
        return self.none()


class BilingualName(models.Model):
    """Reference data named in Thai and English; `name` follows the active language."""

    name_th = models.CharField(_("name in Thai"), max_length=150)
    name_en = models.CharField(_("name in English"), max_length=150)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "th").startswith("en") else self.name_th

    @staticmethod
    def name_column() -> str:
        """The column `name` reads in the active language, for a query."""
        return "name_en" if (get_language() or "th").startswith("en") else "name_th"


class Province(BilingualName):
    code = models.CharField(_("code"), max_length=2, primary_key=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")


class District(BilingualName):
    """อำเภอ or, in Bangkok, เขต. The code is DOPA's, e.g. 1027 for เขตบึงกุ่ม."""

    code = models.CharField(_("code"), max_length=4, primary_key=True)
    province = models.ForeignKey(
        Province, models.PROTECT, related_name="districts", verbose_name=_("province")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")


class SubdistrictQuerySet(models.QuerySet):
    def of_centres_of(self, user: User) -> SubdistrictQuerySet:
        """Where a user's work is: their centre's district (an administrator: every
        centre's). The choices of the address and area filters."""
        if user.center is not None:
            return self.filter(district_id=user.center.district_id)
        return self.filter(district__center__isnull=False)


class Subdistrict(BilingualName):
    """ตำบล or, in Bangkok, แขวง."""

    code = models.CharField(_("code"), max_length=6, primary_key=True)
    district = models.ForeignKey(
        District, models.PROTECT, related_name="subdistricts", verbose_name=_("district")
    )
    postal_codes = ArrayField(
        models.CharField(max_length=5), verbose_name=_("postal codes"), default=list
    )

    objects = SubdistrictQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("subdistrict")
        verbose_name_plural = _("subdistricts")

    def full_name(self) -> str:
        """As an address writes it: in Thai with its parts named, แขวงคลองกุ่ม เขตบึงกุ่ม
        กรุงเทพมหานคร in Bangkok (whose districts' names carry their เขต), ตำบลศรีภูมิ
        อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่ elsewhere; in English the three names."""
        district, province = self.district, self.district.province
        if not dates.is_thai():
            return f"{self.name}, {district.name}, {province.name}"
        if district.name.startswith("เขต"):
            return f"แขวง{self.name} {district.name} {province.name}"
        return f"ตำบล{self.name} อำเภอ{district.name} จังหวัด{province.name}"


class Center(models.Model):
    """ศูนย์ประสานงาน อพม.: one per district."""

    name = models.CharField(_("name"), max_length=200)
    district = models.OneToOneField(
        District, models.PROTECT, related_name="center", verbose_name=_("district")
    )
    address = models.TextField(_("address"))
    opened_on = models.DateField(_("opened on"))
    phone = PhoneField(blank=True)
    # A visit saved without a next date is due again after this many days, so no case
    # silently drops off the worklists. Centres differ (staffing, distances): data, not a constant.
    followup_interval_days = models.PositiveSmallIntegerField(
        _("follow-up interval (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
        help_text=_(
            "When a visit is saved without a next visit date, the next visit is due this many "
            "days after it."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("coordination centre")
        verbose_name_plural = _("coordination centres")
        constraints = [
            models.CheckConstraint(
                condition=Q(followup_interval_days__gte=1, followup_interval_days__lte=366),
                name="center_followup_interval_1_to_366",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def create_teams(self) -> list:
        """One team per target group, for a new centre to start working: the teams it
        has already (of any name) are left alone. Called where a centre is created —
        not a signal, not save(): tests and imports make centres that want no teams."""
        have = set(self.teams.values_list("target_group_id", flat=True))
        taken = set(self.teams.values_list("name", flat=True))
        created = []
        for group in TargetGroup.objects.exclude(pk__in=have):
            name = f"ทีม{group.name_th}"
            if name in taken:
                name = f"{name} ({group.code})"
            created.append(self.teams.create(target_group=group, name=name))
        return created


class TargetGroup(BilingualName):
    """The ministry's five target groups, seeded by a data migration."""

    class Code(models.TextChoices):
        DESTITUTE = "destitute", _("destitute")
        DISABILITY = "disability", _("persons with disabilities")
        ELDERLY = "elderly", _("older persons")
        WOMEN = "women", _("women")
        CHILDREN_YOUTH = "children_youth", _("children and youth")

    code = models.CharField(_("code"), max_length=20, unique=True, choices=Code.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")


class User(AbstractUser):
    """Roles are the groups `coordinator` and `volunteer`; administrators are staff."""

    center = models.ForeignKey(
        Center,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("coordination centre"),
        help_text=_("Empty for national administrators."),
    )

    # Part of every session's check: changing it logs the user out on every device.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)
    NAME_FIELDS = ("first_name", "last_name")  # read through NameFormField (plain_name)

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]  # not in django-stubs
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django's own hash covers the password only; the epoch lets an administrator
        # end every session without touching the password (also for SECRET_KEY_FALLBACKS).
        return salted_hmac(
            "coordination.User.get_session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def shown_name(self) -> str:
        """Who did something, as every page names them: their name, or their username
        when the account has none (an administrator's)."""
        return self.get_full_name() or self.username

    def log_out_everywhere(self) -> None:
        User.objects.filter(pk=self.pk).update(session_epoch=models.F("session_epoch") + 1)
        self.refresh_from_db(fields=["session_epoch"])

    def reset_second_factor(self) -> None:
        """Forgets every second-factor device (a lost phone): the user enrols again at
        the next login, and every session, verified with the old device, ends."""
        from django_otp import devices_for_user

        for device in devices_for_user(self, confirmed=None):
            device.delete()
        self.log_out_everywhere()

    def has_role(self, role: str) -> bool:
        # Group names are cached per request object: roles are read on every page.
        if not hasattr(self, "_role_names"):
            self._role_names = set(self.groups.values_list("name", flat=True))
        return role in self._role_names

    @property
    def password_by_link_only(self) -> bool:
        """Nobody but its owner chooses this account's password: its owner sets it
        through a one-time link (coordination/accounts.py). So for every account with a
        role in the app, staff or not; only an administrator's is set in the admin."""
        return not self.is_staff or self.has_role("coordinator") or self.has_role("volunteer")

    @property
    def is_national_admin(self) -> bool:
        """Staff without a centre: sees and administers every centre."""
        return self.is_staff and self.center_id is None

    @property
    def is_centre_admin(self) -> bool:
        """Staff bound to a centre: administers that centre only, in the admin too."""
        return self.is_staff and self.center_id is not None

    @property
    def is_coordinator(self) -> bool:
        return self.has_role("coordinator") and self.center_id is not None

    @property
    def is_volunteer(self) -> bool:
        return self.has_role("volunteer")

    @property
    def is_coordinator_or_staff(self) -> bool:
        """Who opens the centre's own pages: its coordinators and the administrators."""
        return self.is_staff or self.is_coordinator

    @property
    def is_case_worker(self) -> bool:
        """Who reaches case pages at all (which cases: `visible_to` says)."""
        return self.is_coordinator_or_staff or self.is_volunteer


class AgencyQuerySet(models.QuerySet):
    """Agencies are shared more widely than other centre rows: national ones (no centre,
    such as the 1300 hotline) are read by everyone who works cases, changed only by
    national administrators."""

    def visible_to(self, user: User | AnonymousUser) -> Self:
        if not isinstance(user, User):  # not logged in
            return self.none()
        if user.is_national_admin:
            return self
        if user.center_id is not None and (user.is_coordinator_or_staff or user.is_volunteer):
            return self.filter(Q(center_id=user.center_id) | Q(center__isnull=True))
        return self.none()

    def editable_by(self, user: User | AnonymousUser) -> Self:
        """What `user` may change on the app's pages: a coordinator their centre's own,
        never a national one (every centre relies on those)."""
        if not isinstance(user, User):
            return self.none()
        if user.is_national_admin:
            return self
        if user.is_coordinator or user.is_centre_admin:
            return self.filter(center_id=user.center_id)
        return self.none()

    def active(self) -> Self:
        return self.filter(active=True)

    def offered(self, *, keep: int | None = None) -> Self:
        """What a form offers: the active ones, and `keep`, the one a row already names
        (a deactivated agency stays on the records it is on)."""
        return self.filter(Q(active=True) | Q(pk=keep)) if keep else self.active()

    def search(self, text: str) -> Self:
        text = text.strip()
        if not text:
            return self
        return self.filter(
            Q(name__icontains=text)
            | Q(services__icontains=text)
            | Q(contact_person__icontains=text)
            | Q(area__icontains=text)
            | Q(phone__icontains=text)
        )

    def usable_by(self, center_id: int) -> Self:
        """What a case of `center_id` may name: the national agencies and the centre's."""
        return self.filter(Q(center__isnull=True) | Q(center_id=center_id))


class Agency(models.Model):
    """Where cases are referred (ประสานการช่วยเหลือ/ส่งต่อ): a centre's own partners, or
    national ones (no centre) every centre refers to."""

    class Kind(models.TextChoices):
        # The stored values of the first cut are kept (district_office, hospital, ...):
        # only `government` went, mapped by migration 0017_agency_directory_kinds_and_seed.
        DISTRICT_OFFICE = "district_office", _("district office welfare unit")
        HOSPITAL = "hospital", _("hospital or health centre")
        SHELTER = "shelter", _("shelter")
        LEGAL_AID = "legal_aid", _("legal aid")
        DISABILITY_SERVICE = "disability_service", _("disability service centre")
        BANGKOK_DISTRICT = "bangkok_district", _("Bangkok district office")
        POLICE = "police", _("police")
        HOTLINE = "hotline", _("hotline")
        NGO = "ngo", _("foundation or NGO")
        OTHER = "other", _("other")

    center = models.ForeignKey(
        Center,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="agencies",
        verbose_name=_("coordination centre"),
        help_text=_("Empty for agencies every centre can refer to, such as national hotlines."),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    phone = models.CharField(
        _("phone"),
        max_length=50,
        blank=True,
        validators=[validate_agency_phone],
        help_text=_(
            "A hotline (1300), a mobile or a line, with its extension; several with commas."
        ),
    )
    area = models.CharField(_("area served"), max_length=200, blank=True)
    address = models.TextField(_("address"), max_length=500, blank=True)
    contact_person = models.CharField(
        _("contact person"),
        max_length=200,
        blank=True,
        help_text=_("Who to ask for, with their position."),
    )
    services = models.TextField(
        _("services"),
        max_length=2000,
        blank=True,
        help_text=_("What the agency helps with, e.g. disability ID cards, legal advice."),
    )
    active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("An inactive agency is kept with its history but no longer offered."),
    )

    objects = AgencyQuerySet.as_manager()

    objects = AgencyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        constraints = [
            models.UniqueConstraint(
                "center", "name", name="agency_unique_name_per_center", nulls_distinct=False
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_national(self) -> bool:
        return self.center_id is None

    def phone_parts(self) -> list[tuple[str, str]]:
        """(number to dial, text to show) of each of its numbers."""
        parts = agency_phone_parts(self.phone) or []
        return [(number, f"{number} ต่อ {ext}" if ext else number) for number, ext in parts]

    def deactivate(self) -> None:
        """Kept, not deleted: referrals made to it stay readable."""
        self.active = False
        self.save(update_fields=["active"])

    def reactivate(self) -> None:
        self.active = True
        self.save(update_fields=["active"])


class AllowanceRateQuerySet(models.QuerySet):
    def in_force(self, on: datetime.date | None = None) -> AllowanceRateQuerySet:
        on = on or timezone.localdate()
        return self.filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=on), effective_from__lte=on
        )


class AllowanceRate(models.Model):
    """A monthly allowance rate for an age band, effective-dated: rates change by
    regulation, so an administrator edits them as data."""

    class Kind(models.TextChoices):
        ELDERLY = "elderly", _("older persons' allowance")
        DISABILITY = "disability", _("disability allowance")
        CHILD = "child", _("child support grant")

    kind = models.CharField(_("allowance"), max_length=20, choices=Kind.choices)
    age_from = models.PositiveSmallIntegerField(_("from age"), null=True, blank=True)
    age_to = models.PositiveSmallIntegerField(
        _("to age"), null=True, blank=True, help_text=_("Inclusive; empty for no upper limit.")
    )
    welfare_card_holders = models.BooleanField(
        _("for state welfare card holders"),
        default=False,
        help_text=_("A higher rate paid to holders of the state welfare card."),
    )
    monthly_amount = models.DecimalField(
        _("monthly amount (baht)"),
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0), _("An amount of money cannot be negative."))],
    )
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # A means test is part of the rule, so it is data too (the child support grant:
    # 100,000 baht a person a year in the 2022 regulation).
    income_limit_per_person_year = models.DecimalField(
        _("household income limit (baht a person a year)"),
        max_digits=11,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0), _("An amount of money cannot be negative."))],
        help_text=_("Empty when the allowance has no means test."),
    )

    objects = AllowanceRateQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "effective_from", "age_from"]
        verbose_name = _("allowance rate")
        verbose_name_plural = _("allowance rates")
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_amount__gte=Decimal(0)),
                name="allowance_rate_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(age_to__isnull=True)
                | Q(age_from__isnull=True)
                | Q(age_to__gte=models.F("age_from")),
                name="allowance_rate_age_band_ordered",
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="allowance_rate_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        band = ""
        if self.age_from is not None or self.age_to is not None:
            band = f" {self.age_from or 0}–{self.age_to if self.age_to is not None else '∞'}"
        return f"{self.get_kind_display()}{band}: {self.monthly_amount:,.0f}"


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("The access log is append-only.")

    def delete(self) -> NoReturn:
        raise PermissionError("The access log is append-only.")


class AccessLog(models.Model):
    """Who looked at, exported or printed what, and who logged in. Append-only: the
    app and the admin never change a row, and a database trigger refuses it too."""

    class Action(models.TextChoices):
        VIEW_CASE = "view_case", _("viewed a case")
        # A case page the phone's service worker fetched to keep for use offline.
        OFFLINE_COPY = "offline_copy", _("kept a case on the phone for use offline")
        VIEW_VISIT = "view_visit", _("viewed a home visit")
        PHOTO = "photo", _("opened a photo")
        EXPORT = "export", _("exported a case")
        PRINT = "print", _("printed a case")
        LOGIN = "login", _("logged in")
        LOGIN_FAILED = "login_failed", _("failed to log in")
        LOGOUT = "logout", _("logged out")
        ANONYMISE = "anonymise", _("anonymised a case")
        ACCOUNT_CREATED = "account_created", _("created a login account")
        PASSWORD_LINK = "password_link", _("issued a link to set a password")
        PASSWORD_SET = "password_set", _("set their password through a link")
        ACCOUNT_DISABLED = "account_disabled", _("closed a login account")
        ACCOUNT_ENABLED = "account_enabled", _("reopened a login account")
        RESET_SECOND_FACTOR = "reset_2fa", _("reset a second factor")
        EXPORT_LIST = "export_list", _("exported a list")
        IMPORT = "import", _("imported a file")

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("user")
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    center = models.ForeignKey(
        Center,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("coordination centre"),
    )
    # Plain values, not foreign keys: the log outlives what it speaks of.
    case_id = models.BigIntegerField(_("case id"), null=True, blank=True)
    case_number = models.CharField(_("case number"), max_length=20, blank=True, db_index=True)
    object_type = models.CharField(_("object"), max_length=50, blank=True)
    object_id = models.BigIntegerField(_("object id"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    path = models.CharField(_("address"), max_length=500, blank=True)
    # Why full national IDs were exported (the coordinator's words); which file was imported.
    # Empty by default in the database too: a row written without them (by SQL, not the
    # ORM) is still a row.
    reason = models.CharField(_("reason"), max_length=300, blank=True, db_default="")
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, blank=True, db_default="")

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        indexes = [
            models.Index(fields=["case_id", "-at"], name="accesslog_case_at"),
            models.Index(fields=["user", "-at"], name="accesslog_user_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.case_number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("The access log is append-only.")


class DataStamp(models.Model):
    """How many times the data a centre's pages show has changed: one row per centre
    (`scope` is its id) and one for what every centre reads (scope 0: target groups,
    rates, caps, places). A database trigger on each of those tables moves the row on
    when a transaction that changed it commits (cases/migrations/0045_data_stamps.py),
    whatever wrote: a page, the admin, an import, SQL. A figure computed at a stamp
    stays true while the stamp does (coordination/stamps.py keeps such figures)."""

    GLOBAL = 0

    scope = models.BigIntegerField(primary_key=True)
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.scope}: {self.version}"
