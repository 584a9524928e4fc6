"""How a request's user is read: Django's ModelBackend, with the user's centre."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from coordination.models import User


class UserBackend(ModelBackend):
    """ModelBackend, reading a request's user with their centre in the same query: every
    page names the centre in its menu bar, a query of its own each page before."""

    def get_user(self, user_id: int) -> User | None:
        try:
            user = User._default_manager.select_related("center").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
