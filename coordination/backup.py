"""Backups of a centre: the database, the photos and a manifest in one archive.

An archive is a tar file, `apm-backup-YYYYMMDD-HHMMSS.tar` (`.tar.enc` when encrypted
with BACKUP_PASSPHRASE, see sealed.py), holding in this order:

- `database.dump`: pg_dump's custom format, taken in an exported snapshot, so the row
  counts of the manifest are those of the dump even while visits are being logged;
- `media/...`: every file of the media storage (`STORAGES["default"]`: the visit
  photos), read through Django's storage API, so a bucket is backed up as a folder is;
- `manifest.json`, last: app version, migrations applied, row counts per table, the
  SHA-256 and size of every part, and the photos written after the snapshot or missing.

The manifest comes last so that a cut-short archive has none: restore and verify-backup
unpack everything into a temporary folder and check it all before touching a database.
A backup is written under a temporary name in the target folder and renamed when whole;
a failure (a full disk) removes it, so a name without the dot is always a whole archive.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import posixpath
import re
import shutil
import subprocess
import tarfile
import tempfile
import tomllib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import psycopg2
import psycopg2.errors
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage
from psycopg2 import sql

from coordination import sealed

FORMAT = 1
PREFIX = "apm-backup-"
ARCHIVE_NAME = re.compile(r"^apm-backup-(\d{8}-\d{6})\.tar(\.enc)?$")
DUMP = "database.dump"
MANIFEST = "manifest.json"
MEDIA = "media/"
PIECE = 1024 * 1024
# Tables a fresh `migrate` fills (the seed migrations): rows there are not a centre's data.
# A database "has data" when any other table of ours has a row.
MIGRATE_FILLS = {
    "django_migrations", "django_content_type", "auth_permission", "auth_group",
    "auth_group_permissions", "coordination_targetgroup", "coordination_allowancerate",
    "coordination_province", "coordination_district", "coordination_subdistrict",
}  # fmt: skip

Say = Callable[[str], None]


class BackupError(Exception):
    """One line for the operator: what is wrong and, where it helps, what to do."""


# --- the database connection ------------------------------------------------------------


# Connection keywords libpq knows that Django's OPTIONS may carry (dj-database-url puts
# a Unix socket folder there as `host`).
LIBPQ_OPTIONS = {
    "host", "port", "sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout",
    "target_session_attrs", "application_name", "options",
}  # fmt: skip


def conninfo(settings_dict: dict, dbname: str | None = None) -> dict[str, str]:
    """libpq's keywords for this connection, the password apart (see tool_env)."""
    options = settings_dict.get("OPTIONS") or {}
    params = {k: str(v) for k, v in options.items() if k in LIBPQ_OPTIONS and v}
    for key, name in (("host", "HOST"), ("port", "PORT"), ("user", "USER")):
        if settings_dict.get(name):
            params[key] = str(settings_dict[name])
    params["dbname"] = dbname or settings_dict["NAME"]
    return params


def conninfo_string(params: dict[str, str]) -> str:
    def quoted(value: str) -> str:
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"

    return " ".join(f"{key}={quoted(value)}" for key, value in params.items())


def tool_env(settings_dict: dict) -> dict[str, str]:
    """The password goes to pg_dump and pg_restore in the environment, not in the
    process list; PG* variables of the caller must not redirect them."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    if settings_dict.get("PASSWORD"):
        environment["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return environment


def connect(settings_dict: dict, dbname: str | None = None):
    return psycopg2.connect(
        password=settings_dict.get("PASSWORD") or None, **conninfo(settings_dict, dbname)
    )


def pg_tool(name: str) -> str:
    """The embedded server's own binaries when it is the database; else BACKUP_PG_BIN, or
    the PATH's (Debian's postgresql-client: of the server's major version or newer)."""
    if not os.environ.get("DATABASE_URL", "").strip():
        from coordination import embedded_pg

        return embedded_pg._bin(name)
    directory = os.environ.get("BACKUP_PG_BIN", "").strip()
    found = str(Path(directory) / name) if directory else shutil.which(name)
    if not found or not os.access(found, os.X_OK):
        raise BackupError(
            f"{name} not found: install the PostgreSQL client of your server's version "
            "(apt install postgresql-client) or set BACKUP_PG_BIN to its bin folder"
        )
    return found


def _run_tool(args: list[str], environment: dict[str, str], what: str) -> None:
    result = subprocess.run(
        args, env=environment, stdin=subprocess.DEVNULL, capture_output=True, text=True
    )
    if result.returncode != 0:
        said = [line for line in result.stderr.splitlines() if line.strip()]
        reason = said[0] if said else f"exit status {result.returncode}"
        if "no space left on device" in result.stderr.lower():
            raise OSError(errno.ENOSPC, reason)
        raise BackupError(f"{what} failed: {reason}")


def user_tables(cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    return [row[0] for row in cursor.fetchall()]


def row_counts(cursor) -> dict[str, int]:
    counts = {}
    for table in user_tables(cursor):
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        counts[table] = cursor.fetchone()[0]
    return counts


def referenced_media(cursor) -> set[str]:
    """The files the database points to (every FileField of every model)."""
    from django.apps import apps
    from django.db.models import FileField

    tables = set(user_tables(cursor))
    names: set[str] = set()
    for model in apps.get_models():
        if model._meta.db_table not in tables:
            continue
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, FileField):
                cursor.execute(
                    sql.SQL("SELECT {c} FROM {t} WHERE {c} <> ''").format(
                        c=sql.Identifier(model_field.column),
                        t=sql.Identifier(model._meta.db_table),
                    )
                )
                names.update(row[0] for row in cursor.fetchall())
    return names


def has_data(cursor) -> bool:
    for table in user_tables(cursor):
        if table in MIGRATE_FILLS:
            continue
        cursor.execute(sql.SQL("SELECT EXISTS (SELECT FROM {})").format(sql.Identifier(table)))
        if cursor.fetchone()[0]:
            return True
    return False


def app_version() -> str:
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    return tomllib.loads(pyproject.read_text())["project"]["version"]


def app_migrations() -> set[tuple[str, str]]:
    from django.db.migrations.loader import MigrationLoader

    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


# --- writing ----------------------------------------------------------------------------


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while piece := file.read(PIECE):
            digest.update(piece)
    return digest.hexdigest()


def _size(count: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return ""


def archive_name(when: datetime, encrypted: bool) -> str:
    return f"{PREFIX}{when:%Y%m%d-%H%M%S}.tar" + (".enc" if encrypted else "")


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """One backup at a time in a folder: the next one's cleanup and pruning would
    remove what this one is writing."""
    with open(folder / ".apm-backup.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes, mtime: float) -> None:
    import io

    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(mtime), 0o600
    archive.addfile(info, io.BytesIO(data))


def stored_names(storage: Storage) -> list[str]:
    """Every file of the storage, walked with listdir (which every backend has: the file
    system, a bucket, memory); hidden names (a restore's leftovers) are not photos."""
    names: list[str] = []
    folders = [""]
    while folders:
        folder = folders.pop()
        try:
            subfolders, files = storage.listdir(folder)
        except FileNotFoundError:  # the folder of a fresh install, before any upload
            continue
        folders.extend(posixpath.join(folder, name) for name in subfolders)
        names.extend(posixpath.join(folder, name) for name in files if not name.startswith("."))
    return sorted(names)


def _local_folder(storage: Storage) -> Path | None:
    """The folder of a file-system storage; None for a bucket (or memory)."""
    return Path(storage.location) if isinstance(storage, FileSystemStorage) else None


@dataclass
class Written:
    path: Path
    size: int
    manifest: dict = field(default_factory=dict)


def backup(
    settings_dict: dict,
    storage: Storage,
    folder: Path,
    *,
    passphrase: str | None,
    now: datetime,
    say: Say,
) -> Written:
    media_root = _local_folder(storage)
    if media_root and folder.resolve().is_relative_to(media_root.resolve()):
        raise BackupError(
            f"{folder} is inside the photos folder {media_root}: each backup would hold "
            "the ones before it; choose another folder"
        )
    folder.mkdir(parents=True, exist_ok=True)
    with _folder_lock(folder):
        for stray in folder.glob(f".{PREFIX}*.partial"):  # a run that died: never whole
            shutil.rmtree(stray, ignore_errors=True)
        work = Path(tempfile.mkdtemp(dir=folder, prefix=f".{PREFIX}", suffix=".partial"))
        try:
            return _write(settings_dict, storage, folder, work, passphrase, now, say)
        except OSError as error:
            full = error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
            reason = f"the disk is full ({error.strerror})" if full else str(error)
            raise BackupError(
                f"could not write the backup in {folder}: {reason}. "
                "Nothing was kept: no half-written archive is left."
            ) from None
        finally:
            shutil.rmtree(work, ignore_errors=True)


def _write(settings_dict, storage, folder, work, passphrase, now, say) -> Written:
    manifest: dict = {
        "format": FORMAT,
        "created": now.isoformat(),
        "app_version": app_version(),
        "encrypted": bool(passphrase),
        "parts": {},
    }
    dump = work / DUMP
    # The snapshot is held open while pg_dump reads it: the counts, the migrations and
    # the photo list are of the same moment as the dump.
    connection = connect(settings_dict)
    try:
        connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with connection.cursor() as cursor:
            # Taken just before: a photo written at the very moment is noted, not missed.
            snapshot_at = datetime.now().timestamp()
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            manifest["server_version"] = server_version
            manifest["row_counts"] = row_counts(cursor)
            cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
            manifest["migrations"] = [list(row) for row in cursor.fetchall()]
            referenced = referenced_media(cursor)
            _run_tool(
                [
                    pg_tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={dump}",
                    f"--dbname={conninfo_string(conninfo(settings_dict))}",
                ],  # fmt: skip
                tool_env(settings_dict),
                "pg_dump",
            )
    finally:
        connection.close()
    manifest["parts"][DUMP] = {"sha256": _sha256_file(dump), "size": dump.stat().st_size}
    tables = len(manifest["row_counts"])
    say(f"database: {_size(dump.stat().st_size)} ({tables} tables, snapshot {snapshot})")

    name = archive_name(now, bool(passphrase))
    partial = work / name
    after, media_bytes = [], 0
    # Only the owner may read it: people's health and addresses (PDPA).
    with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        sink = sealed.SealingWriter(out, passphrase) if passphrase else out
        with tarfile.open(fileobj=sink, mode="w|", format=tarfile.PAX_FORMAT) as archive:
            archive.add(dump, arcname=DUMP)
            for relative in stored_names(storage):
                try:
                    mtime = storage.get_modified_time(relative).timestamp()
                    with storage.open(relative, "rb") as file:
                        data = file.read()  # whole: a photo is a few MB at most
                except FileNotFoundError:
                    continue  # deleted since the listing; the snapshot check below says so
                if mtime >= snapshot_at:
                    after.append(relative)
                manifest["parts"][MEDIA + relative] = {
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "size": len(data),
                }
                media_bytes += len(data)
                _add_bytes(archive, MEDIA + relative, data, mtime)
            stored = {name[len(MEDIA) :] for name in manifest["parts"] if name != DUMP}
            manifest["media"] = {
                "files": len(stored),
                "bytes": media_bytes,
                "written_after_snapshot": sorted(after),
                "missing": sorted(referenced - stored),
            }
            body = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
            _add_bytes(archive, MANIFEST, body, now.timestamp())
        if passphrase:
            sink.close()
        out.flush()
        os.fsync(out.fileno())
    say(f"media: {len(stored)} files, {_size(media_bytes)}")
    if after:
        say(f"media: {len(after)} written after the database snapshot (kept, noted)")
    if manifest["media"]["missing"]:
        say(f"WARNING: {len(manifest['media']['missing'])} photos in the database are missing")
    say("manifest: written")
    final = folder / name
    if final.exists():
        raise BackupError(f"{final} exists already: one backup per second at most")
    os.replace(partial, final)
    _fsync_dir(folder)
    size = final.stat().st_size
    say(f"archive: {final} ({_size(size)}{', encrypted' if passphrase else ''})")
    return Written(final, size, manifest)


# --- retention --------------------------------------------------------------------------


def archives_in(folder: Path) -> list[tuple[datetime, Path]]:
    found = []
    for path in folder.iterdir() if folder.is_dir() else []:
        match = ARCHIVE_NAME.match(path.name)
        if match:
            found.append((datetime.strptime(match[1], "%Y%m%d-%H%M%S"), path))
    return sorted(found, reverse=True)


def to_keep(times: list[datetime], *, daily: int, weekly: int, monthly: int) -> set[datetime]:
    """The newest archive of each of the last `daily` days that have one, of the last
    `weekly` ISO weeks and of the last `monthly` months (as borg and restic count); the
    newest of all always."""
    newest_first = sorted(times, reverse=True)
    keep = set(newest_first[:1])
    rules: list[tuple[int, Callable[[date], object]]] = [
        (daily, lambda day: day),
        (weekly, lambda day: day.isocalendar()[:2]),
        (monthly, lambda day: (day.year, day.month)),
    ]
    for count, period in rules:
        seen: set = set()
        for when in newest_first:
            key = period(when.date())
            if key in seen:
                continue
            if len(seen) >= count:
                break
            seen.add(key)
            keep.add(when)
    return keep


def prune(folder: Path, *, daily: int, weekly: int, monthly: int, say: Say) -> list[Path]:
    found = archives_in(folder)
    keep = to_keep([when for when, _ in found], daily=daily, weekly=weekly, monthly=monthly)
    removed = []
    for when, path in found:
        if when not in keep:
            path.unlink()
            removed.append(path)
            say(f"pruned: {path.name}")
    return removed


# --- reading ----------------------------------------------------------------------------


@dataclass
class Unpacked:
    folder: Path
    manifest: dict

    @property
    def dump(self) -> Path:
        return self.folder / DUMP

    def media(self) -> dict[str, Path]:
        return {
            name[len(MEDIA) :]: self.folder / name
            for name in self.manifest["parts"]
            if name.startswith(MEDIA)
        }


def _safe_member(name: str) -> bool:
    path = Path(name)
    return (
        not path.is_absolute()
        and ".." not in path.parts
        and (name in (DUMP, MANIFEST) or (name.startswith(MEDIA) and len(path.parts) > 1))
    )


def unpack(archive: Path, into: Path, passphrase: str | None) -> Unpacked:
    """Unpack and check every part against the manifest; raise BackupError, saying what
    is wrong, before anything is restored."""
    if not archive.is_file():
        raise BackupError(f"{archive} is not a file")
    encrypted = sealed.is_sealed(archive)
    if encrypted and not passphrase:
        raise BackupError(f"{archive.name} is encrypted: set BACKUP_PASSPHRASE")
    digests: dict[str, tuple[str, int]] = {}
    manifest_bytes = None
    try:
        with archive.open("rb") as raw:
            source = sealed.OpeningReader(raw, passphrase) if passphrase and encrypted else raw
            with tarfile.open(fileobj=source, mode="r|") as tar:
                for member in tar:
                    if not member.isfile() or not _safe_member(member.name):
                        raise BackupError(
                            f"{archive.name} is not a backup archive of this app "
                            f"(unexpected entry {member.name!r})"
                        )
                    reader = tar.extractfile(member)
                    assert reader is not None  # a regular file, checked above
                    if member.name == MANIFEST:
                        manifest_bytes = reader.read()
                        continue
                    target = into / member.name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    digest = hashlib.sha256()
                    with target.open("wb") as out:
                        while piece := reader.read(PIECE):
                            digest.update(piece)
                            out.write(piece)
                    digests[member.name] = (digest.hexdigest(), member.size)
    except sealed.WrongPassphrase:
        raise BackupError(f"cannot open {archive.name}: wrong BACKUP_PASSPHRASE") from None
    except sealed.SealError as error:
        raise BackupError(f"{archive.name} cannot be used: {error}") from None
    except (tarfile.TarError, EOFError) as error:
        raise BackupError(
            f"{archive.name} is damaged or incomplete (cut short?): {error}"
        ) from None
    if manifest_bytes is None:
        raise BackupError(
            f"{archive.name} has no manifest: it is incomplete (cut short) "
            "or not a backup of this app"
        )
    try:
        manifest = json.loads(manifest_bytes)
        parts = manifest["parts"]
        assert manifest["format"] == FORMAT and isinstance(parts, dict)
    except (ValueError, KeyError, TypeError, AssertionError):
        raise BackupError(f"{archive.name}: its manifest is unreadable (damaged)") from None
    for name, expected in parts.items():
        if name not in digests:
            raise BackupError(f"{archive.name} is incomplete: {name} is missing")
        if digests[name] != (expected["sha256"], expected["size"]):
            raise BackupError(
                f"{archive.name} is damaged: {name} does not match its SHA-256 in the manifest"
            )
    extra = set(digests) - set(parts)
    if extra:
        raise BackupError(f"{archive.name} is damaged: {sorted(extra)[0]} is not in its manifest")
    return Unpacked(into, manifest)


def check_app_knows(manifest: dict) -> list[tuple[str, str]]:
    """The migrations this app has that the archive lacks (run after the restore).
    Refuses an archive of a newer app: its schema is one this code does not know."""
    archived = {tuple(pair) for pair in manifest["migrations"]}
    ours = app_migrations()
    ours_apps = {app for app, _ in ours}
    unknown = sorted(pair for pair in archived - ours if pair[0] in ours_apps)
    if unknown:
        app, name = unknown[0]
        raise BackupError(
            f"the archive comes from a newer version of the app (migration {app}.{name} "
            "is not in this one): update the app, then restore"
        )
    return sorted(ours - archived)


def restore_database(settings_dict: dict, dbname: str, unpacked: Unpacked) -> dict[str, int]:
    """Into an empty `dbname`: one transaction, all or nothing. Returns the row counts
    found after, which must be the manifest's."""
    _run_tool(
        [
            pg_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            str(unpacked.dump),
            f"--dbname={conninfo_string(conninfo(settings_dict, dbname))}",
        ],  # fmt: skip
        tool_env(settings_dict),
        "pg_restore",
    )
    connection = connect(settings_dict, dbname)
    try:
        with connection, connection.cursor() as cursor:
            found = row_counts(cursor)
    finally:
        connection.close()
    expected = unpacked.manifest["row_counts"]
    wrong = [t for t in sorted(set(expected) | set(found)) if expected.get(t) != found.get(t)]
    if wrong:
        table = wrong[0]
        raise BackupError(
            f"after the restore, {table} has {found.get(table)} rows and the manifest says "
            f"{expected.get(table)}: the restored database is not the backup's"
        )
    return found


def empty_schema(settings_dict: dict, dbname: str) -> None:
    """The public schema anew: the database then holds nothing, as pg_restore needs."""
    connection = connect(settings_dict, dbname)
    try:
        with connection, connection.cursor() as cursor:
            # The app, still serving, would hold locks: say so rather than wait forever.
            cursor.execute("SET lock_timeout = '10s'")
            try:
                cursor.execute("DROP SCHEMA IF EXISTS public CASCADE")
            except psycopg2.errors.LockNotAvailable:
                raise BackupError(
                    f"the database {dbname} is in use: stop the app (gunicorn, make run), "
                    "then restore"
                ) from None
            cursor.execute("CREATE SCHEMA public")
            cursor.execute("GRANT USAGE ON SCHEMA public TO PUBLIC")
    finally:
        connection.close()


def database_url_of(settings_dict: dict, dbname: str) -> str:
    """A DATABASE_URL for `dbname` on the same server, as the owner (for a child process)."""
    from urllib.parse import quote, urlencode

    params = conninfo(settings_dict, dbname)
    host = params.pop("host", "")
    port = params.pop("port", "")
    user = quote(params.pop("user", ""), safe="")
    password = quote(str(settings_dict.get("PASSWORD") or ""), safe="")
    name = quote(params.pop("dbname"), safe="")
    if host.startswith("/"):  # a Unix socket folder goes in the query
        params["host"], host = host, ""
    netloc = f"{user}:{password}@{host}" + (f":{port}" if port else "")
    query = urlencode(params)
    return f"postgresql://{netloc}/{name}" + (f"?{query}" if query else "")


def grant_app_role(settings_dict: dict, dbname: str) -> bool:
    """The dump holds no grants (--no-privileges): give the app role its own again, if it
    exists on this server. One transaction, as dbroles does."""
    from coordination.dbroles import app_role, append_only_tables, grant_sql

    connection = connect(settings_dict, dbname)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [app_role()])
            if cursor.fetchone() is None:
                return False
            for statement in grant_sql(app_role(), append_only_tables()):
                cursor.execute(statement)
            return True
    finally:
        connection.close()


def database_has_data(settings_dict: dict, dbname: str) -> bool:
    connection = connect(settings_dict, dbname)
    try:
        with connection, connection.cursor() as cursor:
            return has_data(cursor)
    finally:
        connection.close()


def put_media(unpacked: Unpacked, storage: Storage) -> int:
    """Each photo written back under its own name, through the storage (a bucket or a
    folder): the database names it so. One already there is replaced by the archive's
    (a restore over a damaged copy). An interrupted restore is run again: the database
    part starts over too."""
    count = 0
    for relative, source in unpacked.media().items():
        if storage.exists(relative):
            storage.delete(relative)
        with source.open("rb") as file:
            saved = storage.save(relative, File(file, name=relative))
        if saved != relative:  # the storage renamed it: the database would not find it
            raise BackupError(f"the storage kept {relative} as {saved}: restore stopped")
        count += 1
    return count


@contextlib.contextmanager
def temporary_database(settings_dict: dict) -> Iterator[str]:
    """A database of its own on the same server, dropped after, whatever happens. Its
    name says which process made it (two verifications may run at once)."""
    name = f"apm_verify_{os.getpid()}_{uuid.uuid4().hex[:12]}"
    connection = connect(settings_dict)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            try:
                cursor.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(
                        sql.Identifier(name)
                    )
                )
            except psycopg2.Error as error:
                raise BackupError(
                    f"cannot create a temporary database to verify in ({error.pgerror or error}"
                    "): the owner role needs CREATEDB"
                ) from None
        yield name
    finally:
        with contextlib.suppress(psycopg2.Error), connection.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        connection.close()
