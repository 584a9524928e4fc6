import os
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg2
from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from coordination import backup


def describe(storage: Storage) -> str:
    """Where the photos went, for the operator: a folder, or the storage's class."""
    if isinstance(storage, FileSystemStorage):
        return str(storage.location)
    bucket = getattr(storage, "bucket_name", None)
    return f"the bucket {bucket}" if bucket else type(storage).__name__


class Command(BaseCommand):
    help = (
        "Restores an archive of `backup`: checks its manifest and every part's SHA-256 first, "
        "refuses a database that holds data unless --force, checks the row counts after and "
        "runs the migrations of a newer app."
    )
    requires_system_checks = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--force", action="store_true", help="replace a database that holds data"
        )
        parser.add_argument(
            "--into",
            metavar="DBNAME",
            help="another database on the same server (a drill), not the app's own",
        )
        parser.add_argument(
            "--media-root",
            type=Path,
            help="a folder for the photos instead of the media storage (STORAGES['default'])",
        )

    def handle(self, *args, **options) -> None:
        try:
            self.restore(options)
        except backup.BackupError as error:
            raise CommandError(f"Restore refused: {error}") from None
        except psycopg2.Error as error:
            raise CommandError(f"Restore failed: the database answered: {error}".strip()) from None

    def restore(self, options: dict) -> None:
        say = self.stdout.write
        settings_dict = connections[DEFAULT_DB_ALIAS].settings_dict
        dbname = options["into"] or settings_dict["NAME"]
        storage = (
            FileSystemStorage(location=options["media_root"].resolve())
            if options["media_root"]
            else storages["default"]
        )
        with tempfile.TemporaryDirectory(prefix="apm-restore-") as folder:
            unpacked = backup.unpack(
                options["archive"], Path(folder), os.environ.get("BACKUP_PASSPHRASE") or None
            )
            manifest = unpacked.manifest
            say(
                f"archive: {len(manifest['parts'])} parts match the manifest "
                f"(made {manifest['created']}, app {manifest['app_version']})"
            )
            pending = backup.check_app_knows(manifest)
            if backup.database_has_data(settings_dict, dbname) and not options["force"]:
                raise backup.BackupError(
                    f"the database {dbname} holds data; restoring replaces all of it. "
                    "Back it up, then run again with --force"
                )
            connections.close_all()  # our own idle connection must not hold the schema
            backup.empty_schema(settings_dict, dbname)
            counts = backup.restore_database(settings_dict, dbname, unpacked)
            say(
                f"database: {dbname} restored, {len(counts)} tables, "
                f"{sum(counts.values())} rows, as the manifest counts"
            )
            photos = backup.put_media(unpacked, storage)
            say(f"media: {photos} files into {describe(storage)}")
        missing = manifest["media"]["missing"]
        if missing:
            say(f"WARNING: {len(missing)} photos were already missing when the backup was made")
        self.finish(dbname, settings_dict, pending)

    def finish(self, dbname: str, settings_dict: dict, pending: list) -> None:
        """Migrations of a newer app, then the app role's grants (the dump has none)."""
        if pending:
            self.stdout.write(f"migrations: {len(pending)} newer than the archive, applying")
            if dbname == settings_dict["NAME"]:
                call_command("migrate", interactive=False, verbosity=0)
            else:
                # Another database: a `migrate` of its own, pointed at it (this process's
                # connections are Django's settings', made once).
                environment = {
                    **{k: v for k, v in os.environ.items() if k != "DATABASE_OWNER_URL"},
                    "DATABASE_URL": backup.database_url_of(settings_dict, dbname),
                    "DJANGO_DB_OWNER": "1",
                }
                result = subprocess.run(
                    [
                        sys.executable,
                        str(Path(settings.BASE_DIR) / "manage.py"),
                        "migrate",
                        "--noinput",
                        "--verbosity",
                        "0",
                    ],  # fmt: skip
                    env=environment,
                    capture_output=True,
                    text=True,
                )
                if result.returncode != 0:
                    said = (result.stderr.strip().splitlines() or ["no reason given"])[-1]
                    raise backup.BackupError(f"the migrations failed after the restore: {said}")
        else:
            backup.grant_app_role(settings_dict, dbname)
        self.stdout.write("Restore complete.")
