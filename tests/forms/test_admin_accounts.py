"""Nobody but its owner chooses a password (coordination/accounts.py). In the admin, an
account is added without one and its owner gets a one-time link; no administrator sets a
centre's coordinator's or volunteer's password. Only a national administrator sets one,
for staff or their own."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from coordination.models import User
from tests.factories import UserFactory, VolunteerFactory
from tests.forms.rendered import admin_form


@pytest.fixture
def centre_admin(center):
    return UserFactory(username="centre-admin", center=center, is_staff=True, role="centre_admin")


@pytest.fixture
def national_admin(db):
    return UserFactory(username="national", is_staff=True, is_superuser=True)


def test_an_account_added_in_the_admin_has_no_password_until_its_owner_sets_one(app, centre_admin):
    add = admin_form(app, reverse("admin:coordination_user_add"), centre_admin)
    assert not {"password1", "password2", "usable_password"} & set(add.fields)
    add["username"] = "new-coordinator"
    add["groups"] = [str(Group.objects.get(name="coordinator").pk)]
    added = add.submit("_continue").follow()

    account = User.objects.get(username="new-coordinator")
    assert not account.has_usable_password()
    assert account.center_id == centre_admin.center_id and account.is_coordinator
    # Its page says how the owner gets a password, and offers no way to choose one.
    assert "ยังไม่ได้ตั้ง เจ้าของบัญชีตั้งเองผ่านลิงก์ใช้ครั้งเดียว" in added.text
    password_page = reverse("admin:auth_user_password_change", args=[account.pk])
    assert password_page not in added.text and "../password/" not in added.text


@pytest.mark.parametrize("who", ["centre_admin", "national_admin"])
def test_no_administrator_chooses_a_centre_accounts_password(
    app, client, request, who, coordinator
):
    coordinator.set_password("theirs-2567")
    coordinator.save()
    path = reverse("admin:auth_user_password_change", args=[coordinator.pk])
    user = request.getfixturevalue(who)
    change = reverse("admin:coordination_user_change", args=[coordinator.pk])
    # Sent back to the account's page, told what to do instead (a 403 page said to ask
    # a coordinator).
    told = app.get(path, user=user).follow()
    assert told.request.path == change
    assert "ตั้งได้โดยเจ้าของบัญชีเท่านั้น" in told.text and "ออกลิงก์ใช้ครั้งเดียว" in told.text
    # Nor by posting the form the page does not show (the client sends no CSRF check).
    client.force_login(user)
    answer = client.post(
        path, {"password1": "chosen-by-admin-2567", "password2": "chosen-by-admin-2567"}
    )
    assert answer.status_code == 302 and answer["Location"] == change
    coordinator.refresh_from_db()
    assert coordinator.check_password("theirs-2567")


def test_a_national_administrator_sets_a_centre_administrators_first_password(
    app, national_admin, centre_admin
):
    change = admin_form(
        app, reverse("admin:coordination_user_change", args=[centre_admin.pk]), national_admin
    )
    password = app.get(reverse("admin:auth_user_password_change", args=[centre_admin.pk]))
    form = next(f for f in password.forms.values() if "password1" in f.fields)
    form["password1"] = form["password2"] = "first-of-many-2567"
    form.submit().follow()

    centre_admin.refresh_from_db()
    assert centre_admin.check_password("first-of-many-2567")
    assert "../password/" in change.response.text


def test_a_centre_administrator_reaches_no_staff_password_page(app, client, centre_admin, center):
    colleague = UserFactory(username="colleague", center=center, is_staff=True)
    colleague.set_password("theirs-2567")
    colleague.save()
    path = reverse("admin:auth_user_password_change", args=[colleague.pk])
    # Staff are not in a centre administrator's list of accounts: not theirs to find.
    assert app.get(path, user=centre_admin, expect_errors=True).status_code == 404
    client.force_login(centre_admin)
    answer = client.post(path, {"password1": "chosen-2567-long", "password2": "chosen-2567-long"})
    assert answer.status_code == 404
    colleague.refresh_from_db()
    assert colleague.check_password("theirs-2567")


def test_a_coordinator_made_staff_still_gets_no_password_from_an_administrator(
    app, client, national_admin, coordinator
):
    """Tick staff, set a password, untick staff: the administrator knew the password."""
    change = admin_form(
        app, reverse("admin:coordination_user_change", args=[coordinator.pk]), national_admin
    )
    change["is_staff"] = True
    change.submit("_continue").follow()
    assert User.objects.get(pk=coordinator.pk).is_staff
    path = reverse("admin:auth_user_password_change", args=[coordinator.pk])
    assert app.get(path).status_int == 302  # back to the account, told why
    client.force_login(national_admin)
    client.post(path, {"password1": "Zebra-cactus-7741", "password2": "Zebra-cactus-7741"})
    assert not User.objects.get(pk=coordinator.pk).check_password("Zebra-cactus-7741")


@pytest.mark.parametrize("still_staff", [False, True], ids=["no longer staff", "still staff"])
def test_an_administrator_given_a_role_in_the_app_loses_the_password_set_for_them(
    app, national_admin, center, still_staff
):
    colleague = UserFactory(username="helper-admin", center=center, is_staff=True)
    colleague.set_password("set-by-national-2567")
    colleague.save()
    change = admin_form(
        app, reverse("admin:coordination_user_change", args=[colleague.pk]), national_admin
    )
    change["is_staff"] = still_staff
    change["groups"] = [str(Group.objects.get(name="coordinator").pk)]
    saved = change.submit("_continue").follow()

    colleague.refresh_from_db()
    assert colleague.is_staff == still_staff and colleague.has_role("coordinator")
    assert not colleague.has_usable_password()
    assert "ถูกล้างแล้ว เจ้าของบัญชีจะตั้งรหัสเองผ่านลิงก์ใช้ครั้งเดียว" in saved.text


def test_a_coordinator_without_a_centre_is_refused_and_the_account_dates_are_records(
    app, national_admin
):
    add = admin_form(app, reverse("admin:coordination_user_add"), national_admin)
    add["username"] = "no-centre"
    add["groups"] = [str(Group.objects.get(name="coordinator").pk)]
    refused = add.submit("_continue")
    assert refused.status_int == 200 and not User.objects.filter(username="no-centre").exists()
    assert "ต้องสังกัดศูนย์ประสานงาน" in refused.text

    change = admin_form(
        app, reverse("admin:coordination_user_change", args=[national_admin.pk]), national_admin
    )
    assert not {"last_login_0", "date_joined_0"} & set(change.fields)


def test_a_username_that_differs_only_in_case_is_refused(app, centre_admin, coordinator):
    add = admin_form(app, reverse("admin:coordination_user_add"), centre_admin)
    add["username"] = coordinator.username.upper()
    refused = add.submit("_continue")
    assert refused.status_int == 200 and "ชื่อผู้ใช้" in refused.text
    assert User.objects.filter(username__iexact=coordinator.username).count() == 1


def test_renaming_an_account_to_another_in_other_letters_case_is_refused(
    app, national_admin, coordinator, center
):
    other = UserFactory(username="somsri", center=center, role="volunteer")
    change = admin_form(
        app, reverse("admin:coordination_user_change", args=[other.pk]), national_admin
    )
    change["username"] = coordinator.username.upper()
    refused = change.submit("_save")
    assert refused.status_int == 200 and "มีผู้ใช้แล้ว" in refused.text
    other.refresh_from_db()
    assert other.username == "somsri"
    # Its own name in other letters' case is no clash.
    change = form_of(refused)
    change["username"] = "SomSri"
    change["first_name"] = "\u200bสมศรี\u200b"  # an account's name is read as every name
    change.submit("_save").follow()
    other.refresh_from_db()
    assert (other.username, other.first_name) == ("SomSri", "สมศรี")


def test_a_volunteers_login_moves_only_with_their_record(app, national_admin, center, other_center):
    account = UserFactory(username="somsri", center=center, role="volunteer")
    volunteer = VolunteerFactory(center=center, user=account, first_name="สมศรี")
    change = admin_form(
        app, reverse("admin:coordination_user_change", args=[account.pk]), national_admin
    )
    change["center"].force_value(str(other_center.pk))
    refused = change.submit("_save")
    assert refused.status_int == 200 and "ให้ย้ายข้อมูล อพม. ของเขา" in refused.text
    account.refresh_from_db()
    assert account.center_id == center.pk == volunteer.center_id


def form_of(page):
    return next(f for f in page.forms.values() if f.id and f.id.endswith("_form"))
