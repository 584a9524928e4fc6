"""The case import: a ministry list of people in hardship becomes cases exactly as intake
opens them, after a preview of every row with its errors in Thai; all rows or none;
hostile files refused with a clear message and nothing saved."""

import datetime
import hashlib
import io
import re

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cases.imports import import_cases, read_cases
from cases.models import Case, CaseEvent
from coordination.imports import ImportChanged
from coordination.models import AccessLog
from tests.cases.case_files import HEADINGS, person
from tests.factories import CaseFactory, TeamFactory, national_id
from tests.volunteers.roster_files import csv_bytes, with_national_id, xlsx

URL = "cases:case-import"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(client, content: bytes, name: str = "cases.xlsx"):
    return client.post(reverse(URL), {"file": SimpleUploadedFile(name, content)})


def table_of(response):
    return response.context.get("table")


def read(rows, center, **kwargs):
    return read_cases(io.BytesIO(xlsx(rows, headings=HEADINGS, **kwargs)), center)


def cases_file(rows, **kwargs) -> bytes:
    return xlsx(rows, headings=HEADINGS, **kwargs)


def test_the_preview_shows_every_row_with_ids_masked_and_saves_nothing(coordinator_client, center):
    response = upload(coordinator_client, cases_file([person(1), person(2)]))

    assert response.status_code == 200
    table = table_of(response)
    assert [row.line for row in table.rows] == [2, 3]
    assert table.ok
    page = response.content.decode()
    assert "บุญมี1" in page
    number = national_id(7001)
    assert number not in page
    assert f"{number[0]}-{number[1:5]}-xxxxx-xx-{number[12]}" in page
    # Every column says a different thing: the case's problems are a column of the file,
    # what is wrong with a row another ("ปัญหา" headed both).
    headers = [th.strip() for th in re.findall(r'<th scope="col">([^<]*)</th>', page)]
    assert len(headers) == len(set(headers)) and "สิ่งที่ต้องแก้ไข" in headers
    assert not Case.objects.exists()


def test_the_preview_writes_a_date_cell_in_the_era_of_the_page_and_cuts_a_long_cell(
    coordinator_client, center
):
    """A spreadsheet's date cell showed as 12/03/1950 on a Thai page; a cell of 32,767
    characters was written whole, and the browser took some 40 s to lay the page out."""
    long = "ก" * 30_000
    row = person(1, birth_date=datetime.datetime(1950, 3, 12), problems=long)
    response = upload(coordinator_client, cases_file([row]))
    [shown] = table_of(response).rows
    page = response.content.decode()
    assert "12/03/2493" in page and "12/03/1950" not in page
    assert len(response.content) < 40_000 and "ก" * 201 not in page
    assert "ยาวเกิน" in " ".join(shown.errors)  # the row is refused, not cut and taken
    # A date cell's error says the day as the page writes it.
    future = upload(
        coordinator_client, cases_file([person(1, birth_date=datetime.datetime(2030, 1, 1))])
    )
    [refused] = table_of(future).rows
    assert any("01/01/2573" in error for error in refused.errors), refused.errors


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_each_row_is_numbered_as_the_spreadsheet_numbers_it_past_empty_rows(
    coordinator_client, center, kind
):
    """An empty row left in the file moved every later row's number back by one: the
    preview named row 3 for the error on row 4, and the coordinator looked for it there."""
    blank = [""] * len(HEADINGS)
    rows = [person(1), blank, person(2, national_id="1234567890123"), blank, blank, person(3)]
    content = cases_file(rows) if kind == "xlsx" else csv_bytes(rows, headings=HEADINGS)
    table = table_of(upload(coordinator_client, content, f"cases.{kind}"))
    assert [row.line for row in table.rows] == [2, 4, 7]
    assert [row.line for row in table.rows if row.errors] == [4]
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"national_id": "1234567890123"}, "เลขตรวจสอบหลักสุดท้ายไม่ตรง"),
        ({"national_id": "12345"}, "13 หลัก"),
        ({"subdistrict": "สีลม"}, "ไม่รู้จักแขวง/ตำบล “สีลม”"),
        ({"phone": "12345"}, "หมายเลขโทรศัพท์"),
        ({"birth_date": "31/02/2483"}, "ไม่ใช่วันที่ที่มีอยู่จริง"),
        ({"birth_date": "12/03/83"}, "เขียนปีให้ครบ"),
        ({"birth_date": "12/03/2600"}, "เป็นไปไม่ได้"),
        ({"estimated_age": "ประมาณเจ็ดสิบ"}, "อายุโดยประมาณ"),
        ({"estimated_age": "150"}, "0 ถึง 130"),
        ({"team": "ทีมที่ไม่มี"}, "ไม่รู้จักทีม “ทีมที่ไม่มี”"),
        ({"target_groups": "ผู้สูงอายุ, คนโสด"}, "ไม่รู้จักกลุ่มเป้าหมาย “คนโสด”"),
        ({"target_groups": ""}, "กลุ่มเป้าหมาย ว่างอยู่"),
        ({"sex": "ไม่ระบุ"}, "ไม่รู้จักเพศ “ไม่ระบุ”"),
        ({"prefix": "ดร."}, "ไม่รู้จักคำนำหน้า"),
        ({"prefix": "นาย"}, "คำนำหน้า นาย ไม่ตรงกับเพศหญิง"),
        ({"first_name": ""}, "ชื่อ ว่างอยู่"),
        ({"consent_method": "ลงนามในแบบฟอร์ม"}, "ระบุผู้ให้ความยินยอมและวัตถุประสงค์"),
        (
            {"consent_method": "ลงนาม", "consent_given_by": "ตนเอง", "consent_purposes": "ขายข้อมูล"},
            "ไม่รู้จักวัตถุประสงค์ของความยินยอม “ขายข้อมูล”",
        ),
    ],
)
def test_each_bad_cell_is_named_in_thai_on_its_row(coordinator_client, center, changes, error):
    response = upload(coordinator_client, cases_file([person(1), person(2, **changes)]))

    table = table_of(response)
    assert table.rows[0].errors == []
    assert any(error in message for message in table.rows[1].errors), table.rows[1].errors
    assert error in response.content.decode()
    assert reverse("cases:case-import-confirm") not in response.content.decode()
    assert not Case.objects.exists()


def test_a_duplicate_id_in_the_file_and_a_case_already_in_the_centre_are_both_found(center):
    theirs = CaseFactory(center=center, national_id=national_id(7003))
    rows = [
        person(1),
        person(2, national_id=national_id(7001)),
        person(3),
        person(4, national_id=""),
    ]

    table = read(rows, center)

    assert table.rows[1].errors == ["เลขประจำตัวประชาชนซ้ำกับแถวที่ 2 ของไฟล์นี้"]
    # Which case: the coordinator looks it up rather than guessing.
    assert table.rows[2].errors == [f"กรณี {theirs.number} ของศูนย์นี้ใช้เลขประจำตัวประชาชนนี้แล้ว"]
    assert table.rows[3].errors == []  # the ID is optional, as at intake


def test_another_centres_case_with_the_same_id_is_no_duplicate(center, other_center):
    CaseFactory(center=other_center, national_id=national_id(7001))
    assert read([person(1)], center).ok


def test_a_subdistrict_of_another_district_is_unknown(center):
    # พระบรมมหาราชวัง is in Phra Nakhon (1001), not in the centre's Bueng Kum (1027).
    table = read([person(1, subdistrict="พระบรมมหาราชวัง")], center)
    assert table.rows[0].errors == ["ไม่รู้จักแขวง/ตำบล “พระบรมมหาราชวัง” ในเขต/อำเภอของศูนย์นี้"]


def test_confirming_opens_each_case_as_intake_does_and_logs_the_files_hash(
    coordinator_client, coordinator, center
):
    team = TeamFactory(center=center, name="ทีมผู้สูงอายุ")
    rows = [
        person(
            1,
            team="ทีมผู้สูงอายุ",
            target_groups="ผู้สูงอายุ, ผู้ยากไร้",
            consent_given_by="นางบุญมี ทองดี",
            consent_method="ลงนามในแบบฟอร์ม",
            consent_purposes="การประเมินและให้ความช่วยเหลือ; การส่งต่อหน่วยงาน",
        ),
        person(2, national_id="", birth_date="", estimated_age=79, moo="3"),
    ]
    content = cases_file(rows)
    sha = table_of(upload(coordinator_client, content)).sha256
    year_be = timezone.localdate().year + 543

    response = coordinator_client.post(reverse("cases:case-import-confirm"), {"sha256": sha})

    assert response.status_code == 302
    assert response.url == reverse("cases:case-list")
    first, second = Case.objects.order_by("number")
    assert (first.number, second.number) == (f"1027-{year_be}-0001", f"1027-{year_be}-0002")
    assert (first.center, first.prefix, first.sex, first.birth_date, first.team) == (
        center, "mrs", "female", datetime.date(1940, 3, 12), team,
    )  # fmt: skip
    assert first.reg_subdistrict.name_th == "คลองกุ่ม" and first.current_same_as_registered
    assert first.national_id == national_id(7001)
    assert sorted(first.target_groups.values_list("code", flat=True)) == ["destitute", "elderly"]
    assert (first.consent_method, first.consent_purposes) == ("signed", ["assistance", "referral"])
    assert (first.consent_recorded_by, first.status) == (coordinator, "intake")
    assert first.consent_recorded_at is not None
    assert (second.national_id, second.birth_date, second.reg_moo) == ("", None, "3")
    assert (second.estimated_age, second.estimated_age_on) == (79, timezone.localdate())
    assert second.consent_recorded_by is None and second.team is None

    history = first.history.get()
    assert (history.history_type, history.history_user) == ("+", coordinator)
    assert (history.number, history.team, history.consent_purposes) == (
        first.number, team, ["assistance", "referral"],
    )  # fmt: skip
    assert sorted(t.targetgroup.code for t in history.target_groups.all()) == [
        "destitute", "elderly",
    ]  # fmt: skip
    events = CaseEvent.objects.filter(case=first).order_by("kind")
    assert [(e.kind, e.by, e.status_to, e.team) for e in events] == [
        ("assigned", coordinator, "", team),
        ("opened", coordinator, "intake", None),
    ]
    assert [(e.kind, e.center) for e in CaseEvent.objects.filter(case=second)] == [
        ("opened", center)
    ]
    log = AccessLog.objects.get(action=AccessLog.Action.IMPORT)
    assert log.file_sha256 == hashlib.sha256(content).hexdigest() == sha
    assert log.user == coordinator


def test_imported_numbers_continue_the_yearly_counter_that_intake_uses(coordinator, center):
    today = timezone.localdate()
    before = CaseFactory(center=center, opened_on=today)
    import_cases(read([person(1), person(2)], center), center, by=coordinator)
    after = CaseFactory(center=center, opened_on=today)

    sequences = [
        int(number.rsplit("-", 1)[1])
        for number in Case.objects.order_by("pk").values_list("number", flat=True)
    ]
    assert sequences == [1, 2, 3, 4]
    assert (before.number[-4:], after.number[-4:]) == ("0001", "0004")


def test_a_year_alone_is_the_first_of_january_as_the_intake_forms_tick_box(center):
    table = read([person(1, birth_date="2483"), person(2, birth_date=1940)], center)

    assert table.ok, [row.errors for row in table.rows]
    for row in table.rows:
        assert (row.values["birth_date"], row.values["birth_year_only"]) == (
            datetime.date(1940, 1, 1), True,
        )  # fmt: skip


def test_abbreviated_prefixes_are_read_as_thai_lists_write_them(center):
    rows = [person(1, prefix="น.ส."), person(2, prefix="ด.ญ."), person(3, prefix="ด.ช.")]
    table = read(rows, center)
    assert [row.values["prefix"] for row in table.rows] == ["miss", "girl", "boy"]


def test_excel_numbers_and_dates_are_read_as_people_meant_them(center):
    row = person(
        1,
        national_id=int(national_id(7001)),
        phone=812345678,  # Excel dropped the leading zero
        birth_date=datetime.datetime(2483, 3, 12),  # a Thai Excel date typed in BE
        estimated_age=80.0,
    )
    table = read([row], center)

    assert table.ok, table.rows[0].errors
    values = table.rows[0].values
    assert (values["national_id"], values["phone"]) == (national_id(7001), "0812345678")
    assert (values["birth_date"], values["estimated_age"]) == (datetime.date(1940, 3, 12), 80)


def test_english_headings_and_labels_are_read_too(center):
    headings = [
        "national ID number", "prefix", "first name", "surname", "sex", "birth date",
        "estimated age", "phone", "house number", "village number (moo)", "subdistrict",
        "target groups", "team", "problems",
    ]  # fmt: skip
    row = person(1, prefix="Mrs", sex="female", target_groups="Older persons; disability")[:14]
    table = read_cases(io.BytesIO(xlsx([row], headings=headings)), center)

    assert table.ok, table.rows[0].errors
    values = table.rows[0].values
    assert (values["prefix"], values["sex"]) == ("mrs", "female")
    assert [group.code for group in values["target_groups"]] == ["elderly", "disability"]


def test_a_csv_in_utf8_or_thai_windows_encoding_reads_the_same(coordinator_client, center):
    for encoding in ("utf-8-sig", "utf-8", "cp874"):
        content = csv_bytes([person(1)], headings=HEADINGS, encoding=encoding)
        table = table_of(upload(coordinator_client, content, "cases.csv"))
        assert table.ok, (encoding, table.rows[0].errors)
        assert table.rows[0].values["first_name"] == "บุญมี1"


def test_a_formula_is_kept_as_its_text_and_markup_is_shown_as_text(coordinator_client, center):
    rows = [person(1, problems='=HYPERLINK("http://x")'), person(2, last_name="<b>ทอง</b>")]
    response = upload(coordinator_client, cases_file(rows))
    table = table_of(response)

    assert table.rows[0].values["problems"] == '=HYPERLINK("http://x")'
    assert "<b>ทอง</b>" not in response.content.decode()
    assert "&lt;b&gt;ทอง&lt;/b&gt;" in response.content.decode()
    bad_id = read([person(1, national_id="=3101200123453")], center)
    assert bad_id.rows[0].errors


def test_all_or_nothing_when_an_id_is_registered_between_the_check_and_the_save(
    coordinator, center
):
    rows = [person(n) for n in range(600)]  # two batches of the bulk insert
    table = read(rows, center)
    assert table.ok
    CaseFactory(center=center, first_name="รับเรื่องก่อน", national_id=national_id(7550))

    with pytest.raises(ImportChanged):
        import_cases(table, center, by=coordinator)

    assert list(Case.objects.values_list("first_name", flat=True)) == ["รับเรื่องก่อน"]
    assert not Case.history.filter(first_name="บุญมี1").exists()
    assert not CaseEvent.objects.exists()
    assert (
        not apps.get_model("cases", "HistoricalCase_target_groups")
        .objects.filter(history__first_name="บุญมี1")
        .exists()
    )


def test_the_confirm_checks_again_and_imports_nothing_if_the_centre_changed(
    coordinator_client, center
):
    preview = upload(coordinator_client, cases_file([person(1), person(2)]))
    theirs = CaseFactory(center=center, national_id=national_id(7002))

    response = coordinator_client.post(
        reverse("cases:case-import-confirm"), {"sha256": table_of(preview).sha256}
    )

    assert response.status_code == 200
    assert f"กรณี {theirs.number} ของศูนย์นี้ใช้เลขประจำตัวประชาชนนี้แล้ว" in response.content.decode()
    assert Case.objects.count() == 1


def test_a_confirm_without_a_preview_or_of_another_file_imports_nothing(coordinator_client, center):
    upload(coordinator_client, cases_file([person(1)]))
    response = coordinator_client.post(reverse("cases:case-import-confirm"), {"sha256": "0" * 64})
    assert response.status_code == 302
    assert response.url == reverse(URL)
    assert not Case.objects.exists()


def test_a_roster_of_volunteers_is_not_taken_for_cases(coordinator_client, center):
    from tests.volunteers.roster_files import person as volunteer

    response = upload(coordinator_client, xlsx([volunteer(1)]))
    assert table_of(response) is None
    assert "เพศ" in response.content.decode() and "กลุ่มเป้าหมาย" in response.content.decode()
    assert not Case.objects.exists()


def test_the_templates_example_row_shows_every_column_right_and_is_not_imported_as_is(
    coordinator_client, center
):
    response = coordinator_client.get(reverse("cases:case-import-template"))
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]

    assert rows[0] == HEADINGS
    assert len(rows) == 2
    TeamFactory(center=center, name="ทีมผู้สูงอายุ")
    # Left in a filled template, the made-up person would be imported: refused, and
    # for that alone.
    table = read_cases(io.BytesIO(content), center)
    assert table.rows[0].errors == ["นี่คือแถวตัวอย่างของแบบฟอร์ม: ลบแถวนี้ก่อนนำเข้าไฟล์"]
    # With a person's own ID, the row as the example writes it imports.
    table = read_cases(io.BytesIO(with_national_id(content, national_id(4242))), center)
    assert table.ok, table.rows[0].errors


def test_the_case_list_links_to_the_import(coordinator_client):
    # (The case list is the coordinators' page: a volunteer is refused it.)
    assert reverse(URL) in coordinator_client.get(reverse("cases:case-list")).content.decode()


def test_volunteers_cannot_import_and_anonymous_people_are_sent_to_log_in(volunteer_client, client):
    for name in (URL, "cases:case-import-template"):
        assert volunteer_client.get(reverse(name)).status_code == 403
    assert volunteer_client.post(reverse("cases:case-import-confirm")).status_code == 403
    volunteer_client.logout()
    response = client.get(reverse(URL))
    assert response.status_code == 302 and reverse("login") in response.url


def test_invisible_characters_in_a_cell_are_dropped_and_a_name_of_only_them_is_empty(center):
    rows = [
        person(1, first_name="\u200bศูนย์\u200b", last_name="มี   สุข"),
        person(2, first_name="\u200b"),
    ]
    table = read(rows, center)
    assert table.rows[0].values["first_name"] == "ศูนย์" and table.rows[0].errors == []
    assert table.rows[0].values["last_name"] == "มี สุข"  # as the intake form reads it
    assert table.rows[1].errors == ["ชื่อ ว่างอยู่"]
