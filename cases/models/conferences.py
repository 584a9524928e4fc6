"""Case conferences (ประชุมทีมสหวิชาชีพ): the centre, its volunteers and the agencies'
people discuss cases together; each decision becomes a planned action of its case."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases.models.case import TEXT_LIMIT, Case, CaseEventKind
from cases.models.plan import PlanAction
from coordination.models import Center, CenterScopedQuerySet
from coordination.templatetags.thai import be_date
from volunteers.models import Volunteer

EARLIEST_CONFERENCE = datetime.date(2000, 1, 1)


class CaseConferenceQuerySet(CenterScopedQuerySet):
    def for_list(self) -> CaseConferenceQuerySet:
        """The list's rows with their counts, in the list's one query."""
        return self.annotate(
            case_count=Count("cases", distinct=True),
            decision_count=Count("decisions", distinct=True),
        ).order_by("-held_on", "-id")


class CaseConference(models.Model):
    center = models.ForeignKey(
        Center, models.PROTECT, related_name="+", verbose_name=_("coordination centre")
    )
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=300)
    volunteers = models.ManyToManyField(
        Volunteer, blank=True, related_name="conferences", verbose_name=_("volunteers present")
    )
    cases = models.ManyToManyField(
        Case, blank=True, related_name="conferences", verbose_name=_("cases discussed")
    )
    summary = models.TextField(_("summary"), max_length=TEXT_LIMIT, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    objects = CaseConferenceQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("case conference")
        verbose_name_plural = _("case conferences")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(held_on__gte=EARLIEST_CONFERENCE),
                name="conference_held_on_plausible",
            )
        ]
        indexes = [models.Index(fields=["center", "-held_on"], name="conference_center_held")]

    def __str__(self) -> str:
        """The day as the pages write days (26 พ.ย. 2569 on a Thai page) and the place."""
        return f"{be_date(self.held_on)} {self.place}"

    def clean(self) -> None:
        if self.held_on and self.held_on > timezone.localdate() + datetime.timedelta(days=1):
            raise ValidationError(
                {"held_on": _("Record a conference once it has been held, not before.")}
            )

    @transaction.atomic
    def record(
        self,
        *,
        by,
        volunteers: Iterable[Volunteer],
        cases: Iterable[Case],
        attendees: Iterable[ConferenceAttendee],
        decisions: Iterable[PlanAction],
    ) -> None:
        """Saves the conference with who attended and, in the same transaction, each
        decision as a planned action of its case: all of it or nothing."""
        volunteers, cases, decisions = list(volunteers), list(cases), list(decisions)
        strangers: list[models.Model] = [v for v in volunteers if v.center_id != self.center_id]
        strangers += [c for c in cases if c.center_id != self.center_id]
        strangers += [d for d in decisions if d.case.center_id != self.center_id]
        if strangers:
            raise ValidationError(_("Only this centre's volunteers and cases can be named."))
        if not cases and not decisions:  # an empty one was saved: no case, nobody, nothing
            raise ValidationError(
                {"cases": _("Choose the cases the meeting discussed, or record a decision.")}
            )
        self.created_by = by
        self.save()
        self.volunteers.set(volunteers)
        discussed = {case.pk: case for case in cases}
        for decision in decisions:
            discussed.setdefault(decision.case_id, decision.case)
        self.cases.set(discussed.values())
        for attendee in attendees:
            attendee.conference = self
            attendee.save()
        for decision in decisions:
            decision.conference, decision.created_by = self, by
            decision.full_clean(exclude=["center", "conference"])
            decision.save()
        for case in discussed.values():
            case.log(
                CaseEventKind.CONFERENCE,
                by=by,
                details={"held_on": self.held_on.isoformat(), "place": self.place},
            )


class ConferenceAttendee(models.Model):
    """Someone at the conference who is not one of the centre's volunteers: an official
    or an agency's person, by name and organisation."""

    conference = models.ForeignKey(
        CaseConference, models.CASCADE, related_name="attendees", verbose_name=_("conference")
    )
    name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    # Their job title: "position" alone is the target groups' order (ลำดับ) in Thai.
    position = models.CharField(pgettext_lazy("job title", "position"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")

    def __str__(self) -> str:
        return self.name
