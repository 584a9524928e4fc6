"""How a request's user is read: Django's ModelBackend, with what every page asks of them."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef

from coordination.models import User


class UserBackend(ModelBackend):
    """ModelBackend, reading a request's user in one query with what every page asks:
    their centre (the menu bar names it), their roles (who may open what) and, for a
    volunteer, their own row (which cases they see). Each was a query of its own on every
    page before."""

    def get_user(self, user_id: int) -> User | None:
        roles = Group.objects.filter(user=OuterRef("pk")).values("name")
        try:
            user = (
                User._default_manager.select_related("center", "volunteer")
                .annotate(role_names=ArraySubquery(roles))
                .get(pk=user_id)
            )
        except User.DoesNotExist:
            return None
        user._role_names = set(user.role_names)  # User.has_role
        return user if self.user_can_authenticate(user) else None
