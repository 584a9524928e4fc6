"""`manage.py verify-backup ARCHIVE` (a dash, as the README says: Django finds commands by
file name, and a dashed file imports as any other)."""

import os
import tempfile
from pathlib import Path

import psycopg2
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from coordination import backup


class Command(BaseCommand):
    help = (
        "Checks an archive of `backup`: every part against the manifest, then restores it into "
        "a temporary database on the same server and compares the row counts. The app's own "
        "database and photos are not touched."
    )
    requires_system_checks = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", type=Path)

    def handle(self, *args, **options) -> None:
        try:
            self.verify(options["archive"])
        except backup.BackupError as error:
            raise CommandError(f"The archive fails verification: {error}") from None
        except psycopg2.Error as error:
            raise CommandError(f"Verification failed: the database answered: {error}") from None

    def verify(self, archive: Path) -> None:
        say = self.stdout.write
        with tempfile.TemporaryDirectory(prefix="apm-verify-") as folder:
            unpacked = backup.unpack(
                archive, Path(folder), os.environ.get("BACKUP_PASSPHRASE") or None
            )
            manifest = unpacked.manifest
            say(f"archive: {len(manifest['parts'])} parts match the manifest")
            with backup.temporary_database(connection.settings_dict) as dbname:
                counts = backup.restore_database(connection.settings_dict, dbname, unpacked)
                say(
                    f"database: restored into {dbname}, {len(counts)} tables, "
                    f"{sum(counts.values())} rows, as the manifest counts"
                )
                check = backup.connect(connection.settings_dict, dbname)
                try:
                    with check, check.cursor() as cursor:
                        referenced = backup.referenced_media(cursor)
                finally:
                    check.close()
        absent = sorted(referenced - set(unpacked.media()))
        if absent != manifest["media"]["missing"]:
            raise backup.BackupError(
                f"photos the database points to are not in the archive: {', '.join(absent[:3])}"
            )
        if absent:
            say(f"WARNING: {len(absent)} photos were already missing when the backup was made")
        say(f"media: {len(unpacked.media())} files, every photo of the database present")
        say(f"OK: {archive} can be restored.")
