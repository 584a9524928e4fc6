"""What the founding story needs the case form to hold — debts, the legal problem, the
carer in the household — and the intake's warnings of a person already registered,
each through the page as rendered."""

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Debt
from coordination.models import TargetGroup
from tests.factories import CaseFactory, DebtFactory, HouseholdMemberFactory
from tests.forms.rendered import (
    add_row,
    assert_renders_every_field,
    form_with_field,
    submit_and_follow,
)


def edit_form(app, case, user):
    response = app.get(reverse("cases:case-edit", args=[case.pk]), user=user)
    return response, form_with_field(response, "first_name")


def test_the_edit_page_renders_the_debts_formset_whole(app, case, coordinator):
    DebtFactory(case=case)
    response, rendered = edit_form(app, case, coordinator)
    assert_renders_every_field(rendered, response.context["debts"])


def test_a_coordinator_adds_edits_and_deletes_debts(app, case, coordinator):
    _response, rendered = edit_form(app, case, coordinator)
    rendered["legal_problem"] = "พี่ชายนำบ้านไปจำนองแล้วไม่ชำระ ธนาคารจะยึดบ้าน"
    rendered["debts-0-creditor"] = "ธนาคารออมสิน"
    rendered["debts-0-kind"] = Debt.Kind.MORTGAGE
    rendered["debts-0-amount"] = "350000"
    rendered["debts-0-due_on"] = "30/06/2569"
    second = add_row(rendered, "debts")
    rendered[f"debts-{second}-creditor"] = "กองทุนหมู่บ้าน"
    rendered[f"debts-{second}-kind"] = Debt.Kind.COOPERATIVE
    rendered[f"debts-{second}-amount"] = "5000"
    page = submit_and_follow(rendered)

    assert [(d.creditor, d.kind, d.amount, d.due_on) for d in case.debts.all()] == [
        ("ธนาคารออมสิน", "mortgage", Decimal("350000.00"), datetime.date(2026, 6, 30)),
        ("กองทุนหมู่บ้าน", "cooperative", Decimal("5000.00"), None),
    ]
    assert "ธนาคารออมสิน" in page.text and "ธนาคารจะยึดบ้าน" in page.text
    case.refresh_from_db()
    assert case.legal_problem.startswith("พี่ชายนำบ้านไปจำนอง")

    _response, rendered = edit_form(app, case, coordinator)
    mortgage, fund = case.debts.all()
    rows = {rendered[f"debts-{i}-id"].value: i for i in range(2)}
    rendered[f"debts-{rows[str(mortgage.pk)]}-amount"] = "300000"
    rendered[f"debts-{rows[str(fund.pk)]}-DELETE"] = True
    submit_and_follow(rendered)
    assert [(d.creditor, d.amount) for d in case.debts.all()] == [
        ("ธนาคารออมสิน", Decimal("300000.00"))
    ]


def test_a_negative_debt_or_one_without_a_creditor_saves_nothing(app, case, coordinator):
    _response, rendered = edit_form(app, case, coordinator)
    rendered["first_name"] = "ชื่อใหม่"
    rendered["debts-0-creditor"] = "ธนาคาร"
    rendered["debts-0-kind"] = Debt.Kind.BANK_LOAN
    rendered["debts-0-amount"] = "-100"
    response = rendered.submit()
    assert response.status_int == 200
    assert "ติดลบ" in response.text
    rendered = form_with_field(response, "first_name")
    rendered["debts-0-amount"] = "100"
    rendered["debts-0-creditor"] = ""
    response = rendered.submit()
    assert response.status_int == 200
    assert response.context["debts"].forms[0].errors["creditor"]
    case.refresh_from_db()
    assert case.first_name != "ชื่อใหม่" and not Debt.objects.exists()


def test_markup_in_a_debt_is_shown_as_text(app, case, coordinator):
    DebtFactory(case=case, creditor="<b>เจ้าหนี้</b>", note="<script>x()</script>")
    page = app.get(reverse("cases:case-detail", args=[case.pk]), user=coordinator)
    assert "&lt;b&gt;เจ้าหนี้&lt;/b&gt;" in page.text and "<script>x()" not in page.text


def test_another_cases_debt_row_cannot_be_edited_through_this_form(app, case, center, coordinator):
    theirs = DebtFactory(case=CaseFactory(center=center), creditor="ของกรณีอื่น")
    _response, rendered = edit_form(app, case, coordinator)
    rendered["debts-0-id"].force_value(str(theirs.pk))
    rendered["debts-0-creditor"] = "แก้แล้ว"
    rendered["debts-0-kind"] = Debt.Kind.OTHER
    rendered["debts-0-amount"] = "1"
    response = rendered.submit()
    assert response.status_int == 200
    theirs.refresh_from_db()
    assert theirs.creditor == "ของกรณีอื่น" and not case.debts.exists()


def test_a_household_member_is_marked_as_the_carer_who_cannot_work(app, case, coordinator):
    son = HouseholdMemberFactory(case=case, name="บุตรชาย", relation="child")
    _response, rendered = edit_form(app, case, coordinator)
    row = next(i for i in range(3) if rendered[f"household-{i}-id"].value == str(son.pk))
    rendered[f"household-{row}-caring_stops_work"] = True
    response = rendered.submit()  # caring stops work only for the carer
    assert response.status_int == 200
    son.refresh_from_db()
    assert not son.caring_stops_work

    rendered = form_with_field(response, "first_name")
    rendered[f"household-{row}-is_carer"] = True
    page = submit_and_follow(rendered)
    son.refresh_from_db()
    assert (son.is_carer, son.caring_stops_work) == (True, True)
    assert "ผู้ดูแล" in page.text


# The intake's warnings of a person already registered


def intake_form(app, coordinator):
    response = app.get(reverse("cases:case-create"), user=coordinator)
    rendered = form_with_field(response, "first_name")
    rendered["prefix"] = "mrs"
    rendered["first_name"] = "บุญเรือน"
    rendered["last_name"] = "มีสุข"
    rendered["sex"] = "female"
    rendered["priority"] = "2"
    elderly = TargetGroup.objects.get(code="elderly").pk
    for checkbox in rendered.fields["target_groups"]:
        if checkbox._value == str(elderly):
            checkbox.checked = True
    return rendered


def test_the_same_name_with_an_estimated_age_within_3_years_asks_first(app, center, coordinator):
    existing = CaseFactory(
        center=center,
        first_name="บุญเรือน",
        last_name="มีสุข",
        birth_date=None,
        estimated_age=77,
        estimated_age_on=timezone.localdate(),
    )
    rendered = intake_form(app, coordinator)
    rendered["estimated_age"] = "80"
    response = rendered.submit()
    assert response.status_int == 200
    assert "ชื่อเดียวกันและอายุต่างกันไม่เกิน 3 ปี" in response.text
    assert existing.number in response.text
    assert Case.objects.count() == 1

    rendered = form_with_field(response, "first_name")
    rendered["confirm_different_person"] = True
    submit_and_follow(rendered)
    assert Case.objects.count() == 2


def test_the_same_name_at_a_different_age_saves_at_once(app, center, coordinator):
    CaseFactory(center=center, first_name="บุญเรือน", last_name="มีสุข", birth_date=None,
                estimated_age=70, estimated_age_on=timezone.localdate())  # fmt: skip
    rendered = intake_form(app, coordinator)
    rendered["estimated_age"] = "79"
    submit_and_follow(rendered)
    assert Case.objects.count() == 2


def test_the_same_phone_number_asks_first(app, center, other_center, coordinator):
    existing = CaseFactory(center=center, first_name="สมศรี", phone="0812345678")
    CaseFactory(center=other_center, first_name="คนอื่น", phone="0812345678")
    rendered = intake_form(app, coordinator)
    rendered["phone"] = "081-234-5678"
    response = rendered.submit()
    assert response.status_int == 200
    assert "หมายเลขโทรศัพท์เดียวกัน" in response.text
    assert existing.number in response.text
    assert "คนอื่น" not in response.text  # another centre's case is never named
    assert Case.objects.filter(center=center).count() == 1
