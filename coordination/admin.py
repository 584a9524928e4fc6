from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

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

admin.site.site_header = _("Social development volunteers' coordination centre")
admin.site.site_title = _("Volunteer centre administration")
admin.site.index_title = _("Administration")


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "name_en"]
    search_fields = ["code", "name_th", "name_en"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "name_en", "province"]
    list_select_related = ["province"]
    list_filter = ["province"]
    search_fields = ["code", "name_th", "name_en"]
    autocomplete_fields = ["province"]


@admin.register(Subdistrict)
class SubdistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "name_en", "district", "postal_codes"]
    list_select_related = ["district"]
    search_fields = ["code", "name_th", "name_en", "district__name_th", "district__name_en"]
    autocomplete_fields = ["district"]


@admin.register(Center)
class CenterAdmin(admin.ModelAdmin):
    list_display = ["name", "district", "opened_on", "phone", "followup_interval_days"]
    list_select_related = ["district"]
    search_fields = ["name", "district__name_th", "district__name_en"]
    autocomplete_fields = ["district"]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            obj.create_teams()  # a new centre starts with one team per target group


@admin.register(TargetGroup)
class TargetGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "name_en", "position"]
    search_fields = ["code", "name_th", "name_en"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    actions = ["log_out_everywhere"]
    list_display = ["username", "first_name", "last_name", "center", "is_staff", "is_active"]
    list_select_related = ["center"]
    list_filter = ["center", "groups", "is_staff", "is_active"]
    autocomplete_fields = ["center"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Coordination centre"), {"fields": ["center"]}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Coordination centre"), {"fields": ["center", "groups"]}),
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


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only, for administrators to search."""

    list_display = ["at", "username", "action", "case_number", "center", "ip", "path"]
    list_select_related = ["center"]
    list_filter = [
        "action",
        ("at", admin.DateFieldListFilter),
        "center",
        ("user", admin.RelatedOnlyFieldListFilter),
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
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "phone", "area", "center"]
    list_select_related = ["center"]
    list_filter = ["kind", "center"]
    search_fields = ["name", "area", "phone"]
    autocomplete_fields = ["center"]


@admin.register(AllowanceRate)
class AllowanceRateAdmin(admin.ModelAdmin):
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
