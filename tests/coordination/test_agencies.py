"""The agency directory: who sees and who changes which agency, the national ones
seeded for every centre, the list's filters and its query budget."""

import pytest
from django.apps import apps
from django.urls import reverse

from coordination.models import Agency
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db

NATIONAL_NAMES = {
    "ศูนย์ช่วยเหลือสังคม สายด่วน 1300",
    "สายด่วนคนพิการ 1479",
    "ศูนย์บริการคนพิการ กรุงเทพมหานคร",
}


def seed_migration():
    import importlib

    return importlib.import_module("coordination.migrations.0017_agency_directory_kinds_and_seed")


def test_the_national_agencies_are_seeded_for_every_centre_and_seeding_again_adds_none():
    national = Agency.objects.filter(center__isnull=True)
    assert set(national.values_list("name", flat=True)) == NATIONAL_NAMES
    hotline = national.get(phone="1300")
    assert (hotline.kind, hotline.active) == (Agency.Kind.HOTLINE, True)
    Agency.objects.filter(pk=hotline.pk).update(services="แก้ไขโดยผู้ดูแลระบบ")

    seed_migration().seed_national_agencies(apps, None)

    assert national.count() == 3
    hotline.refresh_from_db()
    assert hotline.services == "แก้ไขโดยผู้ดูแลระบบ"  # what an administrator wrote is kept


def test_the_old_government_kind_becomes_a_kind_of_the_new_list(center):
    service = AgencyFactory(center=center, name="ศูนย์บริการคนพิการ เขต", kind="government")
    office = AgencyFactory(center=center, name="สำนักงานพัฒนาสังคม", kind="government")
    hospital = AgencyFactory(center=center, kind="hospital")

    seed_migration().map_old_kinds(apps, None)

    kinds = dict(Agency.objects.filter(center=center).values_list("pk", "kind"))
    assert kinds == {
        service.pk: "disability_service",
        office.pk: "other",
        hospital.pk: "hospital",
    }
    assert set(Agency.objects.values_list("kind", flat=True)) <= set(Agency.Kind.values)


def test_a_coordinator_sees_their_centres_and_the_national_agencies_and_changes_only_their_own(
    coordinator, center, other_center
):
    ours = AgencyFactory(center=center)
    AgencyFactory(center=other_center)
    national = set(Agency.objects.filter(center__isnull=True))

    assert set(Agency.objects.visible_to(coordinator)) == {ours, *national}
    assert list(Agency.objects.editable_by(coordinator)) == [ours]


def test_a_national_administrator_sees_and_changes_every_agency(center, other_center):
    AgencyFactory(center=center), AgencyFactory(center=other_center)
    admin = UserFactory(is_staff=True)
    assert Agency.objects.visible_to(admin).count() == Agency.objects.count() == 5
    assert Agency.objects.editable_by(admin).count() == 5


def test_a_volunteer_reads_their_centres_and_national_agencies_and_changes_none(
    volunteer_on_team, center, other_center
):
    ours = AgencyFactory(center=center)
    AgencyFactory(center=other_center)
    user = volunteer_on_team.user
    assert set(Agency.objects.visible_to(user)) == {
        ours,
        *Agency.objects.filter(center__isnull=True),
    }
    assert not Agency.objects.editable_by(user).exists()


def test_a_user_without_a_role_sees_no_agency(center):
    AgencyFactory(center=center)
    assert not Agency.objects.visible_to(UserFactory(center=center)).exists()


def test_the_list_filters_by_kind_and_search_and_hides_inactive_agencies_unless_asked(
    coordinator_client, center, other_center
):
    legal = AgencyFactory(
        center=center, name="ศูนย์ช่วยเหลือทางกฎหมาย", kind="legal_aid", services="หนี้สิน ยึดบ้าน"
    )
    closed = AgencyFactory(center=center, name="มูลนิธิที่ปิดแล้ว", kind="ngo", active=False)
    AgencyFactory(center=other_center, name="ศูนย์ช่วยเหลือทางกฎหมาย พระนคร", kind="legal_aid")
    url = reverse("coordination:agency-list")

    def listed(query: str = "") -> list[str]:
        response = coordinator_client.get(url + query)
        assert response.status_code == 200
        return [agency.name for agency in response.context["page_obj"]]

    everything = listed()
    assert legal.name in everything and set(everything) >= NATIONAL_NAMES
    assert closed.name not in everything
    assert "ศูนย์ช่วยเหลือทางกฎหมาย พระนคร" not in everything  # another centre's
    assert listed("?kind=legal_aid") == [legal.name]
    assert listed("?q=ยึดบ้าน") == [legal.name]
    assert listed("?q=1479") == ["สายด่วนคนพิการ 1479"]
    assert closed.name in listed("?inactive=on")
    # A kind that is not one filters nothing and the form says so.
    response = coordinator_client.get(url + "?kind=<script>")
    assert response.context["form"].errors["kind"]
    assert "<script>" not in response.content.decode().split("<main", 1)[1].split("</form>")[0]


def test_the_list_costs_the_same_few_queries_with_many_agencies(
    coordinator_client, center, django_assert_max_num_queries
):
    AgencyFactory.create_batch(30, center=center)
    with django_assert_max_num_queries(8):
        response = coordinator_client.get(reverse("coordination:agency-list"))
    assert len(response.context["page_obj"]) == 25
    assert response.context["page_obj"].paginator.count == 33


def test_a_coordinator_may_read_but_not_change_a_national_agency(coordinator_client):
    national = Agency.objects.get(phone="1300")
    page = coordinator_client.get(reverse("coordination:agency-detail", args=[national.pk]))
    assert page.status_code == 200
    assert not page.context["can_change"]
    assert reverse("coordination:agency-edit", args=[national.pk]) not in page.content.decode()

    edit = reverse("coordination:agency-edit", args=[national.pk])
    assert coordinator_client.get(edit).status_code == 403
    posted = coordinator_client.post(edit, {"name": "แก้ชื่อ", "kind": "other"})
    deactivated = coordinator_client.post(
        reverse("coordination:agency-deactivate", args=[national.pk]), {"confirmed": "yes"}
    )
    assert (posted.status_code, deactivated.status_code) == (403, 403)
    national.refresh_from_db()
    assert (national.name, national.active) == ("ศูนย์ช่วยเหลือสังคม สายด่วน 1300", True)


def test_another_centres_agency_answers_404_on_each_of_its_pages(coordinator_client, other_center):
    theirs = AgencyFactory(center=other_center)
    for name in ("agency-detail", "agency-edit"):
        response = coordinator_client.get(reverse(f"coordination:{name}", args=[theirs.pk]))
        assert response.status_code == 404
    for name in ("agency-deactivate", "agency-reactivate"):
        url = reverse(f"coordination:{name}", args=[theirs.pk])
        assert coordinator_client.post(url, {"confirmed": "yes"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.active


def test_a_volunteer_meets_403_on_the_directory(volunteer_client):
    assert volunteer_client.get(reverse("coordination:agency-list")).status_code == 403


def test_deactivating_asks_first_then_keeps_the_agency_inactive(coordinator_client, center):
    agency = AgencyFactory(center=center)
    url = reverse("coordination:agency-deactivate", args=[agency.pk])
    assert coordinator_client.get(url).status_code == 405

    asked = coordinator_client.post(url)
    assert asked.status_code == 200 and "ส่งต่อ" in asked.content.decode()
    agency.refresh_from_db()
    assert agency.active

    coordinator_client.post(url, {"confirmed": "yes"})
    agency.refresh_from_db()
    assert not agency.active and Agency.objects.filter(pk=agency.pk).exists()

    coordinator_client.post(reverse("coordination:agency-reactivate", args=[agency.pk]))
    agency.refresh_from_db()
    assert agency.active


def test_a_centre_administrator_reads_national_agencies_in_the_admin_but_changes_only_their_own(
    client, center
):
    admin = UserFactory(center=center, is_staff=True, role="centre_admin")
    client.force_login(admin)
    ours = AgencyFactory(center=center, name="โรงพยาบาลของเรา")
    national = Agency.objects.get(phone="1479")
    changelist = client.get(reverse("admin:coordination_agency_changelist"))
    assert set(changelist.context["cl"].result_list) == {
        ours,
        *Agency.objects.filter(center__isnull=True),
    }
    page = client.get(reverse("admin:coordination_agency_change", args=[national.pk]))
    assert not page.context["has_change_permission"]
    client.post(
        reverse("admin:coordination_agency_change", args=[national.pk]),
        {"name": "เปลี่ยน", "kind": "other", "active": ""},
    )
    national.refresh_from_db()
    assert (national.name, national.active) == ("สายด่วนคนพิการ 1479", True)
    own = client.get(reverse("admin:coordination_agency_change", args=[ours.pk]))
    assert own.context["has_change_permission"]
