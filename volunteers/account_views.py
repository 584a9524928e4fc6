"""A volunteer's login, given by a coordinator from the volunteer's page."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from coordination.access import AuthenticatedRequest, coordinator_required, get_visible_or_404
from coordination.accounts import (
    PASSWORD_LINK_HOURS,
    issue_password_link,
    qr_code,
    suggest_username,
)
from coordination.models import AccessLog, User
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
def volunteer_account(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    volunteer = get_visible_or_404(
        Volunteer.objects.select_related("user", "center"), request.user, pk=pk
    )
    account, form, link = volunteer.user, None, None
    if account is None and volunteer.status != Volunteer.Status.LEFT:
        form, account, link = give_login(request, volunteer)
    elif request.method == "POST":
        refusal = new_link_refusal(request, account)
        if refusal:
            messages.error(request, refusal)
            return redirect("volunteers:volunteer-account", pk=volunteer.pk)
        assert account is not None  # refused above otherwise
        link = issue_password_link(account, request=request)
        messages.success(request, _("A new link was issued; the older one no longer works."))
    return account_page(request, volunteer, account, form, link)


def give_login(
    request: AuthenticatedRequest, volunteer: Volunteer
) -> tuple[GiveLoginForm, User | None, str | None]:
    """The give-a-login form; posted valid, the account and its first password link."""
    form = GiveLoginForm(
        request.POST or None,
        national_id=volunteer.national_id,
        initial={"username": suggested_username(volunteer)},
    )
    if request.method != "POST" or not form.is_valid():
        return form, None, None
    try:
        account = volunteer.give_login(form.cleaned_data["username"], request=request)
    except ValidationError as error:
        form.add_error(None, error)
    except IntegrityError:
        # Taken between the form's check and the insert.
        form.add_error("username", _("This username was just taken. Choose another."))
    else:
        messages.success(request, _("Login %(username)s created.") % {"username": account})
        return form, account, issue_password_link(account, request=request)
    return form, None, None


def new_link_refusal(request: AuthenticatedRequest, account: User | None) -> str | None:
    if request.POST.get("action") != "new_link":
        # A give-a-login form from a page opened before someone else gave one: it must
        # not quietly replace the link they just handed over.
        return _("This volunteer already has a login.")
    if account is None or not account.is_active:
        return _("A volunteer who has left gets no link.")
    return None


def account_page(
    request: AuthenticatedRequest,
    volunteer: Volunteer,
    account: User | None,
    form: GiveLoginForm | None,
    link: str | None,
) -> HttpResponse:
    issued_at = last_link_issued_at(account) if account else None
    response = render(
        request,
        "volunteers/volunteer_account.html",
        {
            "volunteer": volunteer,
            "account": account,
            "has_left": volunteer.status == Volunteer.Status.LEFT,
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
