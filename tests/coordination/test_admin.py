"""The admin is the administrators' back office: every page answers, lists stay cheap."""

from io import StringIO

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files import File
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.models import AllowanceDismissal, HomeVisit, ReferralNeedDismissal, VisitPhoto
from coordination.models import User
from coordination.validators import format_national_id
from tests.conftest import FAST_HASHERS, enter_backup_code
from tests.factories import (
    CaseFactory,
    CenterFactory,
    HomeVisitFactory,
    ReferralFactory,
    TeamFactory,
    VolunteerFactory,
    national_id,
)
from tests.images import phone_photo
from tests.module_data import assert_in_own_savepoint, built_once

pytestmark = pytest.mark.django_db

REGISTERED = sorted(
    (model._meta.app_label, model._meta.model_name) for model in admin.site._registry
)


def build_demo(media) -> None:
    """The demo centre loaded, a photo and second-factor devices, a dismissed flag, a
    referral and a dismissed need: something on every admin page."""
    # The demo loads only with DEBUG on; its passwords hashed as every test's are (the
    # function-scoped `fast_password_hasher` is not on yet here).
    with override_settings(DEBUG=True, PASSWORD_HASHERS=FAST_HASHERS):
        call_command("loaddemo", stdout=StringIO())
    visit = HomeVisit.objects.first()
    with phone_photo(media / "house.jpg").open("rb") as handle:
        VisitPhoto.objects.create(visit=visit, image=File(handle, name="house.jpg"))
    # Second-factor devices are enrolled by their owners, never by the demo: one each.
    coordinator = User.objects.get(username="coordinator")
    TOTPDevice.objects.create(user=coordinator, name="โทรศัพท์")
    StaticDevice.objects.create(user=coordinator, name="รหัสสำรอง")
    # A dismissed allowance flag is a coordinator's judgement, never the demo's: one.
    AllowanceDismissal.objects.create(
        case=visit.case, rule="no_card", reason="บัตรยังไม่หมดอายุ", by=coordinator
    )
    # The demo refers no one yet: a referral and a dismissed need, for their admin pages.
    ReferralFactory(case=visit.case, visit=visit, by=coordinator)
    needing = HomeVisitFactory(case=visit.case, referral_needed=True)
    ReferralNeedDismissal.objects.create(visit=needing, reason="ญาติรับไปดูแล", by=coordinator)


@pytest.fixture(scope="module")
def module_demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module (loading the demo for each of the ~60 pages was most of
    its time); each test runs in a savepoint of its own, see `built_once`."""
    media = tmp_path_factory.mktemp("admin-media")
    with (
        override_settings(MEDIA_ROOT=media),
        built_once(django_db_blocker, lambda: build_demo(media)),
    ):
        yield


@pytest.fixture
def demo_admin_client(db, module_demo, client):
    """The administrator in, with some logins on record."""
    assert_in_own_savepoint()
    client.post(reverse("login"), {"username": "admin", "password": "admin-demo-2562"})
    enter_backup_code(client, "admin")
    Client().post(reverse("login"), {"username": "coordinator", "password": "wrong"})
    client.get(reverse("cases:case-detail", args=[HomeVisit.objects.first().case_id]))
    return client


@pytest.mark.parametrize(("app_label", "model_name"), REGISTERED)
def test_every_changelist_and_add_page_answers_for_the_superuser(
    demo_admin_client, app_label, model_name
):
    changelist = demo_admin_client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert changelist.status_code == 200
    add = demo_admin_client.get(reverse(f"admin:{app_label}_{model_name}_add"))
    assert add.status_code in (200, 403)  # 403 only where adding is not offered


@pytest.mark.parametrize(("app_label", "model_name"), REGISTERED)
def test_every_change_page_answers_for_the_superuser(demo_admin_client, app_label, model_name):
    model = apps.get_model(app_label, model_name)
    obj = model.objects.order_by("pk").first()
    assert obj is not None, f"the demo has no {model_name}"
    response = demo_admin_client.get(
        reverse(f"admin:{app_label}_{model_name}_change", args=[obj.pk])
    )
    assert response.status_code == 200


def test_the_admin_shows_the_demo_counts(demo_admin_client):
    volunteers = demo_admin_client.get(reverse("admin:volunteers_volunteer_changelist"))
    teams = demo_admin_client.get(reverse("admin:volunteers_team_changelist"))
    cases = demo_admin_client.get(reverse("admin:cases_case_changelist"))
    assert volunteers.context["cl"].result_count == 13
    assert teams.context["cl"].result_count == 5
    assert cases.context["cl"].result_count == 62  # the two seed cases and sixty of the last year


def test_the_case_changelist_does_not_query_per_row(admin_client):
    center = CenterFactory()
    team = TeamFactory(center=center)

    def queries_for_changelist() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = admin_client.get(reverse("admin:cases_case_changelist"))
        assert response.status_code == 200
        return len(captured)

    CaseFactory.create_batch(3, center=center, team=team)
    few = queries_for_changelist()
    CaseFactory.create_batch(60, center=center, team=team)
    assert queries_for_changelist() == few


def test_a_photo_is_opened_through_the_app_and_never_uploaded_in_the_admin(demo_admin_client):
    """Photos are private and re-encoded without EXIF by the visit form: the admin
    links to the app's photo page (visibility rule, access log) and takes no file."""
    photo = VisitPhoto.objects.get()
    page = demo_admin_client.get(reverse("admin:cases_visitphoto_change", args=[photo.pk]))
    body = page.content.decode()
    assert f'href="{reverse("cases:visit-photo", args=[photo.pk])}"' in body
    assert photo.image.name not in body  # the storage's path, which nothing serves
    assert 'type="file"' not in body
    assert demo_admin_client.get(reverse("admin:cases_visitphoto_add")).status_code == 403
    opened = demo_admin_client.get(reverse("cases:visit-photo", args=[photo.pk]))
    assert opened.status_code == 200
    assert b"".join(opened.streaming_content)[:2] == b"\xff\xd8"  # the JPEG itself


def test_the_admin_finds_a_national_id_written_as_the_pages_write_it(admin_client):
    """Found by a trial: 3-1027-00990-12-2 found nothing, the digits alone found it."""
    case = CaseFactory(national_id=national_id(41))
    volunteer = VolunteerFactory(national_id=national_id(42))
    for changelist, row, number in (
        ("admin:cases_case_changelist", case, national_id(41)),
        ("admin:volunteers_volunteer_changelist", volunteer, national_id(42)),
    ):
        for typed in (format_national_id(number), " ".join(format_national_id(number).split("-"))):
            found = admin_client.get(reverse(changelist), {"q": typed}).context["cl"].result_list
            assert list(found) == [row], typed
    # A case number keeps its own dashes.
    found = admin_client.get(reverse("admin:cases_case_changelist"), {"q": case.number})
    assert list(found.context["cl"].result_list) == [case]
