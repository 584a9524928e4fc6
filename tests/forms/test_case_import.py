"""The case import as a coordinator goes through it: from the case list, the template,
an upload with bad rows, their errors in Thai, the corrected file, the confirm."""

import pytest
from django.urls import reverse
from webtest import Upload

from cases.models import Case
from tests.cases.case_files import HEADINGS, person
from tests.factories import TeamFactory
from tests.forms.rendered import form_posting_to
from tests.volunteers.roster_files import xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_coordinator_imports_20_people_after_fixing_the_three_bad_rows(app, coordinator, center):
    team = TeamFactory(center=center, name="ทีมผู้สูงอายุ")
    rows = [person(n, team="ทีมผู้สูงอายุ") for n in range(1, 21)]
    rows[3] = person(4, national_id="1234567890123")
    rows[11] = person(12, subdistrict="สีลม", target_groups="ผู้สูงอายุ, คนโสด")
    rows[15] = person(16, team="ทีมผู้สูงอายุ", problems="ก" * 5001)
    cases = app.get(reverse("cases:case-list"), user=coordinator)
    page = cases.click(href=reverse("cases:case-import"))
    assert page.click(href=reverse("cases:case-import-template")).content_type == XLSX

    upload = form_posting_to(page, reverse("cases:case-import"))
    upload["file"] = Upload("cases.xlsx", xlsx(rows, headings=HEADINGS))
    preview = upload.submit()

    assert "3 จาก 20 แถวมีข้อผิดพลาด" in preview.text
    assert "ปัญหา ยาวเกิน 5,000 ตัวอักษร" in preview.text  # as the page writes numbers
    assert "เลขตรวจสอบหลักสุดท้ายไม่ตรง" in preview.text
    assert "ไม่รู้จักแขวง/ตำบล “สีลม”" in preview.text
    assert "ไม่รู้จักกลุ่มเป้าหมาย “คนโสด”" in preview.text
    assert reverse("cases:case-import-confirm") not in preview.text
    assert not Case.objects.exists()

    rows[3], rows[11] = person(4, team="ทีมผู้สูงอายุ"), person(12, team="ทีมผู้สูงอายุ")
    rows[15] = person(16, team="ทีมผู้สูงอายุ")
    again = form_posting_to(preview, reverse("cases:case-import"))
    again["file"] = Upload("cases.xlsx", xlsx(rows, headings=HEADINGS))
    preview = again.submit()
    assert "กรณี 20 รายพร้อมเปิด" in preview.text

    done = form_posting_to(preview, reverse("cases:case-import-confirm")).submit()

    assert done.status_code == 302
    assert done.follow().text.count("นำเข้ากรณี 20 รายแล้ว") == 1
    assert Case.objects.filter(center=center, team=team, status="intake").count() == 20


def test_a_file_that_is_not_a_spreadsheet_is_refused_on_the_form(app, coordinator, center):
    page = app.get(reverse("cases:case-import"), user=coordinator)
    upload = form_posting_to(page, reverse("cases:case-import"))
    upload["file"] = Upload("cases.xlsx", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")

    refused = upload.submit()

    assert refused.status_code == 200
    assert "ไฟล์นี้ไม่ใช่ตารางข้อมูล" in refused.text
    assert not Case.objects.exists()
