"""Logging a home visit: whole or not at all, once, with clean photos, by the right people."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from cases.models import CaseEvent, HomeVisit, IncomeSource, VisitPhoto
from tests.cases.helpers import formset
from tests.factories import (
    CaseFactory,
    HomeVisitFactory,
    IncomeSourceFactory,
    UserFactory,
    VolunteerFactory,
)
from tests.images import exif_of, phone_photo, png_drawing, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def now_local():
    return timezone.localtime()


def visit_data(case, incomes=None, **changes) -> dict:
    today = now_local().date()
    data = {
        "submission_token": "7d3b0f3c-2f6e-4d47-9d52-3b1f0c9a1a01",
        "visit_date": f"{today.day:02d}/{today.month:02d}/{today.year + 543}",
        "visit_time": "00:01",
        "purpose": "follow_up",
        "findings": "หลังคารั่ว",
        "health": "เดินไม่ได้",
        "adl_score": "3",
        "needs": "ซ่อมหลังคา",
        "actions": "ประสานเขต",
        "next_visit_due": (today + datetime.timedelta(days=30)).strftime("%Y-%m-%d"),
        "other_participants": "เจ้าหน้าที่เขต",
    }
    data.update(formset("incomes", incomes or []))
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_form_starts_with_now_the_author_and_a_visit_in_30_days(
    volunteer_client, volunteer_on_team, case
):
    response = volunteer_client.get(reverse("cases:visit-create", args=[case.pk]))
    form = response.context["form"]
    today = now_local().date()
    assert form["visit_date"].value() == today
    assert form["next_visit_due"].value() == today + datetime.timedelta(days=30)
    assert form["volunteers"].value() == [volunteer_on_team.pk]
    assert list(form.fields["volunteers"].queryset) == [volunteer_on_team]
    assert form["purpose"].value() == "assessment"


def test_a_volunteer_logs_a_visit_with_photos_and_updated_income(
    volunteer_client, volunteer_on_team, case, tmp_path
):
    allowance = IncomeSourceFactory(case=case, kind="elderly_allowance", amount=Decimal("700"))
    data = visit_data(
        case,
        incomes=[
            {
                "id": allowance.pk,
                "case": case.pk,
                "kind": "elderly_allowance",
                "amount": "800",
                "note": "",
            },
            {"kind": "disability_allowance", "amount": "800", "note": "ลงทะเบียนใหม่"},
        ],
        volunteers=[volunteer_on_team.pk],
        income_checked="on",
        latitude="13.808333",
        longitude="100.669444",
    )
    data["incomes-INITIAL_FORMS"] = "1"
    data["photos"] = [
        upload(phone_photo(tmp_path / "house.jpg")),
        upload(png_drawing(tmp_path / "map.png"), "image/png"),
    ]
    response = volunteer_client.post(reverse("cases:visit-create", args=[case.pk]), data)
    visit = HomeVisit.objects.get()
    assert response["Location"] == reverse("cases:visit-detail", args=[visit.pk])
    assert visit.author == volunteer_on_team.user
    assert list(visit.volunteers.all()) == [volunteer_on_team]
    assert (visit.adl_score, visit.adl_group) == (3, "ติดเตียง")
    assert visit.monthly_income == Decimal("1600.00")
    assert sorted(IncomeSource.objects.values_list("kind", "amount")) == [
        ("disability_allowance", Decimal("800.00")),
        ("elderly_allowance", Decimal("800.00")),
    ]
    assert (str(visit.latitude), str(visit.longitude)) == ("13.808333", "100.669444")
    case.refresh_from_db()
    assert case.next_visit_due == now_local().date() + datetime.timedelta(days=30)
    assert case.last_visit_at == visit.visited_at
    assert (
        case.events.filter(kind=CaseEvent.Kind.VISIT_LOGGED, by=volunteer_on_team.user).count() == 1
    )
    photos = list(visit.photos.all())
    assert [p.image.name.rsplit(".", 1)[1] for p in photos] == ["jpg", "png"]
    assert all(p.center_id == case.center_id for p in photos)


def test_a_new_visit_has_one_history_row_with_who_was_there(
    volunteer_client, volunteer_on_team, case
):
    """Not "created" without the volunteers and then "changed" to add them."""
    data = visit_data(case, volunteers=[volunteer_on_team.pk])
    volunteer_client.post(reverse("cases:visit-create", args=[case.pk]), data)
    visit = HomeVisit.objects.get()
    (created,) = visit.history.all()
    assert created.history_type == "+" and created.history_user == volunteer_on_team.user
    assert [row.volunteer for row in created.volunteers.all()] == [volunteer_on_team]
    visit.findings = "แก้ไขแล้ว"
    visit.correct(
        visit.version,
        by=volunteer_on_team.user,
        changed=["findings"],
        volunteers=[volunteer_on_team],
    )
    assert [row.history_type for row in visit.history.order_by("history_date")] == ["+", "~"]
    corrected = visit.history.order_by("history_date").last()
    assert [(row.volunteer, row.homevisit) for row in corrected.volunteers.all()] == [
        (volunteer_on_team, visit)
    ]


def test_photo_metadata_with_the_location_is_removed(volunteer_client, case, tmp_path):
    original = phone_photo(tmp_path / "gps.jpg")
    assert 0x8825 in exif_of(original.read_bytes())  # the phone wrote where it was
    volunteer_client.post(
        reverse("cases:visit-create", args=[case.pk]),
        {**visit_data(case), "photos": [upload(original)]},
    )
    photo = VisitPhoto.objects.get()
    for stored_file in (photo.image, photo.thumbnail):
        with stored_file.open("rb") as stored:
            assert exif_of(stored.read()) == {}
    assert (photo.width, photo.height) == (1200, 900)


def test_the_case_page_loads_small_thumbnails_for_slow_phones(volunteer_client, case, tmp_path):
    from PIL import Image

    volunteer_client.post(
        reverse("cases:visit-create", args=[case.pk]),
        {
            **visit_data(case),
            "photos": [upload(phone_photo(tmp_path / "big.jpg", size=(3000, 2000)))],
        },
    )
    photo = VisitPhoto.objects.get()
    url = reverse("cases:visit-photo", args=[photo.pk])
    assert (
        f'{url}?size=thumb"'
        in volunteer_client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    )
    thumb = b"".join(volunteer_client.get(url, {"size": "thumb"}).streaming_content)
    full = b"".join(volunteer_client.get(url).streaming_content)
    with Image.open(io.BytesIO(thumb)) as small, Image.open(io.BytesIO(full)) as large:
        assert (small.size, large.size) == ((320, 213), (2000, 1333))
    assert len(thumb) * 5 < len(full)


def test_big_photos_are_scaled_for_slow_lines(volunteer_client, case, tmp_path):
    volunteer_client.post(
        reverse("cases:visit-create", args=[case.pk]),
        {
            **visit_data(case),
            "photos": [upload(phone_photo(tmp_path / "big.jpg", size=(4000, 3000)))],
        },
    )
    photo = VisitPhoto.objects.get()
    assert (photo.width, photo.height) == (2000, 1500)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda d: ("notes.txt", b"hello, not a photo", "text/plain"), "JPEG"),
        (lambda d: ("fake.jpg", b"\xff\xd8\xff\xe0 not really", "image/jpeg"), "JPEG"),
        (lambda d: ("anim.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif"), "JPEG"),
        (lambda d: ("huge.jpg", b"\xff\xd8" + b"0" * (5 * 1024 * 1024 + 1), "image/jpeg"), "5 MB"),
    ],
)
def test_anything_but_a_small_jpeg_or_png_is_refused_and_nothing_is_saved(
    volunteer_client, case, make, message
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    name, content, content_type = make(None)
    response = volunteer_client.post(
        reverse("cases:visit-create", args=[case.pk]),
        {**visit_data(case), "photos": [SimpleUploadedFile(name, content, content_type)]},
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["photos"])
    assert not HomeVisit.objects.exists() and not VisitPhoto.objects.exists()


def test_more_than_five_photos_are_refused(volunteer_client, case, tmp_path):
    photos = [upload(phone_photo(tmp_path / f"p{n}.jpg", size=(50, 50))) for n in range(6)]
    response = volunteer_client.post(
        reverse("cases:visit-create", args=[case.pk]), {**visit_data(case), "photos": photos}
    )
    assert response.context["form"].errors["photos"] == [
        "การเยี่ยมหนึ่งครั้งเก็บภาพได้ไม่เกิน 5 ภาพ: เลือกไม่เกิน 5 ภาพ"
    ]
    assert not HomeVisit.objects.exists()


def test_photos_chosen_on_a_refused_visit_are_said_to_be_chosen_again(
    volunteer_client, case, tmp_path
):
    """The page comes back with its file input empty: the field says so, or the visit is
    saved without them once the other answer is fixed."""
    tomorrow = now_local().date() + datetime.timedelta(days=1)
    response = volunteer_client.post(
        reverse("cases:visit-create", args=[case.pk]),
        {
            **visit_data(case, visit_date=tomorrow.isoformat(), visit_time="12:00"),
            "photos": [upload(phone_photo(tmp_path / "house.jpg", size=(50, 50)))],
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "visit_date" in errors
    assert errors["photos"] == ["ภาพที่เลือกไว้ยังไม่ได้เก็บ: เลือกภาพอีกครั้งก่อนบันทึก"]
    assert not HomeVisit.objects.exists() and not VisitPhoto.objects.exists()
    # The banner at the top links to the first field to correct, and to the photos at
    # the bottom of the form.
    banner = response.content.decode().split('class="alert alert-danger error-summary"')[1]
    assert '<a href="#id_visit_date">ไปยังคำตอบแรกที่ต้องแก้ไข: ' in banner
    assert '<a href="#id_photos">ภาพถ่าย: ภาพที่เลือกไว้ยังไม่ได้เก็บ' in banner
    assert 'id="id_visit_date"' in banner and 'id="id_photos"' in banner  # both lead somewhere


def test_the_photo_limit_and_its_words_follow_max_per_visit(
    volunteer_client, case, tmp_path, monkeypatch
):
    monkeypatch.setattr(VisitPhoto, "MAX_PER_VISIT", 2)
    url = reverse("cases:visit-create", args=[case.pk])
    assert "ได้ไม่เกิน 2 ภาพ" in volunteer_client.get(url).content.decode()
    photos = [upload(phone_photo(tmp_path / f"p{n}.jpg", size=(50, 50))) for n in range(3)]
    response = volunteer_client.post(url, {**visit_data(case), "photos": photos})
    assert response.context["form"].errors["photos"] == [
        "การเยี่ยมหนึ่งครั้งเก็บภาพได้ไม่เกิน 2 ภาพ: เลือกไม่เกิน 2 ภาพ"
    ]
    assert not HomeVisit.objects.exists()


def test_a_visit_in_the_future_is_refused(volunteer_client, case):
    tomorrow = now_local().date() + datetime.timedelta(days=1)
    response = volunteer_client.post(
        reverse("cases:visit-create", args=[case.pk]),
        visit_data(
            case,
            visit_date=tomorrow.isoformat(),
            # Noon: tomorrow at 00:01 is within the five minutes' grace for a phone's
            # clock when the test runs in the last minutes of the day (it failed so once).
            visit_time="12:00",
            next_visit_due=(tomorrow + datetime.timedelta(days=30)).isoformat(),
        ),
    )
    assert "อนาคต" in " ".join(response.context["form"].errors["visit_date"])
    assert not HomeVisit.objects.exists()


def test_a_visit_before_2000_is_refused_next_to_its_date(volunteer_client, case):
    response = volunteer_client.post(
        reverse("cases:visit-create", args=[case.pk]),
        visit_data(case, visit_date="31/12/2542", next_visit_due="2026-01-01"),
    )
    form = response.context["form"]
    assert form.errors["visit_date"] == ["วันที่เยี่ยมต้องไม่ก่อนปี พ.ศ. 2543 (ค.ศ. 2000)"]
    assert "__all__" not in form.errors
    assert not HomeVisit.objects.exists()


def test_the_visit_time_is_checked_by_the_model_too(case):
    """The admin and any other ModelForm with visited_at get the same check on that field."""
    from django.core.exceptions import ValidationError

    visit = HomeVisit(
        case=case,
        center=case.center,
        purpose="follow_up",
        visited_at=timezone.now() + datetime.timedelta(hours=1),
    )
    with pytest.raises(ValidationError) as raised:
        visit.full_clean()
    assert list(raised.value.message_dict) == ["visited_at"]


def test_the_next_visit_cannot_come_before_this_one(volunteer_client, case):
    yesterday = now_local().date() - datetime.timedelta(days=1)
    response = volunteer_client.post(
        reverse("cases:visit-create", args=[case.pk]),
        visit_data(case, next_visit_due=yesterday.isoformat()),
    )
    assert "ก่อนวันที่เยี่ยม" in " ".join(response.context["form"].errors["next_visit_due"])
    assert not HomeVisit.objects.exists()


@pytest.mark.parametrize("score", ["21", "-1", "ten"])
def test_an_adl_score_outside_0_to_20_is_refused(volunteer_client, case, score):
    response = volunteer_client.post(
        reverse("cases:visit-create", args=[case.pk]), visit_data(case, adl_score=score)
    )
    assert "adl_score" in response.context["form"].errors
    assert not HomeVisit.objects.exists()


def test_a_bad_income_row_saves_no_visit(volunteer_client, case):
    response = volunteer_client.post(
        reverse("cases:visit-create", args=[case.pk]),
        visit_data(case, incomes=[{"kind": "wages", "amount": "-5", "note": ""}]),
    )
    assert response.status_code == 200
    assert not HomeVisit.objects.exists() and not IncomeSource.objects.exists()


def test_a_double_submit_makes_one_visit(volunteer_client, case):
    url = reverse("cases:visit-create", args=[case.pk])
    first = volunteer_client.post(url, visit_data(case))
    second = volunteer_client.post(url, visit_data(case))
    visit = HomeVisit.objects.get()
    assert first["Location"] == second["Location"] == reverse("cases:visit-detail", args=[visit.pk])
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.VISIT_LOGGED).count() == 1


def test_a_volunteer_of_another_team_gets_404_and_saves_nothing(client, volunteer_off_team, case):
    client.force_login(volunteer_off_team.user)
    assert client.get(reverse("cases:visit-create", args=[case.pk])).status_code == 404
    assert (
        client.post(reverse("cases:visit-create", args=[case.pk]), visit_data(case)).status_code
        == 404
    )
    assert not HomeVisit.objects.exists()


def test_a_coordinator_of_another_centre_gets_404(client, other_coordinator, case):
    client.force_login(other_coordinator)
    assert client.get(reverse("cases:visit-create", args=[case.pk])).status_code == 404


def test_a_user_without_a_role_gets_403(client, center, case):
    client.force_login(UserFactory(center=center))
    assert client.get(reverse("cases:visit-create", args=[case.pk])).status_code == 403


def test_a_closed_case_takes_no_visit(volunteer_client, case):
    case.close("resolved", by=None, note="ได้รับความช่วยเหลือแล้ว")
    response = volunteer_client.post(
        reverse("cases:visit-create", args=[case.pk]), visit_data(case)
    )
    assert response.status_code == 302
    assert not HomeVisit.objects.exists()


def test_a_coordinator_logs_a_visit_too(coordinator_client, case):
    response = coordinator_client.post(
        reverse("cases:visit-create", args=[case.pk]), visit_data(case)
    )
    assert response.status_code == 302
    assert HomeVisit.objects.get().case == case


def photo_of(case, tmp_path) -> VisitPhoto:
    from django.core.files.base import File

    visit = HomeVisitFactory(case=case)
    with phone_photo(tmp_path / "x.jpg", gps=False).open("rb") as handle:
        return VisitPhoto.objects.create(visit=visit, image=File(handle, name="x.jpg"))


def test_photos_are_served_to_those_who_may_see_the_case(
    volunteer_client, coordinator_client, case, tmp_path
):
    photo = photo_of(case, tmp_path)
    for client in (volunteer_client, coordinator_client):
        response = client.get(reverse("cases:visit-photo", args=[photo.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"] == "no-store"  # a shared phone keeps nothing
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_another_centres_photo_answers_404(
    client, other_coordinator, volunteer_off_team, case, tmp_path
):
    photo = photo_of(case, tmp_path)
    for user in (other_coordinator, volunteer_off_team.user):
        client.force_login(user)
        assert client.get(reverse("cases:visit-photo", args=[photo.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("cases:visit-photo", args=[photo.pk])).status_code == 302


def test_photos_live_outside_static_and_have_no_public_url(settings, case, tmp_path):
    from django.urls import Resolver404, resolve

    photo = photo_of(case, tmp_path)
    assert not str(settings.MEDIA_ROOT).startswith(str(settings.STATICFILES_DIRS[0]))
    with pytest.raises(Resolver404):
        resolve("/" + photo.image.name)


def test_after_leaving_the_team_the_volunteer_loses_the_case_and_its_photos(
    volunteer_client, volunteer_on_team, team, case, tmp_path
):
    photo = photo_of(case, tmp_path)
    volunteer_on_team.leave_team(team)
    assert volunteer_client.get(reverse("cases:case-detail", args=[case.pk])).status_code == 404
    assert volunteer_client.get(reverse("cases:visit-photo", args=[photo.pk])).status_code == 404


def test_the_author_corrects_a_visit_within_24_hours_and_it_is_recorded(
    volunteer_client, volunteer_on_team, case
):
    volunteer_client.post(reverse("cases:visit-create", args=[case.pk]), visit_data(case))
    visit = HomeVisit.objects.get()
    response = volunteer_client.post(
        reverse("cases:visit-edit", args=[visit.pk]),
        {**visit_data(case, findings="หลังคารั่วหนัก"), "version": visit.version},
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.findings == "หลังคารั่วหนัก"
    event = case.events.get(kind=CaseEvent.Kind.VISIT_CORRECTED)
    assert event.by == volunteer_on_team.user and "สิ่งที่พบ" in event.text


def test_after_24_hours_only_a_coordinator_corrects_a_visit(
    volunteer_client, coordinator, volunteer_on_team, case
):
    visit = HomeVisitFactory(case=case, author=volunteer_on_team.user)
    HomeVisit.objects.filter(pk=visit.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=25)
    )
    assert volunteer_client.get(reverse("cases:visit-edit", args=[visit.pk])).status_code == 403
    volunteer_client.force_login(coordinator)
    assert volunteer_client.get(reverse("cases:visit-edit", args=[visit.pk])).status_code == 200


def test_another_volunteers_visit_cannot_be_corrected_by_a_teammate(
    client, center, team, volunteer_on_team, case
):
    teammate = VolunteerFactory(center=center, user=UserFactory(center=center, role="volunteer"))
    teammate.join_team(team)
    visit = HomeVisitFactory(case=case, author=volunteer_on_team.user)
    client.force_login(teammate.user)
    assert client.get(reverse("cases:visit-detail", args=[visit.pk])).status_code == 200
    assert client.get(reverse("cases:visit-edit", args=[visit.pk])).status_code == 403


def test_the_case_page_shows_the_visit_timeline_with_photos(coordinator_client, case, tmp_path):
    photo = photo_of(case, tmp_path)
    html = coordinator_client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    assert reverse("cases:visit-photo", args=[photo.pk]) in html
    assert reverse("cases:visit-detail", args=[photo.visit_id]) in html


def test_the_case_page_keeps_its_queries_whatever_the_number_of_visits(
    coordinator_client, case, tmp_path
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert (
                coordinator_client.get(reverse("cases:case-detail", args=[case.pk])).status_code
                == 200
            )
        return len(captured)

    photo_of(case, tmp_path)
    few = queries()
    for _ in range(30):
        photo_of(case, tmp_path)
    # A ceiling as well: the page has grown sections (debts, status history, referrals,
    # plan, assistance, allowances), each a query or a few, none a query per row.
    assert queries() == few <= 40


def test_a_visit_for_a_case_not_assigned_lists_no_team_members(coordinator_client, center):
    case = CaseFactory(center=center, team=None)
    form = coordinator_client.get(reverse("cases:visit-create", args=[case.pk])).context["form"]
    assert list(form.fields["volunteers"].queryset) == []


def test_a_visit_is_named_by_its_case_and_its_day_in_the_pages_era(case):
    """As the admin's lists and history name it: not 2026-11-26 on a Thai page."""
    visited = timezone.make_aware(datetime.datetime(2026, 11, 26, 10, 0))
    visit = HomeVisitFactory(case=case, visited_at=visited)
    with translation.override("th"):
        assert str(visit) == f"{case.number} 26 พ.ย. 2569"
    with translation.override("en"):
        assert str(visit) == f"{case.number} 26 Nov 2026"
