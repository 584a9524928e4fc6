"""The frame every page shares: where people land, language, login and password pages."""

import re

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_root_sends_a_coordinator_to_the_case_list(coordinator_client):
    response = coordinator_client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case-list")


def test_the_root_sends_a_volunteer_to_their_cases(volunteer_client):
    response = volunteer_client.get(reverse("home"))
    assert response["Location"] == reverse("cases:my-cases")


def test_a_user_without_a_role_is_told_so(client, center):
    client.force_login(UserFactory(center=center))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "ยังไม่มีบทบาท" in response.content.decode()


def test_pages_are_thai_whatever_the_browser_asks_until_english_is_chosen(coordinator_client):
    page = coordinator_client.get(reverse("cases:case-list"), HTTP_ACCEPT_LANGUAGE="en-US")
    assert '<html lang="th">' in page.content.decode()
    assert "<h1" in page.content.decode() and "กรณี</h1>" in page.content.decode()

    switched = coordinator_client.post(
        reverse("set_language"), {"language": "en", "next": reverse("cases:case-list")}
    )
    assert switched.status_code == 302
    page = coordinator_client.get(reverse("cases:case-list"))
    html = page.content.decode()
    assert '<html lang="en">' in html
    assert ">Cases</h1>" in html


def test_every_page_has_one_h1_a_title_and_the_language_switch(coordinator_client):
    html = coordinator_client.get(reverse("volunteers:team-list")).content.decode()
    assert html.count("<h1") == 1
    assert "<title>" in html
    assert 'name="language" value="en"' in html


def test_the_login_page_is_in_thai_and_logs_in(client, coordinator):
    page = client.get(reverse("login"))
    assert "เข้าสู่ระบบ" in page.content.decode()
    response = client.post(reverse("login"), {"username": "coordinator", "password": "password"})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(coordinator.pk)


def test_a_wrong_password_is_refused_with_a_thai_message(client, coordinator):
    response = client.post(reverse("login"), {"username": "coordinator", "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "ชื่อผู้ใช้" in response.content.decode()


def test_logout_is_a_post_and_ends_the_session(coordinator_client):
    assert coordinator_client.get(reverse("logout")).status_code == 405
    response = coordinator_client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in coordinator_client.session


def test_a_user_changes_their_password(coordinator_client, coordinator):
    response = coordinator_client.post(
        reverse("password_change"),
        {
            "old_password": "password",
            "new_password1": "a-new-long-passphrase-2569",
            "new_password2": "a-new-long-passphrase-2569",
        },
    )
    assert response["Location"] == reverse("password_change_done")
    coordinator.refresh_from_db()
    assert coordinator.check_password("a-new-long-passphrase-2569")


def options_of(response) -> list[tuple[str, str]]:
    """(value, text) of each <option> of a place_options answer, the blank one first."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', response.content.decode())


def test_the_address_pickers_get_the_options_of_districts_and_subdistricts(coordinator_client):
    districts = options_of(coordinator_client.get(reverse("place-options"), {"province": "10"}))
    assert districts[0] == ("", "---------")
    assert len(districts) == 1 + 50
    assert ("1027", "เขตบึงกุ่ม") in districts
    subdistricts = options_of(
        coordinator_client.get(reverse("place-options"), {"district": "1027"})
    )
    assert [name for _, name in subdistricts] == ["---------", "คลองกุ่ม", "นวมินทร์", "นวลจันทร์"]


def test_a_picker_asks_with_its_own_field_name(coordinator_client):
    """htmx sends the select's own name: the case form's pickers are reg_… and cur_…."""
    by_name = options_of(coordinator_client.get(reverse("place-options"), {"cur_district": "1027"}))
    plain = options_of(coordinator_client.get(reverse("place-options"), {"district": "1027"}))
    assert by_name == plain and len(by_name) == 4


def test_asked_for_nothing_the_pickers_get_only_the_blank_choice(coordinator_client):
    assert options_of(coordinator_client.get(reverse("place-options"))) == [("", "---------")]


def test_the_address_pickers_need_a_login(client):
    response = client.get(reverse("place-options"), {"province": "10"})
    assert response.status_code == 302


def test_a_change_without_the_csrf_token_is_refused(coordinator, case):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    response = client.post(reverse("cases:case-status", args=[case.pk]), {"status": "assessed"})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == "intake"
