"""The access log: who saw, exported or printed which case, and who logged in.

Writing it never costs the user their action: a failure is reported to the server
log and the request goes on. It is written in the request itself, not later."""

import contextlib
import logging

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import router, transaction
from django.dispatch import receiver
from django.http import HttpRequest

logger = logging.getLogger(__name__)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address; behind N trusted proxies, the one they saw."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def log_access(
    request: HttpRequest | None,
    action: str,
    *,
    case=None,
    obj=None,
    user=None,
    username="",
    reason: str = "",
    file_sha256: str = "",
) -> None:
    from coordination.models import AccessLog

    user = user or (getattr(request, "user", None) if request else None)
    if user is not None and not user.is_authenticated:
        user = None
    # Within the request's transaction, a savepoint: a failed insert must not break it.
    # Outside one (a page that only reads), the INSERT commits by itself, without a
    # BEGIN and a COMMIT of its own around it.
    inside = transaction.get_connection(router.db_for_write(AccessLog)).in_atomic_block
    try:
        with transaction.atomic() if inside else contextlib.nullcontext():
            AccessLog.objects.create(
                user=user,
                username=(user.get_username() if user else username)[:150],
                action=action,
                center_id=getattr(case, "center_id", None) or getattr(user, "center_id", None),
                case_id=getattr(case, "pk", None),
                case_number=getattr(case, "number", ""),
                object_type=obj._meta.model_name if obj is not None else "",
                object_id=getattr(obj, "pk", None),
                ip=client_ip(request) if request else None,
                path=request.get_full_path()[:500] if request else "",
                reason=reason[:300],
                file_sha256=file_sha256,
            )
    except Exception:
        logger.exception(
            "Could not write the access log (%s, case %s)", action, getattr(case, "pk", None)
        )


@receiver(user_logged_in)
def log_login(sender, request, user, **kwargs) -> None:
    log_access(request, "login", user=user)


@receiver(user_logged_out)
def log_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        log_access(request, "logout", user=user)


@receiver(user_login_failed)
def log_login_failure(sender, credentials, request=None, **kwargs) -> None:
    log_access(request, "login_failed", username=str(credentials.get("username", "")))
