"""The list exports: every row the filters choose, as CSV (UTF-8 with BOM) or Excel,
formulas neutralised, national IDs masked unless asked for with a reason (logged)."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cases.models import Assistance
from coordination.models import AccessLog
from coordination.tabular import neutralise
from tests.factories import (
    CaseFactory,
    IncomeSourceFactory,
    ReferralFactory,
    TeamFactory,
    VolunteerFactory,
    national_id,
)


def content_of(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def csv_rows(response) -> list[list[str]]:
    body = content_of(response)
    assert body.startswith(b"\xef\xbb\xbf"), "a BOM, so that Excel reads UTF-8 Thai"
    return list(csv.reader(io.StringIO(body[3:].decode("utf-8"))))


def xlsx_rows(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(content_of(response))).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+66812345678", "'+66812345678"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("สมศรี", "สมศรี"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_a_cell_a_spreadsheet_would_run_is_made_plain_text(text, expected):
    assert neutralise(text) == expected


def test_the_case_list_exports_every_filtered_row_as_csv_with_a_bom(
    coordinator_client, center, team, other_center
):
    for n in range(30):  # more than one page (25)
        CaseFactory(center=center, team=team, first_name=f"คน{n}")
    other_team = TeamFactory(center=center, name="ทีมอื่น")
    CaseFactory(center=center, team=other_team, first_name="ไม่อยู่ในตัวกรอง")
    CaseFactory(center=other_center, first_name="ศูนย์อื่น")

    response = coordinator_client.get(
        reverse("cases:case-list"), {"team": team.pk, "format": "csv"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    rows = csv_rows(response)
    assert rows[0][:3] == ["เลขที่กรณี", "ชื่อ", "เลขประจำตัวประชาชน"]
    names = {row[1] for row in rows[1:]}
    assert len(rows) == 31
    assert {f"นางคน{n} ทดสอบ" for n in range(30)} == names


def test_the_case_export_masks_ids_and_writes_be_dates(coordinator_client, center, team):
    CaseFactory(
        center=center,
        team=team,
        first_name="บุญเรือน",
        national_id=national_id(7),
        opened_on=datetime.date(2019, 4, 24),
    )
    full = national_id(7)

    for fmt, read in (("csv", csv_rows), ("xlsx", xlsx_rows)):
        rows = read(coordinator_client.get(reverse("cases:case-list"), {"format": fmt}))
        cell = dict(zip(rows[0], rows[1], strict=True))
        assert cell["ชื่อ"] == "นางบุญเรือน ทดสอบ"
        assert cell["เลขประจำตัวประชาชน"] == f"{full[0]}-{full[1:5]}-xxxxx-xx-{full[12]}"
        assert cell["รับเรื่อง"] == "24/04/2562"


def test_an_english_export_writes_its_dates_in_the_common_era_as_its_pages_do(
    coordinator_client, center, team
):
    """English pages, and the file's name, write 2019; the dates inside wrote 2562."""
    CaseFactory(center=center, team=team, opened_on=datetime.date(2019, 4, 24))
    coordinator_client.cookies["django_language"] = "en"
    for fmt, read in (("csv", csv_rows), ("xlsx", xlsx_rows)):
        response = coordinator_client.get(reverse("cases:case-list"), {"format": fmt})
        assert 'filename="cases-20' in response["Content-Disposition"]
        rows = read(response)
        assert dict(zip(rows[0], rows[1], strict=True))["Opened"] == "24/04/2019"


def test_a_name_that_is_a_formula_is_neutralised_in_both_formats(coordinator_client, center):
    VolunteerFactory(center=center, first_name="=1+2", last_name="-3")

    for fmt, read in (("csv", csv_rows), ("xlsx", xlsx_rows)):
        rows = read(coordinator_client.get(reverse("volunteers:volunteer-list"), {"format": fmt}))
        cell = dict(zip(rows[0], rows[1], strict=True))
        assert cell["ชื่อ"] == "'=1+2"
        assert cell["นามสกุล"] == "'-3"


def test_the_excel_file_opens_with_openpyxl_with_thai_headings_and_text_cells(
    coordinator_client, center
):
    VolunteerFactory(
        center=center, first_name="สมศรี", birth_date=datetime.date(1970, 1, 31), phone="0812345678"
    )
    response = coordinator_client.get(reverse("volunteers:volunteer-list"), {"format": "xlsx"})

    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Cache-Control"] == "no-store"
    workbook = load_workbook(io.BytesIO(content_of(response)))
    sheet = workbook.worksheets[0]
    assert sheet.title == "อพม."
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, sheet[2], strict=True))
    assert row["ชื่อ"].value == "สมศรี"
    assert row["วันเกิด"].value == "31/01/2513"
    # The phone stays text: a number would lose its leading zero.
    assert row["โทรศัพท์"].value == "0812345678"
    assert row["โทรศัพท์"].data_type == "s"


def test_a_masked_export_is_logged_without_a_reason(coordinator_client, coordinator, center):
    VolunteerFactory(center=center)
    coordinator_client.get(reverse("volunteers:volunteer-list"), {"format": "xlsx"})

    log = AccessLog.objects.get(action=AccessLog.Action.EXPORT_LIST)
    assert (log.user, log.reason) == (coordinator, "")


def test_a_link_cannot_ask_for_full_ids(coordinator_client, center):
    VolunteerFactory(center=center, national_id=national_id(9))
    response = coordinator_client.get(
        reverse("volunteers:volunteer-list"),
        {"format": "csv", "export-full_ids": "on", "export-reason": "x"},
    )
    assert national_id(9)[5:10] not in content_of(response).decode()


def test_the_followup_export_keeps_the_tab_and_the_team_filter(coordinator_client, center, team):
    today = datetime.date.today()
    overdue = CaseFactory(center=center, team=team, first_name="เกินกำหนด")
    overdue.next_visit_due = today - datetime.timedelta(days=5)
    overdue.save()
    elsewhere = CaseFactory(center=center, team=TeamFactory(center=center), first_name="ทีมอื่น")
    elsewhere.next_visit_due = today - datetime.timedelta(days=5)
    elsewhere.save()
    rows = csv_rows(
        coordinator_client.get(
            reverse("cases:followup-list"), {"show": "overdue", "team": team.pk, "format": "csv"}
        )
    )
    assert [row[1] for row in rows[1:]] == ["นางเกินกำหนด ทดสอบ"]
    assert rows[1][-1] == "5"


def test_another_centres_coordinator_exports_none_of_ours(
    client, other_coordinator, coordinator, center, team
):
    case = CaseFactory(center=center, team=team)
    VolunteerFactory(center=center)
    Assistance(case=case, kind="goods", amount=500, given_on=datetime.date(2026, 1, 5)).record(
        by=coordinator
    )
    ReferralFactory(case=case, by=coordinator)
    client.force_login(other_coordinator)
    for name in LISTS_WITH_EXPORTS:
        assert len(csv_rows(client.get(reverse(name), {"format": "csv", "status": "all"}))) == 1


LISTS_WITH_EXPORTS = (
    "cases:case-list",
    "volunteers:volunteer-list",
    "cases:followup-list",
    "cases:assistance-list",
    "cases:referral-list",
)


def test_a_volunteer_cannot_export(volunteer_client):
    for name in LISTS_WITH_EXPORTS:
        assert volunteer_client.get(reverse(name), {"format": "csv"}).status_code == 403
        assert volunteer_client.post(reverse(name), {"export-format": "csv"}).status_code == 403


def test_a_sheet_name_excel_would_refuse_is_made_acceptable():
    from coordination.tabular import write_xlsx

    out = io.BytesIO()
    write_xlsx(out, [("ก/ข[1]:*?" + "ค" * 40, ["หัว"], [["=1"]])])

    sheet = load_workbook(io.BytesIO(out.getvalue())).worksheets[0]
    assert sheet.title == ("ก ข 1    " + "ค" * 40)[:31]
    assert sheet["A2"].value == "=1"  # a text cell, not a formula
    assert sheet["A2"].data_type == "s"


def test_the_missed_allowance_list_exports_every_flag_with_the_money_missed(
    coordinator_client, center, team
):
    # In 2026 (the test's today may be later: the amounts only grow older with it).
    missed = CaseFactory(
        center=center, team=team, first_name="ยายเบี้ยขาด", birth_date=datetime.date(1951, 1, 1),
        national_id=national_id(4242),
    )  # fmt: skip
    IncomeSourceFactory(case=missed, kind="elderly_allowance", amount=600)
    CaseFactory(center=center, team=team, birth_date=datetime.date(1990, 1, 1))  # not flagged
    rows = csv_rows(
        coordinator_client.get(reverse("cases:missed-allowance-list"), {"format": "csv"})
    )
    assert len(rows) == 2
    assert rows[1][0] == missed.number and rows[1][1] == "นางยายเบี้ยขาด ทดสอบ"
    assert "x" in rows[1][2] and missed.national_id not in rows[1][2]  # masked
    assert float(rows[1][-1]) > 0
