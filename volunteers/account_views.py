"""A volunteer's login, given by a coordinator from the volunteer's page."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from coordination.access import coordinator_required, get_visible_or_404
from coordination.accounts import (
    PASSWORD_LINK_HOURS,
    issue_password_link,
    qr_code,
    suggest_username,
)
from coordination.models import AccessLog
from coordination.validators import normalize_phone
from volunteers.account_forms import GiveLoginForm
from volunteers.models import Volunteer


def suggested_username(volunteer: Volunteer) -> str:
    """Their phone number, which they know by heart and is no secret (not their
    national ID, which is on every form they ever filled)."""
    phone = normalize_phone(volunteer.phone or "")
    return suggest_username(phone if phone.isdigit() else "", fallback=f"apm{volunteer.pk}")


def last_link_issued_at(account) -> datetime.datetime | None:
    return (
        AccessLog.objects.filter(
            action=AccessLog.Action.PASSWORD_LINK, object_type="user", object_id=account.pk
        )
        .values_list("at", flat=True)
        .first()
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def volunteer_account(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = get_visible_or_404(
        Volunteer.objects.select_related("user", "center"), request.user, pk=pk
    )
    account, form, link = volunteer.user, None, None
    has_left = volunteer.status == Volunteer.Status.LEFT
    if account is None and not has_left:
        form = GiveLoginForm(
            request.POST or None,
            national_id=volunteer.national_id,
            initial={"username": suggested_username(volunteer)},
        )
        if request.method == "POST" and form.is_valid():
            try:
                account = volunteer.give_login(form.cleaned_data["username"], request=request)
            except ValidationError as error:
                form.add_error(None, error)
            except IntegrityError:
                # Taken between the form's check and the insert.
                form.add_error("username", _("This username was just taken. Choose another."))
            else:
                link = issue_password_link(account, request=request)
                messages.success(request, _("Login %(username)s created.") % {"username": account})
    elif request.method == "POST":
        if request.POST.get("action") != "new_link":
            # A give-a-login form from a page opened before someone else gave one: it must
            # not quietly replace the link they just handed over.
            messages.error(request, _("This volunteer already has a login."))
            return redirect("volunteers:volunteer-account", pk=volunteer.pk)
        if account is None or not account.is_active:
            messages.error(request, _("A volunteer who has left gets no link."))
            return redirect("volunteers:volunteer-account", pk=volunteer.pk)
        link = issue_password_link(account, request=request)
        messages.success(request, _("A new link was issued; the older one no longer works."))
    issued_at = last_link_issued_at(account) if account else None
    response = render(
        request,
        "volunteers/volunteer_account.html",
        {
            "volunteer": volunteer,
            "account": account,
            "has_left": has_left,
            "form": form,
            "link": link,
            "qr_code": qr_code(link) if link else None,
            "hours": PASSWORD_LINK_HOURS,
            "issued_at": issued_at,
            "valid_until": issued_at + datetime.timedelta(hours=PASSWORD_LINK_HOURS)
            if issued_at
            else None,
        },
    )
    if link:
        # The link is a key to the account until it is used: never kept by a browser
        # or a proxy, never stored by us. Reloading issues a new one.
        response["Cache-Control"] = "no-store"
    return response
