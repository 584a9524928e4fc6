"""Administration scoped to a centre: a centre administrator (staff bound to a centre)
administers that centre only; a national administrator (staff, no centre) all of them.
The sweep (tests/test_isolation_sweep.py) opens every admin URL; these say the rules."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.models import Case
from coordination.admin import CentreScopedInline, CentreScopedMixin
from coordination.models import AccessLog, Agency, AllowanceRate, User
from tests.factories import CaseFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre_admin(center):
    return UserFactory(username="centre-admin", center=center, is_staff=True, role="centre_admin")


@pytest.fixture
def centre_admin_client(client, centre_admin):
    client.force_login(centre_admin)
    return client


@pytest.fixture
def their_case(other_center):
    return CaseFactory(center=other_center, team=TeamFactory(center=other_center))


def test_every_registered_admin_and_inline_is_scoped_to_centres():
    unscoped = [
        type(model_admin).__name__
        for model_admin in admin.site._registry.values()
        if not isinstance(model_admin, CentreScopedMixin)
    ] + [
        inline.__name__
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
        if not issubclass(inline, CentreScopedInline)
    ]
    assert unscoped == []


def test_the_centre_admin_group_grants_no_staff_power_and_no_login_records():
    codenames = set(
        Group.objects.get(name="centre_admin").permissions.values_list("codename", flat=True)
    )
    assert {"view_case", "change_user", "view_accesslog", "view_allowancerate"} <= codenames
    assert not codenames & {"change_allowancerate", "delete_case", "add_center", "change_group"}
    assert not {c for c in codenames if "device" in c or "attempt" in c}


def test_a_centre_administrator_lists_only_their_centres_cases(
    centre_admin_client, case, their_case
):
    response = centre_admin_client.get(reverse("admin:cases_case_changelist"))
    assert list(response.context["cl"].result_list) == [case]


def test_a_national_administrator_lists_every_centres_cases(client, case, their_case):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(reverse("admin:cases_case_changelist"))
    assert set(response.context["cl"].result_list) == {case, their_case}


def test_another_centres_case_cannot_be_changed_by_post(centre_admin_client, their_case):
    url = reverse("admin:cases_case_change", args=[their_case.pk])
    response = centre_admin_client.post(url, {"first_name": "เปลี่ยน"})
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    their_case.refresh_from_db()
    assert their_case.first_name != "เปลี่ยน"


def test_choices_on_a_change_form_are_the_centres_own(centre_admin_client, case, their_case):
    response = centre_admin_client.get(reverse("admin:cases_case_change", args=[case.pk]))
    form = response.context["adminform"].form
    assert list(form.fields["team"].queryset) == [case.team]
    assert list(form.fields["center"].queryset) == [case.center]


def test_autocomplete_answers_with_the_centres_own_rows(centre_admin_client, case, their_case):
    response = centre_admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "cases", "model_name": "case", "field_name": "team", "term": ""},
    )
    assert [item["id"] for item in response.json()["results"]] == [str(case.team_id)]


def test_another_centres_history_and_restore_answer_404(centre_admin_client, their_case):
    version = their_case.history.latest("history_date").history_id
    history = reverse("admin:cases_case_history", args=[their_case.pk])
    restore = reverse("admin:cases_case_simple_history", args=[their_case.pk, version])
    assert centre_admin_client.get(history).status_code == 404
    assert centre_admin_client.get(restore).status_code == 404
    # Also once deleted, when simple-history would rebuild it from its history.
    Case.objects.filter(pk=their_case.pk).delete()
    assert centre_admin_client.get(history).status_code == 404


def test_the_history_of_their_own_case_opens(centre_admin_client, case):
    version = case.history.latest("history_date").history_id
    assert (
        centre_admin_client.get(reverse("admin:cases_case_history", args=[case.pk])).status_code
        == 200
    )
    restore = reverse("admin:cases_case_simple_history", args=[case.pk, version])
    assert centre_admin_client.get(restore).status_code == 200


def test_centre_wide_data_is_read_only_to_a_centre_administrator(centre_admin_client):
    rate = AllowanceRate.objects.first()
    url = reverse("admin:coordination_allowancerate_change", args=[rate.pk])
    response = centre_admin_client.get(url)
    assert response.status_code == 200 and not response.context["has_change_permission"]
    centre_admin_client.post(url, {"kind": rate.kind, "monthly_amount": "1"})
    rate.refresh_from_db()
    assert rate.monthly_amount != 1
    assert (
        centre_admin_client.get(reverse("admin:coordination_allowancerate_add")).status_code == 403
    )


def test_a_national_agency_is_read_but_not_changed_and_a_new_one_is_the_centres(
    centre_admin_client, centre_admin
):
    national = Agency.objects.create(name="สายด่วน 1300", kind="hotline")
    url = reverse("admin:coordination_agency_change", args=[national.pk])
    assert not centre_admin_client.get(url).context["has_change_permission"]
    response = centre_admin_client.post(
        reverse("admin:coordination_agency_add"),
        {"name": "โรงพยาบาลเขต", "kind": "hospital", "center": ""},
    )
    assert response.status_code == 302
    assert Agency.objects.get(name="โรงพยาบาลเขต").center_id == centre_admin.center_id


def test_a_centre_administrator_manages_their_centres_accounts_but_never_staff_flags(
    centre_admin_client, centre_admin, coordinator, other_coordinator
):
    national = UserFactory(username="national", is_staff=True)
    changelist = centre_admin_client.get(reverse("admin:coordination_user_changelist"))
    assert list(changelist.context["cl"].result_list) == [coordinator]
    for user in (other_coordinator, national, centre_admin):
        url = reverse("admin:coordination_user_change", args=[user.pk])
        assert centre_admin_client.get(url)["Location"] == reverse("admin:index")

    url = reverse("admin:coordination_user_change", args=[coordinator.pk])
    form = centre_admin_client.get(url).context["adminform"].form
    assert not {"is_staff", "is_superuser", "user_permissions"} & set(form.fields)
    assert set(form.fields["groups"].queryset.values_list("name", flat=True)) == {
        "coordinator",
        "volunteer",
    }
    response = centre_admin_client.post(
        url,
        {
            "username": "coordinator",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [Group.objects.get(name="centre_admin").pk],
            "date_joined_0": "2025-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 200  # the group is not a choice: refused
    coordinator.refresh_from_db()
    assert not coordinator.is_staff and not coordinator.is_superuser


def test_an_account_added_by_a_centre_administrator_belongs_to_their_centre(
    centre_admin_client, centre_admin, other_center
):
    response = centre_admin_client.post(
        reverse("admin:coordination_user_add"),
        {
            "username": "new-coordinator",
            "center": other_center.pk,
            "groups": [Group.objects.get(name="coordinator").pk],
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="new-coordinator")
    assert user.center_id == centre_admin.center_id and not user.is_staff
    assert user.is_coordinator


def test_a_centre_administrator_resets_a_coordinators_second_factor_and_it_is_logged(
    centre_admin_client, centre_admin, coordinator, other_coordinator
):
    for user in (coordinator, other_coordinator):
        TOTPDevice.objects.create(user=user, name="phone")
        StaticDevice.objects.create(user=user, name="backup")
    response = centre_admin_client.post(
        reverse("admin:coordination_user_changelist"),
        {
            "action": "reset_second_factor",
            "_selected_action": [coordinator.pk, other_coordinator.pk],
        },
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    assert not StaticDevice.objects.filter(user=coordinator).exists()
    # The other centre's coordinator was not in this administrator's list to reset.
    assert TOTPDevice.objects.filter(user=other_coordinator).exists()
    entry = AccessLog.objects.get(action=AccessLog.Action.RESET_SECOND_FACTOR)
    assert (entry.user, entry.object_type, entry.object_id) == (
        centre_admin,
        "user",
        coordinator.pk,
    )


def test_the_access_log_shows_a_centre_administrator_their_centre_only(
    centre_admin_client, coordinator, other_coordinator
):
    AccessLog.objects.create(
        user=coordinator, username="coordinator", action="login", center=coordinator.center
    )
    AccessLog.objects.create(
        user=other_coordinator, username="other", action="login", center=other_coordinator.center
    )
    AccessLog.objects.create(username="nobody", action="login_failed")
    response = centre_admin_client.get(reverse("admin:coordination_accesslog_changelist"))
    # The administrator's own login is the centre's too.
    shown = {e.username for e in response.context["cl"].result_list}
    assert shown == {"coordinator", "centre-admin"}


def test_a_centre_administrator_gives_a_coordinator_a_one_time_link_and_it_sets_the_password(
    centre_admin_client, centre_admin, coordinator, other_coordinator
):
    coordinator.set_password("old-password-2567")
    coordinator.save()
    other_coordinator.set_password("theirs-2567")
    other_coordinator.save()
    response = centre_admin_client.post(
        reverse("admin:coordination_user_changelist"),
        {
            "action": "issue_password_links",
            "_selected_action": [coordinator.pk, other_coordinator.pk, centre_admin.pk],
        },
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    [(user, link, qr)] = response.context["links"]
    assert user == coordinator and qr.startswith("data:image/svg+xml")
    assert response.context["skipped"] == 0  # staff are not in a centre administrator's list
    # The old password is gone; the other centre's coordinator was never in reach.
    coordinator.refresh_from_db()
    other_coordinator.refresh_from_db()
    assert not coordinator.has_usable_password()
    assert other_coordinator.check_password("theirs-2567")
    entry = AccessLog.objects.get(action=AccessLog.Action.PASSWORD_LINK)
    assert (entry.user, entry.object_id) == (centre_admin, coordinator.pk)

    path = link.removeprefix("http://testserver")
    phone = Client()
    answer = phone.post(path, {"new_password1": "ใหม่-รหัส-2567", "new_password2": "ใหม่-รหัส-2567"})
    assert answer.status_code == 302
    coordinator.refresh_from_db()
    assert coordinator.check_password("ใหม่-รหัส-2567")


def test_the_team_filter_lists_one_centres_teams(
    admin_client, centre_admin_client, center, other_center
):
    """Every centre's five teams were 4,640 links in the national list of memberships."""
    # Two each: Django shows no filter of a single choice.
    ours, theirs = (
        TeamFactory(center=center, name="ทีมของเรา"),
        TeamFactory(center=other_center, name="ทีมของเขา"),
    )
    TeamFactory(center=center), TeamFactory(center=other_center)
    memberships = reverse("admin:volunteers_teammembership_changelist")
    national = admin_client.get(memberships).text
    assert f"team__id__exact={ours.pk}" not in national
    assert f"team__id__exact={theirs.pk}" not in national
    chosen = admin_client.get(f"{memberships}?team__center__id__exact={other_center.pk}").text
    assert f"team__id__exact={theirs.pk}" in chosen and ours.name not in chosen
    # A centre administrator's own teams, whichever centre the address names.
    for query in ("", f"?team__center__id__exact={other_center.pk}", "?team__center__id__exact=x"):
        page = centre_admin_client.get(memberships + query)
        assert page.status_code == 200
        assert ours.name in page.text and theirs.name not in page.text, query


def test_the_access_logs_date_filter_is_titled_date(admin_client):
    """Its field's name made it "By at" in English."""
    log = reverse("admin:coordination_accesslog_changelist")
    assert "โดย วันที่" in admin_client.get(log).text
    admin_client.cookies["django_language"] = "en"
    assert "By date" in admin_client.get(log).text and "By at" not in admin_client.get(log).text
