"""Editing a case as a coordinator does: the page's own form, filled and saved."""

from decimal import Decimal

from django.urls import reverse

from cases.models import Case
from coordination.models import Subdistrict
from tests.factories import HouseholdMemberFactory, IncomeSourceFactory, UserFactory
from tests.forms.rendered import (
    add_row,
    assert_renders_every_field,
    form_with_field,
    submit_and_follow,
)


def edit_page(app, case, user):
    return app.get(reverse("cases:case-edit", args=[case.pk]), user=user)


def test_the_edit_page_renders_every_field_of_the_form_the_view_reads(app, case, coordinator):
    response = edit_page(app, case, coordinator)
    rendered = form_with_field(response, "first_name")
    assert_renders_every_field(
        rendered,
        response.context["form"],
        response.context["household"],
        response.context["incomes"],
        # Offered only when a similar person exists.
        skip={"confirm_different_person"},
    )
    assert rendered["version"].value == str(case.version)


def test_a_coordinator_corrects_the_id_and_address_and_it_is_saved(app, case, coordinator):
    rendered = form_with_field(edit_page(app, case, coordinator), "first_name")
    rendered["national_id"] = "1-0000-00000-77-7"  # as typed, with dashes
    rendered["reg_house_no"] = "12/3"
    rendered["phone"] = "081 234 5678"
    response = submit_and_follow(rendered)

    assert response.request.path == reverse("cases:case-detail", args=[case.pk])
    assert "บันทึกการแก้ไขแล้ว" in response.text
    case.refresh_from_db()
    assert case.national_id == "1000000000777"
    assert case.reg_house_no == "12/3"
    assert case.phone == "0812345678"
    assert case.version == 2


def test_a_coordinator_adds_a_household_member_and_removes_an_income(app, case, coordinator):
    HouseholdMemberFactory(case=case, center=case.center, name="ลูกสาว", age=45)
    wages = IncomeSourceFactory(case=case, center=case.center, kind="wages", amount=3000)
    IncomeSourceFactory(case=case, center=case.center, kind="elderly_allowance", amount=700)
    rendered = form_with_field(edit_page(app, case, coordinator), "first_name")
    # Two empty rows are offered; fill both and add a third, as the page's button does.
    for index in (1, 2):
        rendered[f"household-{index}-relation"] = "grandchild"
        rendered[f"household-{index}-name"] = f"หลาน {index}"
        rendered[f"household-{index}-age"] = "1" + str(index)
    third = add_row(rendered, "household")
    rendered[f"household-{third}-relation"] = "sibling"
    rendered[f"household-{third}-name"] = "น้องสาว"
    rendered[f"household-{third}-age"] = "70"
    wages_row = next(i for i in range(2) if rendered[f"incomes-{i}-id"].value == str(wages.pk))
    rendered[f"incomes-{wages_row}-DELETE"] = True
    submit_and_follow(rendered)

    assert [(m.name, m.age) for m in case.household_members.order_by("pk")] == [
        ("ลูกสาว", 45),
        ("หลาน 1", 11),
        ("หลาน 2", 12),
        ("น้องสาว", 70),
    ]
    assert [(i.kind, i.amount) for i in case.incomes.all()] == [
        ("elderly_allowance", Decimal("700.00"))
    ]


def test_two_people_editing_the_same_case_the_second_gets_a_409_with_their_changes_on_the_case_now(
    app, second_app, case, coordinator
):
    colleague = UserFactory(username="colleague", center=case.center, role="coordinator")
    mine = form_with_field(edit_page(app, case, coordinator), "first_name")
    theirs = form_with_field(edit_page(second_app, case, colleague), "first_name")

    mine["phone"] = "0811111111"
    submit_and_follow(mine)
    theirs["first_name"] = "บุญมา"
    theirs["problems"] = "ขาดรายได้"
    conflict = theirs.submit(status=409)

    case.refresh_from_db()
    assert (case.first_name, case.phone, case.version) == ("บุญเรือน", "0811111111", 2)
    assert "มีผู้อื่นบันทึกข้อมูลนี้เมื่อเวลา" in conflict.text
    assert "สิ่งที่ผู้อื่นแก้ไข: โทรศัพท์" in conflict.text
    again = form_with_field(conflict, "first_name")
    assert again["first_name"].value == "บุญมา"
    assert again["problems"].value == "ขาดรายได้"
    # The other person's phone as it is now, not as this page had it when opened.
    assert again["phone"].value == "0811111111"
    # The page now carries the current version: saving after review goes through.
    assert again["version"].value == "2"
    submit_and_follow(again)
    case.refresh_from_db()
    assert (case.first_name, case.problems, case.phone, case.version) == (
        "บุญมา",
        "ขาดรายได้",
        "0811111111",
        3,
    )


def test_a_negative_income_on_the_edit_page_saves_nothing_and_keeps_what_was_typed(
    app, case, coordinator
):
    rendered = form_with_field(edit_page(app, case, coordinator), "first_name")
    rendered["first_name"] = "บุญมา"
    rendered["household-0-relation"] = "child"
    rendered["household-0-name"] = "ลูกสาว"
    rendered["incomes-0-kind"] = "child_grant"
    rendered["incomes-0-amount"] = "-500"
    page = rendered.submit()

    assert page.status_int == 200
    assert "ยังไม่ได้บันทึกข้อมูล" in page.text
    assert "จำนวนเงินต้องไม่ติดลบ" in page.text
    case.refresh_from_db()
    assert (case.first_name, case.version) == ("บุญเรือน", 1)
    assert not case.household_members.exists() and not case.incomes.exists()
    again = form_with_field(page, "first_name")
    assert (again["first_name"].value, again["household-0-name"].value) == ("บุญมา", "ลูกสาว")


def test_the_landmark_can_be_written_for_someone_living_at_the_registered_address(
    app, case, coordinator
):
    """The landmark was inside the current address, which is hidden while the person
    lives at the registered one (the default): it could not be filled in."""
    case.current_same_as_registered = True
    case.save()
    page = edit_page(app, case, coordinator)
    assert page.html.select_one("#id_landmark") is not None
    assert page.html.select_one(".address-cur #id_landmark") is None
    rendered = form_with_field(page, "landmark")
    rendered["landmark"] = "ตรงข้ามวัด"
    submit_and_follow(rendered)
    case.refresh_from_db()
    assert (case.landmark, case.current_same_as_registered) == ("ตรงข้ามวัด", True)


def test_a_met_edit_keeps_its_estimated_age_and_a_subdistrict_of_another_district(
    app, second_app, case, coordinator
):
    """What the form itself recomputes (the estimate's age, the subdistricts offered for
    the chosen district) must not replace what this person chose."""
    colleague = UserFactory(username="colleague", center=case.center, role="coordinator")
    Case.objects.filter(pk=case.pk).update(birth_date=None, estimated_age=70)
    case.refresh_from_db()
    elsewhere = Subdistrict.objects.exclude(district_id=case.center.district_id).first()
    mine = form_with_field(edit_page(app, case, coordinator), "first_name")
    theirs = form_with_field(edit_page(second_app, case, colleague), "first_name")
    mine["phone"] = "0811111111"
    submit_and_follow(mine)
    theirs["estimated_age"] = "80"
    theirs["reg_province"] = elsewhere.district.province_id
    theirs["reg_district"].force_value(elsewhere.district_id)
    theirs["reg_subdistrict"].force_value(elsewhere.pk)
    conflict = theirs.submit(status=409)
    again = form_with_field(conflict, "first_name")
    assert again["estimated_age"].value == "80"
    assert again["reg_subdistrict"].value == str(elsewhere.pk)
    assert again["phone"].value == "0811111111"
    submit_and_follow(again)
    case.refresh_from_db()
    assert (case.estimated_age, case.reg_subdistrict_id, case.phone) == (
        80,
        elsewhere.pk,
        "0811111111",
    )


def test_a_met_edit_with_no_history_of_the_version_opened_shows_the_case_as_it_is(
    app, second_app, case, coordinator
):
    """Without the record of what they opened, this person's changes cannot be told
    from the other's undone: the form is the case as it is now, to change again."""
    colleague = UserFactory(username="colleague", center=case.center, role="coordinator")
    mine = form_with_field(edit_page(app, case, coordinator), "first_name")
    theirs = form_with_field(edit_page(second_app, case, colleague), "first_name")
    case.history.all().delete()
    mine["phone"] = "0811111111"
    submit_and_follow(mine)
    theirs["problems"] = "ขาดรายได้"
    conflict = theirs.submit(status=409)
    assert "กรุณาแก้ไขอีกครั้งแล้วบันทึก" in conflict.text
    again = form_with_field(conflict, "first_name")
    assert again["phone"].value == "0811111111" and again["problems"].value != "ขาดรายได้"


def test_a_plan_saved_meanwhile_does_not_refuse_the_edit_page(app, second_app, case, coordinator):
    """The plan's goals are not on the edit page: saving them is no edit to meet."""
    colleague = UserFactory(username="colleague", center=case.center, role="coordinator")
    editing = form_with_field(edit_page(app, case, coordinator), "first_name")
    plan = form_with_field(
        second_app.get(reverse("cases:case-plan", args=[case.pk]), user=colleague), "goals-0-text"
    )
    plan["goals-0-text"] = "ได้รับเบี้ยยังชีพ"
    submit_and_follow(plan)
    editing["phone"] = "0812345678"
    submit_and_follow(editing)
    case.refresh_from_db()
    assert case.phone == "0812345678"


def test_a_met_edit_opened_after_a_visit_changed_the_incomes_keeps_what_was_typed(
    app, second_app, case, coordinator, volunteer_on_team
):
    """A visit's incomes move the case's version on with a history record, so an edit
    page opened after it and met by another save still finds what it opened."""
    visit = form_with_field(
        app.get(reverse("cases:visit-create", args=[case.pk]), user=volunteer_on_team.user),
        "findings",
    )
    visit["findings"] = "ได้รับเบี้ยแล้ว"
    visit["incomes-0-kind"] = "elderly_allowance"
    visit["incomes-0-amount"] = "600"
    submit_and_follow(visit)
    colleague = UserFactory(username="colleague", center=case.center, role="coordinator")
    mine = form_with_field(edit_page(app, case, coordinator), "first_name")
    theirs = form_with_field(edit_page(second_app, case, colleague), "first_name")
    theirs["phone"] = "0899999999"
    submit_and_follow(theirs)
    mine["last_name"] = "ใหม่"
    conflict = mine.submit(status=409)
    again = form_with_field(conflict, "first_name")
    assert (again["last_name"].value, again["phone"].value) == ("ใหม่", "0899999999")


def test_an_impossible_date_on_an_english_page_is_explained_with_a_common_era_example(
    app, case, coordinator
):
    """The English form writes its dates in the Common Era (11/12/2026): its message's
    example did too little to say so, in the Buddhist Era (24/04/2562)."""
    app.set_cookie("django_language", "en")
    rendered = form_with_field(edit_page(app, case, coordinator), "birth_date")
    rendered["birth_date"] = "31/02/2026"
    page = rendered.submit()
    assert page.status_int == 200
    assert "Enter a real date as day/month/year, e.g. 24/04/2019." in page.text
    case.refresh_from_db()
    assert case.version == 1


def test_an_amount_that_is_not_a_number_is_asked_for_in_figures_not_as_an_id_number(
    app, case, coordinator
):
    """Django's Thai for "Enter a number." is "กรอกหมายเลข", which reads as a number that
    names something (an ID, a phone)."""
    rendered = form_with_field(edit_page(app, case, coordinator), "first_name")
    rendered["incomes-0-kind"] = "child_grant"
    rendered["incomes-0-amount"] = "3,000"
    page = rendered.submit()
    assert page.status_int == 200
    assert "กรอกเป็นตัวเลข" in page.text and "กรอกหมายเลข" not in page.text
    assert not case.incomes.exists()
