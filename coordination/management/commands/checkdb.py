from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connection


class Command(BaseCommand):
    help = "Checks that the database answers; one clear line if it does not."
    requires_system_checks = []  # only the answer, nothing else on the screen

    def handle(self, *args, **options) -> None:
        try:
            connection.ensure_connection()
        except OperationalError as error:
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
            raise CommandError(
                f"Cannot reach the database ({first_line}). Check DATABASE_URL."
            ) from None
        self.stdout.write("Database reachable.")
