"""A coordinator's day, in a real browser: intake, assignment, search, English."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cases.models import Case
from tests.browser.conftest import log_in, watch_csp
from tests.conftest import load_demo


@pytest.fixture
def demo(settings, transactional_db):
    settings.DEBUG = True
    load_demo()


def test_a_coordinator_opens_assigns_finds_a_case_and_switches_to_english(
    demo, live_server, page, assert_accessible, screenshot
):
    log_in(page, live_server, "coordinator", "coordinator-demo-2562")
    page.wait_for_url(live_server.url + reverse("cases:case-list"))
    assert_accessible(page)

    page.get_by_role("link", name="รับเรื่องกรณีใหม่").click()
    page.wait_for_url(live_server.url + reverse("cases:case-create"))
    assert_accessible(page)
    page.select_option("#id_prefix", "mrs")
    page.fill("#id_first_name", "ประไพพรรณ")
    page.fill("#id_last_name", "ทดสอบระบบ")
    page.select_option("#id_sex", "female")
    page.fill("#id_birth_date", "15/08/2490")
    page.fill("#id_reg_house_no", "99/1")
    page.select_option("#id_reg_subdistrict", "102704")
    # She lives elsewhere now: the pickers refill from the server as she is placed.
    page.get_by_label("อาศัยอยู่ตามที่อยู่ในทะเบียนบ้าน").uncheck()
    page.select_option("#id_cur_province", "50")
    page.wait_for_selector("#id_cur_district option[value='5001']", state="attached")
    page.select_option("#id_cur_district", "5001")
    page.wait_for_selector("#id_cur_subdistrict option[value='500101']", state="attached")
    page.select_option("#id_cur_subdistrict", "500101")
    page.get_by_label("ผู้สูงอายุ", exact=True).check()
    page.fill("#id_problems", "อยู่ลำพัง รายได้ไม่พอ")
    # Two rows are offered; the third is added on the page.
    page.get_by_role("button", name="เพิ่มแถว: สมาชิก").click()
    members = [
        ("child", "ลูกสาว", "45"),
        ("grandchild", "หลานชาย", "20"),
        ("sibling", "น้องสาว", "70"),
    ]
    for index, (relation, name, age) in enumerate(members):
        page.select_option(f"#id_household-{index}-relation", relation)
        page.fill(f"#id_household-{index}-name", name)
        page.fill(f"#id_household-{index}-age", age)
    page.get_by_role("button", name="บันทึก").click()
    page.wait_for_url(live_server.url + "/cases/*/")
    case = Case.objects.get(first_name="ประไพพรรณ")
    assert [m.name for m in case.household_members.all()] == ["ลูกสาว", "หลานชาย", "น้องสาว"]
    assert (case.reg_subdistrict_id, case.cur_subdistrict_id) == ("102704", "500101")
    assert_accessible(page)

    page.get_by_role("link", name="มอบหมายทีม").click()
    assert page.locator("#id_team option:checked").inner_text() == "ทีมผู้สูงอายุ"
    assert_accessible(page)
    page.get_by_role("button", name="มอบหมาย").click()
    page.wait_for_url(live_server.url + reverse("cases:case-detail", args=[case.pk]))
    case.refresh_from_db()
    assert case.team.name == "ทีมผู้สูงอายุ"
    assert page.get_by_role("link", name="ทีมผู้สูงอายุ").first.is_visible()
    screenshot(page, "case-detail")

    page.get_by_role("link", name="กรณี", exact=True).click()
    page.fill("#id_q", "ไพพรร")
    page.get_by_role("button", name="ค้นหา").click()
    # The click only starts the navigation: count the rows of the page it loads.
    page.wait_for_url(re.compile(r"/cases/\?q="))
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    assert case.number in rows.first.inner_text()
    screenshot(page, "case-search")

    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text("Cases")  # once the English page has loaded
    assert page.locator("html").get_attribute("lang") == "en"
    assert case.number in page.locator("tbody").inner_text()
    assert_accessible(page)


def test_the_intake_form_works_on_a_360_pixel_phone(
    demo, live_server, browser, assert_accessible, screenshot
):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    blocked: list[str] = []
    watch_csp(page, blocked)
    log_in(page, live_server, "coordinator", "coordinator-demo-2562")
    page.goto(live_server.url + reverse("cases:case-create"))
    # Nothing wider than the screen: no sideways scrolling to reach a field.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)
    screenshot(page, "intake-phone")
    context.close()
    assert not blocked, blocked


def test_the_address_pickers_refill_and_empty_in_place_without_a_script_of_ours(
    demo, live_server, page, assert_accessible
):
    """htmx swaps the server's <option>s into the next picker; the current address shows
    only when it differs (CSS, no script); the autouse CSP guard sees nothing blocked."""
    log_in(page, live_server, "coordinator", "coordinator-demo-2562")
    page.goto(live_server.url + reverse("cases:case-create"))
    scripts = page.eval_on_selector_all("script[src]", "all => all.map(s => s.src)")
    assert not any(src.endswith("/address.js") for src in scripts)
    assert any("htmx" in src for src in scripts)

    current = page.locator("fieldset.address-cur")
    assert current.is_hidden()
    page.get_by_label("อาศัยอยู่ตามที่อยู่ในทะเบียนบ้าน").uncheck()
    assert current.is_visible()

    # The registered address starts in the centre's district; move it to Chiang Mai.
    assert page.locator("#id_reg_subdistrict option[value='102704']").count() == 1
    page.select_option("#id_reg_province", "50")
    page.wait_for_selector("#id_reg_district option[value='5001']", state="attached")
    # A new province: the old district's subdistricts are gone, nothing chosen.
    # Playwright's own wait: a predicate string would be eval'd, which the CSP refuses.
    expect(page.locator("#id_reg_subdistrict option")).to_have_count(1)
    assert page.locator("#id_reg_subdistrict").input_value() == ""
    page.select_option("#id_reg_district", "5001")
    page.wait_for_selector("#id_reg_subdistrict option[value='500101']", state="attached")
    page.select_option("#id_reg_subdistrict", "500101")
    assert_accessible(page)

    # Stepping through the provinces with the keyboard: each step refills the districts
    # and the focus stays on the province list (only the next list's options change).
    page.focus("#id_reg_province")
    page.keyboard.press("ArrowDown")
    assert page.locator("#id_reg_province").input_value() == "51"
    page.wait_for_selector("#id_reg_district option[value='5101']", state="attached")
    assert page.evaluate("document.activeElement.id") == "id_reg_province"
