"""Visit photos live behind STORAGES["default"], so a second app host (or a bucket) serves
them: the whole photo flow — upload through the visit form as rendered, the thumbnail,
the private view, another centre's 404, backup and restore, a photo removed by a
correction, anonymising — runs once on the file system and once on Django's
InMemoryStorage, a real backend with no file at all. Anything that reached for a local
path (`.path`, MEDIA_ROOT) fails the memory run."""

import io
import json
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import InMemoryStorage, default_storage, storages
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from PIL import Image
from webtest import Upload

from cases.models import HomeVisit, VisitPhoto
from coordination import backup
from tests.forms.rendered import form_with_field, submit_and_follow
from tests.images import phone_photo


@pytest.fixture(params=["filesystem", "memory"])
def storage(request, settings, tmp_path):
    """The media storage of the run; MEDIA_ROOT points at a folder either way, which the
    memory run must leave without a single file."""
    settings.MEDIA_ROOT = tmp_path / "media"
    if request.param == "memory":
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        }
    yield storages["default"]
    if request.param == "memory":
        assert isinstance(storages["default"], InMemoryStorage)
        local = tmp_path / "media"
        assert not local.exists() or not any(p.is_file() for p in local.rglob("*"))


def call(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def stored_bytes(storage, name: str) -> bytes:
    with storage.open(name, "rb") as file:
        return file.read()


@pytest.mark.django_db(transaction=True)
def test_the_photo_flow_needs_no_local_file(
    storage, app, case, volunteer_on_team, other_coordinator, tmp_path
):
    page = app.get(reverse("cases:visit-create", args=[case.pk]), user=volunteer_on_team.user)
    rendered = form_with_field(page, "findings")
    rendered["findings"] = "หลังคารั่ว"
    rendered["photos"] = [
        Upload("house.jpg", phone_photo(tmp_path / "house.jpg").read_bytes(), "image/jpeg")
    ]
    detail = submit_and_follow(rendered)

    photo = VisitPhoto.objects.get()
    assert photo.visit == HomeVisit.objects.get(case=case)
    assert photo.center_id == case.center_id
    # Both files are in the storage of the run, under the centre's random names.
    assert photo.image.storage is default_storage
    for stored in (photo.image, photo.thumbnail):
        assert stored.name.startswith(f"visits/{case.center_id}/")
        assert storage.exists(stored.name)
    image = stored_bytes(storage, photo.image.name)
    thumbnail = stored_bytes(storage, photo.thumbnail.name)
    assert (photo.width, photo.height) == (1200, 900)
    with Image.open(io.BytesIO(thumbnail)) as small:
        assert max(small.size) < 1200  # a thumbnail, made without a file on disk

    # The page links the thumbnail; the private view streams the storage's bytes.
    [thumb_url] = re.findall(r'src="([^"]*/photos/\d+/\?size=thumb)"', detail.text)
    served = app.get(thumb_url, user=volunteer_on_team.user)
    assert served.body == thumbnail
    full = app.get(reverse("cases:visit-photo", args=[photo.pk]), user=volunteer_on_team.user)
    assert full.body == image
    assert full.content_type == "image/jpeg"
    assert full.headers["Cache-Control"] == "no-store"
    # Another centre's coordinator: not found, as if there were no such photo.
    app.get(reverse("cases:visit-photo", args=[photo.pk]), user=other_coordinator, status=404)

    # Backup, lose every photo, restore: the view serves the same bytes again.
    said = call("backup", "--to", str(tmp_path / "archives"), "--no-prune")
    assert "media: 2 files" in said and "missing" not in said
    [archive] = (tmp_path / "archives").glob("apm-backup-*.tar")
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile(backup.MANIFEST).read())
        assert tar.extractfile(f"media/{photo.image.name}").read() == image
    assert manifest["media"]["missing"] == []
    storage.delete(photo.image.name)
    storage.delete(photo.thumbnail.name)
    assert backup.stored_names(storage) == []
    with backup.temporary_database(connection.settings_dict) as drill:
        said = call("restore", str(archive), "--into", drill)
    assert "media: 2 files into" in said and "Restore complete." in said
    assert stored_bytes(storage, photo.image.name) == image
    again = app.get(reverse("cases:visit-photo", args=[photo.pk]), user=volunteer_on_team.user)
    assert again.body == image

    # A correction puts another photo in its place: the first one's files go.
    correction = form_with_field(
        app.get(reverse("cases:visit-edit", args=[photo.visit_id]), user=volunteer_on_team.user),
        "findings",
    )
    correction.get("remove_photos", index=0).checked = True
    correction["photos"] = [
        Upload("roof.jpg", phone_photo(tmp_path / "roof.jpg").read_bytes(), "image/jpeg")
    ]
    submit_and_follow(correction)
    (new,) = VisitPhoto.objects.all()
    assert new.pk != photo.pk
    assert backup.stored_names(storage) == sorted([new.image.name, new.thumbnail.name])

    # Anonymising the case deletes its photos' files from the storage, once committed.
    case.anonymise()
    assert not VisitPhoto.objects.exists()
    assert backup.stored_names(storage) == []


@pytest.mark.django_db
def test_a_restore_replaces_a_damaged_copy_under_the_same_name(storage, tmp_path):
    """The database names each file: a restore must put the photo back under that very
    name, over whatever the storage holds there, never beside it."""
    storage.save("visits/1/a.jpg", io.BytesIO(b"the photo"))
    call("backup", "--to", str(tmp_path / "archives"), "--no-prune")
    [archive] = (tmp_path / "archives").glob("apm-backup-*.tar")
    storage.delete("visits/1/a.jpg")
    storage.save("visits/1/a.jpg", io.BytesIO(b"damaged"))
    with backup.temporary_database(connection.settings_dict) as drill:
        call("restore", str(archive), "--into", drill)
    assert backup.stored_names(storage) == ["visits/1/a.jpg"]
    assert stored_bytes(storage, "visits/1/a.jpg") == b"the photo"


def settings_in_a_new_process(environment: dict[str, str]) -> subprocess.CompletedProcess:
    """STORAGES as coordination/settings.py builds it from this environment."""
    code = "import json, coordination.settings as s; print(json.dumps(s.STORAGES['default']))"
    keep = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    keep.pop("DJANGO_MEDIA_STORAGE", None)
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**keep, **environment},
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
    )


def test_the_file_system_is_the_default_storage():
    result = settings_in_a_new_process({})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_s3_storage_is_private_and_built_from_the_environment():
    result = settings_in_a_new_process(
        {
            "DJANGO_MEDIA_STORAGE": "s3",
            "AWS_STORAGE_BUCKET_NAME": "apm-photos",
            "AWS_S3_ENDPOINT_URL": "http://minio.internal:9000",
            "AWS_S3_ADDRESSING_STYLE": "path",
            "AWS_LOCATION": "bungkum",
        }
    )
    assert result.returncode == 0, result.stderr
    chosen = json.loads(result.stdout)
    assert chosen["BACKEND"] == "storages.backends.s3.S3Storage"
    options = chosen["OPTIONS"]
    assert options["bucket_name"] == "apm-photos"
    assert options["endpoint_url"] == "http://minio.internal:9000"
    # Nothing public, nothing signed: the app streams each photo after its check.
    assert options["default_acl"] is None and options["querystring_auth"] is False
    # django-storages (the s3 extra, installed by `make test`) accepts every option:
    # it refuses a name it does not know, so a typo fails here, not in production.
    from storages.backends.s3 import S3Storage

    built = S3Storage(**options)
    assert (built.bucket_name, built.location, built.addressing_style) == (
        "apm-photos",
        "bungkum",
        "path",
    )
    assert built.url("visits/1/a.jpg").endswith("/apm-photos/bungkum/visits/1/a.jpg")
    assert "Signature" not in built.url("visits/1/a.jpg")


@pytest.mark.parametrize(
    ("environment", "said"),
    [
        ({"DJANGO_MEDIA_STORAGE": "dropbox"}, "DJANGO_MEDIA_STORAGE must be filesystem or s3"),
        ({"DJANGO_MEDIA_STORAGE": "s3"}, "DJANGO_MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME"),
    ],
)
def test_a_wrong_storage_setting_stops_the_app_with_one_line(environment, said):
    result = settings_in_a_new_process(environment)
    assert result.returncode != 0
    assert said in result.stderr and "Traceback" not in result.stderr


def test_backup_lists_a_storage_with_folders_and_skips_hidden_names(tmp_path):
    storage = InMemoryStorage(location=str(tmp_path / "nowhere"))
    for name in ("visits/1/a.jpg", "visits/2/b.png", "imports/x.upload", "visits/1/.tmp"):
        storage.save(name, io.BytesIO(b"x"))
    assert backup.stored_names(storage) == [
        "imports/x.upload",
        "visits/1/a.jpg",
        "visits/2/b.png",
    ]
    assert not Path(tmp_path / "nowhere").exists()
