"""However a visit photo goes, its files go with it once the database change commits: a
photo of a vulnerable person must not outlive its row in the storage (PDPA)."""

from pathlib import Path

import pytest
from django.db import transaction
from django.urls import reverse
from webtest import Upload

from cases.models import HomeVisit, VisitPhoto
from tests.factories import UserFactory
from tests.forms.rendered import form_with_field, submit_and_follow
from tests.images import phone_photo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def administrator(center):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def visit_with_photos(app, case, user, tmp_path, count: int) -> HomeVisit:
    rendered = form_with_field(
        app.get(reverse("cases:visit-create", args=[case.pk]), user=user), "findings"
    )
    rendered["findings"] = "หลังคารั่ว"
    rendered["photos"] = [
        Upload(f"p{n}.jpg", phone_photo(tmp_path / f"p{n}.jpg", size=(60, 40)).read_bytes())
        for n in range(count)
    ]
    submit_and_follow(rendered)
    return HomeVisit.objects.get()


def files_of(photos) -> list[Path]:
    return [Path(f.path) for photo in photos for f in (photo.image, photo.thumbnail)]


def confirm_delete(app, url: str, user):
    page = app.get(url, user=user)
    form = next(f for f in page.forms.values() if "post" in f.fields)
    return form.submit().follow()


def test_a_photo_deleted_in_the_admin_takes_its_files(
    app, case, volunteer_on_team, administrator, tmp_path, django_capture_on_commit_callbacks
):
    visit = visit_with_photos(app, case, volunteer_on_team.user, tmp_path, 2)
    gone, kept = visit.photos.all()
    gone_files, kept_files = files_of([gone]), files_of([kept])
    assert all(path.exists() for path in gone_files + kept_files)
    with django_capture_on_commit_callbacks(execute=True):
        confirm_delete(app, reverse("admin:cases_visitphoto_delete", args=[gone.pk]), administrator)
    assert list(VisitPhoto.objects.all()) == [kept]
    assert not any(path.exists() for path in gone_files)
    assert all(path.exists() for path in kept_files)


def test_a_visit_deleted_in_the_admin_takes_its_photos_files(
    app, case, volunteer_on_team, administrator, tmp_path, django_capture_on_commit_callbacks
):
    visit = visit_with_photos(app, case, volunteer_on_team.user, tmp_path, 2)
    files = files_of(visit.photos.all())
    with django_capture_on_commit_callbacks(execute=True):
        confirm_delete(app, reverse("admin:cases_homevisit_delete", args=[visit.pk]), administrator)
    assert not HomeVisit.objects.exists() and not VisitPhoto.objects.exists()
    assert files and not any(path.exists() for path in files)


def test_a_delete_rolled_back_keeps_the_files(
    app, case, volunteer_on_team, tmp_path, django_capture_on_commit_callbacks
):
    visit = visit_with_photos(app, case, volunteer_on_team.user, tmp_path, 1)
    files = files_of(visit.photos.all())

    class Undone(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as scheduled,
        pytest.raises(Undone),
        transaction.atomic(),
    ):
        visit.photos.all().delete()
        raise Undone
    assert scheduled == []  # the file deletion went with the rolled-back savepoint
    assert visit.photos.count() == 1
    assert files and all(path.exists() for path in files)
