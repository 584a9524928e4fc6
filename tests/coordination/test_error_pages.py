"""What a person sees when a page cannot be shown: in the site's frame with its menu,
in their language, saying what happened and where to go — with debug off, as in
production. The 500 page stands alone: it must show even when the fault is ours."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def production_errors(settings):
    settings.DEBUG = False


def in_english(client: Client) -> Client:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def page(response) -> str:
    html = response.content.decode()
    assert html.count("<h1") == 1
    return html


def test_an_unknown_address_answers_404_in_thai_with_the_menu(coordinator_client):
    response = coordinator_client.get("/no-such-page/")
    assert response.status_code == 404
    html = page(response)
    assert '<html lang="th">' in html
    assert "ไม่มีหน้านี้" in html
    assert "ออกจากระบบ" in html  # the menu of the site, not a bare error
    assert f'href="{reverse("home")}"' in html and "ไปหน้าแรกของท่าน" in html


def test_another_centres_case_answers_the_same_404_in_english(coordinator_client, other_center):
    theirs = CaseFactory(center=other_center)
    response = in_english(coordinator_client).get(reverse("cases:case-detail", args=[theirs.pk]))
    assert response.status_code == 404
    html = page(response)
    assert '<html lang="en">' in html
    assert "There is no such page" in html
    assert "Log out" in html and "Go to your start page" in html


def test_a_visitor_not_logged_in_is_sent_to_log_in_from_a_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = page(response)
    assert "ไม่มีหน้านี้" in html
    assert f'href="{reverse("login")}"' in html
    assert "ออกจากระบบ" not in html


def test_a_volunteer_on_a_coordinators_page_gets_403_in_plain_thai(volunteer_client, team):
    response = volunteer_client.get(reverse("volunteers:team-detail", args=[team.pk]))
    assert response.status_code == 403
    html = page(response)
    assert "หน้านี้ไม่ได้เปิดให้บัญชีของท่าน" in html
    assert "ผู้ประสานงาน" in html  # whom to ask
    assert "Forbidden" not in html
    assert f'href="{reverse("cases:my-cases")}"' in html


def test_the_403_page_is_english_when_english_was_chosen(volunteer_client, team):
    response = in_english(volunteer_client).get(reverse("volunteers:team-detail", args=[team.pk]))
    assert response.status_code == 403
    html = page(response)
    assert "This page is not open to your account" in html
    assert "ask the centre's coordinator" in html


def test_a_request_with_far_too_many_fields_gets_400_in_the_frame(coordinator_client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    fields = {f"field{n}": "x" for n in range(20)}
    response = coordinator_client.post(reverse("password_change"), fields)
    assert response.status_code == 400
    html = page(response)
    assert "ไม่เข้าใจคำขอ" in html
    assert "ออกจากระบบ" in html
    assert "Bad Request" not in html


def test_the_400_page_in_english(coordinator_client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    fields = {f"field{n}": "x" for n in range(20)}
    response = in_english(coordinator_client).post(reverse("password_change"), fields)
    assert response.status_code == 400
    assert "The request could not be understood" in page(response)


def test_an_expired_form_says_so_and_saves_nothing(coordinator, center):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    password_before = coordinator.password
    response = client.post(
        reverse("password_change"),
        {"old_password": "password", "new_password1": "ไม่ใช่1234!x", "new_password2": "ไม่ใช่1234!x"},
    )
    assert response.status_code == 403
    html = page(response)
    assert "แบบฟอร์มหมดอายุ" in html
    assert "CSRF" not in html
    coordinator.refresh_from_db()
    assert coordinator.password == password_before


def test_a_fault_in_a_view_shows_the_standalone_500_page_in_thai_and_english(settings, coordinator):
    settings.ROOT_URLCONF = "tests.error_urls"
    client = Client(raise_request_exception=False)
    client.force_login(coordinator)
    response = client.get("/fails/")
    assert response.status_code == 500
    html = page(response)
    assert "ระบบขัดข้อง" in html and "Something went wrong" in html
    assert 'href="/"' in html


def test_the_500_page_has_no_template_tags_that_could_fail_again():
    source = (Path(django_settings.BASE_DIR) / "templates" / "500.html").read_text()
    assert "{%" not in source and "{{" not in source
