"""The roster import: a preview of every row with its errors in Thai before anything is
saved, all rows or none, and hostile files refused with a clear message."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from coordination.imports import ImportChanged
from coordination.models import AccessLog
from tests.factories import TeamFactory, VolunteerFactory, national_id
from tests.volunteers.roster_files import HEADINGS, csv_bytes, person, with_national_id, xlsx
from volunteers.imports import import_roster, read_roster
from volunteers.models import TeamMembership, Volunteer

URL = "volunteers:volunteer-import"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(client, content: bytes, name: str = "roster.xlsx"):
    return client.post(reverse(URL), {"file": SimpleUploadedFile(name, content)})


def roster_of(response):
    return response.context.get("table")


def test_the_preview_shows_every_row_and_saves_nothing(coordinator_client, center):
    response = upload(coordinator_client, xlsx([person(1), person(2)]))

    assert response.status_code == 200
    roster = roster_of(response)
    assert [row.line for row in roster.rows] == [2, 3]
    assert roster.ok
    assert "อาสา1" in response.content.decode()
    assert not Volunteer.objects.exists()


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"national_id": "1234567890123"}, "เลขตรวจสอบหลักสุดท้ายไม่ตรง"),
        ({"national_id": "12345"}, "13 หลัก"),
        ({"subdistrict": "สีลม"}, "ไม่รู้จักแขวง/ตำบล “สีลม”"),
        ({"phone": "12345"}, "หมายเลขโทรศัพท์"),
        ({"birth_date": "31/02/2510"}, "ไม่ใช่วันที่ที่มีอยู่จริง"),
        ({"birth_date": "15/08/10"}, "เขียนปีให้ครบ"),
        ({"birth_date": "15/08/2600"}, "เป็นไปไม่ได้"),
        ({"team": "ทีมที่ไม่มี"}, "ไม่รู้จักทีม “ทีมที่ไม่มี”"),
        ({"prefix": "ดร."}, "ไม่รู้จักคำนำหน้า"),
        ({"first_name": ""}, "ชื่อ ว่างอยู่"),
        # The volunteer's own rules (Volunteer.clean), as the registration form has them.
        ({"prefix": "เด็กชาย"}, "คำนำหน้านี้ใช้กับเด็ก"),
        ({"birth_date": "01/01/2560"}, "อพม. ต้องมีอายุไม่ต่ำกว่า 18 ปี"),
    ],
)
def test_each_bad_cell_is_named_in_thai_on_its_row(coordinator_client, center, changes, error):
    response = upload(coordinator_client, xlsx([person(1), person(2, **changes)]))

    roster = roster_of(response)
    assert roster.rows[0].errors == []
    assert any(error in message for message in roster.rows[1].errors), roster.rows[1].errors
    assert error in response.content.decode()
    assert "volunteer-import-confirm" not in response.content.decode()
    assert not Volunteer.objects.exists()


def test_a_duplicate_in_the_file_and_one_already_in_the_centre_are_both_found(
    coordinator_client, center
):
    theirs = VolunteerFactory(center=center, national_id=national_id(5003))
    rows = [person(1), person(2, national_id=national_id(5001)), person(3)]

    roster = roster_of(upload(coordinator_client, xlsx(rows)))

    assert roster.rows[1].errors == ["เลขประจำตัวประชาชนซ้ำกับแถวที่ 2 ของไฟล์นี้"]
    assert roster.rows[2].errors == [
        f"{theirs.full_name} ซึ่งเป็น อพม. ของศูนย์นี้ ใช้เลขประจำตัวประชาชนนี้แล้ว"
    ]


def test_confirming_imports_every_row_with_its_team_and_logs_the_files_hash(
    coordinator_client, coordinator, center
):
    team = TeamFactory(center=center, name="ทีมผู้สูงอายุ")
    content = xlsx([person(1, team="ทีมผู้สูงอายุ"), person(2)])
    preview = upload(coordinator_client, content)
    sha = roster_of(preview).sha256

    response = coordinator_client.post(
        reverse("volunteers:volunteer-import-confirm"), {"sha256": sha}
    )

    assert response.status_code == 302
    first = Volunteer.objects.get(first_name="อาสา1")
    assert (first.center, first.prefix, first.birth_date) == (
        center,
        "mrs",
        datetime.date(1967, 8, 15),
    )
    assert first.subdistrict.name_th == "คลองกุ่ม"
    assert first.history.count() == 1
    membership = TeamMembership.objects.get(volunteer=first)
    assert (membership.team, membership.joined_on) == (team, datetime.date(2019, 4, 24))
    assert Volunteer.objects.count() == 2
    log = AccessLog.objects.get(action=AccessLog.Action.IMPORT)
    import hashlib

    assert log.file_sha256 == hashlib.sha256(content).hexdigest() == sha
    assert log.user == coordinator


def test_a_csv_roster_in_utf8_or_thai_windows_encoding_reads_the_same(coordinator_client, center):
    for encoding in ("utf-8-sig", "utf-8", "cp874"):
        roster = roster_of(
            upload(coordinator_client, csv_bytes([person(1)], encoding=encoding), "r.csv")
        )
        assert roster.ok, encoding
        assert roster.rows[0].values["first_name"] == "อาสา1"


def test_excel_numbers_and_dates_are_read_as_people_meant_them(coordinator_client, center):
    row = person(
        1,
        national_id=int(national_id(5001)),
        phone=812345678,  # Excel dropped the leading zero
        birth_date=datetime.datetime(2510, 8, 15),  # a Thai Excel date typed in BE
    )
    roster = roster_of(upload(coordinator_client, xlsx([row])))

    assert roster.ok, roster.rows[0].errors
    values = roster.rows[0].values
    assert values["phone"] == "0812345678"
    assert values["birth_date"] == datetime.date(1967, 8, 15)


def test_a_formula_is_kept_as_its_text_never_evaluated(coordinator_client, center):
    roster = roster_of(upload(coordinator_client, xlsx([person(1, first_name="=1+2")])))
    assert roster.rows[0].values["first_name"] == "=1+2"

    bad_id = roster_of(upload(coordinator_client, xlsx([person(1, national_id="=3101200123453")])))
    assert bad_id.rows[0].errors


def test_all_or_nothing_when_an_id_is_registered_between_the_check_and_the_save(center):
    rows = [person(n) for n in range(600)]  # two batches of the bulk insert
    roster = read_roster(io.BytesIO(xlsx(rows)), center)
    assert roster.ok
    VolunteerFactory(center=center, first_name="ลงทะเบียนก่อน", national_id=national_id(5550))

    with pytest.raises(ImportChanged):
        import_roster(roster, center)

    assert Volunteer.objects.count() == 1
    assert not Volunteer.history.filter(first_name="อาสา1").exists()


def test_the_confirm_checks_again_and_imports_nothing_if_the_centre_changed(
    coordinator_client, center
):
    preview = upload(coordinator_client, xlsx([person(1), person(2)]))
    VolunteerFactory(center=center, national_id=national_id(5002))

    response = coordinator_client.post(
        reverse("volunteers:volunteer-import-confirm"), {"sha256": roster_of(preview).sha256}
    )

    assert response.status_code == 200
    assert "ซึ่งเป็น อพม. ของศูนย์นี้ ใช้เลขประจำตัวประชาชนนี้แล้ว" in response.content.decode()
    assert Volunteer.objects.count() == 1


def test_a_confirm_without_a_preview_imports_nothing(coordinator_client, center):
    response = coordinator_client.post(
        reverse("volunteers:volunteer-import-confirm"), {"sha256": "0" * 64}
    )
    assert response.status_code == 302
    assert not Volunteer.objects.exists()


def test_the_templates_example_row_shows_every_column_right_and_is_not_imported_as_is(
    coordinator_client, center
):
    response = coordinator_client.get(reverse("volunteers:volunteer-import-template"))
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]

    assert rows[0] == HEADINGS
    assert len(rows) == 2
    TeamFactory(center=center, name="ทีมผู้สูงอายุ")
    # Left in a filled template, the made-up person would be imported: refused, and
    # for that alone.
    roster = read_roster(io.BytesIO(content), center)
    assert roster.rows[0].errors == ["นี่คือแถวตัวอย่างของแบบฟอร์ม: ลบแถวนี้ก่อนนำเข้าไฟล์"]
    # With a person's own ID, the row as the example writes it imports.
    roster = read_roster(io.BytesIO(with_national_id(content, national_id(4242))), center)
    assert roster.ok, roster.rows[0].errors


def test_volunteers_and_other_roles_cannot_import(volunteer_client):
    assert volunteer_client.get(reverse(URL)).status_code == 403
    assert volunteer_client.post(reverse("volunteers:volunteer-import-confirm")).status_code == 403
