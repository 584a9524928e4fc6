"""The visit form as a volunteer submits it (django-webtest): the ADL items, the income
rows, the next visit left blank; and the worklist that counts the days overdue."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cases.models import HomeVisit, IncomeSource
from coordination.models import Center
from tests.factories import CaseFactory, HomeVisitFactory, IncomeSourceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit_page(django_app, volunteer_on_team, case):
    def open_form():
        return django_app.get(
            reverse("cases:visit-create", args=[case.pk]), user=volunteer_on_team.user
        )

    return open_form


def visit_form_of(page):
    """The visit form among the page's forms (the menu has the language switch)."""
    return next(f for f in page.forms.values() if "findings" in f.fields)


def fill_basics(form) -> None:
    form["findings"] = "นอนติดเตียง บุตรชายดูแล"


def test_a_volunteer_answers_the_ten_adl_items_and_the_total_and_group_are_saved(visit_page, case):
    form = visit_form_of(visit_page())
    fill_basics(form)
    # As ticked on the ministry's form for a bed-bound person: 0+0+1+0+0+0+0+0+1+1 = 3.
    answers = {
        "adl_feeding": "0",
        "adl_grooming": "0",
        "adl_transfer": "1",
        "adl_toilet": "0",
        "adl_mobility": "0",
        "adl_dressing": "0",
        "adl_stairs": "0",
        "adl_bathing": "0",
        "adl_bowels": "1",
        "adl_bladder": "1",
    }
    for name, value in answers.items():
        form[name] = value
    response = form.submit().follow()
    visit = HomeVisit.objects.get(case=case)
    assert visit.adl_score == 3
    assert visit.adl_transfer == 1 and visit.adl_bladder == 1 and visit.adl_feeding == 0
    assert "3 · ติดเตียง" in response.text
    assert "ไม่สามารถตักอาหารเข้าปากได้ ต้องมีคนป้อนให้" in response.text


def test_a_typed_total_that_disagrees_with_the_items_is_replaced_and_the_volunteer_told(
    visit_page, case
):
    form = visit_form_of(visit_page())
    fill_basics(form)
    for name in ("adl_feeding", "adl_toilet", "adl_dressing", "adl_stairs", "adl_bowels"):
        form[name] = "2"  # 10
    for name in ("adl_grooming", "adl_bathing"):
        form[name] = "1"  # 2
    for name in ("adl_transfer", "adl_mobility"):
        form[name] = "3"  # 6
    form["adl_bladder"] = "0"
    form["adl_score"] = "20"
    response = form.submit().follow()
    assert HomeVisit.objects.get(case=case).adl_score == 18
    assert "คะแนนรวม ADL ที่กรอก (20) ไม่ตรงกับผลรวมรายข้อ จึงบันทึกผลรวมรายข้อ (18) แทน" in (response.text)


def test_a_volunteer_with_only_the_total_types_it(visit_page, case):
    form = visit_form_of(visit_page())
    fill_basics(form)
    form["adl_score"] = "8"
    form.submit().follow()
    visit = HomeVisit.objects.get(case=case)
    assert visit.adl_score == 8 and visit.adl_feeding is None
    assert visit.adl_group == "ติดบ้าน"


def test_a_volunteer_who_does_not_assess_adl_records_none(visit_page, case):
    page = visit_page()
    assert "<details" in page.text and '<details class="adl border rounded p-2 mb-3" open' not in (
        page.text
    )
    form = visit_form_of(page)
    fill_basics(form)
    form.submit().follow()
    visit = HomeVisit.objects.get(case=case)
    assert visit.adl_score is None and visit.adl_item_values() == [None] * 10


def test_some_items_only_is_an_error_shown_on_the_page_and_nothing_is_saved(visit_page, case):
    form = visit_form_of(visit_page())
    fill_basics(form)
    form["adl_feeding"] = "2"
    form["adl_bathing"] = "1"
    page = form.submit()
    assert page.status_code == 200
    assert "ยังไม่ได้บันทึก" in page.text or "ไม่ได้บันทึก" in page.text
    assert "ตอบแบบประเมิน ADL ให้ครบทั้ง 10 ข้อ" in page.text
    assert page.text.count("ยังไม่ได้เลือกคำตอบข้อนี้") == 8
    # The answers given stay chosen and the items stay open.
    assert visit_form_of(page)["adl_feeding"].value == "2"
    assert 'class="adl border rounded p-2 mb-3" open' in page.text
    assert not HomeVisit.objects.exists()


def test_the_empty_extra_income_row_shows_no_required_marks_and_is_ignored(visit_page, case):
    IncomeSourceFactory(case=case, kind="elderly_allowance", amount=Decimal("700"))
    page = visit_page()
    form = visit_form_of(page)
    # Row 0 is the recorded allowance, row 1 the empty extra one.
    rows = re.split(r'<fieldset class="border rounded p-2 mb-2">', page.text)[1:]
    recorded, extra = rows[0], rows[1].split("<template")[0]
    assert "asteriskField" in recorded
    assert "asteriskField" not in extra
    assert "incomes-1-DELETE" not in page.text  # nothing to delete in a new row
    fill_basics(form)
    form.submit().follow()
    assert list(case.incomes.values_list("kind", "amount")) == [
        ("elderly_allowance", Decimal("700.00"))
    ]
    assert HomeVisit.objects.get(case=case).monthly_income == Decimal("700.00")


def test_an_extra_income_row_with_an_amount_but_no_source_is_an_error(visit_page, case):
    form = visit_form_of(visit_page())
    fill_basics(form)
    form["incomes-0-amount"] = "800"
    page = form.submit()
    assert page.status_code == 200
    # Django's own Thai for "This field is required", under the income source only.
    assert page.text.count("กรุณากรอกข้อมูลช่องนี้") == 1
    kind = page.text.split('id="id_incomes-0-kind"', 1)[1].split("</select>", 1)[1][:300]
    assert "กรุณากรอกข้อมูลช่องนี้" in kind
    assert not HomeVisit.objects.exists()
    assert not IncomeSource.objects.exists()


def test_an_extra_income_row_filled_in_is_added(visit_page, case):
    form = visit_form_of(visit_page())
    fill_basics(form)
    form["incomes-0-kind"] = "disability_allowance"
    form["incomes-0-amount"] = "800"
    form.submit().follow()
    assert list(case.incomes.values_list("kind", "amount")) == [
        ("disability_allowance", Decimal("800.00"))
    ]


def test_no_heading_of_the_form_is_repeated_as_a_label(visit_page):
    page = visit_page()
    form = page.text.split('class="visit-form"', 1)[1].split("</form>", 1)[0]

    def texts(tag: str) -> set[str]:
        found = re.findall(rf"<{tag}[^>]*>(.*?)</{tag}>", form, flags=re.S)
        return {re.sub(r"<[^>]+>|\*", "", text).strip() for text in found}

    headings, labels = texts("legend"), texts("label")
    assert "รายได้และเบี้ยยังชีพ" in headings and "สิ่งที่พบ" in labels  # the test reads them
    assert headings & labels == set()


@pytest.mark.parametrize("interval", [30, 14])
def test_a_visit_saved_without_a_next_date_gets_the_centres_interval(
    django_app, volunteer_on_team, case, interval
):
    Center.objects.filter(pk=case.center_id).update(followup_interval_days=interval)
    page = django_app.get(
        reverse("cases:visit-create", args=[case.pk]), user=volunteer_on_team.user
    )
    form = visit_form_of(page)
    today = timezone.localdate()
    # The form offers the centre's interval and says what a blank date means.
    expected = today + datetime.timedelta(days=interval)
    assert (
        form["next_visit_due"].value
        == f"{expected.day:02d}/{expected.month:02d}/{expected.year + 543}"
    )
    assert f"อีก {interval} วันหลังการเยี่ยมครั้งนี้" in page.text
    fill_basics(form)
    form["next_visit_due"] = ""
    form.submit().follow()
    visit = HomeVisit.objects.get(case=case)
    visited_on = timezone.localtime(visit.visited_at).date()
    assert visit.next_visit_due == visited_on + datetime.timedelta(days=interval)
    case.refresh_from_db()
    assert case.next_visit_due == visit.next_visit_due


def test_any_visit_saved_without_a_next_date_gets_its_centres_interval(center, team):
    center.followup_interval_days = 14
    center.save()
    case = CaseFactory(center=center, team=team)
    visit = HomeVisitFactory(
        case=case, visited_at=datetime.datetime(2025, 11, 2, 10, 0, tzinfo=datetime.UTC)
    )
    assert visit.next_visit_due == datetime.date(2025, 11, 16)
    chosen = HomeVisitFactory(
        case=case,
        visited_at=datetime.datetime(2025, 11, 20, 10, 0, tzinfo=datetime.UTC),
        next_visit_due=datetime.date(2026, 1, 5),
    )
    assert chosen.next_visit_due == datetime.date(2026, 1, 5)


def test_a_centres_interval_must_be_a_positive_number_of_days(center):
    for bad in (0, 367):
        with pytest.raises(IntegrityError), transaction.atomic():
            Center.objects.filter(pk=center.pk).update(followup_interval_days=bad)
    center.refresh_from_db()
    assert center.followup_interval_days == 30


def test_an_administrator_sets_a_centres_interval_in_the_admin(django_app, center):
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    page = django_app.get(reverse("admin:coordination_center_change", args=[center.pk]), user=admin)
    form = page.forms["center_form"]
    assert form["followup_interval_days"].value == "30"
    form["followup_interval_days"] = "14"
    form.submit().follow()
    center.refresh_from_db()
    assert center.followup_interval_days == 14
    form = django_app.get(
        reverse("admin:coordination_center_change", args=[center.pk]), user=admin
    ).forms["center_form"]
    form["followup_interval_days"] = "0"
    page = form.submit()
    assert page.status_code == 200
    center.refresh_from_db()
    assert center.followup_interval_days == 14


def test_the_worklist_shows_how_many_days_each_case_is_overdue(coordinator_client, center, team):
    today = timezone.localdate()
    ten_days = CaseFactory(center=center, team=team)
    HomeVisitFactory(
        case=ten_days,
        visited_at=timezone.now() - datetime.timedelta(days=40),
        next_visit_due=today - datetime.timedelta(days=10),
    )
    one_day = CaseFactory(center=center, team=team)
    HomeVisitFactory(
        case=one_day,
        visited_at=timezone.now() - datetime.timedelta(days=20),
        next_visit_due=today - datetime.timedelta(days=1),
    )
    due_today = CaseFactory(center=center, team=team)
    HomeVisitFactory(
        case=due_today,
        visited_at=timezone.now() - datetime.timedelta(days=20),
        next_visit_due=today,
    )
    for case in (ten_days, one_day, due_today):
        case.refresh_from_db()
    assert [c.days_overdue(today) for c in (ten_days, one_day, due_today)] == [10, 1, 0]
    html = coordinator_client.get(reverse("cases:followup-list")).content.decode()
    rows = {
        case.number: html.split(case.number, 1)[1].split("</tr>", 1)[0]
        for case in (ten_days, one_day)
    }
    assert "เกินกำหนด 10 วัน" in rows[ten_days.number]
    assert "เกินกำหนด 1 วัน" in rows[one_day.number]
    week = coordinator_client.get(reverse("cases:followup-list"), {"show": "week"})
    assert due_today.number in week.content.decode()
    assert "เกินกำหนด 0 วัน" not in week.content.decode()


def test_a_correction_shows_the_answers_chosen_and_recounts_the_total(
    django_app, coordinator, case
):
    items = {
        "adl_feeding": 2,
        "adl_grooming": 1,
        "adl_transfer": 3,
        "adl_toilet": 2,
        "adl_mobility": 3,
        "adl_dressing": 2,
        "adl_stairs": 2,
        "adl_bathing": 1,
        "adl_bowels": 2,
        "adl_bladder": 2,
    }
    visit = HomeVisitFactory(
        case=case, visited_at=timezone.now() - datetime.timedelta(days=2), **items
    )
    page = django_app.get(reverse("cases:visit-edit", args=[visit.pk]), user=coordinator)
    assert 'class="adl border rounded p-2 mb-3" open' in page.text
    form = visit_form_of(page)
    assert {name: form[name].value for name in items} == {
        name: str(value) for name, value in items.items()
    }
    form["adl_stairs"] = "0"
    form["adl_bathing"] = "0"
    form.submit().follow()
    visit.refresh_from_db()
    assert (visit.adl_score, visit.adl_stairs, visit.adl_bathing) == (17, 0, 0)
    assert visit.adl_group == "ติดสังคม"
