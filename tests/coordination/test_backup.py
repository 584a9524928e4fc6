"""Backups: a restore drill on the test server (a database of its own, so the test
database is not touched), refused archives, encryption, a full disk and retention."""

import datetime
import io
import json
import os
import resource
import shutil
import tarfile
import threading
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg2 import sql

from cases.models import VisitPhoto
from cases.photos import clean_photo
from coordination import backup
from coordination.models import AccessLog
from tests.factories import CaseFactory, HomeVisitFactory, HouseholdMemberFactory
from tests.images import phone_photo, upload


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def table_rows(dbname: str) -> dict[str, list]:
    """Every row of every table, in an order of its own (the database gives none)."""
    conn = backup.connect(connection.settings_dict, dbname)
    try:
        with conn, conn.cursor() as cursor:
            rows = {}
            for table in backup.user_tables(cursor):
                cursor.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(table)))
                rows[table] = sorted(cursor.fetchall(), key=repr)
            return rows
    finally:
        conn.close()


def table_count(dbname: str) -> int:
    conn = backup.connect(connection.settings_dict, dbname)
    try:
        with conn, conn.cursor() as cursor:
            return len(backup.user_tables(cursor))
    finally:
        conn.close()


def only_archive(folder: Path) -> Path:
    [archive] = [path for path in folder.iterdir() if not path.name.startswith(".")]
    return archive


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def drill_db(db):
    with backup.temporary_database(connection.settings_dict) as name:
        yield name


@pytest.fixture
def plain_archive(db, media, tmp_path) -> Path:
    """The committed test database (its seed rows) and two photo files."""
    (media / "visits" / "1").mkdir(parents=True)
    phone_photo(media / "visits" / "1" / "a.jpg")
    (media / "visits" / "1" / "b.bin").write_bytes(os.urandom(200_000))
    run("backup", "--to", str(tmp_path / "archives"))
    return only_archive(tmp_path / "archives")


def rewrite_manifest(archive: Path, change) -> None:
    """A plain archive with its manifest changed and every other part as it was."""
    with tarfile.open(archive) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
    with tarfile.open(archive, "w") as tar:
        for member, data in members:
            if member.name == backup.MANIFEST:
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
                member.size = len(data)
            tar.addfile(member, io.BytesIO(data))


# --- the drill -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_an_empty_database_has_every_row_and_every_photo(
    media, tmp_path, center, coordinator
):
    case = CaseFactory(center=center, first_name="สมศรี", problems="บ้านทรุด")
    HouseholdMemberFactory(case=case, name="หลานชาย", age=12)
    visit = HomeVisitFactory(case=case, findings="หลังคารั่ว")
    for number in range(3):
        image, thumbnail = clean_photo(upload(phone_photo(tmp_path / f"p{number}.jpg")))
        VisitPhoto.objects.create(visit=visit, image=image, thumbnail=thumbnail)
    lost = VisitPhoto.objects.last().thumbnail
    Path(lost.path).unlink()  # a disk error lost it before any backup
    photos = {
        path.relative_to(media): path.read_bytes() for path in media.rglob("*") if path.is_file()
    }
    assert len(photos) == 5  # real JPEG files
    live = connection.settings_dict["NAME"]

    # Visits are being logged all through the backup.
    stop, logged = threading.Event(), []

    def log_visits() -> None:
        try:
            while not stop.is_set():
                logged.append(
                    AccessLog.objects.create(user=coordinator, action="view_case", case_id=case.pk)
                )
        finally:
            connection.close()

    writer = threading.Thread(target=log_visits)
    writer.start()
    while not logged:
        time.sleep(0.01)
    try:
        said = run("backup", "--to", str(tmp_path / "archives"))
    finally:
        stop.set()
        writer.join()
    archive = only_archive(tmp_path / "archives")
    assert "database:" in said and "media: 5 files" in said and f"archive: {archive}" in said
    assert "WARNING: 1 photos in the database are missing" in said
    assert archive.stat().st_mode & 0o077 == 0  # people's data: the owner's eyes only
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile(backup.MANIFEST).read())
    assert manifest["media"]["missing"] == [lost.name]
    in_backup = manifest["row_counts"]["coordination_accesslog"]
    assert 0 < in_backup < len(logged)  # the snapshot: some rows before it, some after

    shutil.rmtree(media)  # the disk is gone
    with backup.temporary_database(connection.settings_dict) as drill:
        said = run("restore", str(archive), "--into", drill)
        assert "as the manifest counts" in said and "Restore complete." in said
        restored, now = table_rows(drill), table_rows(live)
        # By number: table_rows orders by repr, where 10 comes before 2.
        log_ids = sorted(row[0] for row in restored.pop("coordination_accesslog"))
        assert log_ids == sorted(entry.pk for entry in logged)[:in_backup]
        now.pop("coordination_accesslog")
        assert restored == now  # every other row of every table, as it was
        restored = {
            path.relative_to(media): path.read_bytes()
            for path in media.rglob("*")
            if path.is_file()
        }
        assert restored == photos

        # Now it holds data: a second restore must be asked for.
        with pytest.raises(CommandError, match="holds data.*--force"):
            run("restore", str(archive), "--into", drill)
        run("restore", str(archive), "--into", drill, "--force")
        assert len(table_rows(drill)["coordination_accesslog"]) == in_backup


def test_photos_written_after_the_snapshot_are_kept_and_noted(db, media, tmp_path):
    (media / "early.jpg").write_bytes(b"before")
    late = media / "late.jpg"
    late.write_bytes(b"after")
    later = time.time() + 3600  # as if written while the dump ran
    os.utime(late, (later, later))
    said = run("backup", "--to", str(tmp_path / "archives"))
    assert "media: 1 written after the database snapshot (kept, noted)" in said
    with tarfile.open(only_archive(tmp_path / "archives")) as tar:
        manifest = json.loads(tar.extractfile(backup.MANIFEST).read())
    assert manifest["media"]["written_after_snapshot"] == ["late.jpg"]
    assert {"media/early.jpg", "media/late.jpg"} <= set(manifest["parts"])


def test_verify_backup_restores_into_a_temporary_database_and_leaves_none(plain_archive):
    said = run("verify-backup", str(plain_archive))
    assert "parts match the manifest" in said and "OK:" in said
    conn = backup.connect(connection.settings_dict)
    with conn, conn.cursor() as cursor:
        # This process's: the other test worker may be verifying at the same moment.
        mine = f"apm_verify_{os.getpid()}_%"
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname LIKE %s", [mine])
        assert cursor.fetchone()[0] == 0
    conn.close()


def test_the_manifest_counts_rows_and_hashes_every_part(plain_archive, media):
    with tarfile.open(plain_archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile(backup.MANIFEST).read())
    assert names[0] == backup.DUMP and names[-1] == backup.MANIFEST
    assert manifest["app_version"] == backup.app_version()
    assert ["coordination", "0001_initial"] in manifest["migrations"]
    assert manifest["row_counts"]["coordination_targetgroup"] == 5
    photo = (media / "visits/1/a.jpg").read_bytes()
    import hashlib

    assert manifest["parts"]["media/visits/1/a.jpg"] == {
        "sha256": hashlib.sha256(photo).hexdigest(),
        "size": len(photo),
    }
    assert set(manifest["parts"]) == {backup.DUMP, "media/visits/1/a.jpg", "media/visits/1/b.bin"}


# --- refused archives ------------------------------------------------------------------


def test_a_tampered_archive_is_refused_before_the_database_is_touched(plain_archive, drill_db):
    data = bytearray(plain_archive.read_bytes())
    data[3000] ^= 0xFF  # inside database.dump, after its tar header
    plain_archive.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="damaged: database.dump does not match its SHA-256"):
        run("restore", str(plain_archive), "--into", drill_db)
    assert table_count(drill_db) == 0
    with pytest.raises(CommandError, match="does not match its SHA-256"):
        run("verify-backup", str(plain_archive))


def test_a_truncated_archive_is_refused(plain_archive, drill_db):
    data = plain_archive.read_bytes()
    plain_archive.write_bytes(data[: len(data) // 2])
    with pytest.raises(CommandError, match="damaged or incomplete"):
        run("restore", str(plain_archive), "--into", drill_db)
    assert table_count(drill_db) == 0


def test_an_archive_cut_before_its_manifest_is_refused(plain_archive):
    with tarfile.open(plain_archive) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
    with tarfile.open(plain_archive, "w") as tar:
        for member, data in members[:-1]:
            tar.addfile(member, io.BytesIO(data))
    with pytest.raises(CommandError, match="has no manifest: it is incomplete"):
        run("verify-backup", str(plain_archive))


def test_an_archive_of_a_newer_app_is_refused(plain_archive, drill_db):
    rewrite_manifest(plain_archive, lambda m: m["migrations"].append(["cases", "9999_future"]))
    with pytest.raises(CommandError, match="newer version of the app .*cases.9999_future"):
        run("restore", str(plain_archive), "--into", drill_db)
    assert table_count(drill_db) == 0


def test_a_restore_onto_a_newer_app_runs_the_migrations_after(plain_archive, drill_db):
    # The archive as an older app made it: without the last migration of `cases`.
    last = max(name for app, name in backup.app_migrations() if app == "cases")
    rewrite_manifest(
        plain_archive, lambda m: m["migrations"].remove(["cases", last])
    )  # the dump still has its row, so migrate finds nothing left to do: it must not fail
    said = run("restore", str(plain_archive), "--into", drill_db)
    assert "migrations: 1 newer than the archive, applying" in said
    assert "Restore complete." in said


# --- encryption ------------------------------------------------------------------------


def test_an_encrypted_archive_round_trips_and_hides_its_contents(db, media, tmp_path, monkeypatch):
    (media / "secret.txt").write_text("นางสมศรี ใจดี บ้านเลขที่ 11/2")
    monkeypatch.setenv("BACKUP_PASSPHRASE", "ม้าลาย correct horse")
    said = run("backup", "--to", str(tmp_path / "archives"))
    archive = only_archive(tmp_path / "archives")
    assert archive.name.endswith(".tar.enc") and "encrypted" in said
    data = archive.read_bytes()
    assert b"manifest" not in data and "สมศรี".encode() not in data and b"PGDMP" not in data
    said = run("verify-backup", str(archive))
    assert "OK:" in said

    monkeypatch.setenv("BACKUP_PASSPHRASE", "wrong horse")
    with pytest.raises(CommandError, match="wrong BACKUP_PASSPHRASE"):
        run("verify-backup", str(archive))
    monkeypatch.delenv("BACKUP_PASSPHRASE")
    with pytest.raises(CommandError, match="is encrypted: set BACKUP_PASSPHRASE"):
        run("verify-backup", str(archive))
    # Damage of every kind (changed, reordered, cut short) is tested in test_sealed.py.


# --- a full disk -----------------------------------------------------------------------


@pytest.mark.parametrize("passphrase", [None, "ม้าลาย"])
def test_a_full_disk_leaves_no_archive_and_no_half_written_file(
    db, media, tmp_path, monkeypatch, passphrase
):
    if passphrase:
        monkeypatch.setenv("BACKUP_PASSPHRASE", passphrase)
    (media / "big.bin").write_bytes(os.urandom(3 * 2**20))
    folder = tmp_path / "archives"
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    # No file of this process may grow past 1 MB: the archive's write fails as on a
    # full disk (EFBIG rather than ENOSPC; Python ignores SIGXFSZ).
    resource.setrlimit(resource.RLIMIT_FSIZE, (2**20, hard))
    try:
        with pytest.raises(CommandError, match="the disk is full.*no half-written archive"):
            run("backup", "--to", str(folder))
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert [path.name for path in folder.iterdir()] == [".apm-backup.lock"]


# --- retention -------------------------------------------------------------------------


def test_retention_keeps_14_daily_8_weekly_12_monthly():
    newest = datetime.datetime(2026, 11, 26, 2, 0)
    times = [newest - datetime.timedelta(days=days) for days in range(800)]
    times.append(newest - datetime.timedelta(hours=1))  # a second one on the newest day
    keep = backup.to_keep(times, daily=14, weekly=8, monthly=12)

    days = {when.date() for when in keep}
    assert newest in keep and newest - datetime.timedelta(hours=1) not in keep
    assert {newest.date() - datetime.timedelta(days=n) for n in range(14)} <= days
    # The newest of each of the last 8 ISO weeks: the Sundays, and this week's today.
    sundays = {datetime.date(2026, 11, 22) - datetime.timedelta(weeks=n) for n in range(7)}
    assert sundays <= days
    # The newest of each of the last 12 months: their last days (this month's today).
    month_ends = {datetime.date(2026, m, 1) - datetime.timedelta(days=1) for m in range(1, 12)}
    assert month_ends <= days
    assert min(days) == datetime.date(2025, 12, 31)
    # Nov 26, 22 and 15 are both daily and weekly; Nov 26 is monthly too.
    assert len(keep) == len(days) == 14 + 8 + 12 - 3 - 1


def test_backup_prunes_by_date_as_configured_and_touches_nothing_else(
    db, media, tmp_path, monkeypatch
):
    folder = tmp_path / "archives"
    folder.mkdir()
    old = [folder / f"apm-backup-2026010{day}-020000.tar" for day in range(1, 4)]
    for path in old:
        path.write_bytes(b"")
    (folder / "notes.txt").write_text("the operator's")
    monkeypatch.setenv("BACKUP_KEEP_DAILY", "2")
    monkeypatch.setenv("BACKUP_KEEP_WEEKLY", "0")
    monkeypatch.setenv("BACKUP_KEEP_MONTHLY", "0")
    said = run("backup", "--to", str(folder))
    names = sorted(path.name for path in folder.iterdir() if not path.name.startswith("."))
    assert len(names) == 3 and "notes.txt" in names and old[2].name in names
    assert f"pruned: {old[0].name}" in said and f"pruned: {old[1].name}" in said


def test_archives_are_not_written_inside_the_photos_folder(db, media):
    with pytest.raises(CommandError, match="inside the photos folder"):
        run("backup", "--to", str(media / "backups"))
    assert not (media / "backups").exists()


def test_backup_restore_and_verify_connect_as_the_owner(monkeypatch):
    import sys

    from coordination.dbroles import connects_as_owner

    monkeypatch.delenv("DJANGO_DB_OWNER", raising=False)
    monkeypatch.delitem(sys.modules, "pytest")  # as outside the test suite
    for command in ("backup", "restore", "verify-backup"):
        assert connects_as_owner(["manage.py", command, "x"])
