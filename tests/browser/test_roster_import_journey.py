"""A coordinator imports the centre's 13 volunteers from a roster: the button shows it is
working (a script file, no inline script under the CSP), one bad row is fixed after the
preview, and the list shows them."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import pass_second_step
from tests.factories import CenterFactory, TeamFactory, UserFactory, national_id
from tests.volunteers.roster_files import person, xlsx
from volunteers.models import Volunteer


@pytest.fixture
def coordinator(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    center = CenterFactory(district_id="1027", name="ศูนย์ประสานงาน อพม. เขตบึงกุ่ม")
    TeamFactory(center=center, name="ทีมผู้สูงอายุ")
    return UserFactory(username="khun-dao", center=center, role="coordinator")


def test_a_coordinator_imports_13_volunteers_fixing_one_row_after_the_preview(
    live_server, page, coordinator, assert_accessible, tmp_path
):
    rows = [person(n, team="ทีมผู้สูงอายุ") for n in range(1, 14)]
    rows[4] = person(5, phone="12345", team="ทีมผู้สูงอายุ")
    bad, good = tmp_path / "roster.xlsx", tmp_path / "roster-fixed.xlsx"
    bad.write_bytes(xlsx(rows))
    rows[4] = person(5, national_id=national_id(5005), team="ทีมผู้สูงอายุ")
    good.write_bytes(xlsx(rows))

    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", "khun-dao")
    page.fill("#id_password", "password")
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    pass_second_step(page, "khun-dao")
    page.goto(live_server.url + reverse("volunteers:volunteer-import"))
    assert_accessible(page)

    # The first submission is held in the page (as a slow upload would be) to see the
    # busy button; then the form is sent.
    upload = "form[enctype='multipart/form-data']"
    page.evaluate(
        f'document.querySelector("{upload}")'
        ".addEventListener('submit', (e) => e.preventDefault(), {once: true})"
    )
    page.set_input_files("#id_file", str(bad))
    page.get_by_role("button", name="ตรวจไฟล์").click()
    busy = page.locator(f"{upload}[aria-busy=true] button[type=submit]")
    busy.wait_for()
    expect(page.locator(f"{upload} button").first).to_be_disabled()  # no eval: the CSP
    assert busy.inner_text() == "กำลังตรวจไฟล์…"
    page.evaluate(f'document.querySelector("{upload}").submit()')
    page.get_by_text("1 จาก 13 แถวมีข้อผิดพลาด").wait_for()
    assert page.locator("tr.table-danger").count() == 1
    assert "หมายเลขโทรศัพท์" in page.locator("tr.table-danger").inner_text()
    assert_accessible(page)
    assert not Volunteer.objects.exists()

    page.set_input_files("#id_file", str(good))
    page.get_by_role("button", name="ตรวจไฟล์").click()
    page.get_by_role("button", name="นำเข้า อพม. ทั้ง 13 คน").click()

    page.wait_for_url(live_server.url + reverse("volunteers:volunteer-list"))
    assert page.get_by_text("นำเข้า อพม. 13 คนแล้ว").is_visible()
    assert Volunteer.objects.count() == 13
