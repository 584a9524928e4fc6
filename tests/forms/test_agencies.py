"""The agency directory's forms as a coordinator fills them."""

from django.urls import reverse

from coordination.models import Agency
from tests.factories import AgencyFactory
from tests.forms.rendered import (
    assert_renders_every_field,
    confirm_and_follow,
    form_posting_to,
    form_with_field,
    submit_and_follow,
)


def test_a_coordinator_adds_an_agency_with_its_contact_and_services(app, center, coordinator):
    response = app.get(reverse("coordination:agency-create"), user=coordinator)
    rendered = form_with_field(response, "services")
    assert_renders_every_field(rendered, response.context["form"])

    rendered["name"] = "  ศูนย์ช่วยเหลือทางกฎหมาย   สภาทนายความ "
    rendered["kind"] = "legal_aid"
    rendered["phone"] = "๐๒-๑๒๓-๔๕๖๗ ต่อ 12, 1300"
    rendered["contact_person"] = "นางสาวนิติ ยุติธรรม (ทนายความอาสา)"
    rendered["address"] = "ถนนราชดำเนินกลาง"
    rendered["area"] = "กรุงเทพมหานคร"
    rendered["services"] = "คำปรึกษาทางกฎหมาย หนี้สิน การยึดทรัพย์"
    page = submit_and_follow(rendered)

    agency = Agency.objects.get(center=center)
    assert page.request.path == reverse("coordination:agency-detail", args=[agency.pk])
    assert (agency.name, agency.kind, agency.phone, agency.active) == (
        "ศูนย์ช่วยเหลือทางกฎหมาย สภาทนายความ",
        "legal_aid",
        "021234567 ต่อ 12, 1300",
        True,
    )
    assert agency.contact_person == "นางสาวนิติ ยุติธรรม (ทนายความอาสา)"
    assert 'href="tel:021234567"' in page.text and 'href="tel:1300"' in page.text


def test_a_second_agency_of_the_same_name_in_the_centre_is_refused(app, center, coordinator):
    AgencyFactory(center=center, name="โรงพยาบาลนวมินทร์")
    rendered = form_with_field(
        app.get(reverse("coordination:agency-create"), user=coordinator), "services"
    )
    rendered["name"] = "โรงพยาบาลนวมินทร์"
    rendered["kind"] = "hospital"
    response = rendered.submit()
    assert response.status_int == 200
    assert "ศูนย์นี้มีหน่วยงานชื่อนี้แล้ว" in response.text
    assert Agency.objects.filter(center=center).count() == 1


def test_a_phone_that_is_no_phone_number_is_refused_with_a_thai_message(app, center, coordinator):
    rendered = form_with_field(
        app.get(reverse("coordination:agency-create"), user=coordinator), "services"
    )
    rendered["name"] = "มูลนิธิ"
    rendered["kind"] = "ngo"
    for garbage in ("โทรหาได้เลย", "12345", "02-123-45678-999", "0812345678 ต่อ abc"):
        rendered["phone"] = garbage
        response = rendered.submit()
        assert response.status_int == 200, garbage
        assert "สายด่วน 4 หลัก" in response.text
    assert not Agency.objects.filter(center=center).exists()


def test_a_coordinator_edits_their_agency_as_rendered(app, center, coordinator):
    agency = AgencyFactory(center=center, name="โรงพยาบาลเดิม", kind="hospital")
    response = app.get(reverse("coordination:agency-edit", args=[agency.pk]), user=coordinator)
    rendered = form_with_field(response, "services")
    assert_renders_every_field(rendered, response.context["form"])
    assert rendered["name"].value == "โรงพยาบาลเดิม"

    rendered["name"] = "โรงพยาบาลใหม่"
    rendered["contact_person"] = "พยาบาลสมใจ"
    submit_and_follow(rendered)

    agency.refresh_from_db()
    assert (agency.name, agency.contact_person, agency.center) == (
        "โรงพยาบาลใหม่",
        "พยาบาลสมใจ",
        center,
    )


def test_a_coordinator_deactivates_after_confirming_and_reactivates(app, center, coordinator):
    agency = AgencyFactory(center=center, name="มูลนิธิเก่า", kind="ngo")
    detail = reverse("coordination:agency-detail", args=[agency.pk])
    rendered = form_posting_to(
        app.get(detail, user=coordinator),
        reverse("coordination:agency-deactivate", args=[agency.pk]),
    )
    page = confirm_and_follow(rendered)
    agency.refresh_from_db()
    assert not agency.active
    assert "ไม่ใช้งาน" in page.text

    listed = app.get(reverse("coordination:agency-list"), user=coordinator)
    assert "มูลนิธิเก่า" not in listed.text

    rendered = form_posting_to(
        app.get(detail, user=coordinator),
        reverse("coordination:agency-reactivate", args=[agency.pk]),
    )
    submit_and_follow(rendered)
    agency.refresh_from_db()
    assert agency.active
