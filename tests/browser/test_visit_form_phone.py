"""The visit form on a 360×740 phone: ADL items tapped, the total and group follow,
and nothing is wider than the screen."""

import os

import pytest
from django.urls import reverse
from PIL import Image

from cases.models import HomeVisit
from tests.browser.conftest import log_in
from tests.factories import CaseFactory, CenterFactory, TeamFactory, UserFactory, VolunteerFactory


@pytest.fixture
def volunteer_case(transactional_db, settings):
    settings.DEBUG = True
    center = CenterFactory(name="ศูนย์ประสานงาน อพม. เขตบึงกุ่ม", district_id="1027")
    team = TeamFactory(center=center, name="ทีมผู้สูงอายุ")
    user = UserFactory(username="somsri", center=center, role="volunteer")
    VolunteerFactory(center=center, user=user, first_name="สมศรี").join_team(team)
    return CaseFactory(center=center, team=team, first_name="บุญเรือน", last_name="ทดสอบ")


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width} px wide"
    # No label cut off: every label of the form fits inside the screen.
    overflowing = page.evaluate(
        """() => Array.from(document.querySelectorAll('form.visit-form label, form.visit-form legend'))
            .filter(el => el.getClientRects().length)
            .filter(el => { const r = el.getBoundingClientRect();
                            return r.right > 360.5 || el.scrollWidth > el.clientWidth + 1; })
            .map(el => el.textContent.trim())"""
    )
    assert overflowing == []


def test_picking_adl_items_on_a_phone_shows_the_total_and_group(
    volunteer_case, live_server, browser, assert_accessible, screenshot
):
    case = volunteer_case
    phone = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    page = phone.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server, "somsri")
    page.wait_for_url(live_server.url + reverse("cases:my-cases"))

    page.goto(live_server.url + reverse("cases:visit-create", args=[case.pk]))
    no_sideways_scroll(page)
    assert_accessible(page)
    group = page.locator("#adl-group")
    assert group.inner_text() == ""

    page.get_by_text("แบบประเมิน ADL (ดัชนีบาร์เธล) 10 ข้อ").click()
    no_sideways_scroll(page)
    page.get_by_label("2 – ตักอาหารและช่วยตัวเองได้เป็นปกติ").check()
    assert group.inner_text() == "ตอบแล้ว 1 จาก 10 ข้อ"
    clear = page.get_by_role("button", name="ล้างคำตอบ ADL ทั้งหมด")
    assert clear.is_visible()

    # Bed-bound: 0 for every item but transfer, bowels and bladder (1 each) = 3.
    for name in (
        "adl_feeding",
        "adl_grooming",
        "adl_toilet",
        "adl_mobility",
        "adl_dressing",
        "adl_stairs",
        "adl_bathing",
    ):
        page.locator(f"#id_{name}_0").check()
    for name in ("adl_transfer", "adl_bowels"):
        page.locator(f"#id_{name}_1").check()
    assert group.inner_text() == "ตอบแล้ว 9 จาก 10 ข้อ"
    page.locator("#id_adl_bladder_1").check()
    assert group.inner_text() == "คะแนนรวม ADL 3/20 · ติดเตียง"
    assert page.input_value("#id_adl_score") == "3"

    # One answer changed: the total and the group follow (5 = housebound).
    page.get_by_label("3 – เดินหรือเคลื่อนที่ได้เอง").check()
    assert group.inner_text() == "คะแนนรวม ADL 6/20 · ติดบ้าน"
    page.get_by_label("2 – กลั้นได้เป็นปกติ").first.check()  # bowels
    page.locator("#id_adl_bladder_2").check()
    page.locator("#id_adl_transfer_3").check()
    assert group.inner_text() == "คะแนนรวม ADL 10/20 · ติดบ้าน"
    page.locator("#id_adl_stairs_2").check()
    page.locator("#id_adl_bathing_1").check()
    assert group.inner_text() == "คะแนนรวม ADL 13/20 · ติดสังคม"
    no_sideways_scroll(page)
    # Each answer is a target a thumb can hit.
    heights = page.evaluate(
        "Array.from(document.querySelectorAll('.adl .form-check'))"
        ".map(el => el.getBoundingClientRect().height)"
    )
    assert len(heights) == 30 and min(heights) >= 44
    assert_accessible(page)
    screenshot(page, "visit-form-adl-phone")

    page.fill("#id_findings", "เดินได้เองในบ้าน ขึ้นบันไดได้")
    page.get_by_role("button", name="บันทึกการเยี่ยม").click()
    page.wait_for_url(live_server.url + "/cases/visits/*/")
    visit = HomeVisit.objects.get(case=case)
    assert visit.adl_score == 13
    assert visit.adl_item_values() == [0, 0, 3, 0, 3, 0, 2, 1, 2, 2]
    assert "13 · ติดสังคม" in page.locator("main").inner_text()
    no_horizontal = page.evaluate("document.documentElement.scrollWidth")
    assert no_horizontal <= 360
    phone.close()


def test_clearing_the_adl_answers_records_no_adl(
    volunteer_case, live_server, browser, assert_accessible
):
    case = volunteer_case
    phone = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    page = phone.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server, "somsri")
    page.wait_for_url(live_server.url + reverse("cases:my-cases"))
    page.goto(live_server.url + reverse("cases:visit-create", args=[case.pk]))
    page.get_by_text("แบบประเมิน ADL (ดัชนีบาร์เธล) 10 ข้อ").click()
    page.locator("#id_adl_feeding_1").check()
    page.locator("#id_adl_stairs_0").check()
    page.get_by_role("button", name="ล้างคำตอบ ADL ทั้งหมด").click()
    assert page.locator("#adl-group").inner_text() == ""
    assert page.locator(".adl input:checked").count() == 0
    page.fill("#id_findings", "ไม่ได้ประเมิน ADL")
    page.get_by_role("button", name="บันทึกการเยี่ยม").click()
    page.wait_for_url(live_server.url + "/cases/visits/*/")
    visit = HomeVisit.objects.get(case=case)
    assert visit.adl_score is None and visit.adl_item_values() == [None] * 10
    phone.close()


def test_a_photo_over_the_servers_limit_is_shrunk_on_the_phone_and_the_visit_saved(
    volunteer_case, live_server, browser, settings, tmp_path, assert_accessible, screenshot
):
    """A phone camera's 4000×3000 photo of over 5 MB: the server refuses it as it is; the
    form shrinks it as it is chosen (as the offline path does), and the visit is saved.
    Then it was the wrong photo: the volunteer taps it on the correction page, and it goes."""
    settings.MEDIA_ROOT = tmp_path / "media"
    big = tmp_path / "camera.jpg"
    Image.frombytes("RGB", (4000, 3000), os.urandom(4000 * 3000 * 3)).save(big, quality=95)
    assert big.stat().st_size > 5 * 1024 * 1024
    case = volunteer_case
    phone = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = phone.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server, "somsri")
    page.wait_for_url(live_server.url + reverse("cases:my-cases"))
    page.goto(live_server.url + reverse("cases:visit-create", args=[case.pk]))
    page.fill("#id_findings", "หลังคารั่ว")
    page.get_by_label("ได้ทบทวนรายการด้านล่างกับครัวเรือนแล้ว").check()
    page.set_input_files("#id_photos", str(big))
    page.get_by_role("button", name="บันทึกการเยี่ยม").click()
    page.wait_for_url("**/cases/visits/*/")
    (photo,) = HomeVisit.objects.get(case=case).photos.all()
    assert max(photo.width, photo.height) <= 2000

    page.get_by_role("link", name="แก้ไข").first.click()
    page.wait_for_url("**/cases/visits/*/edit/")
    no_sideways_scroll(page)
    assert_accessible(page)
    page.locator("label[for=id_remove_photos_0] img").click()  # the photo is the target
    assert page.get_by_label("ภาพที่ 1 ของการเยี่ยม").is_checked()
    page.locator("#id_photos").scroll_into_view_if_needed()
    screenshot(page, "visit-correction-photos-phone")
    page.get_by_role("button", name="บันทึกการเยี่ยม").click()
    page.wait_for_url("**/cases/visits/*/")
    assert not HomeVisit.objects.get(case=case).photos.exists()
    assert not os.path.exists(photo.image.path)
    phone.close()
