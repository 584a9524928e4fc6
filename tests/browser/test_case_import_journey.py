"""A coordinator imports 12 people in hardship from the ministry's list: from the case
list, one bad row fixed after the preview, and the list shows them opened."""

import pytest
from django.urls import reverse

from cases.models import Case
from tests.browser.conftest import pass_second_step
from tests.cases.case_files import HEADINGS, person
from tests.factories import CenterFactory, TeamFactory, UserFactory
from tests.volunteers.roster_files import xlsx


@pytest.fixture
def coordinator(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    center = CenterFactory(district_id="1027", name="ศูนย์ประสานงาน อพม. เขตบึงกุ่ม")
    TeamFactory(center=center, name="ทีมผู้สูงอายุ")
    return UserFactory(username="khun-dao", center=center, role="coordinator")


def test_a_coordinator_imports_12_cases_fixing_one_row_after_the_preview(
    live_server, page, coordinator, assert_accessible, tmp_path
):
    rows = [person(n, team="ทีมผู้สูงอายุ") for n in range(1, 13)]
    rows[2] = person(3, birth_date="31/02/2483")
    bad, good = tmp_path / "cases.xlsx", tmp_path / "cases-fixed.xlsx"
    bad.write_bytes(xlsx(rows, headings=HEADINGS))
    rows[2] = person(3, birth_date="28/02/2483", team="ทีมผู้สูงอายุ")
    good.write_bytes(xlsx(rows, headings=HEADINGS))

    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", "khun-dao")
    page.fill("#id_password", "password")
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    pass_second_step(page, "khun-dao")
    page.goto(live_server.url + reverse("cases:case-list"))
    page.get_by_role("link", name="นำเข้ากรณีจากไฟล์").click()
    page.get_by_role("heading", name="นำเข้ากรณี", exact=True).wait_for()

    page.set_input_files("#id_file", str(bad))
    page.get_by_role("button", name="ตรวจไฟล์").click()
    page.get_by_text("1 จาก 12 แถวมีข้อผิดพลาด").wait_for()
    assert "ไม่ใช่วันที่ที่มีอยู่จริง" in page.locator("tr.table-danger").inner_text()
    assert_accessible(page)
    assert not Case.objects.exists()

    page.set_input_files("#id_file", str(good))
    page.get_by_role("button", name="ตรวจไฟล์").click()
    page.get_by_role("button", name="เปิดกรณีทั้ง 12 ราย").click()

    page.wait_for_url(live_server.url + reverse("cases:case-list"))
    assert page.get_by_text("นำเข้ากรณี 12 รายแล้ว").is_visible()
    assert Case.objects.filter(team__name="ทีมผู้สูงอายุ").count() == 12
