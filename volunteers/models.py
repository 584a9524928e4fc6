from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from typing import Any, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from coordination import dates
from coordination.accounts import create_account, set_account_active
from coordination.choices import (
    CHILD_PREFIXES,
    Prefix,
    name_word_query,
    person_name,
    person_namer,
    prefix_text,
)
from coordination.fields import NationalIDField, PhoneField
from coordination.models import Center, CenterScopedQuerySet, Subdistrict, TargetGroup, User
from coordination.validators import normalize_phone


class VolunteerQuerySet(CenterScopedQuerySet):
    def visible_to_others(self, user: User) -> Self:
        """A volunteer sees only themself."""
        return self.filter(user=user)

    def names(self) -> Iterator[tuple[int, str]]:
        """Each volunteer's (pk, str(volunteer)) from four columns, not a model instance
        each, the prefixes translated once: a select of a centre's volunteers (some 280)
        built 280 instances for their labels alone."""
        name = person_namer()
        rows = self.values_list("pk", "prefix", "first_name", "last_name")
        for pk, prefix, first_name, last_name in rows:
            yield pk, name(prefix, first_name, last_name)

    def active(self) -> VolunteerQuerySet:
        return self.filter(status=Volunteer.Status.ACTIVE)

    def offered(self, *, keep: int | None = None) -> VolunteerQuerySet:
        """What a form offers: the active ones, and `keep`, the one a row already names
        (a volunteer who left stays on the records they are on)."""
        return (
            self.filter(Q(status=Volunteer.Status.ACTIVE) | Q(pk=keep)) if keep else self.active()
        )

    def active_at(self, moment: datetime.datetime) -> VolunteerQuerySet:
        """Those active at `moment` (a past month's end, for its report), as their change
        history tells it: the status of their last record before it; before their first
        record (most were on the roll before the app), the status they were entered with.
        One not yet appointed by then is not counted."""
        records = Volunteer.history.model.objects.filter(id=OuterRef("pk")).values("status")
        then = records.filter(history_date__lt=moment).order_by("-history_date", "-history_id")
        first = records.order_by("history_date", "history_id")
        return self.annotate(
            status_then=Coalesce(Subquery(then[:1]), Subquery(first[:1]), F("status"))
        ).filter(
            Q(appointed_on__isnull=True) | Q(appointed_on__lt=timezone.localtime(moment).date()),
            status_then=Volunteer.Status.ACTIVE,
        )

    def in_team(self, team: Team | int) -> VolunteerQuerySet:
        """The team's active members."""
        return self.filter(TeamMembership.active_condition("memberships__", team=team))

    def search(self, text: str) -> VolunteerQuerySet:
        query = Q()
        for word in text.split():
            digits = normalize_phone(word)
            word_query = name_word_query(word)
            if digits.isdigit() and len(digits) >= 3:
                word_query |= Q(national_id__contains=digits) | Q(phone__contains=digits)
            query &= word_query
        return self.filter(query)


class Volunteer(models.Model):
    """An อพม.: appointed by the ministry, working in one centre's teams."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        INACTIVE = "inactive", _("inactive")
        LEFT = "left", _("left")

    center = models.ForeignKey(
        Center, models.PROTECT, related_name="volunteers", verbose_name=_("coordination centre")
    )
    prefix = models.CharField(_("prefix"), max_length=10, choices=Prefix.choices)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("surname"), max_length=100)
    NAME_FIELDS = ("first_name", "last_name")  # read through NameFormField (plain_name)
    national_id = NationalIDField()
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    phone = PhoneField(blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    subdistrict = models.ForeignKey(
        Subdistrict,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("subdistrict"),
    )
    appointed_on = models.DateField(_("appointed on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteer",
        verbose_name=_("login account"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = VolunteerQuerySet.as_manager()

    # Their current memberships with their teams, where a list prefetches them
    # (views.open_memberships); declared here for the type checker.
    open_memberships: list[TeamMembership]
    history = HistoricalRecords()

    class Meta:
        ordering = ["first_name", "last_name"]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        constraints = [
            models.UniqueConstraint(
                "center", "national_id", name="volunteer_unique_national_id_per_center"
            ),
        ]
        indexes = [models.Index(fields=["center", "status"], name="volunteer_center_status")]

    def __str__(self) -> str:
        return self.full_name

    @transaction.atomic
    def save(self, *args: Any, **kwargs: Any) -> None:
        """A volunteer's login is their centre's: it moves with them. One that is also a
        coordinator's or an administrator's is theirs for that work, and stays."""
        moving = self.moves_centre(kwargs.get("update_fields"))
        super().save(*args, **kwargs)
        if moving and self.user_id is not None:
            logins = User.objects.filter(pk=self.user_id, is_staff=False)
            logins.exclude(groups__name="coordinator").update(center_id=self.center_id)

    @cached_property
    def team_ids(self) -> list[int]:
        """The teams this volunteer is an active member of (team_ids_of), read once for
        this instance, as Django keeps a user's permissions on the user: a request reads
        its volunteer afresh, and "my cases" asked three times. Forgotten by the methods
        below that change memberships."""
        return TeamMembership.objects.team_ids_of(self)

    def forget_teams(self) -> None:
        self.__dict__.pop("team_ids", None)

    # A volunteer is an adult: appointed at 18 or over, never with a child's prefix.
    ADULT_AGE = 18

    # The work a volunteer did at their centre, which stays that centre's record: the
    # visits they made, their teams (ended ones too), the conferences they sat in, the
    # planned actions they own. One who has worked is neither deleted nor moved to
    # another centre: they leave (their status), and are entered again at the other
    # centre. The database's guard on a move says it too (same_centre_guard_volunteer_moves).
    WORK_DONE = ("visits", "memberships", "conferences", "owned_actions")

    def has_work_done(self) -> bool:
        return any(getattr(self, name).exists() for name in self.WORK_DONE)

    def moves_centre(self, update_fields: Iterable[str] | None = None) -> bool:
        """Whether saving would give the stored volunteer another centre."""
        if self.pk is None or (
            update_fields is not None and not {"center", "center_id"} & set(update_fields)
        ):
            return False
        stored = Volunteer.objects.filter(pk=self.pk).values_list("center_id", flat=True)
        return stored.first() not in (None, self.center_id)

    def clean(self) -> None:
        today = timezone.localdate()
        errors: dict[str, object] = {}
        if self.center_id and self.moves_centre() and self.has_work_done():
            errors["center"] = _(
                "This volunteer has worked at their centre (visits, teams, conferences or "
                "planned actions), which keeps that record. Mark them as left there, then "
                "add them as a volunteer of the other centre."
            )
        if self.prefix in CHILD_PREFIXES:
            errors["prefix"] = _("This is a child's prefix: a volunteer is an adult.")
        if self.appointed_on and self.appointed_on > today:
            errors["appointed_on"] = _("The appointment date cannot be in the future.")
        if self.birth_date and not (datetime.date(1900, 1, 1) <= self.birth_date <= today):
            errors["birth_date"] = _("Enter a birth date between 1900 and today.")
        elif (
            self.birth_date
            and dates.years_between(self.birth_date, self.appointed_on or today) < self.ADULT_AGE
        ):
            errors["birth_date"] = _(
                "A volunteer must be at least %(age)d years old when appointed."
            ) % {"age": self.ADULT_AGE}
        if errors:
            raise ValidationError(errors)

    @property
    def full_name(self) -> str:
        return person_name(prefix_text(self.prefix), self.first_name, self.last_name)

    @transaction.atomic
    def join_team(
        self, team: Team, *, role: str = "member", on: datetime.date | None = None
    ) -> TeamMembership:
        membership = TeamMembership(
            volunteer=self, team=team, role=role, joined_on=on or timezone.localdate()
        )
        membership.full_clean()
        membership.save()
        self.forget_teams()
        return membership

    @transaction.atomic
    def set_status(
        self, status: str, *, on: datetime.date | None = None, by: User | None = None
    ) -> None:
        """Inactive or left, never deleted; leaving ends every open membership and closes
        the volunteer's login at once (its sessions too); rejoining reopens it."""
        was_left = self.status == self.Status.LEFT
        self.status = status
        self.save(update_fields=["status", "updated_at"])
        if status == self.Status.LEFT:
            self.memberships.active().update(left_on=on or timezone.localdate())
            self.forget_teams()
        account = self.user
        # A coordinator or an administrator who is also on the roll keeps their login:
        # it is theirs for other work, closed (if ever) by a centre administrator.
        if account is not None and not (account.is_staff or account.has_role("coordinator")):
            if status == self.Status.LEFT:
                set_account_active(account, False, by=by)
            elif was_left:
                set_account_active(account, True, by=by)

    @transaction.atomic
    def give_login(self, username: str, *, request: HttpRequest | None) -> User:
        """A `volunteer` account linked to this record, without a password: its owner
        sets one through the link the coordinator issues next."""
        # Locked: two coordinators pressing at once must not give two accounts.
        locked = Volunteer.objects.select_for_update().get(pk=self.pk)
        if locked.user_id is not None:
            raise ValidationError(_("This volunteer already has a login."))
        self.user = create_account(
            username=username, center=self.center, role="volunteer", request=request
        )
        self.save(update_fields=["user", "updated_at"])
        return self.user

    def leave_team(self, team: Team, *, on: datetime.date | None = None) -> int:
        """Ends the open membership; history is kept, never deleted."""
        ended = self.memberships.active().filter(team=team)
        self.forget_teams()
        return ended.update(left_on=on or timezone.localdate())


class TeamQuerySet(CenterScopedQuerySet):
    def visible_to_others(self, user: User) -> Self:
        """A volunteer sees the teams they are an active member of."""
        return self.filter(TeamMembership.active_condition("memberships__", volunteer__user=user))


class Team(models.Model):
    """ชุดปฏิบัติงาน อพม.: the volunteers who work one target group's cases."""

    center = models.ForeignKey(
        Center, models.PROTECT, related_name="teams", verbose_name=_("coordination centre")
    )
    target_group = models.ForeignKey(
        TargetGroup, models.PROTECT, related_name="teams", verbose_name=_("target group")
    )
    name = models.CharField(_("name"), max_length=150)

    objects = TeamQuerySet.as_manager()
    history = HistoricalRecords()

    # Set on the follow-up worklist's teams by cases.views.with_overdue (a figure about
    # cases, which this app does not import); declared here for the type checker.
    overdue: int

    class Meta:
        ordering = ["target_group__position", "name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint("center", "name", name="team_unique_name_per_center"),
        ]
        indexes = [models.Index(fields=["center", "target_group"], name="team_center_target_group")]

    def __str__(self) -> str:
        return self.name

    @property
    def leader(self) -> Volunteer | None:
        """The volunteer of the open leader membership (prefetch `memberships` in lists)."""
        for membership in self.memberships.all():
            if membership.is_open and membership.role == TeamMembership.Role.LEADER:
                return membership.volunteer
        return None

    @transaction.atomic
    def make_leader(self, volunteer: Volunteer) -> None:
        """One leader at a time: the old leader stays on as a member."""
        open_memberships = self.memberships.active()
        open_memberships.filter(role=TeamMembership.Role.LEADER).update(
            role=TeamMembership.Role.MEMBER
        )
        if not open_memberships.filter(volunteer=volunteer).update(role=TeamMembership.Role.LEADER):
            volunteer.join_team(self, role=TeamMembership.Role.LEADER)


class TeamMembershipQuerySet(models.QuerySet):
    def active(self) -> TeamMembershipQuerySet:
        return self.filter(TeamMembership.active_condition())

    def team_ids_of(self, volunteer: Volunteer) -> list[int]:
        """The teams the volunteer is an active member of, read now: a query says them as
        values, and PostgreSQL plans for those teams. As a subquery it could not: it
        guessed one case of a team, sorted all 961 of a volunteer's open cases for the 25
        of a page and walked them all for their planned actions (my cases, national
        scale: 7 of its 9 ms in PostgreSQL)."""
        active = self.filter(TeamMembership.active_condition(volunteer=volunteer))
        return list(active.values_list("team_id", flat=True))


class TeamMembership(models.Model):
    """A volunteer's time in a team. Moving someone ends one membership and opens another."""

    class Role(models.TextChoices):
        LEADER = "leader", _("team leader")
        MEMBER = "member", _("member")

    volunteer = models.ForeignKey(
        Volunteer, models.CASCADE, related_name="memberships", verbose_name=_("volunteer")
    )
    team = models.ForeignKey(
        Team, models.CASCADE, related_name="memberships", verbose_name=_("team")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    objects = TeamMembershipQuerySet.as_manager()

    # Set on the rows of the team page by cases.team_pages.add_member_figures (figures
    # about cases, which this app does not import); declared here for the type checker.
    open_cases: int
    visits_this_month: int
    days_since_visit: int | None
    # And what a member's row writes, made once by the view (add_member_rows on the team
    # page, case_detail on the case page) instead of per-row template tags.
    name: str
    url: str
    volunteer_url: str
    make_leader_url: str
    end_url: str
    figures: str
    last_visit: str
    history = HistoricalRecords()

    class Meta:
        ordering = ["-left_on", "joined_on"]
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [
            models.UniqueConstraint(
                "volunteer",
                "team",
                condition=Q(left_on__isnull=True),
                name="membership_one_open_per_volunteer_and_team",
                violation_error_message=_("This volunteer is already a member of this team."),
            ),
            models.UniqueConstraint(
                "team",
                condition=Q(left_on__isnull=True, role="leader"),
                name="membership_one_open_leader_per_team",
                violation_error_message=_("This team already has a leader."),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="membership_left_after_joined",
                violation_error_message=_("A member cannot leave before joining."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} – {self.team}"

    @staticmethod
    def active_condition(through: str = "", **lookups: object) -> Q:
        """The one meaning of "active member": a membership not ended. `through` reaches
        memberships from another model ("memberships__" from a team or a volunteer,
        "team__memberships__" from a case); `lookups` are on the same membership row,
        so both conditions hold for one membership (one join)."""
        return Q(
            **{f"{through}left_on__isnull": True},
            **{f"{through}{name}": value for name, value in lookups.items()},
        )

    @property
    def is_open(self) -> bool:
        return self.left_on is None

    def clean(self) -> None:
        if self.volunteer_id and self.team_id and self.volunteer.center_id != self.team.center_id:
            raise ValidationError(
                _("A volunteer can only join a team of their own coordination centre.")
            )
