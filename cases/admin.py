from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from cases.models import (
    AllowanceDismissal,
    AssistanceCap,
    Case,
    CaseEvent,
    Debt,
    HomeVisit,
    HouseholdMember,
    IncomeSource,
    Referral,
    ReferralNeedDismissal,
    ReferralUpdate,
    VisitPhoto,
)
from cases.models.case import next_version
from coordination.admin import CentreScopedAdmin, CentreScopedInline


class VersionedAdmin(admin.ModelAdmin):
    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        # A record recovered from its history after a delete is a change with no row.
        if change and type(obj)._default_manager.filter(pk=obj.pk).exists():
            obj.version = next_version(obj)
        super().save_model(request, obj, form, change)


class CaseRowAdmin(admin.ModelAdmin):
    """A household member or an income changed on its own admin page (its form, a
    revert from its history, a delete) changes its case: Case.move_on, as a visit's page
    does. A row moved to another case changes both. The cases are moved on (their rows
    locked, in id order) before the row is written: the order of the case's edit page,
    which the other would deadlock with (the admin's views are one transaction)."""

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        # Its case as saved, not the form's initial one (a revert's is the old record's).
        saved = type(obj).objects.filter(pk=obj.pk).values_list("case_id", flat=True)
        before = set(saved) if change else set()
        for case_id in sorted(before | {obj.case_id}):
            Case.move_on(case_id)
        super().save_model(request, obj, form, change)

    def delete_model(self, request: HttpRequest, obj) -> None:
        Case.move_on(obj.case_id)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for case_id in sorted(set(queryset.values_list("case_id", flat=True))):
            Case.move_on(case_id)
        super().delete_queryset(request, queryset)


class HouseholdMemberInline(CentreScopedInline, admin.TabularInline):
    model = HouseholdMember
    fields = list(HouseholdMember.RECORDED_FIELDS)
    extra = 0


class IncomeSourceInline(CentreScopedInline, admin.TabularInline):
    model = IncomeSource
    fields = ["kind", "amount", "note"]
    extra = 0


class DebtInline(CentreScopedInline, admin.TabularInline):
    model = Debt
    fields = list(Debt.RECORDED_FIELDS)
    extra = 0


class HomeVisitInline(CentreScopedInline, admin.StackedInline):
    model = HomeVisit
    fields = ["visited_at", "author", "purpose", "findings", "next_visit_due"]
    autocomplete_fields = ["author"]
    extra = 0
    show_change_link = True


@admin.register(Case)
class CaseAdmin(VersionedAdmin, CentreScopedAdmin, SimpleHistoryAdmin):
    list_display = ["number", "full_name", "status", "priority", "team", "center", "opened_on"]
    list_select_related = ["team", "center"]
    list_filter = ["status", "priority", "target_groups", "center"]
    search_fields = ["number", "first_name", "last_name", "national_id"]
    readonly_fields = ["number", "version", "created_at", "updated_at"]
    autocomplete_fields = [
        "center",
        "team",
        "reg_subdistrict",
        "cur_subdistrict",
        "consent_recorded_by",
    ]
    filter_horizontal = ["target_groups"]
    date_hierarchy = "opened_on"
    inlines = [HouseholdMemberInline, IncomeSourceInline, DebtInline, HomeVisitInline]

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        # Added here, a case is opened as intake opens one (Case.open): who took its
        # consent, and its "opened" event; through the admins' own saves (the centre).
        if not change and obj.consent_method:
            obj.record_consent(by=request.user)
        super().save_model(request, obj, form, change)
        if not change:
            obj.log(CaseEvent.Kind.OPENED, by=request.user, status_to=obj.status)

    @admin.display(description=_("name"), ordering="first_name")
    def full_name(self, case: Case) -> str:
        return case.full_name

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is HomeVisit:  # a visit changed in its inline is changed too
            for row in formset.initial_forms:
                if row.has_changed():
                    row.instance.version = next_version(row.instance)
        super().save_formset(request, form, formset, change)


@admin.register(HomeVisit)
class HomeVisitAdmin(VersionedAdmin, CentreScopedAdmin, SimpleHistoryAdmin):
    list_display = ["case", "visited_at", "purpose", "author", "next_visit_due"]
    list_select_related = ["case", "author"]
    list_filter = ["purpose", "center"]
    search_fields = ["case__number", "case__first_name", "case__last_name"]
    autocomplete_fields = ["case", "author"]
    filter_horizontal = ["volunteers"]
    date_hierarchy = "visited_at"
    exclude = ["center"]


@admin.register(HouseholdMember)
class HouseholdMemberAdmin(CaseRowAdmin, CentreScopedAdmin, SimpleHistoryAdmin):
    list_display = ["name", "relation", "age", "condition", "case"]
    list_select_related = ["case"]
    list_filter = ["condition", "relation"]
    search_fields = ["name", "case__number"]
    autocomplete_fields = ["case"]
    exclude = ["center"]


@admin.register(IncomeSource)
class IncomeSourceAdmin(CaseRowAdmin, CentreScopedAdmin, SimpleHistoryAdmin):
    list_display = ["case", "kind", "amount"]
    list_select_related = ["case"]
    list_filter = ["kind"]
    search_fields = ["case__number", "case__first_name", "case__last_name"]
    autocomplete_fields = ["case"]
    exclude = ["center"]


@admin.register(CaseEvent)
class CaseEventAdmin(CentreScopedAdmin):
    """What happened to cases; a record, so read-only."""

    list_display = ["at", "case", "kind", "team", "written", "by"]
    list_select_related = ["case", "team", "by"]
    list_filter = ["kind", "center"]
    search_fields = ["case__number", "note"]
    date_hierarchy = "at"
    readonly_fields = ["written"]

    @admin.display(description=_("note"))
    def written(self, event: CaseEvent) -> str:
        """What the case page writes: the app's part (details) in the reader's language."""
        return event.text

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        """An event goes only with its case: deleting a case (recoverable from its
        history) lists its events and asks this; the events' own pages never delete."""
        match = request.resolver_match
        on_own_page = match is not None and getattr(match.func, "model_admin", None) is self
        return not on_own_page and super().has_delete_permission(request, obj)


@admin.register(VisitPhoto)
class VisitPhotoAdmin(CentreScopedAdmin):
    """Photos come only through the visit form, which re-encodes them without EXIF (and
    its GPS): the admin neither adds nor replaces one. Its file link was the storage's
    URL, which nothing serves (photos are private); the link is the app's photo page,
    which asks the visibility rule and writes the access log."""

    list_display = ["visit", "uploaded_at", "width", "height"]
    list_select_related = ["visit__case"]
    search_fields = ["visit__case__number"]
    fields = readonly_fields = ("visit", "photo", "width", "height", "uploaded_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("photo"))
    def photo(self, photo: VisitPhoto) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("cases:visit-photo", args=[photo.pk]),
            _("Open the photo"),
        )


@admin.register(AssistanceCap)
class AssistanceCapAdmin(CentreScopedAdmin):
    """National rules: edited by national administrators (no centre, so a centre
    administrator neither sees nor changes them)."""

    list_display = [
        "kind", "scope", "max_per_time", "max_times", "max_total", "effective_from",
        "effective_to",
    ]  # fmt: skip
    list_filter = ["kind", "scope"]
    date_hierarchy = "effective_from"


class ReferralUpdateInline(CentreScopedInline, admin.TabularInline):
    """A referral's history: a record, read-only like the case's events."""

    model = ReferralUpdate
    fields = ["on", "status_from", "status_to", "note", "by", "at"]
    readonly_fields = ["on", "status_from", "status_to", "note", "by", "at"]
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Referral)
class ReferralAdmin(CentreScopedAdmin):
    """Corrections only: referrals are made and moved on the app's pages, where the
    status rules apply; so the status and the letter number are not edited here, nor
    the legal basis the data went on (Referral.clean_legal_basis, when it was sent)."""

    list_display = ["letter_number", "case", "agency", "status", "sent_on", "reply_by"]
    list_select_related = ["case", "agency"]
    list_filter = ["status", "center"]
    search_fields = ["case__number", "agency__name"]
    autocomplete_fields = ["case", "agency", "visit", "created_by", "outcome_read_by"]
    readonly_fields = [
        "status", "letter_year_be", "letter_seq", "replied_on", "created_at", "legal_basis",
        "legal_basis_note",
    ]  # fmt: skip
    date_hierarchy = "sent_on"
    exclude = ["center"]
    inlines = [ReferralUpdateInline]

    @admin.display(description=_("letter number"), ordering="letter_seq")
    def letter_number(self, referral: Referral) -> str:
        return referral.letter_number  # a property: Django would head it "LETTER NUMBER"


@admin.register(ReferralNeedDismissal)
class ReferralNeedDismissalAdmin(CentreScopedAdmin):
    list_display = ["visit", "reason", "by", "at"]
    list_select_related = ["visit__case", "by"]
    search_fields = ["visit__case__number", "reason"]
    autocomplete_fields = ["visit", "by"]
    exclude = ["center"]


@admin.register(AllowanceDismissal)
class AllowanceDismissalAdmin(CentreScopedAdmin):
    """Missed-allowance flags a coordinator dismissed, with why: a record, so read-only
    (an administrator may delete one to raise the flag again)."""

    list_display = ["at", "case", "rule", "reason", "by"]
    list_select_related = ["case", "by"]
    list_filter = ["rule", "center"]
    search_fields = ["case__number", "reason"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
