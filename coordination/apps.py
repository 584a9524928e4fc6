from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = _("Coordination centre")

    def ready(self) -> None:
        from coordination import audit  # noqa: F401 — connects the login receivers
