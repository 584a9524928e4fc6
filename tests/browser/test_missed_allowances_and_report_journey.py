"""A coordinator finds the founding example's woman on the missed-allowance worklist,
reads why on her case page, opens the report of April 2019 (BE 2562) and downloads its
Excel file, in a real browser."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import pass_second_step
from tests.conftest import load_demo


@pytest.fixture
def demo(settings, transactional_db):
    settings.DEBUG = True
    load_demo()


def the_coordinator_logs_in(page, live_server) -> None:
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", "coordinator")
    page.fill("#id_password", "coordinator-demo-2562")
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    pass_second_step(page, "coordinator")
    page.wait_for_url(live_server.url + reverse("cases:case-list"))


def test_a_coordinator_sees_the_woman_flagged_for_100_baht_and_downloads_the_april_report(
    demo, live_server, page, assert_accessible
):
    the_coordinator_logs_in(page, live_server)

    page.goto(live_server.url + reverse("cases:missed-allowance-list"))
    assert page.get_by_role("heading", level=1).inner_text() == "เบี้ยที่อาจตกหล่น"
    assert_accessible(page)
    row = page.get_by_role("row").filter(has_text="บุญเรือน")
    assert "ได้รับเบี้ยยังชีพผู้สูงอายุต่ำกว่าอัตราตามช่วงอายุ (100 บาท)" in row.inner_text()

    row.get_by_role("link").click()
    section = page.locator("#allowances")
    assert "ตกหล่นต่อเดือน: 100 บาท" in section.inner_text()
    assert "สำนักงานเขต" in section.inner_text()

    page.goto(live_server.url + reverse("coordination:report-monthly"))
    page.fill("#id_month", "2562-04")
    page.get_by_role("button", name="แสดง").click()
    assert "รายงานประจำเดือน เมษายน 2562" in page.get_by_role("heading", level=1).inner_text()
    assert "1 เม.ย. 2562" in page.content()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="ดาวน์โหลดเป็นไฟล์ Excel").click()
    assert download.value.suggested_filename == "report-2562-04.xlsx"
    with open(download.value.path(), "rb") as handle:
        book = load_workbook(BytesIO(handle.read()))
    assert book.worksheets[0]["A2"].value.endswith("ตั้งแต่ 1 เม.ย. 2562 ถึง 30 เม.ย. 2562")
    assert book.worksheets[0]["A3"].value == "กรณีใหม่จำแนกตามกลุ่มเป้าหมาย"
    new_cases = {
        row[0]: row[1] for row in book.worksheets[0].iter_rows(min_row=4, values_only=True)
    }
    assert new_cases["กรณีใหม่ทั้งหมด"] >= 2  # the two of the opening day, 24 April 2562


def test_going_back_to_the_list_after_dismissing_a_flag_shows_the_list_as_it_is_now(
    demo, live_server, page
):
    """People's pages are not kept by the browser (Cache-Control: no-store): the Back
    button reloads the list rather than showing the one from before the dismissal."""
    the_coordinator_logs_in(page, live_server)

    page.goto(live_server.url + reverse("cases:missed-allowance-list"))
    row = page.get_by_role("row").filter(has_text="บุญเรือน")
    expect(row).to_contain_text("100 บาท")
    row.get_by_role("link").click()
    page.locator("#allowances").get_by_role("link", name="ยกเลิกการแจ้ง").first.click()
    page.fill("#id_reason", "รับบำนาญข้าราชการ")
    page.get_by_role("button", name="ยกเลิกการแจ้ง").click()
    page.wait_for_url("**/cases/*/")

    for _ in range(3):  # the dismiss page, the case page, the list
        page.go_back()
    assert page.url.endswith(reverse("cases:missed-allowance-list"))
    # Her other flag stays; the one dismissed (100 baht a month) is gone.
    row = page.get_by_role("row").filter(has_text="บุญเรือน")
    expect(row).to_contain_text("ไม่มีบันทึกบัตรประจำตัวคนพิการ")
    expect(row).not_to_contain_text("100 บาท")
