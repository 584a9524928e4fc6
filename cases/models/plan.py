"""A case's plan (แผนการช่วยเหลือ): what would mean the problem is solved, and who does
what by when to get there."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models.case import Case, CaseChild, CaseChildQuerySet, open_condition
from coordination.models import Agency
from volunteers.models import Team, Volunteer

# How far ahead an action counts as due on its owner's worklist.
DUE_SOON_DAYS = 7

OWNER_FIELDS = ("owner_team", "owner_volunteer", "owner_agency")

# A due date outside these is a typing error (a BE year typed as CE, a wrong century).
EARLIEST_DATE = datetime.date(2000, 1, 1)
LATEST_DUE = datetime.timedelta(days=5 * 366)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class PlanGoal(CaseChild):
    """What would mean the problem is solved, e.g. "she keeps her house"."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="goals", verbose_name=_("case"))
    text = models.CharField(_("goal"), max_length=500)
    achieved = models.BooleanField(_("achieved"), default=False)
    achieved_on = models.DateField(_("achieved on"), null=True, blank=True)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        constraints = [
            models.CheckConstraint(
                condition=Q(achieved=True) | Q(achieved_on__isnull=True),
                name="plan_goal_date_only_when_achieved",
            )
        ]
        indexes = [models.Index(fields=["center", "case"], name="plan_goal_center_case")]

    def __str__(self) -> str:
        return self.text


def one_owner() -> Q:
    """Exactly one of the owner columns is set."""
    alternatives = Q()
    for chosen in OWNER_FIELDS:
        alternatives |= Q(
            **{f"{name}__isnull": name != chosen for name in OWNER_FIELDS},
        )
    return alternatives


class PlanActionQuerySet(CaseChildQuerySet):
    def pending(self) -> PlanActionQuerySet:
        """Neither done nor given up, on a case still being worked."""
        return self.filter(open_condition("case__"), status=PlanAction.Status.PLANNED)

    def due(self, today: datetime.date | None = None) -> PlanActionQuerySet:
        """Pending and due within DUE_SOON_DAYS, or already late."""
        today = today or timezone.localdate()
        return self.pending().filter(due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS))

    def owned_by(self, volunteer: Volunteer) -> PlanActionQuerySet:
        """The volunteer's own actions and those of the teams they are an active member of."""
        return self.filter(Q(owner_volunteer=volunteer) | Q(owner_team_id__in=volunteer.team_ids))

    def for_rows(self) -> PlanActionQuerySet:
        return self.select_related(
            "case", "owner_team", "owner_volunteer", "owner_agency", "conference"
        )


class PlanAction(CaseChild):
    """One planned step: what, who (a team, a volunteer or an agency) and by when."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        DONE = "done", _("done")
        NOT_DONE = "not_done", _("not done")

    case = models.ForeignKey(
        Case, models.CASCADE, related_name="plan_actions", verbose_name=_("case")
    )
    what = models.CharField(_("action"), max_length=500)
    owner_team = models.ForeignKey(
        Team, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("team")
    )
    owner_volunteer = models.ForeignKey(
        Volunteer,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_actions",
        verbose_name=_("volunteer"),
    )
    owner_agency = models.ForeignKey(
        Agency, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("agency")
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("state"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    finished_on = models.DateField(_("done or given up on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    conference = models.ForeignKey(
        "cases.CaseConference",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("decided at the conference"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = PlanActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("planned action")
        verbose_name_plural = _("planned actions")
        constraints = [
            models.CheckConstraint(condition=one_owner(), name="plan_action_exactly_one_owner"),
            models.CheckConstraint(
                condition=Q(status="planned", finished_on__isnull=True)
                | (~Q(status="planned") & Q(finished_on__isnull=False)),
                name="plan_action_finished_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["center", "case", "due_on"], name="plan_action_center_case"),
            models.Index(
                fields=["center", "due_on"],
                condition=Q(status="planned"),
                name="plan_action_center_pending",
            ),
        ]

    def __str__(self) -> str:
        return self.what

    @property
    def owner(self) -> Team | Volunteer | Agency | None:
        return self.owner_team or self.owner_volunteer or self.owner_agency

    @property
    def owner_name(self) -> str:
        owner = self.owner
        if isinstance(owner, Volunteer):
            return owner.full_name
        return owner.name if owner else ""

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.status == self.Status.PLANNED and self.due_on < (today or timezone.localdate())

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        chosen = [name for name in OWNER_FIELDS if getattr(self, f"{name}_id")]
        if not chosen:
            errors["owner_team"] = _("Choose who does it: a team, a volunteer or an agency.")
        elif len(chosen) > 1:
            errors["owner_team"] = _("Choose only one owner: a team, a volunteer or an agency.")
        center_id = self.case.center_id if self.case_id else self.center_id
        for name in ("owner_team", "owner_volunteer"):
            owner = getattr(self, name) if getattr(self, f"{name}_id") else None
            # No case chosen yet (a conference's decision): its own error says so.
            if owner is not None and center_id is not None and owner.center_id != center_id:
                errors[name] = _("The owner must belong to the case's coordination centre.")
        if self.owner_agency and self.owner_agency.center_id not in (None, center_id):
            errors["owner_agency"] = _("Choose an agency of this centre or a national one.")
        if self.status != self.Status.PLANNED and self.finished_on is None:
            errors["finished_on"] = _("Enter the date the action was done or given up.")
        today = timezone.localdate()
        if self.due_on and not (EARLIEST_DATE <= self.due_on <= today + LATEST_DUE):
            errors["due_on"] = _("Check the due date: it is not a date a plan would have.")
        if self.finished_on and self.finished_on > timezone.localdate():
            errors["finished_on"] = _("This date cannot be in the future.")
        if errors:
            raise ValidationError(errors)


def plan_summary(case: Case) -> dict:
    """The case page's plan section, in two queries whatever the plan's size."""
    return {
        "goals": list(case.goals.all()),
        # for_rows() without the case: the related manager sets it on each action, and
        # joining it built another instance of the case's 60 columns per action.
        "actions": list(
            case.plan_actions.select_related(
                "owner_team", "owner_volunteer", "owner_agency", "conference"
            )
        ),
        "today": timezone.localdate(),
    }
