"""The back office. One rule for every admin page: a national administrator (staff
without a centre) sees everything; a centre administrator (staff bound to a centre)
sees and changes only that centre's rows, reads centre-wide reference data, and never
reaches accounts above their own. `CentreScopedAdmin` carries the rule; every
registered admin and inline uses it (tests/coordination/test_admin_scoping.py fails
when one does not)."""

from __future__ import annotations

import datetime
import functools
from typing import TYPE_CHECKING, Any

from axes import admin as axes_admin  # noqa: F401  registers axes' admins, re-wrapped below
from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin import utils as admin_utils
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UsernameField
from django.contrib.auth.models import Group
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, router, transaction
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static import admin as otp_static_admin  # noqa: F401
from django_otp.plugins.otp_totp import admin as otp_totp_admin  # noqa: F401
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from coordination.access import centre_asked
from coordination.accounts import issue_password_link, qr_code, username_taken
from coordination.audit import log_access
from coordination.fields import (
    NameFormField,
    ThaiDateField,
    ThaiDateInput,
    ThaiSplitDateTimeField,
    ThaiSplitDateTimeWidget,
)
from coordination.models import (
    AccessLog,
    Agency,
    AllowanceRate,
    Center,
    District,
    Province,
    Subdistrict,
    TargetGroup,
    User,
)
from coordination.paging import EstimatingPaginator, Paginator
from coordination.templatetags.thai import be_date, be_datetime
from coordination.validators import normalize_national_id

if TYPE_CHECKING:
    from django.contrib.admin.options import BaseModelAdmin, InlineModelAdmin
    from django_stubs_ext import StrOrPromise

    _Admin = BaseModelAdmin[Any]
    _ModelAdmin = admin.ModelAdmin[Any]
    _Inline = InlineModelAdmin[Any, Any]
    _ModelFormBase = forms.BaseModelForm
else:
    _Admin = _ModelAdmin = _Inline = _ModelFormBase = object

# Centre-wide data: every centre reads it, only national administrators change it.
CENTRE_WIDE: set[type[Model]] = {Province, District, Subdistrict, TargetGroup, AllowanceRate}
# Roles a centre administrator may give: never staff, never a permission of its own.
CENTRE_ROLES = ["coordinator", "volunteer"]

# How a row reaches its centre, where it is not through its own `center` field.
CENTRE_LOOKUPS: dict[str, str] = {
    "coordination.center": "pk",
    "volunteers.teammembership": "team__center",
    "otp_totp.totpdevice": "user__center",
    "otp_static.statictoken": "device__user__center",
    "otp_static.staticdevice": "user__center",
}


def centre_lookup(model: type[Model]) -> str | None:
    """The ORM path from a row of `model` to its centre; None if it has none."""
    label = model._meta.label_lower
    if label in CENTRE_LOOKUPS:
        return CENTRE_LOOKUPS[label]
    names = {field.name for field in model._meta.get_fields()}
    return "center" if "center" in names else None


def centre_rows(model: type[Model], queryset: QuerySet, user) -> QuerySet:
    """The rows of `model` in `queryset` that `user` administers (and may pick as a
    choice). Deny by default: a model this does not know is hidden from a centre
    administrator."""
    if user.is_national_admin:
        return queryset
    if not user.is_centre_admin:
        return queryset.none()
    if model in CENTRE_WIDE:
        return queryset
    if model is Group:
        return queryset.filter(name__in=CENTRE_ROLES)
    if model is User:
        # The centre's coordinators and volunteers; never an account with more power.
        return queryset.filter(center_id=user.center_id, is_staff=False, is_superuser=False)
    if model is Agency:
        # National agencies (no centre) are read by all, changed by none but national staff.
        return queryset.filter(Q(center_id=user.center_id) | Q(center__isnull=True))
    if hasattr(queryset, "visible_to"):
        return queryset.visible_to(user)
    lookup = centre_lookup(model)
    if lookup is None:
        return queryset.none()
    return queryset.filter(**{lookup: user.center_id})


def centre_of(obj: Model) -> int | None:
    """The centre an object belongs to, read from the object itself: history and
    restore hand over instances rebuilt from history, which a query would not find."""
    lookup = centre_lookup(type(obj))
    if lookup is None:
        return None
    if lookup == "pk":
        return obj.pk
    *path, last = lookup.split("__")
    owner: Model | None = obj
    for step in path:
        owner = getattr(owner, step, None)
        if owner is None:
            return None
    return getattr(owner, f"{last}_id", None)


def administers(user, obj: Model) -> bool:
    """Whether `user` may change `obj` (reading may be wider: reference data)."""
    if user.is_national_admin:
        return True
    if not user.is_centre_admin or type(obj) in CENTRE_WIDE:
        return False
    if isinstance(obj, User) and (obj.is_staff or obj.is_superuser):
        return False
    return centre_of(obj) == user.center_id


def reads(user, obj: Model) -> bool:
    if user.is_national_admin or (user.is_centre_admin and type(obj) in CENTRE_WIDE):
        return True
    if isinstance(obj, Agency) and obj.center_id is None:
        return user.is_centre_admin
    return administers(user, obj)


def staff_user(request: HttpRequest) -> User:
    """The admin lets in only logged-in staff: its requests carry one of our users."""
    user = request.user
    assert isinstance(user, User)
    return user


@functools.cache  # the same column each time: the admin finds a sortable one by identity
def be_column(model: str, name: Any) -> Any:
    """A list's column of the model labelled `model`: a date or date-and-time field
    written as the app writes dates (24 เม.ย. 2562, 09:30 น.) and sorted as the field;
    any other column as it was."""
    try:
        field = apps.get_model(model)._meta.get_field(name) if isinstance(name, str) else None
    except FieldDoesNotExist:
        field = None
    if not isinstance(field, models.DateField):
        return name
    show = be_datetime if isinstance(field, models.DateTimeField) else be_date

    @admin.display(description=field.verbose_name, ordering=name)
    def column(row: Model) -> str | None:
        value = getattr(row, name)
        return None if value is None else show(value)  # None: the admin's empty mark

    column.__name__ = name  # its cells' CSS class, as the field's: field-<name>
    return column


def chosen_labels(field, value) -> str | None:
    """A list of choices (a case's disability types, consent's purposes) by their labels,
    as the app's pages write it; None for any other field."""
    if not isinstance(field, ArrayField) or not isinstance(value, list):
        return None
    if not field.base_field.choices:
        return None
    labels = dict(field.base_field.flatchoices)
    return ", ".join(str(labels.get(code, code)) for code in value)


def choices_field(db_field: ArrayField) -> forms.Field:
    """The admin's field for a list of choices: Django's is a text box of codes
    ("1,3" for two disability types), ours the labels to tick, as the app's forms."""
    base = db_field.base_field
    return forms.TypedMultipleChoiceField(
        label=capfirst(db_field.verbose_name),
        choices=base.choices or (),
        coerce=base.to_python,
        required=not db_field.blank,
        widget=forms.CheckboxSelectMultiple,
        help_text=db_field.help_text,
    )


def display_for_field(value, field, empty_value_display, avoid_link=False):
    """Django's writing of a field the admin shows but does not let anyone change (a
    case's created time, a referral's reply), a day in the Buddhist Era as everywhere
    else in the app: Django writes "27 พฤศจิกายน 2026, 23:36". Set as the admin's own in
    CoordinationConfig.ready(): the admin has no hook for it."""
    if isinstance(field, models.DateField) and value and not getattr(field, "flatchoices", None):
        return be_datetime(value) if isinstance(field, models.DateTimeField) else be_date(value)
    if value and (labels := chosen_labels(field, value)) is not None:
        return labels
    return admin_utils.display_for_field(value, field, empty_value_display, avoid_link)


class CentreScopedMixin(_Admin):
    """For ModelAdmin and inlines alike: rows, choices, search and permissions all
    follow `centre_rows`, so that no page of the admin shows another centre."""

    # Dates typed and shown as everywhere else in the app: in the Buddhist Era (24/04/2562;
    # 24/04/2019 still reads as the Common Era). The admin's own fields read 27/12/2569 as
    # the year 2569 CE and saved it, 543 years ahead.
    formfield_overrides = {
        models.DateField: {"form_class": ThaiDateField, "widget": ThaiDateInput},
        models.DateTimeField: {
            "form_class": ThaiSplitDateTimeField,
            "widget": ThaiSplitDateTimeWidget,
        },
    }

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return centre_rows(self.model, super().get_queryset(request), request.user)

    def formfield_for_dbfield(self, db_field, request: HttpRequest, **kwargs):
        if isinstance(db_field, ArrayField) and db_field.base_field.choices:
            return choices_field(db_field)
        if db_field.name in getattr(db_field.model, "NAME_FIELDS", ()):
            kwargs["form_class"] = NameFormField  # a person's name, as the app's forms
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        rows = getattr(field, "queryset", None)
        if field is not None and rows is not None:
            field.queryset = centre_rows(db_field.remote_field.model, rows, request.user)
        return field

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        rows = getattr(field, "queryset", None)
        if field is not None and rows is not None:
            field.queryset = centre_rows(db_field.remote_field.model, rows, request.user)
        return field

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        if not super().has_view_permission(request, obj):
            return False
        user = staff_user(request)
        if obj is None:
            return user.is_national_admin or user.is_centre_admin
        return reads(user, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._may_change(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._may_change(request, obj)

    def _may_change(self, request: HttpRequest, obj) -> bool:
        user = staff_user(request)
        if user.is_national_admin:
            return True
        if not user.is_centre_admin or self.model in CENTRE_WIDE:
            return False
        return obj is None or administers(user, obj)


class AppHistoryHelper(HistoricalRecordContextHelper):
    """django-simple-history's list of a record's changes, its values as the app writes
    them: a choice by its label (ประเมินแล้ว, not "assessed"), a date in the page's era."""

    def prepare_delta_change_value(self, change, value):
        # No account, no team: simple-history takes an empty foreign key for a deleted
        # row ("ผู้ใช้ ที่ถูกลบ (pk=None)").
        if value in (None, "", []) or (isinstance(value, DeletedObject) and value.pk is None):
            return "–"
        field = self.model._meta.get_field(change.field)
        if (labels := chosen_labels(field, value)) is not None:
            return labels
        if getattr(field, "choices", None) and not isinstance(value, list):
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, datetime.datetime):
            return be_datetime(value)
        if isinstance(value, datetime.date):
            return be_date(value)
        return super().prepare_delta_change_value(change, value)


class DayFilter(admin.DateFieldListFilter):
    """Django's date filter, titled "date": its field's name made it "By at"."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.title = _("date")


class OfOneCentreFilter(admin.RelatedFieldListFilter):
    """A related list filter listing the rows of one centre: the one chosen in the list's
    centre filter (`centre_parameter`), or a centre administrator's own whatever the
    address asks; none before a national administrator chooses one. Every centre's rows
    were thousands of links (4,640 teams), and the access log's users were read by a
    DISTINCT over the whole log (0.6 s for 5 million rows)."""

    centre_parameter = "center__id__exact"

    def field_choices(self, field, request: HttpRequest, model_admin) -> list:
        centre = centre_asked(staff_user(request), request.GET.get(self.centre_parameter, ""))
        if centre is None:
            return []
        model = field.related_model
        rows = model._default_manager.filter(center_id=centre)
        return [(row.pk, str(row)) for row in rows.order_by(*(model._meta.ordering or ["pk"]))]


class CentreScopedModelMixin(CentreScopedMixin, _ModelAdmin):
    """What only a ModelAdmin has (not an inline): lists, search, list filters, saving."""

    # "N of M in all" counted M, the whole table for a national administrator, on every
    # filtered list: Django then offers "Show all" instead.
    show_full_result_count = False

    def get_paginator(self, request: HttpRequest, queryset, per_page, orphans=0,
                      allow_empty_first_page=True) -> Paginator:  # fmt: skip
        return EstimatingPaginator(queryset, per_page, orphans, allow_empty_first_page)

    def get_historical_record_context_helper(self, request: HttpRequest, historical_record):
        # Called by SimpleHistoryAdmin, in the admins that keep a history.
        return AppHistoryHelper(self.model, historical_record)

    def get_list_display(self, request: HttpRequest):
        # The lists' dates too: Django writes them in the Common Era ("27 พฤศจิกายน 2026").
        label = self.model._meta.label
        return [be_column(label, name) for name in super().get_list_display(request)]

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        # The autocomplete view searches this admin's rows for another admin's field:
        # scope again, whatever queryset it was handed.
        queryset = centre_rows(self.model, queryset, request.user)
        found, duplicates = super().get_search_results(request, queryset, search_term)
        # A national ID as the pages write it, 3-1027-00990-12-2 (or with spaces, in
        # Thai digits): the column holds its digits. Searched as typed too: a case
        # number has dashes of its own.
        digits = normalize_national_id(search_term)
        if "national_id" in self.search_fields and digits != search_term and digits.isdecimal():
            more, more_duplicates = super().get_search_results(request, queryset, digits)
            found, duplicates = found | more, duplicates or more_duplicates
        return found, duplicates

    def get_list_filter(self, request: HttpRequest):
        # A related filter lists every row of the related table (every centre, every
        # team); for a centre administrator it lists only those their rows use.
        filters = super().get_list_filter(request)
        if staff_user(request).is_national_admin:
            return filters
        return [
            (name, admin.RelatedOnlyFieldListFilter)
            if isinstance(name, str) and self._relates_to_centre_data(name)
            else name
            for name in filters
        ]

    def _relates_to_centre_data(self, path: str) -> bool:
        field = get_fields_from_path(self.model, path)[-1]
        return field.is_relation and field.related_model not in CENTRE_WIDE

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        # What a centre administrator creates belongs to their centre, whatever was
        # posted: an agency without a centre would be national.
        user = staff_user(request)
        if user.is_centre_admin and centre_lookup(type(obj)) == "center":
            obj.center_id = user.center_id
        super().save_model(request, obj, form, change)


class CentreScopedAdmin(CentreScopedModelMixin, admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        user = staff_user(request)
        if not (user.is_national_admin or (user.is_centre_admin and self.model not in CENTRE_WIDE)):
            return False
        return super().has_add_permission(request)

    # simple-history rebuilds a deleted object from its history and checks only the
    # model permission: answer 404 for what is not the user's, as the rest of the admin.
    def history_view(self, request: HttpRequest, object_id, extra_context=None):
        self._history_in_centre_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request: HttpRequest, object_id, version_id, extra_context=None):
        self._history_in_centre_or_404(request, object_id, version_id)
        # One transaction, as Django's own change page is: a revert saves as a change
        # does (a case's version is counted from its row, locked: next_version).
        with transaction.atomic(using=router.db_for_write(self.model)):
            # SimpleHistoryAdmin's (untyped), mixed in by the admins that keep history.
            return super().history_form_view(  # type: ignore[misc]
                request, object_id, version_id, extra_context
            )

    def _history_in_centre_or_404(self, request: HttpRequest, object_id, version_id=None):
        history = getattr(self.model._meta, "simple_history_manager_attribute", None)
        if history is None:
            return
        try:
            object_id = self.model._meta.pk.to_python(object_id)
        except ValidationError:
            raise Http404 from None
        records = getattr(self.model, history).filter(**{self.model._meta.pk.attname: object_id})
        if version_id is not None:
            records = records.filter(history_id=version_id)
        record = records.order_by("-history_date").first()
        # Whose the record is now: the row as it is (a case moved to another centre, and
        # its rows with it, belongs to that centre, every version of it); the history's
        # latest record only for a row deleted since.
        live = self.model._base_manager.filter(pk=object_id).first()
        if record is None or not reads(staff_user(request), live or record.instance):
            raise Http404


class CentreScopedInline(CentreScopedMixin, _Inline):
    # Django's inlines take the parent object here (InlineModelAdmin's signature).
    def has_add_permission(self, request: HttpRequest, obj: Any) -> bool:  # type: ignore[override]
        return super().has_add_permission(request, obj) and self._may_change(request, None)


admin.site.site_header = _("Social development volunteers' coordination centre")
admin.site.site_title = _("Volunteer centre administration")
admin.site.index_title = _("Administration")


@admin.register(Province)
class ProvinceAdmin(CentreScopedAdmin):
    list_display = ["code", "name_th", "name_en"]
    search_fields = ["code", "name_th", "name_en"]


@admin.register(District)
class DistrictAdmin(CentreScopedAdmin):
    list_display = ["code", "name_th", "name_en", "province"]
    list_select_related = ["province"]
    list_filter = ["province"]
    search_fields = ["code", "name_th", "name_en"]
    autocomplete_fields = ["province"]


@admin.register(Subdistrict)
class SubdistrictAdmin(CentreScopedAdmin):
    list_display = ["code", "name_th", "name_en", "district", "postal_codes"]
    list_select_related = ["district"]
    search_fields = ["code", "name_th", "name_en", "district__name_th", "district__name_en"]
    autocomplete_fields = ["district"]


@admin.register(Center)
class CenterAdmin(CentreScopedAdmin):
    list_display = ["name", "district", "opened_on", "phone", "followup_interval_days"]
    list_select_related = ["district"]
    search_fields = ["name", "district__name_th", "district__name_en"]
    autocomplete_fields = ["district"]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            obj.create_teams()  # a new centre starts with one team per target group


@admin.register(TargetGroup)
class TargetGroupAdmin(CentreScopedAdmin):
    list_display = ["code", "name_th", "name_en", "position"]
    search_fields = ["code", "name_th", "name_en"]


# The roles are groups named in English (the code checks them by name): the admin says
# them as the app does.
ROLE_LABELS = {
    "coordinator": _("Coordinator"),
    "volunteer": _("Volunteer"),
    "centre_admin": _("Centre administrator"),
}


def role_label(group: Group) -> str:
    return str(ROLE_LABELS.get(group.name, group.name))


class RoleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Group) -> str:
        return role_label(obj)


class RoleListFilter(admin.RelatedOnlyFieldListFilter):
    def field_choices(self, field, request, model_admin):
        names = dict(Group.objects.values_list("pk", "name"))
        return [
            (pk, str(ROLE_LABELS.get(names.get(pk, ""), label)))
            for pk, label in super().field_choices(field, request, model_admin)
        ]


class AccountRules(_ModelFormBase):
    """What every account form of the admin checks: a username not taken in other
    letters' case (as the volunteers' login page: "Somchai" beside "somchai" would only
    confuse), a centre for a coordinator's or a volunteer's work (without one, the login
    had no page to open and skipped the second step), and a volunteer's login at their
    record's centre (their record moves, and their login with it: Volunteer.save)."""

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if username_taken(username, by_other_than=self.instance if self.instance.pk else None):
            raise forms.ValidationError(
                _("The username %(username)s is taken. Choose another one."),
                params={"username": username},
            )
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        roles = {group.name for group in data.get("groups") or []}
        if "center" not in self.fields:
            return data
        if not data.get("center") and roles & {"coordinator", "volunteer"}:
            self.add_error(
                "center", _("A coordinator or a volunteer belongs to a coordination centre.")
            )
        record = getattr(self.instance, "volunteer", None) if self.instance.pk else None
        centre = data.get("center") if "center" in self.changed_data else None
        if record is not None and centre is not None and centre.pk != record.center_id:
            self.add_error(
                "center",
                _(
                    "This is the login of %(name)s, a volunteer of %(centre)s: move "
                    "their volunteer record, and the login moves with it."
                )
                % {"name": record.full_name, "centre": record.center.name},
            )
        return data


class AccountChangeForm(AccountRules, UserChangeForm):
    pass


class AccountAddForm(AccountRules, forms.ModelForm):
    """An account starts without a password, whoever adds it: its owner sets one through
    a one-time link (the action below), as a volunteer does (coordination/accounts.py)."""

    class Meta:
        model = User
        fields = ["username", "center", "groups"]
        field_classes = {"username": UsernameField}

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
            self.save_m2m()
        return user


@admin.register(User)
class UserAdmin(CentreScopedModelMixin, DjangoUserAdmin):
    actions = ["log_out_everywhere", "reset_second_factor", "issue_password_links"]
    add_form = AccountAddForm
    form = AccountChangeForm
    add_form_template = "admin/coordination/user/add_form.html"
    list_display = ["username", "first_name", "last_name", "center", "is_staff", "is_active"]
    list_select_related = ["center"]
    list_filter = ["center", ("groups", RoleListFilter), "is_staff", "is_active"]
    autocomplete_fields = ["center"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Coordination centre"), {"fields": ["center"]}),
    )
    add_fieldsets = (
        (None, {"fields": ["username"]}),
        (_("Coordination centre"), {"fields": ["center", "groups"]}),
    )
    # What only a national administrator gives: powers above a centre's roles.
    NATIONAL_ONLY_FIELDS = ("is_staff", "is_superuser", "user_permissions")

    def get_fieldsets(self, request: HttpRequest, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        hidden = () if staff_user(request).is_national_admin else self.NATIONAL_ONLY_FIELDS
        password = "password" if self.sets_password(request, obj) else "password_state"
        return [
            (
                name,
                {
                    **options,
                    "fields": [
                        password if f == "password" else f
                        for f in options["fields"]
                        if f not in hidden
                    ],
                },
            )
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        # When they logged in and joined are records, not answers.
        fields = [*super().get_readonly_fields(request, obj), "password_state"]
        fields += ["last_login", "date_joined"]
        if not staff_user(request).is_national_admin:
            fields.append("center")  # save_model puts the administrator's own centre
        return fields

    @staticmethod
    def sets_password(request: HttpRequest, account: User | None) -> bool:
        """Nobody but its owner chooses a password: a centre's accounts get a one-time
        link (User.password_by_link_only). Only a national administrator sets one, for
        an administrator without a role in the app, or their own."""
        if account is None:
            return False
        if account.pk == request.user.pk:
            return True
        return staff_user(request).is_national_admin and not account.password_by_link_only

    @admin.display(description=_("Password"))
    def password_state(self, account: User) -> StrOrPromise:
        if account.has_usable_password():
            return _("Set. A new one-time link replaces it.")
        return _("Not set yet: its owner sets it through a one-time link.")

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        if change:
            before = User.objects.get(pk=obj.pk)
            request.password_was_admins = not before.password_by_link_only  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        """An administrator's account given a role in the app, or no longer staff, is
        now one whose password only its owner chooses: the one an administrator set
        goes, or they would know it."""
        super().save_related(request, form, formsets, change)
        account = User.objects.get(pk=form.instance.pk)  # its roles as just saved
        if (
            getattr(request, "password_was_admins", False)
            and account.password_by_link_only
            and account.has_usable_password()
            and account.pk != request.user.pk
        ):
            account.set_unusable_password()
            account.save(update_fields=["password"])
            account.log_out_everywhere()
            self.message_user(
                request,
                _(
                    "The password set in the admin for %(username)s is cleared: its owner "
                    "now sets it through a one-time link."
                )
                % {"username": account.username},
            )

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = ""):
        account = self.get_object(request, unquote(id))
        if account is not None and not self.sets_password(request, account):
            # Said where the administrator works, with what to do instead (the app's 403
            # page would tell them to ask a coordinator).
            self.message_user(
                request,
                _(
                    "Only its owner chooses the password of %(username)s: select the "
                    "account in the list and issue a one-time link to set it."
                )
                % {"username": account.username},
                messages.ERROR,
            )
            return redirect("admin:coordination_user_change", account.pk)
        return super().user_change_password(request, id, form_url)

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "groups":
            kwargs["form_class"] = RoleChoiceField
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_add_permission(self, request: HttpRequest) -> bool:
        user = staff_user(request)
        return (user.is_national_admin or user.is_centre_admin) and super().has_add_permission(
            request
        )

    @admin.action(description=_("Log out on every device"))
    def log_out_everywhere(self, request, queryset) -> None:
        for user in queryset:
            user.log_out_everywhere()
        self.message_user(
            request,
            _("%(count)d users will have to log in again on every device.")
            % {"count": len(queryset)},
        )

    @admin.action(description=_("Reset the second factor (enrol again at next login)"))
    def reset_second_factor(self, request, queryset) -> None:
        # The queryset is the changelist's, already scoped to what this administrator
        # administers; each reset is in the access log.
        for user in queryset:
            user.reset_second_factor()
            log_access(request, AccessLog.Action.RESET_SECOND_FACTOR, obj=user)
        self.message_user(
            request,
            _("%(count)d users will set up a new second factor at their next login.")
            % {"count": len(queryset)},
        )

    @admin.action(description=_("Issue a one-time link to set the password"))
    def issue_password_links(self, request, queryset) -> TemplateResponse:
        """Coordinators are given their login as volunteers are (volunteers' account
        page): a link valid 72 hours, used once, shown here as text and QR code, never
        a password. Issuing one ends the account's sessions and old password."""
        # The queryset is the changelist's: a centre administrator reaches only their
        # centre's accounts. Administrators without a role in the app are given theirs in
        # the admin (sets_password).
        accounts = [user for user in queryset.order_by("username") if user.password_by_link_only]
        links = [(user, issue_password_link(user, request=request)) for user in accounts]
        response = TemplateResponse(
            request,
            "admin/coordination/user/password_links.html",
            {
                **self.admin_site.each_context(request),
                "title": _("One-time links to set a password"),
                "links": [(user, link, qr_code(link)) for user, link in links],
                "skipped": queryset.count() - len(accounts),
                "opts": self.model._meta,
            },
        )
        response["Cache-Control"] = "no-store"  # the links are as good as passwords
        return response


@admin.register(AccessLog)
class AccessLogAdmin(CentreScopedAdmin):
    """Read-only: the log is append-only, for administrators to search."""

    list_display = ["at", "username", "action", "case_number", "center", "ip", "path"]
    list_select_related = ["center"]
    list_filter = [
        "action",
        ("at", DayFilter),
        "center",
        ("user", OfOneCentreFilter),
    ]
    search_fields = ["username", "case_number", "ip", "path"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Agency)
class AgencyAdmin(CentreScopedAdmin):
    """National administrators manage every agency, national ones (no centre) included;
    a centre administrator their centre's, and reads the national ones (centre_rows,
    reads, administers above)."""

    list_display = ["name", "kind", "phone", "area", "center", "active"]
    list_select_related = ["center"]
    list_filter = ["kind", "active", "center"]
    search_fields = ["name", "area", "phone", "services", "contact_person"]
    autocomplete_fields = ["center"]
    fields = [
        "center",
        "name",
        "kind",
        "phone",
        "contact_person",
        "address",
        "area",
        "services",
        "active",
    ]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not staff_user(request).is_national_admin:
            fields.append("center")  # save_model puts the administrator's own centre
        return fields


@admin.register(AllowanceRate)
class AllowanceRateAdmin(CentreScopedAdmin):
    list_display = [
        "kind",
        "age_from",
        "age_to",
        "welfare_card_holders",
        "monthly_amount",
        "effective_from",
        "effective_to",
    ]
    list_filter = ["kind", "welfare_card_holders"]
    date_hierarchy = "effective_from"


# The admins other apps register, with the same scoping. A centre administrator has no
# permission on them (the `centre_admin` group does not grant it) and, should one be
# given, sees only what `centre_rows` allows: login attempts and devices of no centre
# are national.
def _rescope(model: type[Model]) -> None:
    original = type(admin.site._registry[model])
    if issubclass(original, CentreScopedMixin):
        return
    inlines = [
        type(inline.__name__, (CentreScopedInline, inline), {"__module__": __name__})
        for inline in original.inlines
    ]
    admin.site.unregister(model)
    admin.site.register(
        model,
        type(
            original.__name__,
            (CentreScopedModelMixin, original),
            {"__module__": __name__, "inlines": inlines},
        ),
    )


for _model in list(admin.site._registry):
    if _model._meta.app_label in {"auth", "axes", "otp_totp", "otp_static"}:
        _rescope(_model)
