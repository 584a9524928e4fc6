from django.core.management.base import BaseCommand
from django.db import connection, transaction

from coordination.dbroles import app_role, append_only_tables, grant_sql, role_sql


class Command(BaseCommand):
    help = (
        "Prints the SQL that creates the app's PostgreSQL role (owning nothing; the access "
        "log and change history append-only) and grants what it may do. --apply runs it "
        "as the owner connection (DATABASE_OWNER_URL)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--apply", action="store_true", help="Run the SQL, not only print it.")
        parser.add_argument(
            "--password",
            default="",
            help="The role's login password (omit for socket or peer login).",
        )

    def handle(self, *args, apply: bool = False, password: str = "", **options) -> None:
        role = app_role()
        statements = role_sql(role, login_password=password or None)
        statements += grant_sql(role, append_only_tables())
        if not apply:
            for statement in statements:
                self.stdout.write(f"{statement};")
            return
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(f"Role {role} created or updated; its grants are applied.")
