from __future__ import annotations

import datetime
import os
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator
from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from simple_history.signals import (
    post_create_historical_m2m_records,
    pre_create_historical_m2m_records,
)

from cases import barthel
from cases.models.case import (
    TEXT_LIMIT,
    Case,
    CaseChild,
    CaseChildQuerySet,
    open_condition,
)
from cases.models.events import CaseEvent
from coordination.models import Center
from coordination.templatetags.thai import be_date
from volunteers.models import Volunteer

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class VisitHistory(HistoricalRecords):
    """django-simple-history, copying who was there by their ids. The library's own copy
    read the visit again (its fields left out of history, to rebuild it only to find
    the through table) and each volunteer's row joined to the whole visit and the
    whole volunteer, to copy three ids: some 1 of the 4.4 ms a new visit's history took
    (national data)."""

    def create_historical_record_m2ms(self, history_instance, instance) -> None:
        for field in history_instance._history_m2m_fields:
            history_model = self.m2m_models[field]
            through = field.remote_field.through
            names = [through_field.attname for through_field in through._meta.fields]
            rows = through.objects.filter(**{field.m2m_field_name(): instance}).values(*names)
            new_rows = [history_model(history=history_instance, **row) for row in rows]
            signal = {"history_instance": history_instance, "instance": instance, "field": field}
            pre_create_historical_m2m_records.send(sender=history_model, rows=new_rows, **signal)
            created = history_model.objects.bulk_create(new_rows)
            post_create_historical_m2m_records.send(
                sender=history_model, created_rows=created, **signal
            )


# Kept by name for HomeVisit.store, which writes a new visit's first history row itself.
VISIT_HISTORY = VisitHistory(m2m_fields=["volunteers"], excluded_fields=["submission_token"])


class HomeVisitQuerySet(CaseChildQuerySet):
    """A visit is seen by whoever may see its case."""

    def needing_referral(self, *, of_open_cases: QuerySet | None = None) -> HomeVisitQuerySet:
        """Visits of open cases that ticked "referral needed" and still wait: no referral
        made from them (a cancelled one does not count) and the need not dismissed.
        `of_open_cases` (open cases only, e.g. the worklist's filtered ones) narrows them
        to those cases, and stands for the open test: with both, each visit's case was
        read twice (the worklist's count, national: 14,998 -> 10,845 buffers)."""
        from cases.models.referrals import Referral, ReferralNeedDismissal, ReferralStatus

        made = Referral.objects.filter(visit=OuterRef("pk")).exclude(
            status=ReferralStatus.CANCELLED
        )
        # NOT EXISTS, not a join kept where it found nothing: the worklist's count of the
        # visits waiting, 3.3 -> 2.7 ms (national, 1,544 visits asked, 1,039 waiting).
        dismissed = ReferralNeedDismissal.objects.filter(visit=OuterRef("pk"))
        cases = open_condition("case__") if of_open_cases is None else Q(case__in=of_open_cases)
        return self.filter(cases, ~Exists(made), ~Exists(dismissed), referral_needed=True)


class StaleVisitError(Exception):
    """Someone else corrected the visit since the form was opened."""


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

    # As CaseChild's, without an index of its own: the indexes below lead with the centre
    # and serve its lookups. With one, PostgreSQL read the dashboard's twelve months of
    # visits through it, filtering the centre's whole history (8,569 rows removed for a
    # 5-year centre), instead of the range of visit_center_time.
    center = models.ForeignKey(
        Center,
        models.PROTECT,
        related_name="+",
        verbose_name=_("coordination centre"),
        db_index=False,
    )
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
    # Unique per centre (Meta.constraints), as a table distributed by centre can enforce;
    # the token is a random UUID4 and is only ever looked up within one case.
    submission_token = models.UUIDField(null=True, blank=True, editable=False)
    # Raised by each correction: two people correcting the same visit must not silently
    # undo each other's (correct()).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = HomeVisitQuerySet.as_manager()
    history = VISIT_HISTORY

    # What a visit's row on the case page writes, set by the view
    # (cases.views.with_present_and_photos); declared here for the type checker.
    present: list[str]
    photo_sizes: list[tuple[int, int, int]]

    class Meta:
        ordering = ["-visited_at"]
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")
        constraints = [
            models.UniqueConstraint(
                "center",
                "submission_token",
                name="visit_submission_token_unique_per_center",
                violation_error_message=_(
                    "This form was already used for another visit: reload the page and enter "
                    "it again."
                ),
            ),
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
            # The dashboard counts a centre's visits by month and since a day.
            models.Index(fields=["center", "visited_at"], name="visit_center_time"),
            # The follow-up worklist counts and lists, on every tab, a centre's visits
            # that asked for a referral (needing_referral): a tenth of its visits.
            # Through visit_center_case_time it read every visit of the centre's open
            # cases (8.6 -> 5.2 ms for the count, 12.8 -> 5.0 ms for a page, national).
            models.Index(
                fields=["center", "visited_at"],
                name="visit_referral_needed",
                condition=Q(referral_needed=True),
            ),
            # The national administrator's admin list, every centre's rows newest first,
            # and its date drill-down (one probe a year or month, coordination.admin_dates):
            # without it the list sorted the whole table (5 million visits: 8 s, national).
            models.Index(fields=["visited_at"], name="visit_time"),
        ]

    def __str__(self) -> str:
        """The case and the day as the pages write days (the admin's lists, its history)."""
        return f"{self.case.number} {be_date(self.visited_at)}"

    def save(self, *args, **kwargs) -> None:
        if self.has_adl_items():
            # The items decide the total, whatever was typed.
            self.adl_score = self.adl_items_total()
        if self.next_visit_due is None and self.visited_at:
            self.next_visit_due = self.default_next_visit_due()
        adding = self._state.adding
        # All or nothing, without a savepoint (see record): a caller inside a transaction
        # that catches an error of this save to go on must wrap it in atomic() itself.
        with transaction.atomic(savepoint=False):
            super().save(*args, **kwargs)
            if adding:
                self.case.take_visit_dates(self)
            else:  # moved in time, it may no longer be the latest, or another one may be
                self.case.refresh_visit_dates()

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            result = super().delete(*args, **kwargs)
            self.case.refresh_visit_dates()
        return result

    def record(self, *, by, volunteers=(), photos=(), token: uuid.UUID | None = None) -> None:
        """Logs a new visit: with its volunteers and photos, the household's income on the
        day, and an event on the case. A closed case takes no visit."""
        self.case.check_not_closed(_("This case is closed: reopen it before logging a visit."))
        self.submission_token = token
        # All or nothing, without savepoints: nothing inside is caught to go on, and a
        # failure undoes the transaction it is part of (the visit form's). Two of them,
        # each made and released, were four of a visit form's 31 round trips to PostgreSQL.
        with transaction.atomic(savepoint=False):
            self.store(volunteers, photos)
            self.case.log(CaseEvent.Kind.VISIT_LOGGED, by=by)

    @transaction.atomic
    def correct(
        self,
        expected_version: int,
        *,
        by,
        changed: Iterable[str],
        volunteers=(),
        photos=(),
        remove_photos: Iterable[VisitPhoto] = (),
    ) -> None:
        """Saves a correction unless someone else corrected the visit since
        `expected_version` (StaleVisitError), and says on the case which fields (the
        correction form's names) changed. Photos to remove go (files too) before new ones are added: a
        visit with as many as it keeps can swap one."""
        bumped = HomeVisit.objects.filter(pk=self.pk, version=expected_version).update(
            version=F("version") + 1
        )
        if not bumped:
            raise StaleVisitError
        self.version = expected_version + 1
        self.photos.filter(pk__in=[photo.pk for photo in remove_photos]).delete()
        self.store(volunteers, photos)
        self.case.log(
            CaseEvent.Kind.VISIT_CORRECTED,
            by=by,
            details={"visited_at": self.visited_at.isoformat(), "fields": list(changed)},
        )

    def store(self, volunteers, photos) -> None:
        # The income is read before the one save: the case's visit dates are refreshed
        # once (by save), and the visit keeps what the income sources add up to today.
        self.monthly_income = self.case.monthly_income()
        if not self._state.adding:
            self.save()
            self.volunteers.set(volunteers)
        else:
            # A new visit's history begins once, with who was there. Saved and then given
            # its volunteers, it began twice: created without them, then "changed".
            self.skip_history_when_saving = True
            try:
                self.save()
                # Added as rows: a new visit has no volunteers to compare with, and the
                # one listener of set()'s signals, its history, begins below.
                through = HomeVisit.volunteers.through
                ids = dict.fromkeys(getattr(v, "pk", v) for v in volunteers)  # as set() takes
                through.objects.bulk_create(
                    through(homevisit=self, volunteer_id=volunteer_id) for volunteer_id in ids
                )
            finally:
                del self.skip_history_when_saving
            VISIT_HISTORY.create_historical_record(self, "+")
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

    def adl_answers(self) -> list[tuple[Promise, int, Promise]]:
        """Each item as (item, score, the answer chosen) for the visit page."""
        if not self.has_adl_items():
            return []
        return [
            (item.label, score, dict(item.choices)[score])
            for item, score in zip(barthel.ITEMS, self.adl_item_values(), strict=True)
            if score is not None  # all are, once has_adl_items()
        ]

    @property
    def adl_group(self) -> str:
        return barthel.group(self.adl_score)

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
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


@receiver(post_delete, sender=VisitPhoto, dispatch_uid="visit-photo-files")
def delete_photo_files(sender, instance: VisitPhoto, using: str, **kwargs) -> None:
    """However a photo goes — removed on its visit's correction page, anonymised, deleted
    in the admin, or with its visit or case — its files go too, once the database has let
    go of it (a rolled-back delete keeps both)."""
    files = [file for file in (instance.image, instance.thumbnail) if file]
    transaction.on_commit(lambda: [file.storage.delete(file.name) for file in files], using)
