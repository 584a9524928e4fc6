"""The pages a volunteer's phone fetches in the background to keep for use without a
signal (static/js/sw.js sends them with `X-Offline-Copy: 1`): they change nothing of
what the person is doing, and the access log tells them from the person opening a case."""

import pytest
from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from coordination.models import AccessLog

pytestmark = pytest.mark.django_db
COPY = {"headers": {"X-Offline-Copy": "1"}}


def actions(case) -> list[str]:
    return list(
        AccessLog.objects.filter(case_id=case.pk).order_by("pk").values_list("action", flat=True)
    )


def test_a_case_page_kept_by_the_phone_is_logged_as_kept_not_as_viewed(volunteer_client, case):
    url = reverse("cases:case-detail", args=[case.pk])
    assert volunteer_client.get(url, **COPY).status_code == 200
    assert actions(case) == ["offline_copy"]
    assert volunteer_client.get(url).status_code == 200
    assert actions(case) == ["offline_copy", "view_case"]
    copy = AccessLog.objects.get(case_id=case.pk, action="offline_copy")
    assert copy.username == "volunteer-on-team"
    assert copy.get_action_display() == "เก็บกรณีไว้ในโทรศัพท์เพื่อใช้ขณะไม่มีสัญญาณ"


def test_a_copy_sent_with_a_session_just_replaced_leaves_the_new_sessions_cookie_be(
    volunteer_client, case
):
    """A password change replaces the session. A background copy that was sent with the
    old one finds no session; Django's answer to that deletes the session cookie, and
    the browser would delete the new session's cookie with it: logged out."""
    old_key = volunteer_client.session.session_key
    changed = volunteer_client.post(
        reverse("password_change"),
        {
            "old_password": "password",
            "new_password1": "ใหม่-2569-ยาว",
            "new_password2": "ใหม่-2569-ยาว",
        },
    )
    assert changed.status_code == 302 and volunteer_client.session.session_key != old_key
    volunteer_client.cookies[settings.SESSION_COOKIE_NAME] = old_key  # the copy's cookie
    url = reverse("cases:case-detail", args=[case.pk])
    copy = volunteer_client.get(url, **COPY)
    assert copy.status_code == 302  # to the login page: that session has gone
    assert settings.SESSION_COOKIE_NAME not in copy.cookies
    person = volunteer_client.get(url)  # the same without the header: Django deletes it
    assert person.cookies[settings.SESSION_COOKIE_NAME].value == ""


def test_a_copy_leaves_the_message_of_a_save_for_the_page_the_person_opens(volunteer_client, case):
    """The save's message is in the messages cookie until a page shows it: a copy read
    in the background shows it to nobody, so it must not use it up."""
    storage = CookieStorage(RequestFactory().get("/"))
    response = HttpResponse()
    storage.add(messages.SUCCESS, "บันทึกการเยี่ยมบ้านแล้ว")
    storage.update(response)
    volunteer_client.cookies[CookieStorage.cookie_name] = response.cookies[
        CookieStorage.cookie_name
    ].value
    url = reverse("cases:case-detail", args=[case.pk])
    copy = volunteer_client.get(url, **COPY)
    assert "บันทึกการเยี่ยมบ้านแล้ว" in copy.content.decode()  # read by the copy...
    assert CookieStorage.cookie_name not in copy.cookies  # ...and left unread
    shown = volunteer_client.get(url)
    assert "บันทึกการเยี่ยมบ้านแล้ว" in shown.content.decode()


def test_only_a_volunteers_case_page_is_logged_as_kept(coordinator_client, case):
    """The header is the client's word: a coordinator's phone keeps no case, and no
    other page is a phone's copy; each stays a view in the access log."""
    coordinator_client.get(reverse("cases:case-detail", args=[case.pk]), **COPY)
    coordinator_client.get(reverse("cases:case-changes", args=[case.pk]), **COPY)
    assert actions(case) == ["view_case", "view_case"]
