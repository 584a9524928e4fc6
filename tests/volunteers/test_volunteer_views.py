"""The volunteer register: list, page, register, edit, status — and who may not."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import (
    CaseFactory,
    HomeVisitFactory,
    TeamFactory,
    VolunteerFactory,
    national_id,
)
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db


def form_data(**changes) -> dict:
    data = {
        "prefix": "mrs",
        "first_name": "ละม่อม",
        "last_name": "ใจงาม",
        "national_id": national_id(4242),
        "birth_date": "05/06/2510",
        "phone": "081-234-5678",
        "address": "12 ซอยเสรีไทย 41",
        "subdistrict": "102701",
        "appointed_on": "24/04/2562",
    }
    return {**data, **changes}


def test_the_roster_import_is_a_tap_from_the_volunteer_list(
    django_app, coordinator, volunteer_on_team
):
    """Not only from the dashboard's checklist, which goes once the centre has volunteers."""
    listed = django_app.get(reverse("volunteers:volunteer-list"), user=coordinator)
    page = listed.click(description="นำเข้ารายชื่อ อพม.")
    assert page.request.path == reverse("volunteers:volunteer-import")
    assert page.html.select_one("input[type=file]") is not None


def test_the_list_masks_ids_and_shows_teams(coordinator_client, volunteer_on_team, team):
    response = coordinator_client.get(reverse("volunteers:volunteer-list"))
    html = response.content.decode()
    nid = volunteer_on_team.national_id
    assert f"{nid[0]}-{nid[1:5]}-xxxxx-xx-{nid[12]}" in html
    assert nid not in html
    assert team.name in html


@pytest.mark.parametrize(
    "query, expected",
    [
        ("สมศ", ["สมศรี"]),
        ("0899999999", ["มาลี"]),
        ("๐๘๙๙๙๙๙๙๙๙", ["มาลี"]),
        ("นางสาวมาลี", ["มาลี"]),  # as the list writes her name
        ("น.ส.มาลี", ["มาลี"]),  # as people abbreviate it
        ("นายสมศรี", []),
    ],
)
def test_search_by_name_phone_or_id(coordinator_client, center, query, expected):
    VolunteerFactory(center=center, prefix="mrs", first_name="สมศรี", phone="0812345678")
    VolunteerFactory(center=center, prefix="miss", first_name="มาลี", phone="0899999999")
    response = coordinator_client.get(reverse("volunteers:volunteer-list"), {"q": query})
    assert [v.first_name for v in response.context["page_obj"]] == expected


def test_search_by_national_id_digits(coordinator_client, center):
    wanted = VolunteerFactory(center=center, national_id=national_id(777))
    VolunteerFactory(center=center, national_id=national_id(888))
    response = coordinator_client.get(
        reverse("volunteers:volunteer-list"), {"q": wanted.national_id[6:12]}
    )
    assert list(response.context["page_obj"]) == [wanted]


def test_filters_by_team_status_and_subdistrict(coordinator_client, center, team):
    on_team = VolunteerFactory(center=center, subdistrict_id="102701")
    on_team.join_team(team)
    VolunteerFactory(center=center, status="left", subdistrict_id="102704")
    url = reverse("volunteers:volunteer-list")
    assert list(coordinator_client.get(url, {"team": team.pk}).context["page_obj"]) == [on_team]
    assert [
        v.status for v in coordinator_client.get(url, {"status": "left"}).context["page_obj"]
    ] == ["left"]
    assert list(coordinator_client.get(url, {"subdistrict": "102701"}).context["page_obj"]) == [
        on_team
    ]


def test_the_list_shows_only_the_own_centre(coordinator_client, center, other_center):
    VolunteerFactory(center=center, first_name="ของเรา")
    VolunteerFactory(center=other_center, first_name="ของเขา")
    response = coordinator_client.get(reverse("volunteers:volunteer-list"))
    assert [v.first_name for v in response.context["page_obj"]] == ["ของเรา"]


def test_the_list_paginates_with_a_constant_number_of_queries(
    coordinator_client, center, team, django_assert_max_num_queries
):
    # Two full pages: a query per row would show 25 times on page 2, over the budget.
    for volunteer in VolunteerFactory.create_batch(50, center=center):
        volunteer.join_team(team)
    with django_assert_max_num_queries(10):
        response = coordinator_client.get(reverse("volunteers:volunteer-list"), {"page": 2})
    assert response.context["page_obj"].paginator.count == 50
    assert len(response.context["page_obj"]) == 25


def test_the_page_shows_memberships_cases_and_visits(coordinator_client, center, team):
    volunteer = VolunteerFactory(center=center, first_name="สมศรี")
    volunteer.join_team(team, on=datetime.date(2024, 1, 1))
    old_team = TeamFactory(center=center, name="ทีมเก่า")
    volunteer.join_team(old_team, on=datetime.date(2020, 1, 1))
    volunteer.leave_team(old_team, on=datetime.date(2023, 12, 31))
    case = CaseFactory(center=center, team=team, first_name="บุญเรือน")
    visit = HomeVisitFactory(case=case)
    visit.volunteers.add(volunteer)
    html = coordinator_client.get(
        reverse("volunteers:volunteer-detail", args=[volunteer.pk])
    ).content.decode()
    assert "ทีมเก่า" in html and "31 ธ.ค. 2566" in html
    assert case.number in html
    assert "2 พ.ย. 2568" in html  # the visit, in the Buddhist Era


def test_a_coordinator_registers_a_volunteer(coordinator_client, center):
    response = coordinator_client.post(reverse("volunteers:volunteer-create"), form_data())
    volunteer = Volunteer.objects.get()
    assert response["Location"] == reverse("volunteers:volunteer-detail", args=[volunteer.pk])
    assert volunteer.center == center
    assert volunteer.national_id == national_id(4242)
    assert volunteer.phone == "0812345678"
    assert volunteer.birth_date == datetime.date(1967, 6, 5)
    assert volunteer.appointed_on == datetime.date(2019, 4, 24)


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"national_id": "1234567890123"}, "national_id", "เลขตรวจสอบ"),
        ({"national_id": "12345"}, "national_id", "13 หลัก"),
        ({"phone": "12345"}, "phone", "โทรศัพท์"),
        ({"birth_date": "31/02/2510"}, "birth_date", "วันที่ที่มีอยู่จริง"),
        ({"first_name": ""}, "first_name", "กรุณากรอกข้อมูลช่องนี้"),
        ({"subdistrict": "100101"}, "subdistrict", ""),  # not in the centre's district
    ],
)
def test_bad_input_is_explained_in_thai_and_nothing_is_saved(
    coordinator_client, center, changes, field, message
):
    response = coordinator_client.post(reverse("volunteers:volunteer-create"), form_data(**changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert not Volunteer.objects.exists()


def test_a_duplicate_national_id_in_the_centre_is_refused(coordinator_client, center):
    VolunteerFactory(center=center, national_id=national_id(4242))
    response = coordinator_client.post(reverse("volunteers:volunteer-create"), form_data())
    assert "ลงทะเบียนในศูนย์นี้แล้ว" in " ".join(response.context["form"].errors["national_id"])
    assert Volunteer.objects.count() == 1


def test_markup_in_text_is_stored_as_text_and_shown_escaped(coordinator_client, center):
    coordinator_client.post(
        reverse("volunteers:volunteer-create"), form_data(first_name="<script>alert(1)</script>")
    )
    volunteer = Volunteer.objects.get()
    html = coordinator_client.get(
        reverse("volunteers:volunteer-detail", args=[volunteer.pk])
    ).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_coordinator_edits_a_volunteer(coordinator_client, center):
    volunteer = VolunteerFactory(center=center)
    response = coordinator_client.post(
        reverse("volunteers:volunteer-edit", args=[volunteer.pk]),
        form_data(national_id=volunteer.national_id, phone="021234567"),
    )
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert (volunteer.first_name, volunteer.phone) == ("ละม่อม", "021234567")


def test_leaving_keeps_the_volunteer_and_ends_their_memberships(coordinator_client, center, team):
    volunteer = VolunteerFactory(center=center)
    volunteer.join_team(team)
    response = coordinator_client.post(
        reverse("volunteers:volunteer-status", args=[volunteer.pk]),
        {"status": "left", "confirmed": "yes"},
    )
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.status == "left"
    assert not volunteer.memberships.active().exists()
    assert volunteer.memberships.count() == 1


def test_an_unknown_status_changes_nothing(coordinator_client, center):
    volunteer = VolunteerFactory(center=center)
    coordinator_client.post(
        reverse("volunteers:volunteer-status", args=[volunteer.pk]), {"status": "deleted"}
    )
    volunteer.refresh_from_db()
    assert volunteer.status == "active"


@pytest.mark.parametrize("name", ["volunteer-detail", "volunteer-edit"])
def test_another_centres_volunteer_answers_404(coordinator_client, other_center, name):
    foreign = VolunteerFactory(center=other_center)
    assert (
        coordinator_client.get(reverse(f"volunteers:{name}", args=[foreign.pk])).status_code == 404
    )


def test_another_centres_volunteer_cannot_be_edited_or_retired(coordinator_client, other_center):
    foreign = VolunteerFactory(center=other_center, first_name="ของเขา")
    edit = coordinator_client.post(
        reverse("volunteers:volunteer-edit", args=[foreign.pk]), form_data()
    )
    status = coordinator_client.post(
        reverse("volunteers:volunteer-status", args=[foreign.pk]), {"status": "left"}
    )
    assert (edit.status_code, status.status_code) == (404, 404)
    foreign.refresh_from_db()
    assert (foreign.first_name, foreign.status) == ("ของเขา", "active")


@pytest.mark.parametrize(
    "name, args",
    [
        ("volunteer-list", []),
        ("volunteer-create", []),
        ("volunteer-detail", [1]),
        ("volunteer-edit", [1]),
    ],
)
def test_volunteers_get_403_and_anonymous_users_go_to_login(client, volunteer_on_team, name, args):
    url = reverse(f"volunteers:{name}", args=args)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))
    client.force_login(volunteer_on_team.user)
    assert client.get(url).status_code == 403


def test_the_status_change_is_post_only(coordinator_client, center):
    volunteer = VolunteerFactory(center=center)
    assert (
        coordinator_client.get(
            reverse("volunteers:volunteer-status", args=[volunteer.pk])
        ).status_code
        == 405
    )


@pytest.mark.parametrize(
    ("address", "written"),
    [("", "แขวงคลองกุ่ม เขตบึงกุ่ม กรุงเทพมหานคร"), ("12 ซอยเสรีไทย 5", "12 ซอยเสรีไทย 5 แขวงคลองกุ่ม")],
)
def test_a_volunteers_address_is_written_without_a_dash_for_a_missing_part(
    coordinator_client, center, address, written
):
    from coordination.models import Subdistrict

    volunteer = VolunteerFactory(
        center=center, address=address, subdistrict=Subdistrict.objects.get(code="102701")
    )
    page = coordinator_client.get(reverse("volunteers:volunteer-detail", args=[volunteer.pk]))
    html = page.content.decode()
    assert f'<dd class="col-7">{written}' in html and "– แขวง" not in html
