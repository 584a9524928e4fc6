"""Logins that the centre gives: a coordinator to a volunteer, a centre administrator
to a coordinator. No password is ever chosen, shown, sent or stored by anyone but its
owner: an account starts without one and its owner sets it through a one-time link.

The link is Django's password-reset token with its own salt and lifetime. It is usable
once because it hashes the password (setting one changes it) and the session epoch
(issuing a new link bumps it, so the older link dies too); nothing is stored for it."""

from __future__ import annotations

import datetime
import enum

import segno
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from coordination.audit import log_access
from coordination.models import AccessLog, Center, User

PASSWORD_LINK_HOURS = 72


class LinkState(enum.Enum):
    VALID = "valid"
    EXPIRED = "expired"
    # Used, replaced by a newer link, for a closed account, or never ours.
    SPENT = "spent"


class PasswordLinkTokens(PasswordResetTokenGenerator):
    """Own salt (a password-reset token is no password link) and own lifetime:
    PASSWORD_RESET_TIMEOUT is global, the 72 hours are this link's."""

    key_salt = "coordination.accounts.PasswordLinkTokens"
    max_age = datetime.timedelta(hours=PASSWORD_LINK_HOURS)

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        return f"{super()._make_hash_value(user, timestamp)}:{user.session_epoch}:{user.is_active}"

    def state(self, user: User | None, token: str) -> LinkState:
        """Expired is told apart from spent: the advice to the person is the same (ask
        for a new link) but a coordinator on the phone wants to know which."""
        if user is None or not user.is_active:
            return LinkState.SPENT
        try:
            ts_b36, _hash = token.split("-")
            timestamp = base36_to_int(ts_b36)
        except ValueError:
            return LinkState.SPENT
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return LinkState.SPENT
        age = self._num_seconds(self._now()) - timestamp
        return LinkState.VALID if age <= self.max_age.total_seconds() else LinkState.EXPIRED

    def check_token(self, user: User | None, token: str | None) -> bool:
        return token is not None and self.state(user, token) is LinkState.VALID


password_links = PasswordLinkTokens()


def password_link_path(user: User) -> str:
    """A new link for `user`: the older ones die, and so do the user's sessions and any
    password they had (forgotten, or known to someone it should not be)."""
    with transaction.atomic():
        user.set_unusable_password()
        # Counted in the database: a stale copy must never move the epoch back and
        # revive sessions an earlier bump had ended.
        User.objects.filter(pk=user.pk).update(
            password=user.password, session_epoch=F("session_epoch") + 1
        )
        user.refresh_from_db(fields=["password", "session_epoch", "last_login", "is_active"])
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("password-set", args=[uid, password_links.make_token(user)])


def issue_password_link(user: User, *, request: HttpRequest) -> str:
    """The full address of a new one-time link, logged as issued by the requester."""
    path = password_link_path(user)
    log_access(request, AccessLog.Action.PASSWORD_LINK, obj=user)
    return request.build_absolute_uri(path)


@transaction.atomic
def create_account(
    *, username: str, center: Center, role: str, request: HttpRequest | None = None
) -> User:
    """An account of `role` ("volunteer" or "coordinator") in `center`, without a
    password until its owner sets one through a link. Never staff."""
    if role not in ("volunteer", "coordinator"):
        raise ValueError(f"No such role: {role}")
    user = User(username=username, center=center, is_staff=False, is_superuser=False)
    user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get(name=role))
    log_access(request, AccessLog.Action.ACCOUNT_CREATED, obj=user)
    return user


def set_account_active(user: User, active: bool, *, by: User | None = None) -> None:
    """Closing an account ends its sessions at once; reopening gives back the same
    login, password included."""
    if user.is_active == active:
        return
    User.objects.filter(pk=user.pk).update(is_active=active, session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["is_active", "session_epoch"])
    action = AccessLog.Action.ACCOUNT_ENABLED if active else AccessLog.Action.ACCOUNT_DISABLED
    log_access(None, action, user=by, obj=user)


def qr_code(link: str) -> str:
    """The link as an SVG data address for an <img>: no inline markup or style for the
    pages' content security policy to refuse (img-src allows data:), and the <img>
    takes an alt text for screen readers."""
    return segno.make(link, error="m").svg_data_uri(scale=5, border=4)


def username_taken(username: str, *, by_other_than: User | None = None) -> bool:
    # Logging in is case-sensitive, but two people called "Somchai" and "somchai" would
    # only confuse each other.
    others = User.objects.exclude(pk=by_other_than.pk) if by_other_than else User.objects
    return others.filter(username__iexact=username).exists()


def suggest_username(base: str, *, fallback: str) -> str:
    """`base` if free, else `base-2`, `base-3`…; `fallback` when there is no base."""
    base = base or fallback
    candidate, n = base, 1
    while username_taken(candidate):
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def log_password_set(request: HttpRequest, user: User) -> None:
    log_access(request, AccessLog.Action.PASSWORD_SET, user=user, obj=user)
