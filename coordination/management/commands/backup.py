import os
from pathlib import Path

import psycopg2
from django.conf import settings
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from coordination import backup


def env_count(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdecimal():
        raise CommandError(f"{name} must be a whole number, not {value!r}")
    return int(value)


def default_folder() -> Path:
    return Path(os.environ.get("BACKUP_DIR", "").strip() or settings.BASE_DIR / "backups")


class Command(BaseCommand):
    help = (
        "Writes one archive of the database, the photos and a manifest to --to (BACKUP_DIR, "
        "else ./backups), encrypted when BACKUP_PASSPHRASE is set, then prunes old archives."
    )
    requires_system_checks = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("--to", type=Path, help="folder of the archives")
        for period, default in (("daily", 14), ("weekly", 8), ("monthly", 12)):
            parser.add_argument(
                f"--keep-{period}",
                type=int,
                help=f"{period} archives kept (BACKUP_KEEP_{period.upper()}, else {default})",
            )
        parser.add_argument("--no-prune", action="store_true", help="keep every archive")

    def handle(self, *args, **options) -> None:
        folder = (options["to"] or default_folder()).expanduser().resolve()
        keep = {
            period: options[f"keep_{period}"]
            if options[f"keep_{period}"] is not None
            else env_count(f"BACKUP_KEEP_{period.upper()}", default)
            for period, default in (("daily", 14), ("weekly", 8), ("monthly", 12))
        }
        try:
            backup.backup(
                connection.settings_dict,
                storages["default"],
                folder,
                passphrase=os.environ.get("BACKUP_PASSPHRASE") or None,
                now=timezone.localtime(),
                say=self.stdout.write,
            )
            if not options["no_prune"]:
                backup.prune(folder, **keep, say=self.stdout.write)
        except backup.BackupError as error:
            raise CommandError(f"Backup failed: {error}") from None
        except psycopg2.Error as error:
            raise CommandError(f"Backup failed: the database answered: {error}".strip()) from None
