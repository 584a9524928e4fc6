"""A coordinator corrects a case in a real browser and sees the correction on its page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from cases.models import Case
from tests.browser.conftest import log_in
from tests.conftest import load_demo


@pytest.fixture
def demo(settings, transactional_db):
    settings.DEBUG = True
    load_demo()


def test_a_coordinator_changes_the_id_adds_a_member_removes_an_income_and_sees_it(
    demo, live_server, page, assert_accessible
):
    case = Case.objects.get(first_name="บุญเรือน")
    assert case.monthly_income() == Decimal("2500.00")
    log_in(page, live_server, "coordinator", "coordinator-demo-2562")
    page.wait_for_url(live_server.url + reverse("cases:case-list"))

    page.goto(live_server.url + reverse("cases:case-detail", args=[case.pk]))
    page.get_by_role("link", name="แก้ไข", exact=True).click()
    page.wait_for_url(live_server.url + reverse("cases:case-edit", args=[case.pk]))
    assert_accessible(page)

    page.fill("#id_national_id", "3-1027-00099-99-4")
    # Her one member and two empty rows are there; the nephew goes in a row of his own.
    page.get_by_role("button", name="เพิ่มแถว: สมาชิก").click()
    page.select_option("#id_household-3-relation", "relative")
    page.fill("#id_household-3-name", "หลานชาย")
    page.fill("#id_household-3-age", "30")
    # The family's support stopped: its row is ticked for removal.
    family_row = next(
        index
        for index in range(3)
        if page.locator(f"#id_incomes-{index}-kind").input_value() == "family_support"
    )
    page.check(f"#id_incomes-{family_row}-DELETE")
    page.get_by_role("button", name="บันทึก", exact=True).click()

    page.wait_for_url(live_server.url + reverse("cases:case-detail", args=[case.pk]))
    assert page.get_by_text("บันทึกการแก้ไขแล้ว").is_visible()
    assert page.get_by_text("3-1027-00099-99-4", exact=True).is_visible()
    household = page.locator("section[aria-labelledby=household-heading]").inner_text()
    assert "พี่สาว" in household and "หลานชาย" in household
    income = page.locator("section[aria-labelledby=income-heading]").inner_text()
    assert "1,000" not in income
    assert "1,500" in income  # 700 + 800 a month in all
    assert_accessible(page)

    case.refresh_from_db()
    assert case.national_id == "3102700099994"
    assert [m.name for m in case.household_members.all()] == ["พี่สาว", "หลานชาย"]
    assert sorted(case.incomes.values_list("kind", flat=True)) == [
        "disability_allowance",
        "elderly_allowance",
    ]
