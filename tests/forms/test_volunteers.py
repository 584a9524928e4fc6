"""Registering and editing a volunteer, and their status, on the pages' own forms."""

import datetime

from django.urls import reverse
from django.utils import timezone

from tests.factories import VolunteerFactory, national_id
from tests.forms.rendered import (
    assert_renders_every_field,
    confirm_and_follow,
    form_posting_to,
    form_with_field,
    submit_and_follow,
)
from volunteers.models import Volunteer


def test_a_coordinator_registers_a_volunteer(app, center, coordinator):
    response = app.get(reverse("volunteers:volunteer-create"), user=coordinator)
    rendered = form_with_field(response, "first_name")
    assert_renders_every_field(rendered, response.context["form"])

    rendered["prefix"] = "mrs"
    rendered["first_name"] = "สมใจ"
    rendered["last_name"] = "ใจดี"
    rendered["national_id"] = national_id(501)
    rendered["birth_date"] = "12/03/2510"  # Thai users type the Buddhist year
    rendered["phone"] = "0812345678"
    rendered["address"] = "12 ซอยเสรีไทย 5"
    rendered["subdistrict"] = "102701"
    rendered["appointed_on"] = "01/10/2566"
    page = submit_and_follow(rendered)

    volunteer = Volunteer.objects.get()
    assert page.request.path == reverse("volunteers:volunteer-detail", args=[volunteer.pk])
    assert f"ลงทะเบียน อพม. {volunteer} แล้ว" in page.text
    assert volunteer.center == center
    assert (volunteer.first_name, volunteer.national_id, volunteer.subdistrict_id) == (
        "สมใจ",
        national_id(501),
        "102701",
    )
    assert volunteer.birth_date == datetime.date(1967, 3, 12)
    assert volunteer.appointed_on == datetime.date(2023, 10, 1)
    assert volunteer.status == Volunteer.Status.ACTIVE


def test_a_coordinator_corrects_a_volunteers_phone_and_address(app, center, coordinator):
    volunteer = VolunteerFactory(center=center, first_name="มาลี", phone="0811111111")
    response = app.get(reverse("volunteers:volunteer-edit", args=[volunteer.pk]), user=coordinator)
    rendered = form_with_field(response, "first_name")
    assert_renders_every_field(rendered, response.context["form"])
    assert rendered["phone"].value == "0811111111"

    rendered["phone"] = "089-999-8888"
    rendered["address"] = "99 ถนนนวมินทร์"
    page = submit_and_follow(rendered)

    assert page.request.path == reverse("volunteers:volunteer-detail", args=[volunteer.pk])
    volunteer.refresh_from_db()
    assert (volunteer.first_name, volunteer.phone, volunteer.address) == (
        "มาลี",
        "0899998888",
        "99 ถนนนวมินทร์",
    )


def test_a_volunteer_who_leaves_is_marked_so_and_leaves_their_teams(
    app, coordinator, volunteer_on_team, team
):
    url = reverse("volunteers:volunteer-detail", args=[volunteer_on_team.pk])
    response = app.get(url, user=coordinator)
    rendered = form_posting_to(
        response, reverse("volunteers:volunteer-status", args=[volunteer_on_team.pk])
    )
    assert_renders_every_field(rendered, response.context["status_form"])
    assert rendered["status"].value == Volunteer.Status.ACTIVE

    rendered["status"] = Volunteer.Status.LEFT
    page = confirm_and_follow(rendered)

    assert page.request.path == url
    assert f"สถานะของ {volunteer_on_team} เป็น" in page.text
    volunteer_on_team.refresh_from_db()
    assert volunteer_on_team.status == Volunteer.Status.LEFT
    assert not volunteer_on_team.memberships.active().exists()


def test_a_child_or_an_appointment_yet_to_come_is_refused_with_reasons(app, center, coordinator):
    """A volunteer is an adult, appointed on a day that has come: the form offers no
    child's prefix, and says what is wrong when a birth date or appointment says a child
    or the future. Nothing is saved."""
    response = app.get(reverse("volunteers:volunteer-create"), user=coordinator)
    rendered = form_with_field(response, "first_name")
    offered = {value for value, _selected, _text in rendered["prefix"].options}
    assert {"mr", "mrs", "miss"} <= offered and not offered & {"boy", "girl"}

    today = timezone.localdate()
    rendered["prefix"] = "mr"
    rendered["first_name"] = "ต้นกล้า"
    rendered["last_name"] = "ใจดี"
    rendered["national_id"] = national_id(502)
    born = datetime.date(today.year - 17, 1, 1)  # 17 all this year
    rendered["birth_date"] = f"{born.day:02d}/{born.month:02d}/{born.year + 543}"
    rendered["appointed_on"] = f"01/01/{today.year + 543 + 1}"
    refused = rendered.submit()

    assert refused.status_int == 200
    assert "วันที่ได้รับแต่งตั้งต้องไม่เป็นวันในอนาคต" in refused.text
    assert not Volunteer.objects.exists()

    rendered = form_with_field(refused, "first_name")
    rendered["appointed_on"] = ""
    refused = rendered.submit()
    assert "อพม. ต้องมีอายุไม่ต่ำกว่า 18 ปี ในวันที่ได้รับแต่งตั้ง" in refused.text
    assert not Volunteer.objects.exists()

    rendered = form_with_field(refused, "first_name")
    adult = datetime.date(today.year - 18, 1, 1)  # 18 all this year
    rendered["birth_date"] = f"{adult.day:02d}/{adult.month:02d}/{adult.year + 543}"
    submit_and_follow(rendered)
    assert Volunteer.objects.get().birth_date == adult
