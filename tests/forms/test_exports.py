"""The export form on a list page, as a person submits it: full national IDs only with a
reason, which goes to the access log."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Assistance
from coordination.models import AccessLog
from tests.cases.test_assistance import give
from tests.factories import CaseFactory, ReferralFactory, VolunteerFactory, national_id


def export_form(page):
    return next(f for f in page.forms.values() if "export-full_ids" in f.fields)


def test_full_ids_need_a_reason_and_nothing_is_exported_without_one(app, coordinator, center):
    VolunteerFactory(center=center, national_id=national_id(9))
    page = app.get(reverse("volunteers:volunteer-list"), user=coordinator)
    form = export_form(page)
    form["export-format"] = "csv"
    form["export-full_ids"] = True

    response = form.submit()

    assert response.status_code == 200
    assert response.content_type == "text/html"
    assert "ระบุเหตุผลที่ต้องใช้เลขประจำตัวประชาชนเต็ม" in response.text
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT_LIST).exists()


def test_full_ids_with_a_reason_are_exported_whole_and_the_reason_is_logged(
    app, coordinator, center
):
    VolunteerFactory(center=center, national_id=national_id(9))
    page = app.get(reverse("volunteers:volunteer-list") + "?status=active", user=coordinator)
    form = export_form(page)
    form["export-format"] = "csv"
    form["export-full_ids"] = True
    form["export-reason"] = "ส่งรายชื่อให้สำนักงานเขตทำประกันอุบัติเหตุ"

    response = form.submit()

    assert response.content_type == "text/csv"
    # Named with today's date in the Buddhist Era, as the dates inside it are written.
    today = timezone.localdate()
    stamp = f"{today.year + 543}{today:%m%d}-"
    assert f'filename="volunteers-{stamp}' in response.headers["Content-Disposition"]
    body = response.body
    rows = list(csv.reader(io.StringIO(body[3:].decode())))
    full = national_id(9)
    assert rows[1][3] == f"{full[0]}-{full[1:5]}-{full[5:10]}-{full[10:12]}-{full[12]}"
    log = AccessLog.objects.get(action=AccessLog.Action.EXPORT_LIST)
    assert log.user == coordinator
    assert log.reason == "ส่งรายชื่อให้สำนักงานเขตทำประกันอุบัติเหตุ"
    assert "status=active" in log.path


@pytest.mark.parametrize(
    "list_url",
    ["cases:case-list", "cases:followup-list?show=never", "cases:missed-allowance-list",
     "volunteers:volunteer-list", "cases:assistance-list", "cases:referral-list"],
)  # fmt: skip
def test_every_list_with_an_export_form_exports_when_it_is_submitted(
    app, coordinator, center, team, list_url
):
    """The form posts to the list's own address, which must take it (the missed-
    allowance list answered 405, a blank page)."""
    # 65 and no allowance: on every list (open, never visited, flagged).
    case = CaseFactory(center=center, team=team, birth_date=datetime.date(1961, 1, 1))
    VolunteerFactory(center=center)
    give(case, Assistance.Kind.EMERGENCY_GRANT, "1500", datetime.date(2026, 2, 2), coordinator)
    ReferralFactory(case=case, by=coordinator)
    name, _, query = list_url.partition("?")
    page = app.get(reverse(name) + (f"?{query}" if query else ""), user=coordinator)
    form = export_form(page)
    form["export-format"] = "csv"
    response = form.submit()
    assert response.status_code == 200
    assert response.content_type == "text/csv"
    assert len(list(csv.reader(io.StringIO(response.body[3:].decode())))) == 2  # heading, row


def test_the_help_and_referral_lists_export_their_rows_in_the_buddhist_era(
    app, coordinator, center, team
):
    """The lists behind the dashboard's figures had no export; a fiscal year's help is
    what the centre reports upward."""
    case = CaseFactory(center=center, team=team, national_id=national_id(5))
    give(case, Assistance.Kind.EMERGENCY_GRANT, "1500.50", datetime.date(2026, 2, 2), coordinator)
    referral = ReferralFactory(case=case, by=coordinator)

    def exported(name: str, query: str = "") -> list[list[str]]:
        form = export_form(app.get(reverse(name) + query, user=coordinator))
        form["export-format"] = "csv"
        return list(csv.reader(io.StringIO(form.submit().body[3:].decode())))

    heading, row = exported("cases:assistance-list", "?fiscal_year=2569")
    given = dict(zip(heading, row, strict=True))
    assert given["เลขที่กรณี"] == case.number and "xxxxx" in given["เลขประจำตัวประชาชน"]
    assert (given["ประเภทการช่วยเหลือ"], given["วันที่ให้"]) == ("เงินสงเคราะห์กรณีฉุกเฉิน", "02/02/2569")
    assert given["ปีงบประมาณ (พ.ศ.)"] == "2569" and given["จำนวนเงิน (บาท)"].startswith("1500.5")
    assert exported("cases:assistance-list", "?fiscal_year=2568") == [heading]  # the filter holds

    heading, row = exported("cases:referral-list")
    sent = dict(zip(heading, row, strict=True))
    assert sent["เลขที่หนังสือ"] == referral.letter_number and sent["เลขที่กรณี"] == case.number
    assert sent["วันที่ส่ง"] == "03/11/2568" and sent["สถานะ"] == "ส่งแล้ว"
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT_LIST).count() == 3
