from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = _("Coordination centre")

    def ready(self) -> None:
        from coordination import audit  # noqa: F401 — connects the login receivers

        # New tables of a migration get the app role's grants (coordination/dbroles.py).
        post_migrate.connect(grant_app_role, sender=self, dispatch_uid="grant-app-role")


def grant_app_role(sender, using: str = "default", **kwargs) -> None:
    from coordination.dbroles import grant_after_migrate

    grant_after_migrate(using)
