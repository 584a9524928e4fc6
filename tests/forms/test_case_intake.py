"""Intake as a coordinator fills it in: the page's form, rows added and removed."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseEvent
from coordination.models import TargetGroup
from tests.factories import CaseFactory
from tests.forms.rendered import (
    add_row,
    assert_renders_every_field,
    form_with_field,
    submit_and_follow,
)


def intake_page(app, user):
    return app.get(reverse("cases:case-create"), user=user)


def fill_the_person(rendered, groups=("elderly",)) -> None:
    """What a coordinator types for a person living at their registered address."""
    rendered["prefix"] = "mrs"
    rendered["first_name"] = "บุญเรือน"
    rendered["last_name"] = "มีสุข"
    rendered["sex"] = "female"
    rendered["birth_date"] = "01/01/2483"
    rendered["birth_year_only"] = True
    rendered["reg_house_no"] = "11"
    rendered["reg_subdistrict"] = "102701"  # the centre's district is preselected
    rendered["target_groups"] = [str(TargetGroup.objects.get(code=code).pk) for code in groups]
    rendered["problems"] = "ธนาคารกำลังจะยึดบ้าน"


def test_the_intake_page_renders_every_field_of_the_forms_the_view_reads(app, coordinator):
    response = intake_page(app, coordinator)
    assert_renders_every_field(
        form_with_field(response, "first_name"),
        response.context["form"],
        response.context["household"],
        response.context["incomes"],
        skip={"confirm_different_person"},  # offered only when a similar person exists
    )


@pytest.mark.parametrize(("typed", "ticked"), [("2483", True), ("๒๔๘๓", False), (" 1940 ", False)])
def test_the_birth_year_alone_is_read_as_the_year_only(app, center, coordinator, typed, ticked):
    """Only the year is known: typed alone, with the box ticked or not, it is the year
    only (1 January of it). "2510" was refused: the form wanted "01/01/2510"."""
    rendered = form_with_field(intake_page(app, coordinator), "first_name")
    fill_the_person(rendered)
    rendered["birth_date"] = typed
    rendered["birth_year_only"] = ticked
    rendered["current_same_as_registered"] = True
    submit_and_follow(rendered)

    case = Case.objects.get()
    assert (case.birth_date, case.birth_year_only) == (datetime.date(1940, 1, 1), True)


def test_a_subdistrict_of_one_postal_code_gives_it_when_none_is_typed(app, center, coordinator):
    """Si Phum (Chiang Mai) has one postal code: it is filled in. Khlong Kum has two
    (10230, 10240): the coordinator's to type, it stays empty."""
    rendered = form_with_field(intake_page(app, coordinator), "first_name")
    fill_the_person(rendered)
    # As the pickers refill the lists once Chiang Mai is chosen.
    rendered["reg_province"].force_value("50")
    rendered["reg_district"].force_value("5001")
    rendered["reg_subdistrict"].force_value("500101")
    rendered["current_same_as_registered"] = False
    rendered["cur_subdistrict"] = "102701"
    submit_and_follow(rendered)

    case = Case.objects.get()
    assert (case.reg_postal_code, case.cur_postal_code) == ("50200", "")


def test_a_coordinator_opens_a_case_with_household_rows_added_and_one_removed(
    app, center, coordinator
):
    rendered = form_with_field(intake_page(app, coordinator), "first_name")
    fill_the_person(rendered, groups=("elderly", "disability"))
    rendered["current_same_as_registered"] = True
    rendered["disability_types"] = ["3"]
    rendered["consent_given_by"] = "ผู้ประสบปัญหา"
    rendered["consent_method"] = "verbal"
    rendered["consent_purposes"] = ["assistance", "referral"]
    # Two rows are offered; a third is added on the page, then the second is dropped.
    rendered["household-0-relation"] = "sibling"
    rendered["household-0-name"] = "พี่สาว"
    rendered["household-0-age"] = "82"
    # Self-care is asked, not assumed: "not asked yet" until someone chooses.
    offered = [
        (value, text)
        for value, _selected, text in rendered["household-0-can_care_for_self"].options
    ]
    assert offered == [("", "ยังไม่ได้สอบถาม"), ("True", "ใช่"), ("False", "ไม่ใช่")]
    assert rendered["household-0-can_care_for_self"].value == ""
    rendered["household-0-can_care_for_self"] = "False"
    rendered["household-1-relation"] = "child"
    rendered["household-1-name"] = "ลูกที่ย้ายออกไปแล้ว"
    rendered["household-1-DELETE"] = True
    third = add_row(rendered, "household")
    rendered[f"household-{third}-relation"] = "relative"
    rendered[f"household-{third}-name"] = "หลานชาย"
    rendered[f"household-{third}-age"] = "30"
    rendered[f"household-{third}-monthly_income"] = "9000"
    rendered["incomes-0-kind"] = "elderly_allowance"
    rendered["incomes-0-amount"] = "700"
    rendered["incomes-1-kind"] = "family_support"
    rendered["incomes-1-amount"] = "1000"
    rendered["incomes-1-note"] = "ญาติส่งให้"
    page = submit_and_follow(rendered)

    case = Case.objects.get()
    assert page.request.path == reverse("cases:case-detail", args=[case.pk])
    assert case.number in page.text
    assert case.center == center
    assert (case.birth_date, case.birth_year_only) == (datetime.date(1940, 1, 1), True)
    assert case.opened_on == timezone.localdate()  # the date the page proposed
    assert sorted(case.target_groups.values_list("code", flat=True)) == ["disability", "elderly"]
    assert case.disability_types == [3]
    assert [
        (m.name, m.age, m.can_care_for_self) for m in case.household_members.order_by("pk")
    ] == [
        ("พี่สาว", 82, False),
        ("หลานชาย", 30, None),  # not asked: not taken for a yes
    ]
    assert case.monthly_income() == Decimal("1700.00")
    assert (case.consent_recorded_by, case.consent_purposes) == (
        coordinator,
        ["assistance", "referral"],
    )
    assert list(case.events.values_list("kind", flat=True)) == [CaseEvent.Kind.OPENED]


def test_a_person_living_elsewhere_is_placed_by_province_district_and_subdistrict(app, coordinator):
    rendered = form_with_field(intake_page(app, coordinator), "first_name")
    fill_the_person(rendered)
    rendered["current_same_as_registered"] = False
    # Without JavaScript the current-address pickers start at the centre's district.
    rendered["cur_subdistrict"] = "102704"
    rendered["cur_house_no"] = "5"
    submit_and_follow(rendered)

    case = Case.objects.get()
    assert (case.reg_subdistrict_id, case.cur_subdistrict_id) == ("102701", "102704")
    assert case.current_same_as_registered is False


def test_a_missing_target_group_is_explained_on_the_page_and_nothing_is_saved(app, coordinator):
    rendered = form_with_field(intake_page(app, coordinator), "first_name")
    fill_the_person(rendered, groups=())
    rendered["household-0-relation"] = "sibling"
    rendered["household-0-name"] = "พี่สาว"
    page = rendered.submit()

    assert page.status_int == 200
    assert "ยังไม่ได้บันทึกข้อมูล" in page.text
    assert "เลือกกลุ่มเป้าหมายอย่างน้อยหนึ่งกลุ่ม" in page.text
    # The banner at the top is a tap from the field, far down the form.
    link = page.html.select_one(".error-summary a")
    assert link["href"] == "#id_target_groups_0" and "กลุ่มเป้าหมาย" in link.text
    assert page.html.select_one("#id_target_groups_0")  # its first box
    assert not Case.objects.exists()
    # The typed row is still there to correct and save.
    assert form_with_field(page, "first_name")["household-0-name"].value == "พี่สาว"


def test_a_similar_person_is_confirmed_with_the_box_the_page_then_offers(app, center, coordinator):
    CaseFactory(
        center=center, first_name="บุญเรือน", last_name="มีสุข", birth_date=datetime.date(1940, 1, 1)
    )
    rendered = form_with_field(intake_page(app, coordinator), "first_name")
    fill_the_person(rendered)
    assert "confirm_different_person" not in rendered.fields
    asked = rendered.submit()
    assert Case.objects.count() == 1

    again = form_with_field(asked, "first_name")
    again["confirm_different_person"] = True
    submit_and_follow(again)
    assert Case.objects.count() == 2


def test_each_address_picker_asks_the_server_for_the_next_ones_choices(app, coordinator):
    """What htmx does with the rendered attributes, done by hand: a province chosen
    refills the district list, a district the subdistrict list, and a new province
    empties the subdistricts."""
    page = intake_page(app, coordinator)
    for prefix in ("reg", "cur"):
        province = page.html.find("select", attrs={"name": f"{prefix}_province"})
        district = page.html.find("select", attrs={"name": f"{prefix}_district"})
        subdistrict = page.html.find("select", attrs={"name": f"{prefix}_subdistrict"})
        assert province["data-hx-target"] == f"#{district['id']}"
        assert district["data-hx-target"] == f"#{subdistrict['id']}"
        assert subdistrict["data-hx-trigger"] == f"change from:#{province['id']}"
        assert subdistrict["data-hx-params"] == "none"

        # htmx sends the changed select's own name and value.
        districts = app.get(province["data-hx-get"], {province["name"]: "50"}, user=coordinator)
        assert ("5001", "เมืองเชียงใหม่") in options(districts)
        subdistricts = app.get(
            district["data-hx-get"], {district["name"]: "5001"}, user=coordinator
        )
        assert options(subdistricts)[:2] == [("", "---------"), ("500101", "ศรีภูมิ")]
        emptied = app.get(subdistrict["data-hx-get"], user=coordinator)
        assert options(emptied) == [("", "---------")]


def options(response) -> list[tuple[str, str]]:
    return [(o["value"], o.text) for o in response.html.find_all("option")]


def test_a_prefix_of_the_other_sex_is_refused_and_nothing_is_saved(app, coordinator):
    """นาย with หญิง: the case showed "นายเพศไม่ตรง" as a woman."""
    rendered = form_with_field(intake_page(app, coordinator), "first_name")
    fill_the_person(rendered)
    rendered["prefix"] = "mr"
    page = rendered.submit()
    assert page.status_int == 200 and not Case.objects.exists()
    assert "คำนำหน้า นาย ไม่ตรงกับเพศหญิง" in page.text
    rendered = form_with_field(page, "first_name")
    rendered["sex"] = "other"  # says nothing against any prefix
    submit_and_follow(rendered)
    assert Case.objects.get().prefix == "mr"


def test_invisible_characters_in_a_name_are_dropped_and_a_name_of_only_them_is_empty(
    app, coordinator
):
    """A name copied from a chat with zero-width spaces was no name a search finds."""
    rendered = form_with_field(intake_page(app, coordinator), "first_name")
    fill_the_person(rendered)
    rendered["first_name"] = "\u200b\u200b"
    refused = rendered.submit()
    assert refused.status_int == 200 and not Case.objects.exists()
    rendered = form_with_field(refused, "first_name")
    rendered["first_name"] = "\u200bบุญ\u200bเรือน\ufeff"
    rendered["last_name"] = "มี   สุข\u00ad"
    submit_and_follow(rendered)
    case = Case.objects.get()
    assert (case.first_name, case.last_name) == ("บุญเรือน", "มี สุข")
    found = app.get(reverse("cases:case-list"), {"q": "บุญเรือน"})
    assert case.number in found.text
