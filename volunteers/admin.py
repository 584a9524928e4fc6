from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.http import HttpRequest
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from coordination.admin import CentreScopedAdmin, CentreScopedInline, OfOneCentreFilter
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

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # Deleted, the visits they made lost their names (a many-to-many), and their
        # teams' and conferences' records lost them: one who has worked leaves instead.
        if obj is not None and obj.has_work_done():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one at a time, each asked the above
        return actions

    def save_model(self, request: HttpRequest, obj: Volunteer, form, change: bool) -> None:
        """A login linked here to a volunteer is theirs to open their cases with: one with
        no role yet (an account just added in the admin) is given the volunteer's, or it
        logs in to "your account has no role yet". An administrator's login is left as
        it is."""
        super().save_model(request, obj, form, change)
        account = obj.user
        if account is not None and not account.is_staff and not account.groups.exists():
            account.groups.add(Group.objects.get(name="volunteer"))
            messages.info(
                request,
                _("The login %(username)s had no role: it now has the volunteer's.")
                % {"username": account.username},
            )


@admin.register(Team)
class TeamAdmin(CentreScopedAdmin, SimpleHistoryAdmin):
    list_display = ["name", "target_group", "center"]
    list_select_related = ["target_group", "center"]
    list_filter = ["target_group", "center"]
    search_fields = ["name"]
    autocomplete_fields = ["center", "target_group"]
    inlines = [MembershipInline]


class TeamOfTheCentreFilter(OfOneCentreFilter):
    """The teams of the centre chosen beside it (coordination.admin.OfOneCentreFilter)."""

    centre_parameter = "team__center__id__exact"


@admin.register(TeamMembership)
class TeamMembershipAdmin(CentreScopedAdmin, SimpleHistoryAdmin):
    list_display = ["volunteer", "team", "role", "joined_on", "left_on"]
    list_select_related = ["volunteer", "team"]
    list_filter = ["role", "team__center", ("team", TeamOfTheCentreFilter)]
    search_fields = ["volunteer__first_name", "volunteer__last_name", "team__name"]
    autocomplete_fields = ["volunteer", "team"]
