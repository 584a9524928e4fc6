from django.conf import settings
from django.core.management.base import BaseCommand

from cases.models import Case
from coordination.audit import log_access
from coordination.models import AccessLog


class Command(BaseCommand):
    help = (
        "Anonymises cases closed longer ago than the retention period "
        "(DJANGO_CASE_RETENTION_DAYS). Only lists them unless --apply is given."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--apply", action="store_true", help="Anonymise; without it, a dry run."
        )
        parser.add_argument(
            "--days",
            type=int,
            default=settings.CASE_RETENTION_DAYS,
            help="Retention period in days after closing (default: the setting).",
        )

    def handle(self, *args, apply: bool = False, days: int = 0, **options) -> None:
        cases = Case.objects.due_for_anonymising(days).order_by("closed_on", "number")
        verb = "Anonymised" if apply else "Would anonymise"
        count = 0
        for case in cases.iterator():
            if apply:
                case.anonymise()
                log_access(
                    None, AccessLog.Action.ANONYMISE, case=case, username="anonymise_closed_cases"
                )
            self.stdout.write(f"{verb} {case.number} (closed {case.closed_on:%Y-%m-%d})")
            count += 1
        self.stdout.write(f"{verb} {count} cases closed more than {days} days ago.")
        if not apply and count:
            self.stdout.write("Dry run: nothing changed. Add --apply to anonymise.")
