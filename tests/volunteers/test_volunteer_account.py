"""A volunteer's login: given by a coordinator, a one-time link to set the password,
a new link when it is forgotten, closed when the volunteer leaves — and who may not."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from coordination.accounts import password_links
from coordination.confirm import CONFIRM_FIELD
from coordination.models import AccessLog, User
from tests.factories import UserFactory, VolunteerFactory, national_id
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "ดอกแก้ว-2567-บึงกุ่ม"
NEW_LINK = {"action": "new_link"}  # the new-link button's form


@pytest.fixture
def newcomer(center):
    """A volunteer just registered, without a login."""
    return VolunteerFactory(
        center=center, first_name="ละม่อม", phone="0891234567", national_id=national_id(777)
    )


def account_url(volunteer) -> str:
    return reverse("volunteers:volunteer-account", args=[volunteer.pk])


def link_in(response) -> str:
    """The link as the page shows it in its text field."""
    match = re.search(r'id="password-link"[^>]*value="([^"]+)"', response.content.decode())
    assert match, "the page shows no link"
    return match.group(1)


def path_of(link: str) -> str:
    return link.removeprefix("http://testserver")


def give_login(client, volunteer, username: str = "0891234567") -> str:
    response = client.post(account_url(volunteer), {"username": username})
    assert response.status_code == 200
    return path_of(link_in(response))


def logs_in(client: Client, username: str, password: str) -> bool:
    """Through the login page, as a person does (the lockout wants a request)."""
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302 and SESSION_KEY in client.session


def actions_on(user: User) -> list[str]:
    return list(
        AccessLog.objects.filter(object_type="user", object_id=user.pk)
        .order_by("at", "id")
        .values_list("action", flat=True)
    )


def test_a_coordinator_gives_a_login_with_a_one_time_link_and_a_qr_code(
    coordinator_client, coordinator, newcomer, center
):
    page = coordinator_client.get(account_url(newcomer))
    assert page.status_code == 200
    # The phone number is suggested: known by heart, and not the national ID.
    assert 'value="0891234567"' in page.content.decode()

    response = coordinator_client.post(account_url(newcomer), {"username": "0891234567"})

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    newcomer.refresh_from_db()
    account = newcomer.user
    assert account.username == "0891234567"
    assert account.center == center
    assert account.is_volunteer and not account.is_coordinator
    assert not account.is_staff and not account.is_superuser
    assert account.is_active
    assert not account.has_usable_password()  # nobody but its owner ever knows it
    link = link_in(response)
    assert link.startswith("http://testserver/password/set/")
    html = response.content.decode()
    assert 'src="data:image/svg+xml' in html and 'alt="คิวอาร์โค้ด' in html
    assert actions_on(account) == ["account_created", "password_link"]
    assert set(AccessLog.objects.filter(object_id=account.pk).values_list("user", flat=True)) == {
        coordinator.pk
    }


def test_the_suggested_username_steps_aside_for_one_taken(coordinator_client, newcomer):
    UserFactory(username="0891234567")
    page = coordinator_client.get(account_url(newcomer))
    assert 'value="0891234567-2"' in page.content.decode()


def test_a_volunteer_without_a_phone_is_suggested_a_number_of_the_register(
    coordinator_client, center
):
    volunteer = VolunteerFactory(center=center, phone="")
    page = coordinator_client.get(account_url(volunteer))
    assert f'value="apm{volunteer.pk}"' in page.content.decode()


@pytest.mark.parametrize(
    ("username", "message"),
    [
        (national_id(777), "ห้ามใช้เลขประจำตัวประชาชนเป็นชื่อผู้ใช้"),
        (national_id(12), "ห้ามใช้เลขประจำตัวประชาชนเป็นชื่อผู้ใช้"),
        ("COORDINATOR", "ชื่อผู้ใช้ COORDINATOR มีผู้ใช้แล้ว"),
        ("ละม่อม ใจงาม", "ชื่อผู้ใช้"),
        ("", "กรุณากรอกข้อมูลช่องนี้"),
    ],
)
def test_a_bad_username_is_refused_with_a_thai_message_and_nothing_is_created(
    coordinator_client, newcomer, username, message
):
    before = User.objects.count()
    response = coordinator_client.post(account_url(newcomer), {"username": username})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'id="password-link"' not in response.content.decode()
    newcomer.refresh_from_db()
    assert newcomer.user is None
    assert User.objects.count() == before


def test_thai_digits_in_a_username_are_saved_as_arabic(coordinator_client, newcomer):
    give_login(coordinator_client, newcomer, "๐๘๙๑๒๓๔๕๖๗")
    newcomer.refresh_from_db()
    assert newcomer.user.username == "0891234567"


def test_the_owner_of_the_link_sets_a_password_once_and_logs_in(coordinator_client, newcomer):
    path = give_login(coordinator_client, newcomer)
    phone = Client()

    page = phone.get(path)
    assert page.status_code == 200
    assert "ชื่อผู้ใช้ของคุณคือ <strong>0891234567</strong>" in page.content.decode()
    response = phone.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("login")

    account = User.objects.get(username="0891234567")
    assert account.check_password(NEW_PASSWORD)
    assert actions_on(account)[-1] == "password_set"
    assert logs_in(phone, "0891234567", NEW_PASSWORD)

    # Used once: the same link is refused, with the reason and what to do.
    again = Client().get(path)
    assert "ลิงก์นี้ใช้ไม่ได้แล้ว" in again.content.decode()
    assert "new_password1" not in again.content.decode()
    Client().post(path, {"new_password1": "อีกรหัส-9999", "new_password2": "อีกรหัส-9999"})
    account.refresh_from_db()
    assert account.check_password(NEW_PASSWORD)


def test_mismatched_passwords_are_refused_and_the_link_still_works(coordinator_client, newcomer):
    path = give_login(coordinator_client, newcomer)
    response = Client().post(
        path, {"new_password1": NEW_PASSWORD, "new_password2": "something-else-2567"}
    )
    assert response.status_code == 200
    assert "รหัสผ่านทั้งสองช่องไม่ตรงกัน" in response.content.decode()
    account = User.objects.get(username="0891234567")
    assert not account.has_usable_password()
    assert "new_password1" in Client().get(path).content.decode()


def test_a_link_older_than_72_hours_is_refused_as_expired(coordinator_client, newcomer):
    give_login(coordinator_client, newcomer)
    account = User.objects.get(username="0891234567")
    # A link as it was issued 73 hours ago: same account state, older timestamp.
    issued = password_links._num_seconds(password_links._now()) - 73 * 3600
    token = password_links._make_token_with_timestamp(account, issued, settings.SECRET_KEY)
    uid = urlsafe_base64_encode(force_bytes(account.pk))
    path = reverse("password-set", args=[uid, token])

    response = Client().post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert response.status_code == 200
    assert "ลิงก์นี้หมดอายุแล้ว" in response.content.decode()
    account.refresh_from_db()
    assert not account.has_usable_password()
    # 71 hours is still within the link's life.
    fresh = password_links._make_token_with_timestamp(
        account, issued + 2 * 3600, settings.SECRET_KEY
    )
    assert (
        "new_password1" in Client().get(reverse("password-set", args=[uid, fresh])).content.decode()
    )


@pytest.mark.parametrize(
    ("uid", "token"), [("MQ", "abc-123"), ("!!", "x"), ("OTk5OTk5", "c5y8k0-00"), ("MQ", "nodash")]
)
def test_a_made_up_link_is_refused_without_an_error(db, uid, token):
    response = Client().get(reverse("password-set", args=[uid, token]))
    assert response.status_code == 200
    assert "ลิงก์นี้ใช้ไม่ได้แล้ว" in response.content.decode()


def test_a_password_reset_token_is_no_password_link(coordinator_client, newcomer):
    from django.contrib.auth.tokens import default_token_generator

    give_login(coordinator_client, newcomer)
    account = User.objects.get(username="0891234567")
    uid = urlsafe_base64_encode(force_bytes(account.pk))
    token = default_token_generator.make_token(account)
    response = Client().get(reverse("password-set", args=[uid, token]))
    assert "ลิงก์นี้ใช้ไม่ได้แล้ว" in response.content.decode()


def test_a_new_link_ends_the_old_one_the_password_and_every_session(
    coordinator_client, coordinator, newcomer
):
    first = give_login(coordinator_client, newcomer)
    Client().post(first, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    volunteer_phone = Client()
    assert logs_in(volunteer_phone, "0891234567", NEW_PASSWORD)
    assert volunteer_phone.get(reverse("cases:my-cases")).status_code == 200

    # Forgotten password: the coordinator issues a new link.
    response = coordinator_client.post(account_url(newcomer), NEW_LINK)
    second = path_of(link_in(response))

    assert second != first
    assert response["Cache-Control"] == "no-store"
    account = User.objects.get(username="0891234567")
    assert not account.has_usable_password()
    assert volunteer_phone.get(reverse("cases:my-cases"))["Location"].startswith(reverse("login"))
    assert "ลิงก์นี้ใช้ไม่ได้แล้ว" in Client().get(first).content.decode()
    assert "new_password1" in Client().get(second).content.decode()
    assert actions_on(account).count("password_link") == 2


def test_a_volunteer_who_leaves_loses_the_login_at_once_and_gets_it_back_on_rejoining(
    coordinator_client, newcomer
):
    path = give_login(coordinator_client, newcomer)
    Client().post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    phone = Client()
    assert logs_in(phone, "0891234567", NEW_PASSWORD)
    status_url = reverse("volunteers:volunteer-status", args=[newcomer.pk])

    confirm = coordinator_client.post(status_url, {"status": "left"})
    assert "บัญชีเข้าระบบของ อพม. จะถูกปิดทันที" in confirm.content.decode()
    coordinator_client.post(status_url, {"status": "left", CONFIRM_FIELD: "yes"})

    account = User.objects.get(username="0891234567")
    assert not account.is_active
    assert phone.get(reverse("cases:my-cases"))["Location"].startswith(reverse("login"))
    assert not logs_in(Client(), "0891234567", NEW_PASSWORD)
    assert actions_on(account)[-1] == "account_disabled"
    page = coordinator_client.get(account_url(newcomer)).content.decode()
    assert "ปิดแล้ว: อพม. พ้นสภาพ" in page
    # No new link for a closed account, even posted by hand.
    coordinator_client.post(account_url(newcomer), NEW_LINK)
    assert actions_on(account).count("password_link") == 1

    coordinator_client.post(status_url, {"status": "active"})
    account.refresh_from_db()
    assert account.is_active
    assert actions_on(account)[-1] == "account_enabled"
    assert logs_in(Client(), "0891234567", NEW_PASSWORD)


def test_a_link_dies_when_its_volunteer_leaves(coordinator_client, newcomer):
    path = give_login(coordinator_client, newcomer)
    newcomer.refresh_from_db()
    newcomer.set_status(Volunteer.Status.LEFT)
    assert "ลิงก์นี้ใช้ไม่ได้แล้ว" in Client().get(path).content.decode()


def test_a_coordinator_on_the_roll_keeps_their_login_when_leaving_the_volunteers(
    center, coordinator
):
    volunteer = VolunteerFactory(center=center, user=coordinator)
    volunteer.set_status(Volunteer.Status.LEFT)
    coordinator.refresh_from_db()
    assert coordinator.is_active


def test_a_volunteer_who_has_left_is_given_no_login(coordinator_client, center):
    volunteer = VolunteerFactory(center=center, status=Volunteer.Status.LEFT)
    page = coordinator_client.get(account_url(volunteer)).content.decode()
    assert "พ้นสภาพแล้ว จึงไม่ได้รับบัญชีเข้าระบบ" in page
    coordinator_client.post(account_url(volunteer), {"username": "someone"})
    volunteer.refresh_from_db()
    assert volunteer.user is None
    assert not User.objects.filter(username="someone").exists()


def test_the_account_page_shows_the_state_and_the_last_link(coordinator_client, newcomer):
    give_login(coordinator_client, newcomer)
    page = coordinator_client.get(account_url(newcomer)).content.decode()
    assert "รอ อพม. ตั้งรหัสผ่าน" in page
    assert "ใช้ได้ถึง" in page
    # The link is shown once, when issued, never again.
    assert 'id="password-link"' not in page


def test_the_volunteers_page_links_to_the_account_page(coordinator_client, newcomer):
    page = coordinator_client.get(reverse("volunteers:volunteer-detail", args=[newcomer.pk]))
    assert account_url(newcomer) in page.content.decode()


def test_another_centres_coordinator_gets_404_and_changes_nothing(
    client, other_coordinator, newcomer
):
    client.force_login(other_coordinator)
    assert client.get(account_url(newcomer)).status_code == 404
    assert client.post(account_url(newcomer), {"username": "stolen"}).status_code == 404
    newcomer.refresh_from_db()
    assert newcomer.user is None


def test_a_volunteer_gets_403(volunteer_client, newcomer):
    assert volunteer_client.get(account_url(newcomer)).status_code == 403
    assert volunteer_client.post(account_url(newcomer), {"username": "x1"}).status_code == 403
    newcomer.refresh_from_db()
    assert newcomer.user is None


def test_anonymous_goes_to_the_login_page(client, newcomer):
    response = client.post(account_url(newcomer), {"username": "x1"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    newcomer.refresh_from_db()
    assert newcomer.user is None


def test_only_get_and_post(coordinator_client, newcomer):
    assert coordinator_client.put(account_url(newcomer)).status_code == 405


def test_the_links_72_hours_are_their_own_not_the_password_reset_timeout(
    coordinator_client, newcomer, settings
):
    settings.PASSWORD_RESET_TIMEOUT = 60  # Django's reset links, were they ever used
    give_login(coordinator_client, newcomer)
    account = User.objects.get(username="0891234567")
    issued = password_links._num_seconds(password_links._now()) - 71 * 3600
    token = password_links._make_token_with_timestamp(account, issued, settings.SECRET_KEY)
    uid = urlsafe_base64_encode(force_bytes(account.pk))
    page = Client().get(reverse("password-set", args=[uid, token]))
    assert "new_password1" in page.content.decode()


def test_a_give_a_login_form_from_a_stale_page_does_not_replace_the_link(
    coordinator_client, newcomer
):
    first = give_login(coordinator_client, newcomer)
    # A second coordinator had the page open before the login was given.
    response = coordinator_client.post(account_url(newcomer), {"username": "another"}, follow=True)
    assert "อพม. คนนี้มีบัญชีเข้าระบบแล้ว" in response.content.decode()
    assert not User.objects.filter(username="another").exists()
    assert "new_password1" in Client().get(first).content.decode()


def test_the_model_refuses_a_second_login_for_the_same_volunteer(coordinator_client, newcomer):
    stale = Volunteer.objects.get(pk=newcomer.pk)
    give_login(coordinator_client, newcomer)
    with pytest.raises(ValidationError):
        stale.give_login("another", request=None)
    assert not User.objects.filter(username="another").exists()
