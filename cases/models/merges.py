from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models.assistance import Assistance, AssistanceCap, CapUse, counted_with
from cases.models.case import Case, CaseChild, CaseChildQuerySet, CaseEventKind

# What moves from a duplicate to the kept case, as (model label, its foreign key to the
# case). The one list of it: merging and undoing read it. The household members, incomes
# and debts stay on the duplicate: they describe the household as it was recorded there,
# and the kept case holds its own (moving them would list the same people twice).
MOVED_WITH_A_MERGE: tuple[tuple[str, str], ...] = (
    ("cases.HomeVisit", "case"),
    ("cases.Assistance", "case"),
    ("cases.PlanGoal", "case"),
    ("cases.PlanAction", "case"),
    ("cases.Referral", "case"),
)


class CaseMerge(CaseChild):
    """A case closed as the duplicate of another, and exactly which rows moved to the
    kept case: undoing moves those back, and no others (rows added to the kept case
    since stay there)."""

    case = models.ForeignKey(
        Case, models.CASCADE, related_name="merges", verbose_name=_("duplicate case")
    )
    kept = models.ForeignKey(
        Case, models.PROTECT, related_name="merged_in", verbose_name=_("kept case")
    )
    # {"cases.homevisit": [ids…], …}
    moved = models.JSONField(_("rows moved"), default=dict)
    merged_at = models.DateTimeField(_("merged at"), default=timezone.now)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        ordering = ["-merged_at", "-id"]
        verbose_name = _("case merge")
        verbose_name_plural = _("case merges")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(case=models.F("kept")), name="case_merge_not_into_itself"
            ),
            # A closed duplicate is merged once at a time: undo before merging again.
            models.UniqueConstraint(
                "center",  # the centre leads, as a table distributed by centre needs
                "case",
                condition=models.Q(undone_at__isnull=True),
                name="case_merge_one_active_per_duplicate",
            ),
        ]
        indexes = [models.Index(fields=["center", "kept"], name="case_merge_center_kept")]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.kept_id}"

    def count_moved(self) -> int:
        return sum(len(ids) for ids in self.moved.values())

    def reopens_as(self) -> str:
        """The status undoing it reopens the duplicate in: its visits come back, those
        still on the kept case (undo moves back no other)."""
        moved = self.moved.get("cases.homevisit", [])
        back = self.kept.visits.filter(pk__in=moved).exists()
        return Case.reopens_as(has_visits=back or self.case.visits.exists())

    @staticmethod
    def describe(moving: dict[str, list[int]]) -> str:
        """What moves, by kind: "1 home visit, 3 help given"."""
        parts = []
        for label, ids in moving.items():
            if ids:
                meta = apps.get_model(label)._meta
                name = meta.verbose_name if len(ids) == 1 else meta.verbose_name_plural
                parts.append(_("%(count)d %(name)s") % {"count": len(ids), "name": name})
        return ", ".join(parts)

    @staticmethod
    def caps_passed(duplicate: Case, kept: Case) -> list[CapUse]:
        """The caps the kept case is over once the duplicate's help is its own: per kind
        and fiscal year, what the cap counts with the kept case (Assistance.cap_use's
        rule, `counted_with`) and the duplicate's help of that kind and year, against the
        cap in force on the latest of them. The merge still happens: the help was given.
        Someone registered twice is how help passes its cap, and the merge is where it
        shows."""
        passed = []
        years = duplicate.assistance.order_by("kind", "fiscal_year").values_list(
            "kind", "fiscal_year"
        )
        for kind, year in years.distinct():
            theirs = Assistance.objects.filter(case=duplicate, kind=kind, fiscal_year=year)
            ours = Assistance.objects.filter(case=kept, kind=kind, fiscal_year=year)
            last = (theirs | ours).aggregate(last=Max("given_on"))["last"]
            cap = AssistanceCap.objects.in_force(last).filter(kind=kind).first()
            if cap is None:
                continue
            use = CapUse.of(cap, year, counted_with(kept, cap, year) | theirs)
            if use.is_over:
                passed.append(use)
        return passed

    @classmethod
    def to_move(cls, duplicate: Case) -> dict[str, list[int]]:
        """The rows of `duplicate` that a merge would move, per model label."""
        moving = {}
        for label, field in MOVED_WITH_A_MERGE:
            model = apps.get_model(label)
            ids = model.objects.filter(**{field: duplicate}).order_by("pk")
            moving[model._meta.label_lower] = list(ids.values_list("pk", flat=True))
        return moving

    @classmethod
    @transaction.atomic
    def merge(cls, duplicate: Case, kept: Case, *, by) -> CaseMerge:
        """Moves the duplicate's rows to the kept case; called by Case.close()."""
        if duplicate.center_id != kept.center_id:  # Case.closing_refusals() says it first
            raise ValidationError(_("No case with this number in this centre."))
        # As Assistance.record(): help recorded on the kept case meanwhile waits, so the
        # caps counted here are those the merge leaves.
        list(Case.objects.select_for_update().filter(pk__in=[duplicate.pk, kept.pk]).values("pk"))
        moving = cls.to_move(duplicate)
        passed = cls.caps_passed(duplicate, kept)
        for label, field in MOVED_WITH_A_MERGE:
            model = apps.get_model(label)
            ids = moving[model._meta.label_lower]
            model.objects.filter(pk__in=ids).update(**{field: kept})
        merge = cls.objects.create(
            case=duplicate, kept=kept, moved=moving, merged_by=by, center_id=duplicate.center_id
        )
        for case in (duplicate, kept):
            case.refresh_visit_dates()
        count = merge.count_moved()
        duplicate.log(
            CaseEventKind.MERGED,
            by=by,
            details={"merged": "into", "number": kept.number, "count": count},
        )
        kept.log(
            CaseEventKind.MERGED,
            by=by,
            details={
                "merged": "from",
                "number": duplicate.number,
                "count": count,
                **({"over_cap": [use.as_details() for use in passed]} if passed else {}),
            },
        )
        return merge

    @transaction.atomic
    def undo(self, *, by) -> None:
        """Moves back exactly what the merge moved and reopens the duplicate."""
        if self.undone_at is not None:
            raise ValidationError(_("This merge was already undone."))
        duplicate = Case.objects.select_for_update().get(pk=self.case_id)
        kept = Case.objects.select_for_update().get(pk=self.kept_id)
        for label, field in MOVED_WITH_A_MERGE:
            model = apps.get_model(label)
            ids = self.moved.get(model._meta.label_lower, [])
            # Only what is still on the kept case: nothing moved there since is taken.
            model.objects.filter(pk__in=ids, **{field: kept}).update(**{field: duplicate})
        self.undone_at, self.undone_by = timezone.now(), by
        self.save(update_fields=["undone_at", "undone_by"])
        for case in (duplicate, kept):
            case.refresh_visit_dates()
        details = {"undone": duplicate.number, "kept": kept.number}
        kept.log(CaseEventKind.MERGE_UNDONE, by=by, details=details)
        duplicate.log(CaseEventKind.MERGE_UNDONE, by=by, details=details)
        duplicate.reopen(by=by, details=details)
