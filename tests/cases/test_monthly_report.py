"""The monthly report: its figures equal the same counts taken straight from the
database, the Excel file holds the same numbers, an empty month reads zeros, and a
month typed wrong gets a clear message."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from openpyxl import load_workbook

from cases.models import Case, HomeVisit
from cases.reports import Month, monthly_report
from coordination.models import TargetGroup
from tests.factories import CaseFactory, HomeVisitFactory, UserFactory, VolunteerFactory
from volunteers.models import Volunteer

BANGKOK = ZoneInfo("Asia/Bangkok")
APRIL = (datetime.date(2019, 4, 1), datetime.date(2019, 4, 30))


def at(day: int, hour: int = 10, month: int = 4) -> datetime.datetime:
    return datetime.datetime(2019, month, day, hour, 0, tzinfo=BANGKOK)


def group(code: str) -> TargetGroup:
    return TargetGroup.objects.get(code=code)


@pytest.fixture
def april(center, other_center, team, coordinator):
    """April 2019 at the centre (BE 2562-04), with a month either side and another
    centre's April to be left out."""
    first = CaseFactory(center=center, team=team, opened_on=datetime.date(2019, 4, 24),
                        target_groups=[group("elderly"), group("disability")])  # fmt: skip
    second = CaseFactory(center=center, team=team, opened_on=datetime.date(2019, 4, 24),
                         target_groups=[group("elderly")])  # fmt: skip
    march = CaseFactory(center=center, team=team, opened_on=datetime.date(2019, 3, 5))
    died = CaseFactory(center=center, opened_on=datetime.date(2019, 3, 1))
    died.close(
        Case.ClosureReason.DIED, by=coordinator, on=datetime.date(2019, 4, 12), note="ปิดเรื่องแล้ว"
    )
    resolved = CaseFactory(center=center, opened_on=datetime.date(2019, 4, 2))
    resolved.close(
        Case.ClosureReason.RESOLVED, by=coordinator, on=datetime.date(2019, 4, 29), note="ปิดเรื่องแล้ว"
    )
    later = CaseFactory(center=center, opened_on=datetime.date(2019, 3, 1))
    later.close(
        Case.ClosureReason.MOVED, by=coordinator, on=datetime.date(2019, 5, 2), note="ปิดเรื่องแล้ว"
    )
    CaseFactory(center=other_center, opened_on=datetime.date(2019, 4, 10))

    somsri, malee = VolunteerFactory(center=center), VolunteerFactory(center=center)
    VolunteerFactory(center=center, status="inactive")
    visits = [
        # march: overdue at month end (due 20 April, nothing since)
        (march, at(5), datetime.date(2019, 4, 20), [somsri]),
        (first, at(24), datetime.date(2019, 5, 24), [somsri, malee]),
        (second, at(24, 14), datetime.date(2019, 5, 24), [malee]),
        # late on 30 April in Bangkok is April, though 16:30 UTC
        (second, at(30, 23), datetime.date(2019, 5, 30), [malee]),
        # 00:30 on 1 May in Bangkok is May, though still 30 April in UTC
        (first, datetime.datetime(2019, 5, 1, 0, 30, tzinfo=BANGKOK), None, [somsri]),
    ]
    for case, when, due, present in visits:
        visit = HomeVisitFactory(case=case, visited_at=when, next_visit_due=due)
        visit.volunteers.set(present)
    return {"somsri": somsri, "malee": malee}


def report(user, month: str) -> list:
    """The report's sections with English labels, to be read by label."""
    with translation.override("en"):
        return monthly_report(user, Month.parse(month))


def rows(sections, key: str) -> dict:
    return {row[0]: row[1] for row in next(s for s in sections if s.key == key).rows}


def test_the_report_equals_the_counts_taken_straight_from_the_database(coordinator, center, april):
    sections = report(coordinator, "2562-04")
    cases = Case.objects.filter(center=center)
    opened = cases.filter(opened_on__range=APRIL)
    new = rows(sections, "new_cases")
    for code in ("elderly", "disability", "women"):
        assert new[group(code).name_en] == opened.filter(target_groups__code=code).count()
    assert new["All new cases"] == opened.count() == 3

    closed = rows(sections, "closed_cases")
    for reason in Case.ClosureReason:
        count = cases.filter(closed_on__range=APRIL, closure_reason=reason).count()
        with translation.override("en"):
            assert closed[capfirst(str(reason.label))] == count
    assert closed["All closed cases"] == 2

    visits = HomeVisit.objects.filter(
        center=center, visited_at__gte=at(1, 0), visited_at__lt=at(1, 0, month=5)
    )
    figures = rows(sections, "visits")
    assert figures["Home visits"] == visits.count() == 4
    assert figures["People visited"] == visits.values("case").distinct().count() == 3
    open_then = cases.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=APRIL[1]),
                             opened_on__lte=APRIL[1])  # fmt: skip
    assert figures["Cases open at month end"] == open_then.count() == 4

    assert rows(sections, "overdue")["Follow-ups overdue at month end"] == 1

    people = rows(sections, "volunteers")
    with translation.override("en"):
        assert people[april["somsri"].full_name] == 2
        assert people[april["malee"].full_name] == 3
    assert people["Volunteers who made visits"] == 2
    assert people["Volunteers with active status at month end"] == 2


def test_the_month_in_be_and_in_ce_is_the_same_report(coordinator, april):
    be = report(coordinator, "2562-04")
    ce = report(coordinator, "2019-04")
    thai_digits = report(coordinator, "๒๕๖๒-๐๔")
    assert [s.rows for s in be] == [s.rows for s in ce] == [s.rows for s in thai_digits]


def test_the_page_and_its_excel_file_hold_the_same_numbers(coordinator_client, coordinator, april):
    url = reverse("coordination:report-monthly")
    page = coordinator_client.get(url, {"month": "2562-04"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "1 เม.ย. 2562" in text and "30 เม.ย. 2562" in text

    xlsx = coordinator_client.get(url, {"month": "2562-04", "format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(xlsx.content))
    sections = page.context["sections"]
    assert len(book.sheetnames) == len(sections)
    for sheet, section in zip(book.worksheets, sections, strict=True):
        values = [list(r) for r in sheet.iter_rows(min_row=5, values_only=True)]
        note = [[section.note, None]] if section.note else []
        assert values == [[str(row[0]), *row[1:]] for row in section.rows] + note
        assert [c.value for c in sheet[4]] == section.headers
        # Whose and which days, as the page says: a sheet is forwarded alone.
        assert sheet["A2"].value == f"{coordinator.center.name} ตั้งแต่ 1 เม.ย. 2562 ถึง 30 เม.ย. 2562"
    # Thai headings, as the page shows them.
    assert book.worksheets[0]["A3"].value == "กรณีใหม่จำแนกตามกลุ่มเป้าหมาย"


def test_the_month_under_way_and_the_groups_counted_twice_are_said_on_the_page_and_in_the_file(
    coordinator_client, monkeypatch
):
    """The page said the month was under way and the file did not; a case in two target
    groups was counted in both, and the groups added up to more than the total."""
    # The 15th: on a month's last day it is no longer under way (found by review).
    today = timezone.localdate().replace(day=15)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today)
    url = reverse("coordination:report-monthly")
    page = " ".join(coordinator_client.get(url).content.decode().split())
    book = load_workbook(io.BytesIO(coordinator_client.get(url, {"format": "xlsx"}).content))
    under_way = "เดือนนี้ยังไม่สิ้นสุด: ตัวเลข “ณ สิ้นเดือน” เป็นข้อมูล ณ วันนี้"
    twice = "กรณีที่อยู่ในหลายกลุ่มเป้าหมายนับในทุกกลุ่มที่อยู่ ส่วนยอดรวมนับกรณีละครั้ง"
    assert under_way in page and twice in page
    assert all(under_way in sheet["A2"].value for sheet in book.worksheets)
    new_cases = book.worksheets[0]
    assert new_cases.cell(new_cases.max_row, 1).value == twice
    april_page = coordinator_client.get(url, {"month": "2562-04"}).content.decode()
    assert "ยังไม่สิ้นสุด" not in april_page


def test_a_month_with_no_activity_reads_zeros(coordinator_client, april):
    page = coordinator_client.get(reverse("coordination:report-monthly"), {"month": "2561-01"})
    assert page.status_code == 200
    sections = page.context["sections"]
    # The two volunteers, on the roll before the app (no appointment date), were active.
    then = rows(sections, "volunteers").pop("อพม. ที่มีสถานะปฏิบัติงาน ณ สิ้นเดือน")
    numbers = [row[1] for section in sections for row in section.rows]
    assert then == 2
    assert numbers.count(2) == 1 and set(numbers) == {0, 2}


def test_the_active_volunteers_are_counted_as_they_were_at_the_months_end(
    coordinator, center, april
):
    """Not as they are today: Somsri, on the roll since January, left on 10 May 2019;
    a newcomer was appointed on 1 June 2019 (entered into the app today)."""
    somsri = april["somsri"]
    somsri.set_status(Volunteer.Status.LEFT)
    somsri.history.filter(status="left").update(history_date=at(10, month=5))
    somsri.history.exclude(status="left").update(history_date=at(1, month=1))
    VolunteerFactory(center=center, appointed_on=datetime.date(2019, 6, 1))
    label = "Volunteers with active status at month end"
    counted = {
        month: rows(report(coordinator, month), "volunteers")[label]
        for month in ("2019-04", "2019-05", "2019-06")
    }
    assert counted == {"2019-04": 2, "2019-05": 1, "2019-06": 2}
    # The month under way: as they are now.
    now = rows(report(coordinator, Month.current().value), "volunteers")[label]
    assert now == Volunteer.objects.filter(center=center).active().count() == 2


@pytest.mark.parametrize("typed", ["2562-13", "April", "62-04", "2562-00", "1899-12", "'; --"])
def test_a_month_typed_wrong_gets_a_clear_message_and_no_report(coordinator_client, typed):
    page = coordinator_client.get(reverse("coordination:report-monthly"), {"month": typed})
    assert page.status_code == 400
    assert "ไม่ใช่เดือน" in page.content.decode()
    assert page.context["sections"] == []


@pytest.mark.parametrize("months_ahead", [1, 7, 12 * 7000])
def test_a_month_not_begun_yet_is_refused_and_not_reported_as_today(
    coordinator_client, months_ahead
):
    """Its "at month end" figures would be today's, printed as a future month's."""
    first = Month.current().first
    index = first.year * 12 + first.month - 1 + months_ahead
    typed = f"{index // 12 + 543}-{index % 12 + 1:02d}"  # as a Thai page writes it
    url = reverse("coordination:report-monthly")
    for query in ({"month": typed}, {"month": typed, "format": "xlsx"}):
        page = coordinator_client.get(url, query)
        assert page.status_code == 400 and page["Content-Type"].startswith("text/html")
        assert "ยังไม่เริ่ม" in page.content.decode() and page.context["sections"] == []
    # This month is reported.
    assert coordinator_client.get(url, {"month": Month.current().value}).status_code == 200


def test_without_a_month_the_report_is_of_the_month_under_way(coordinator_client):
    page = coordinator_client.get(reverse("coordination:report-monthly"))
    assert page.context["month"] == Month.current()
    # Its "at month end" figures are today's, and it says so (a past month's do not).
    if Month.current().as_of < Month.current().last:
        assert "ตัวเลข “ณ สิ้นเดือน” เป็นข้อมูล ณ วันนี้" in page.content.decode()
    past = coordinator_client.get(reverse("coordination:report-monthly"), {"month": "2562-04"})
    assert "ณ วันนี้" not in past.content.decode()


def test_the_month_under_ways_overdue_figure_is_the_worklists(
    coordinator, coordinator_client, center, team
):
    """Today's figure reads the cases' own next visit dates, a past month's the visits
    made by its end: both are the latest visit's date, and today's is the worklist's."""
    now, today = timezone.now(), timezone.localdate()
    # A third case is never visited: not overdue.
    late, caught_up, _never = (CaseFactory(center=center, team=team) for _ in range(3))
    for case in (late, caught_up):
        HomeVisitFactory(case=case, visited_at=now - datetime.timedelta(days=40),
                         next_visit_due=today - datetime.timedelta(days=10))  # fmt: skip
    HomeVisitFactory(case=caught_up, visited_at=now - datetime.timedelta(hours=2),
                     next_visit_due=today + datetime.timedelta(days=20))  # fmt: skip
    CaseFactory(center=center, team=team, status=Case.Status.CLOSED, closure_reason="resolved",
                closed_on=today - datetime.timedelta(days=1))  # fmt: skip
    worklist = coordinator_client.get(reverse("cases:followup-list"), {"show": "overdue"})
    overdue_tab = next(count for key, _label, count in worklist.context["tabs"] if key == "overdue")
    this_month = rows(report(coordinator, Month.current().value), "overdue")
    assert this_month["Follow-ups overdue at month end"] == overdue_tab == 1


def test_the_month_box_shows_the_month_in_the_pages_era(coordinator_client):
    """The dashboard links ?month=2026-11; the box says 2569-11 on a Thai page (its
    placeholder is 2562-04), 2026-11 on an English one."""
    url = reverse("coordination:report-monthly")
    html = coordinator_client.get(url, {"month": "2026-11"}).content.decode()
    assert 'value="2569-11"' in html
    coordinator_client.cookies["django_language"] = "en"
    html = coordinator_client.get(url, {"month": "2569-11"}).content.decode()
    assert 'value="2026-11"' in html and 'placeholder="2019-04"' in html


def test_another_centres_coordinator_counts_only_their_own(other_coordinator, april):
    sections = report(other_coordinator, "2019-04")
    assert rows(sections, "new_cases")["All new cases"] == 1
    assert rows(sections, "visits")["Home visits"] == 0


def test_a_national_administrators_report_counts_every_centre_without_a_row_per_volunteer(
    april,
):
    administrator = UserFactory(is_staff=True, is_superuser=True)
    sections = report(administrator, "2019-04")
    assert rows(sections, "new_cases")["All new cases"] == 4
    assert rows(sections, "volunteers") == {
        "Volunteers who made visits": 2,
        "Volunteers with active status at month end": 2,
    }


def test_referrals_and_assistance_of_the_month_equal_their_rows(coordinator, center, other_center):
    from decimal import Decimal

    from cases.models import Assistance
    from tests.factories import ReferralFactory

    case = CaseFactory(center=center, opened_on=datetime.date(2019, 3, 1))
    march = ReferralFactory(case=case, sent_on=datetime.date(2019, 3, 28))
    march.change_status("acknowledged", by=coordinator, on=datetime.date(2019, 4, 2))
    march.change_status("done", by=coordinator, on=datetime.date(2019, 4, 20), outcome="ได้ทนาย")
    ReferralFactory(case=case, sent_on=datetime.date(2019, 4, 10))
    ReferralFactory(case=CaseFactory(center=other_center), sent_on=datetime.date(2019, 4, 11))
    for kind, amount, day in (
        ("goods", 500, datetime.date(2019, 4, 5)),
        ("home_modification", 20000, datetime.date(2019, 4, 15)),
        ("goods", 300, datetime.date(2019, 5, 1)),  # May
    ):
        Assistance(case=case, kind=kind, amount=Decimal(amount), given_on=day).record(
            by=coordinator
        )

    sections = report(coordinator, "2562-04")
    sent = rows(sections, "referrals")
    assert sent["Sent to agencies"] == 1  # March's counts in March; the other centre's not
    assert (sent["Acknowledged"], sent["Done"], sent["Declined"]) == (1, 1, 0)
    given = {row[0]: row[1:] for row in next(s for s in sections if s.key == "assistance").rows}
    assert given["Goods"] == [1, Decimal(500)]
    assert given["Home modification"] == [1, Decimal(20000)]
    assert given["All assistance"] == [2, Decimal(20500)]


def test_the_page_writes_figures_and_names_the_month_as_the_app_does(
    coordinator_client, coordinator, april
):
    """The report showed "2000.00" and "11/2569"; its file was named in the Common Era."""
    from decimal import Decimal

    from cases.models import Assistance

    case = Case.objects.filter(center=coordinator.center).first()
    for amount in (Decimal("2000"), Decimal("1250.50")):
        Assistance(
            case=case, kind="goods", amount=amount, given_on=datetime.date(2019, 4, 10)
        ).record(by=coordinator)
    url = reverse("coordination:report-monthly")
    text = coordinator_client.get(url, {"month": "2562-04"}).content.decode()
    assert "<h1>รายงานประจำเดือน เมษายน 2562</h1>" in text
    assert '<td class="text-end">3,250.50</td>' in text
    assert "3250.50" not in text and "2000.00" not in text

    xlsx = coordinator_client.get(url, {"month": "2562-04", "format": "xlsx"})
    assert xlsx["Content-Disposition"] == 'attachment; filename="report-2562-04.xlsx"'
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.worksheets[0]["A1"].value == "รายงานประจำเดือน เมษายน 2562"
