"""Roster files for the import tests, made the way Excel and people make them."""

import io
import zipfile

from openpyxl import Workbook

from tests.factories import national_id

HEADINGS = [
    "คำนำหน้า", "ชื่อ", "นามสกุล", "เลขประจำตัวประชาชน", "วันเกิด",
    "โทรศัพท์", "ที่อยู่", "แขวง/ตำบล", "วันที่แต่งตั้ง", "ทีม",
]  # fmt: skip


# Keyword names for person(): Python folds some Thai letters of identifiers (NFKC: ำ
# becomes ํา), so the Thai headings cannot be keyword arguments.
KEYS = [
    "prefix", "first_name", "last_name", "national_id", "birth_date",
    "phone", "address", "subdistrict", "appointed_on", "team",
]  # fmt: skip


def person(n: int, **changes) -> list:
    row = {
        "prefix": "นาง",
        "first_name": f"อาสา{n}",
        "last_name": "ใจดี",
        "national_id": national_id(5000 + n),
        "birth_date": "15/08/2510",
        "phone": "0812345678",
        "address": "99 ถ.เสรีไทย",
        "subdistrict": "คลองกุ่ม",
        "appointed_on": "24/04/2562",
        "team": "",
    }
    assert set(changes) <= set(row), set(changes) - set(row)
    row.update(changes)
    return [row[key] for key in KEYS]


def xlsx(rows, headings=HEADINGS, merge: str | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows, headings=HEADINGS, encoding="utf-8-sig") -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headings)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def zip_bomb(inflated: int = 200 * 1024 * 1024) -> bytes:
    """A small .xlsx-looking zip whose sheet inflates to `inflated` bytes of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            block = b"\0" * (1024 * 1024)
            for _ in range(inflated // len(block)):
                part.write(block)
    return out.getvalue()


def with_national_id(template: bytes, number: str) -> bytes:
    """A downloaded template with its example row's national ID replaced by `number`,
    as a coordinator fills it in."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    headings = [cell.value for cell in sheet[1]]
    sheet.cell(row=2, column=headings.index("เลขประจำตัวประชาชน") + 1).value = number
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
