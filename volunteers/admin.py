from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from coordination.admin import CentreScopedAdmin, CentreScopedInline
from volunteers.models import Team, TeamMembership, Volunteer


class MembershipInline(CentreScopedInline, admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["volunteer", "team"]


@admin.register(Volunteer)
class VolunteerAdmin(CentreScopedAdmin, SimpleHistoryAdmin):
    list_display = ["__str__", "national_id", "phone", "status", "center", "appointed_on"]
    list_select_related = ["center"]
    list_filter = ["status", "center"]
    search_fields = ["first_name", "last_name", "national_id", "phone"]
    autocomplete_fields = ["center", "subdistrict", "user"]
    inlines = [MembershipInline]


@admin.register(Team)
class TeamAdmin(CentreScopedAdmin, SimpleHistoryAdmin):
    list_display = ["name", "target_group", "center"]
    list_select_related = ["target_group", "center"]
    list_filter = ["target_group", "center"]
    search_fields = ["name"]
    autocomplete_fields = ["center", "target_group"]
    inlines = [MembershipInline]


@admin.register(TeamMembership)
class TeamMembershipAdmin(CentreScopedAdmin, SimpleHistoryAdmin):
    list_display = ["volunteer", "team", "role", "joined_on", "left_on"]
    list_select_related = ["volunteer", "team"]
    list_filter = ["role", "team__center", "team"]
    search_fields = ["volunteer__first_name", "volunteer__last_name", "team__name"]
    autocomplete_fields = ["volunteer", "team"]
