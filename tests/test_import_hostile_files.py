"""Every import (the volunteer roster, cases) refuses a hostile file with a clear message
in Thai and saves nothing: the reading is shared (coordination/tabular.py,
coordination/imports.py), and each import's page is checked against each kind of file."""

import io
import re
import struct
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook
from openpyxl.styles import Border, Side

from cases.models import Case
from coordination import tabular
from coordination.models import AccessLog
from tests.cases import case_files
from tests.volunteers import roster_files
from tests.volunteers.roster_files import xlsx, zip_bomb
from volunteers.models import Volunteer

# (the upload page, what it would create, its headings, a good row)
IMPORTS = {
    "roster": ("volunteers:volunteer-import", Volunteer, roster_files.HEADINGS, roster_files.person),
    "cases": ("cases:case-import", Case, case_files.HEADINGS, case_files.person),
}  # fmt: skip


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(params=sorted(IMPORTS))
def refused(request, coordinator_client, center):
    """Uploads a file to the import's page; returns the page's text once it is checked
    that nothing was read as rows and nothing saved."""
    url_name, model, headings, person = IMPORTS[request.param]

    def upload(content: bytes, name: str = "file.xlsx") -> str:
        response = coordinator_client.post(
            reverse(url_name), {"file": SimpleUploadedFile(name, content)}
        )
        assert response.status_code == 200
        assert response.context.get("table") is None
        assert not model.objects.exists()
        assert not AccessLog.objects.filter(action=AccessLog.Action.IMPORT).exists()
        return response.content.decode()

    upload.headings, upload.person = headings, person
    return upload


def test_a_file_that_is_not_a_spreadsheet_is_refused(refused):
    assert "ไฟล์นี้ไม่ใช่ตารางข้อมูล" in refused(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")


def test_an_old_xls_is_refused_with_what_to_do(refused):
    assert "Excel แบบเก่า (.xls)" in refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)


def test_a_zip_bomb_disguised_as_xlsx_is_refused_before_it_is_opened(refused):
    bomb = zip_bomb()
    assert len(bomb) < 1024 * 1024
    assert "ใหญ่เกินกว่าที่การนำเข้าใดจะรับได้" in refused(bomb)


def test_a_zip_that_is_not_a_workbook_is_refused(refused):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert "ไม่ใช่สมุดงาน Excel" in refused(out.getvalue())


def many_rows(headings: list[str], row: list, count: int) -> bytes:
    """An .xlsx of `count` copies of `row`. openpyxl writes one row and its sheet is then
    made of that row's XML repeated (without the optional `r` numbers), the rest of the
    file as openpyxl wrote it: writing 100,000 rows through openpyxl took 20 s a test."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(headings)
    sheet.append(row)
    small = io.BytesIO()
    workbook.save(small)
    out = io.BytesIO()
    with zipfile.ZipFile(small) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as made:
        for part in source.infolist():
            data = source.read(part)
            if part.filename.startswith("xl/worksheets/sheet"):
                text = re.sub(r' r="[A-Z]*\d+"', "", data.decode())
                rows = re.findall(r"<row\b.*?</row>", text, flags=re.S)
                assert len(rows) == 2, rows
                text = text.replace(rows[1], rows[1] * count)
                data = text.encode()
            made.writestr(part, data)
    return out.getvalue()


def test_a_file_of_100_000_rows_is_refused_clearly(refused):
    page = refused(many_rows(refused.headings, refused.person(1), 100_000))
    # The roster's 100,000 narrow rows are counted in the zip before openpyxl opens it
    # (it parsed the whole sheet, 5 s, only to find it has no stated size). The cases'
    # 17 columns would unpack past 60 MB, refused from the zip's directory before a row
    # is read (and 100,000 different people's rows would pass 5 MB, refused on upload).
    assert (
        "ไฟล์มีมากกว่า 5,000 แถว" in page
        or "ไฟล์นี้เมื่อแตกออกจะใหญ่เกินกว่าที่การนำเข้าใดจะรับได้" in page
        or "ไฟล์ใหญ่เกิน 5 MB" in page
    )


def test_the_rows_of_a_sheet_are_counted_whole_across_the_pieces_it_is_read_in():
    """Rows holding a value (<v>, inline text, a formula) count, once each; a row of
    formats alone, <rowBreaks> and the like do not; a tag cut between two pieces read,
    or seen again at the end of the piece before, counts once."""
    valued = b"<row><c><v>1</v></c></row>"  # 26 bytes: whole in the 32 read again
    cut = b" " * (256 * 1024 - len(valued) - 2) + valued + b"<r"  # the piece ends "<r"
    sheet = (
        cut
        + b'ow r="2"><c t="inlineStr"><is><t>x</t></is></c></row>'
        + b'<row r="3"><c r="A3" s="1"/><c r="B3" s="1"/></row>'  # borders only
        + b'<x:row r="4"><x:c><x:f>A1+1</x:f></x:c></x:row>'
        + b"<rowBreaks/><mergeCells/>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    with zipfile.ZipFile(out) as archive:
        assert tabular.scan_sheet(archive, "xl/worksheets/sheet1.xml") == (3, False)


def test_a_template_of_formatted_rows_and_a_long_second_sheet_do_not_refuse_a_file(
    coordinator_client, center
):
    """Three people, then 11,000 rows with borders and nothing in them (a roster
    template), and a second sheet of 11,000 rows (a list for drop-downs): read. Only the
    first sheet is imported, and only its rows holding something count."""
    workbook = Workbook()
    people = workbook.active
    people.append(roster_files.HEADINGS)
    for n in range(3):
        people.append(roster_files.person(n))
    border = Border(bottom=Side(style="thin"))
    for row in range(5, 11_005):
        people.cell(row=row, column=1).border = border
    places = workbook.create_sheet("ตำบล")
    for n in range(11_000):
        places.append([f"ตำบลที่ {n}"])
    out = io.BytesIO()
    workbook.save(out)

    response = coordinator_client.post(
        reverse("volunteers:volunteer-import"),
        {"file": SimpleUploadedFile("file.xlsx", out.getvalue())},
    )
    roster = response.context["table"]
    assert roster.ok and [row.line for row in roster.rows] == [2, 3, 4]
    assert not Volunteer.objects.exists()


def damaged(content: bytes, how: str) -> bytes:
    """The workbook with its first sheet's compressed bytes garbled, or marked encrypted
    (the flag in the part's local header and in the zip's directory)."""
    data = bytearray(content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        part = archive.getinfo("xl/worksheets/sheet1.xml")
    local = part.header_offset
    if how == "garbled":
        name_length, extra_length = struct.unpack("<HH", data[local + 26 : local + 30])
        start = local + 30 + name_length + extra_length
        data[start : start + 64] = bytes(64)
    else:
        data[local + 6] |= 1
        central = data.index(b"xl/worksheets/sheet1.xml", data.index(b"PK\x01\x02")) - 46
        assert data[central : central + 4] == b"PK\x01\x02"
        data[central + 8] |= 1
    return bytes(data)


@pytest.mark.parametrize("how", ["garbled", "encrypted"])
def test_a_damaged_or_encrypted_sheet_is_refused_clearly(refused, how):
    good = xlsx([refused.person(1)], headings=refused.headings)
    assert "อ่านไฟล์ Excel นี้ไม่ได้" in refused(damaged(good, how))


def test_merged_cells_are_refused(refused):
    rows = [refused.person(1), refused.person(2)]
    assert "เซลล์ที่ผสานกันไว้" in refused(xlsx(rows, headings=refused.headings, merge="A2:A3"))


def test_wrong_headings_say_which_are_missing(refused):
    page = refused(xlsx([["a", "b"]], headings=["x", "y"]))
    assert "หัวคอลัมน์" in page and "ชื่อ" in page


def test_an_empty_file_is_refused(refused):
    refused(b"", "file.csv")


def test_headings_and_no_rows_are_refused(refused):
    assert "ไม่มี" in refused(xlsx([], headings=refused.headings))


def test_one_row_over_the_5000_row_limit_is_refused(refused):
    rows = [refused.person(n) for n in range(5001)]
    assert "ไฟล์มีมากกว่า 5,000 แถว" in refused(xlsx(rows, headings=refused.headings))


def test_a_heading_written_twice_is_refused_by_name(refused):
    """Two columns headed ชื่อ: which one counted was a guess."""
    headings = [*refused.headings, "ชื่อ"]
    said = refused(xlsx([[*refused.person(1), "อีกชื่อ"]], headings=headings))
    assert "มีหัวคอลัมน์ซ้ำกัน: ชื่อ" in said
