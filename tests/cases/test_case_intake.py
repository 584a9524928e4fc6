"""Intake: a new case with its household and income, saved whole or not at all."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from cases.models import Case, CaseEvent, HouseholdMember, IncomeSource
from tests.cases.helpers import intake_data
from tests.factories import CaseFactory, national_id

pytestmark = pytest.mark.django_db

SISTER = {
    "relation": "sibling",
    "name": "พี่สาว",
    "age": "82",
    "occupation": "",
    "monthly_income": "0",
    "condition": "chronically_ill",
    "can_care_for_self": "True",
}
NEPHEW = {
    "relation": "relative",
    "name": "หลานชาย",
    "age": "30",
    "occupation": "รับจ้าง",
    "monthly_income": "9000",
    "condition": "normal",
    "can_care_for_self": "True",
}
INCOMES = [
    {"kind": "family_support", "amount": "1000", "note": "ญาติส่งให้"},
    {"kind": "elderly_allowance", "amount": "700", "note": ""},
    {"kind": "disability_allowance", "amount": "800", "note": ""},
]


def test_a_coordinator_opens_a_case_with_household_and_income(
    coordinator_client, center, coordinator
):
    response = coordinator_client.post(
        reverse("cases:case-create"), intake_data(household=[SISTER, NEPHEW], incomes=INCOMES)
    )
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:case-detail", args=[case.pk])
    assert case.number == "1027-2562-0001"
    assert case.center == center
    assert case.opened_on == datetime.date(2019, 4, 24)
    assert case.birth_date == datetime.date(1940, 1, 1) and case.birth_year_only
    assert sorted(case.target_groups.values_list("code", flat=True)) == ["disability", "elderly"]
    assert case.disability_types == [3]
    assert [m.name for m in case.household_members.all()] == ["พี่สาว", "หลานชาย"]
    assert case.monthly_income() == Decimal("2500.00")
    assert {m.center_id for m in HouseholdMember.objects.all()} == {center.pk}
    assert (case.consent_recorded_by, case.consent_purposes) == (
        coordinator,
        ["assistance", "referral"],
    )
    assert case.consent_recorded_at is not None
    assert list(case.events.values_list("kind", "by")) == [(CaseEvent.Kind.OPENED, coordinator.pk)]


def test_the_intake_page_preselects_the_centres_district(coordinator_client, center):
    form = coordinator_client.get(reverse("cases:case-create")).context["form"]
    assert form["reg_district"].initial == "1027"
    assert [s.pk for s in form.fields["reg_subdistrict"].queryset] == ["102701", "102704", "102705"]


def test_a_chosen_district_narrows_the_subdistricts(coordinator_client, center):
    response = coordinator_client.post(
        reverse("cases:case-create"),
        intake_data(reg_province="50", reg_district="5001", reg_subdistrict="102701"),
    )
    assert "reg_subdistrict" in response.context["form"].errors
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"national_id": "1234567890123"}, "national_id", "เลขตรวจสอบ"),
        ({"birth_date": "30/02/2483"}, "birth_date", "วันที่ที่มีอยู่จริง"),
        ({"birth_date": "01/01/83"}, "birth_date", "ปีแบบ 2 หลัก"),
        ({"target_groups": []}, "target_groups", "อย่างน้อยหนึ่งกลุ่ม"),
        ({"disability_types": ["8"]}, "disability_types", ""),
        ({"monthly_rent": "-100", "housing": "rented"}, "monthly_rent", ""),
        ({"consent_purposes": []}, "consent_purposes", "วัตถุประสงค์"),
        ({"current_same_as_registered": None}, "cur_subdistrict", "ปัจจุบัน"),
        ({"birth_date": "01/01/2600"}, "birth_date", "อนาคต"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(
    coordinator_client, center, changes, field, message
):
    response = coordinator_client.post(
        reverse("cases:case-create"), intake_data(household=[SISTER], incomes=INCOMES, **changes)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert "ยังไม่ได้บันทึกข้อมูล" in response.content.decode()
    assert not Case.objects.exists() and not HouseholdMember.objects.exists()
    assert not IncomeSource.objects.exists()


@pytest.mark.parametrize(
    "row",
    [
        {"kind": "wages", "amount": "-500", "note": ""},
        {"kind": "wages", "amount": "99999999999", "note": ""},
        {"kind": "lottery", "amount": "500", "note": ""},
    ],
)
def test_a_bad_income_row_saves_nothing_at_all(coordinator_client, center, row):
    response = coordinator_client.post(
        reverse("cases:case-create"), intake_data(household=[SISTER], incomes=[row])
    )
    assert response.context["incomes"].errors[0]
    assert not Case.objects.exists() and not HouseholdMember.objects.exists()


def test_a_duplicate_national_id_is_refused_with_a_link_to_the_case(coordinator_client, center):
    existing = CaseFactory(center=center, national_id=national_id(99))
    response = coordinator_client.post(
        reverse("cases:case-create"), intake_data(national_id=national_id(99))
    )
    html = response.content.decode()
    assert reverse("cases:case-detail", args=[existing.pk]) in html
    assert existing.number in html
    assert Case.objects.count() == 1


def test_the_same_national_id_in_another_centre_is_no_duplicate(
    coordinator_client, center, other_center
):
    CaseFactory(center=other_center, national_id=national_id(99))
    response = coordinator_client.post(
        reverse("cases:case-create"), intake_data(national_id=national_id(99))
    )
    assert response.status_code == 302
    assert Case.objects.filter(center=center, national_id=national_id(99)).exists()


def test_a_similar_name_with_the_same_birth_date_asks_for_confirmation(coordinator_client, center):
    existing = CaseFactory(
        center=center, first_name="บุญเรือน", last_name="มีสุข", birth_date=datetime.date(1940, 1, 1)
    )
    first_try = coordinator_client.post(reverse("cases:case-create"), intake_data(last_name="มีสุข"))
    assert first_try.status_code == 200
    assert existing.number in first_try.content.decode()
    assert "confirm_different_person" in first_try.content.decode()
    assert Case.objects.count() == 1

    confirmed = coordinator_client.post(
        reverse("cases:case-create"), intake_data(last_name="มีสุข", confirm_different_person="on")
    )
    assert confirmed.status_code == 302
    assert Case.objects.count() == 2


def test_a_different_name_with_the_same_birth_date_saves_at_once(coordinator_client, center):
    CaseFactory(
        center=center, first_name="สมใจ", last_name="รักดี", birth_date=datetime.date(1940, 1, 1)
    )
    response = coordinator_client.post(reverse("cases:case-create"), intake_data())
    assert response.status_code == 302


def test_markup_in_problems_is_shown_escaped(coordinator_client, center):
    coordinator_client.post(
        reverse("cases:case-create"), intake_data(problems='<img src=x onerror="alert(1)">')
    )
    case = Case.objects.get()
    html = coordinator_client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    assert '<img src=x onerror="alert(1)">' not in html
    assert "&lt;img src=x" in html


def test_volunteers_cannot_open_cases(volunteer_client):
    assert volunteer_client.get(reverse("cases:case-create")).status_code == 403
    assert volunteer_client.post(reverse("cases:case-create"), intake_data()).status_code == 403
    assert not Case.objects.exists()
