import axes.apps
from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static import apps as otp_static
from django_otp.plugins.otp_totp import apps as otp_totp


class CoordinationConfig(AppConfig):
    # This module also holds the other apps' configurations below: without `default`,
    # Django finds several and uses none of them for "coordination" (no ready(), so no
    # grants after a migration, and the admin's "Coordination" in English).
    default = True
    name = "coordination"
    verbose_name = _("Coordination centre")

    def ready(self) -> None:
        from django.contrib.admin import helpers

        from coordination import admin, audit  # noqa: F401 — audit connects the login receivers

        # The admin's read-only fields write their days in the Buddhist Era.
        helpers.display_for_field = admin.display_for_field  # type: ignore[attr-defined]

        # New tables of a migration get the app role's grants (coordination/dbroles.py).
        post_migrate.connect(grant_app_role, sender=self, dispatch_uid="grant-app-role")


def grant_app_role(sender, using: str = "default", **kwargs) -> None:
    from coordination.dbroles import grant_after_migrate

    grant_after_migrate(using)


# The third-party apps' own configurations, named in the admin in the reader's language:
# django-axes and django-otp's plugins have no name of their own (AXES, OTP_TOTP and
# OTP_STATIC on a Thai admin index). Their app labels, tables and migrations are theirs.
class LoginAttemptsConfig(axes.apps.AppConfig):
    verbose_name = _("Login attempts")


class AuthenticatorAppsConfig(otp_totp.DefaultConfig):
    verbose_name = _("Authenticator apps")


class BackupCodesConfig(otp_static.DefaultConfig):
    verbose_name = _("Backup codes")
