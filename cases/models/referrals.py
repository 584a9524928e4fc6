"""Referrals (การส่งต่อ) with a closed loop: a case is sent to an agency with a letter,
each reply is recorded, and the loop closes when the outcome is recorded and read."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Avg, Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models.case import TEXT_LIMIT, Case, CaseChild, CaseChildQuerySet, YearlyCounter
from cases.models.visits import HomeVisit
from coordination.models import Agency, Center, CenterScopedQuerySet
from coordination.templatetags.thai import be_date

REPLY_DAYS = 14
# Long enough for a situation "in brief", short enough that the letter with its reply
# slip stays on one A4 page.
BRIEF_LIMIT = 1000

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from coordination.models import User


class ReferralLetterCounter(YearlyCounter):
    """The last letter number given per centre and Buddhist-era year (ที่ 12/2569)."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "center", "year_be", name="referral_letter_counter_unique_center_year"
            )
        ]


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("sent")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    DECLINED = "declined", _("declined")
    CANCELLED = "cancelled", _("cancelled")


S = ReferralStatus
# Waiting on the agency: the referral is still open.
OPEN_STATUSES = (S.SENT, S.ACKNOWLEDGED, S.IN_PROGRESS)
# The agency's answer is an outcome someone at the centre must read.
OUTCOME_STATUSES = (S.DONE, S.DECLINED)
# Where each status may go. Forward only: an agency that has acknowledged cannot
# "un-acknowledge"; done, declined and cancelled end the referral (a new need is a new
# referral, with a new letter).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.SENT: (S.ACKNOWLEDGED, S.DECLINED, S.CANCELLED),
    S.ACKNOWLEDGED: (S.IN_PROGRESS, S.DONE, S.DECLINED, S.CANCELLED),
    S.IN_PROGRESS: (S.DONE, S.DECLINED, S.CANCELLED),
    S.DONE: (),
    S.DECLINED: (),
    S.CANCELLED: (),
}


def open_referral_condition(through: str = "") -> Q:
    return Q(**{f"{through}status__in": OPEN_STATUSES})


def overdue_referral_condition(today: datetime.date, through: str = "") -> Q:
    """The one meaning of an overdue referral: still open, past its reply-by date."""
    return open_referral_condition(through) & Q(**{f"{through}reply_by__lt": today})


def unread_outcome_condition(through: str = "") -> Q:
    return Q(
        **{f"{through}status__in": OUTCOME_STATUSES, f"{through}outcome_read_at__isnull": True}
    )


class ReferralQuerySet(CaseChildQuerySet):
    """A referral is seen by whoever may see its case (CaseChildQuerySet.visible_to)."""

    def open(self) -> ReferralQuerySet:
        return self.filter(open_referral_condition())

    def overdue(self, today: datetime.date | None = None) -> ReferralQuerySet:
        return self.filter(overdue_referral_condition(today or timezone.localdate()))

    def unread_outcomes(self) -> ReferralQuerySet:
        return self.filter(unread_outcome_condition())

    def for_lists(self) -> ReferralQuerySet:
        """What a list row shows, in a fixed number of queries."""
        return self.select_related("case", "agency")

    def anonymise(self) -> None:
        """Blanks what the referrals of anonymised cases say about the person (PDPA),
        keeping their agency, dates and statuses for the agency figures."""
        self.update(reason="-", requested="-", documents="", agency_contact="")
        self.exclude(outcome="").update(outcome="-")
        ReferralUpdate.objects.filter(referral__in=self.values("pk")).update(note="")
        ReferralNeedDismissal.objects.filter(visit__case__in=self.values("case")).update(reason="-")

    def stats(self) -> dict:
        """Count per status and the average days from sending to the agency's first
        reply, in one query (for an agency's page)."""
        figures = self.aggregate(
            total=Count("pk"),
            **{status.value: Count("pk", filter=Q(status=status)) for status in S},
            average_reply=Avg(F("replied_on") - F("sent_on"), filter=Q(replied_on__isnull=False)),
            replied=Count("pk", filter=Q(replied_on__isnull=False)),
        )
        average = figures.pop("average_reply")
        # date - date is a whole number of days in PostgreSQL; its average a duration.
        if isinstance(average, datetime.timedelta):
            average = average.total_seconds() / 86400
        figures["average_reply_days"] = round(average, 1) if average is not None else None
        figures["by_status"] = [(status, figures[status.value]) for status in S]
        return figures


class LegalBasis(models.TextChoices):
    """Why the person's data may go to the agency (PDPA: health and disability data are
    sensitive, s. 26): their consent, recorded on the case, or without it the two bases a
    centre meets."""

    CONSENT = "consent", _("the person's consent, recorded on the case")
    VITAL = "vital", _("to prevent a danger to life, body or health (PDPA s. 26(1))")
    LAW = "law", _("a duty under another law, e.g. child protection (PDPA s. 26(5))")


class Referral(CaseChild):
    """ส่งต่อ: the case sent to an agency, with its letter and its replies."""

    Status = ReferralStatus
    LegalBasis = LegalBasis

    case = models.ForeignKey(Case, models.CASCADE, related_name="referrals", verbose_name=_("case"))
    agency = models.ForeignKey(
        Agency, models.PROTECT, related_name="referrals", verbose_name=_("agency")
    )
    visit = models.ForeignKey(
        HomeVisit,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("home visit that asked for it"),
    )
    reason = models.TextField(
        _("the situation in brief"),
        max_length=BRIEF_LIMIT,
        help_text=_("What the agency should know, as the letter will say it."),
    )
    requested = models.TextField(_("what is requested"), max_length=BRIEF_LIMIT)
    documents = models.CharField(
        _("documents sent"),
        max_length=300,
        blank=True,
        help_text=_("E.g. a copy of the ID card, the house registration, photos."),
    )
    agency_contact = models.CharField(
        _("contact at the agency"),
        max_length=200,
        blank=True,
        help_text=_("Who to address, with their position and phone."),
    )
    # Blank on referrals sent before the app asked for it.
    legal_basis = models.CharField(
        _("legal basis"), max_length=10, choices=LegalBasis.choices, blank=True
    )
    legal_basis_note = models.CharField(
        _("why, without consent"),
        max_length=300,
        blank=True,
        help_text=_("What danger, or which law and section."),
    )
    sent_on = models.DateField(_("date sent"), default=timezone.localdate)
    reply_by = models.DateField(_("reply by"))
    letter_year_be = models.PositiveSmallIntegerField(_("letter year (BE)"), editable=False)
    letter_seq = models.PositiveIntegerField(_("letter number"), editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    replied_on = models.DateField(
        _("first reply on"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the agency first answered: the agency page's average time to reply."),
    )
    outcome = models.TextField(_("outcome"), max_length=TEXT_LIMIT, blank=True)
    outcome_read_at = models.DateTimeField(_("outcome read at"), null=True, blank=True)
    outcome_read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("outcome read by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("referred by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_on", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.UniqueConstraint(
                "center", "letter_year_be", "letter_seq", name="referral_letter_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(reply_by__gte=F("sent_on")), name="referral_reply_by_after_sent"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=OUTCOME_STATUSES) | ~Q(outcome=""),
                name="referral_outcome_when_done_or_declined",
            ),
            models.CheckConstraint(
                condition=Q(outcome_read_at__isnull=True) | Q(status__in=OUTCOME_STATUSES),
                name="referral_outcome_read_only_when_there_is_one",
            ),
        ]
        indexes = [
            models.Index(fields=["center", "case", "-sent_on"], name="referral_center_case"),
            models.Index(fields=["center", "status", "reply_by"], name="referral_center_status"),
            models.Index(fields=["center", "agency"], name="referral_center_agency"),
            # The list's order, newest first: a page read in order, not a sort of every
            # referral the centre ever sent.
            models.Index(fields=["center", "-sent_on", "-id"], name="referral_center_sent"),
            # The national administrator's admin list, every centre's rows newest first,
            # and its date drill-down (one probe a year or month, coordination.admin_dates):
            # without it the list sorted the whole table (0.3 s, national).
            models.Index(fields=["sent_on"], name="referral_sent_on"),
        ]

    def __str__(self) -> str:
        return f"{self.letter_number} {self.agency}"

    def personal_data(self) -> dict:
        """The referral as an access request (PDPA) shows it, updates included."""
        return {
            "letter_number": self.letter_number,
            "agency": self.agency.name,
            "sent_on": self.sent_on,
            "reply_by": self.reply_by,
            "status": self.get_status_display(),
            "reason": self.reason,
            "requested": self.requested,
            "legal_basis": self.get_legal_basis_display(),
            "legal_basis_note": self.legal_basis_note,
            "documents": self.documents,
            "agency_contact": self.agency_contact,
            "outcome": self.outcome,
            "updates": [
                {"on": u.on, "status": u.get_status_to_display(), "note": u.note}
                for u in self.updates.all()
            ],
        }

    @property
    def letter_number(self) -> str:
        return f"{self.letter_seq}/{self.letter_year_be}" if self.letter_seq else ""

    @staticmethod
    def default_reply_by(sent_on: datetime.date | None = None) -> datetime.date:
        return (sent_on or timezone.localdate()) + datetime.timedelta(days=REPLY_DAYS)

    @staticmethod
    def agency_choices(case: Case) -> models.QuerySet:
        """The agencies a case may be referred to: national ones and its own centre's."""
        return Agency.objects.usable_by(case.center_id).offered()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        """overdue_referral_condition(), for a referral already loaded."""
        return self.is_open and self.reply_by < (today or timezone.localdate())

    @property
    def outcome_unread(self) -> bool:
        return self.status in OUTCOME_STATUSES and self.outcome_read_at is None

    def allowed_statuses(self) -> list[ReferralStatus]:
        return [ReferralStatus(status) for status in TRANSITIONS[self.status]]

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        if self.agency_id and self.case_id:
            center = self.agency.center_id
            if center is not None and center != self.case.center_id:
                errors["agency"] = _("Choose an agency of this centre or a national one.")
        if self.visit and self.case_id and self.visit.case_id != self.case_id:
            errors["visit"] = _("The visit must be one of this case's.")
        if self.sent_on and self.reply_by and self.reply_by < self.sent_on:
            errors["reply_by"] = _("The reply-by date cannot be before the date sent.")
        self.clean_legal_basis(errors)
        if errors:
            raise ValidationError(errors)

    def clean_legal_basis(self, errors: dict[str, StrOrPromise]) -> None:
        """A referral being sent says why the person's data may go: their consent to
        referral, recorded on the case, or a danger to them or a law, and which."""
        if self.pk is not None or self.case_id is None:
            return
        if self.case.consents_to(Case.ConsentPurpose.REFERRAL):
            self.legal_basis, self.legal_basis_note = LegalBasis.CONSENT, ""
        elif self.legal_basis not in (LegalBasis.VITAL, LegalBasis.LAW):
            errors["legal_basis"] = _(
                "No consent to referral is recorded for this case: record it on the case "
                "first, or give the legal basis for referring without it."
            )
        elif not self.legal_basis_note.strip():
            errors["legal_basis_note"] = _("Say what danger, or which law.")

    @transaction.atomic
    def send(self, *, by) -> None:
        """Saves a new referral with the next letter number of its centre and year, and
        the first row of its history. A closed case is referred nowhere."""
        self.case.check_not_closed(_("This case is closed: reopen it before referring it."))
        self.full_clean(exclude=["letter_year_be", "letter_seq", "center"])
        self.center_id = self.case.center_id
        self.created_by = by
        self.letter_year_be = self.sent_on.year + 543
        self.letter_seq = ReferralLetterCounter.take_next(self.center_id, self.letter_year_be)
        self.save()
        self.updates.create(status_to=self.status, on=self.sent_on, by=by)

    @transaction.atomic
    def change_status(
        self, status: str, *, by, note: str = "", outcome: str = "", on: datetime.date | None = None
    ) -> None:
        """Moves the referral on, as the agency answered; refused with the reason when
        the step is not allowed. Done and declined need the outcome; cancelling, why."""
        on = on or timezone.localdate()
        old = ReferralStatus(self.status)
        if status not in ReferralStatus.values:
            raise ValidationError(_("Choose a status from the list."))
        new = ReferralStatus(status)
        if not TRANSITIONS[old]:
            raise ValidationError(
                _("This referral is %(status)s: it does not change any more.")
                % {"status": old.label}
            )
        if new not in TRANSITIONS[old]:
            raise ValidationError(
                _("A referral that is %(old)s cannot become %(new)s.")
                % {"old": old.label, "new": new.label}
            )
        outcome, note = outcome.strip(), note.strip()
        if new in OUTCOME_STATUSES and not outcome:
            raise ValidationError(_("Record the outcome the agency reported."))
        if new == S.CANCELLED and not note:
            raise ValidationError(_("Say why the referral is cancelled."))
        if on < self.sent_on:
            raise ValidationError(_("A reply cannot be before the referral was sent."))
        if on > timezone.localdate():
            raise ValidationError(_("A reply cannot be in the future."))
        if old == S.SENT and new != S.CANCELLED:
            self.replied_on = on
        if new in OUTCOME_STATUSES:
            self.outcome = outcome
        self.status = new
        self.save(update_fields=["status", "replied_on", "outcome", "updated_at"])
        self.updates.create(status_from=old, status_to=new, on=on, note=note, by=by)

    def mark_outcome_read(self, *, by) -> bool:
        """Closes the loop: someone at the centre has read what the agency reported.
        False when there is nothing to read, or it was read already."""
        if not self.outcome_unread:
            return False
        self.outcome_read_at, self.outcome_read_by = timezone.now(), by
        self.save(update_fields=["outcome_read_at", "outcome_read_by", "updated_at"])
        return True


class ReferralUpdateQuerySet(CenterScopedQuerySet):
    """Seen by whoever sees the referral: a centre's own by its centre column (the
    monthly report's answers of a month read that month's rows on their centre-and-date
    index, not every update of the centre's referrals ever), the rest through the
    referral's own rule."""

    def visible_to_others(self, user: User) -> Self:
        return self.filter(referral__in=Referral.objects.visible_to(user).values("pk"))


class ReferralUpdate(models.Model):
    """One change of a referral's status: when it happened, the note, who recorded it.
    Append-only; the first row is the sending itself. It carries its referral's centre,
    as every large table does (an index that leads with it; a distribution by centre)."""

    center = models.ForeignKey(
        Center, models.PROTECT, related_name="+", verbose_name=_("coordination centre")
    )
    referral = models.ForeignKey(
        Referral, models.CASCADE, related_name="updates", verbose_name=_("referral")
    )
    status_from = models.CharField(
        _("from status"), max_length=20, choices=ReferralStatus.choices, blank=True
    )
    status_to = models.CharField(_("to status"), max_length=20, choices=ReferralStatus.choices)
    on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = ReferralUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("referral update")
        verbose_name_plural = _("referral updates")
        indexes = [models.Index(fields=["center", "on"], name="referralupdate_center_on")]

    def __str__(self) -> str:
        """As the admin's inline titles a row: the day and the statuses in the reader's
        language ("1: → sent" wrote the codes)."""
        moved = " → ".join(
            str(ReferralStatus(code).label) for code in (self.status_from, self.status_to) if code
        )
        return f"{be_date(self.on)}: {moved}" if self.on else moved

    def save(self, *args, **kwargs) -> None:
        self.center_id = self.referral.center_id
        super().save(*args, **kwargs)


class ReferralNeedDismissal(models.Model):
    """A visit ticked "referral needed", and a coordinator decided no referral is made:
    why, who, when. The visit then leaves the lists of needs waiting for a referral."""

    center = models.ForeignKey(
        Center, models.PROTECT, related_name="+", verbose_name=_("coordination centre")
    )
    visit = models.OneToOneField(
        HomeVisit,
        models.CASCADE,
        related_name="referral_dismissal",
        verbose_name=_("home visit"),
    )
    reason = models.CharField(_("why no referral is made"), max_length=500)
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
        verbose_name = _("dismissed referral need")
        verbose_name_plural = _("dismissed referral needs")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="referral_dismissal_has_reason")
        ]

    def __str__(self) -> str:
        return f"{self.visit} — {self.reason[:40]}"

    def save(self, *args, **kwargs) -> None:
        if self.visit_id:
            self.center_id = self.visit.center_id
        super().save(*args, **kwargs)
