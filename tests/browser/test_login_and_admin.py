"""The demo coordinator logs in through the login page; the administrator reaches the admin."""

import pytest
from django.urls import reverse

from cases.models import Case
from cases.views import PAGE_SIZE
from tests.browser.conftest import pass_second_step
from tests.conftest import load_demo


@pytest.fixture
def demo(settings, transactional_db):
    settings.DEBUG = True
    load_demo()


def log_in(page, username: str, password: str) -> None:
    page.get_by_label("ชื่อผู้ใช้").fill(username)
    page.get_by_label("รหัสผ่าน").fill(password)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    pass_second_step(page, username)


def test_the_coordinator_logs_in_and_the_administrator_reaches_the_admin(
    demo, live_server, page, assert_accessible, screenshot
):
    page.goto(live_server.url + reverse("home"))
    assert page.url.startswith(live_server.url + reverse("login"))
    assert_accessible(page)

    log_in(page, "coordinator", "coordinator-demo-2562")
    page.wait_for_url(live_server.url + reverse("cases:case-list"))
    assert page.get_by_role("link", name="ศูนย์ประสานงาน อพม. เขตบึงกุ่ม").is_visible()
    # The demo centre's open cases fill the first page of the list.
    assert page.locator("tbody tr").count() == PAGE_SIZE
    assert_accessible(page)
    screenshot(page, "coordinator-case-list")

    # A coordinator is not staff: the admin asks for an administrator's login.
    page.goto(live_server.url + reverse("admin:index"))
    assert page.url.startswith(live_server.url + reverse("admin:login"))
    assert page.get_by_text("coordinator").first.is_visible()  # "authenticated as coordinator…"
    log_in(page, "admin", "admin-demo-2562")
    page.wait_for_url(live_server.url + reverse("admin:index"))
    assert_accessible(page)

    page.goto(live_server.url + reverse("admin:volunteers_volunteer_changelist"))
    assert page.locator("#result_list tbody tr").count() == 13
    assert_accessible(page)
    screenshot(page, "admin-volunteers")

    # A case with its household and incomes inline: no wider than the window.
    case = Case.objects.filter(household_members__isnull=False).first()
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + reverse("admin:cases_case_change", args=[case.pk]))
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
