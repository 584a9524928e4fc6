"""Two-factor sign-in: a time-based code (TOTP, any authenticator app) after the password.

Required for staff and coordinators — they reach every person of a centre — and
optional for volunteers. Built on django-otp (devices, token checks, the verified
session) with our own pages: Thai first, under our CSP, one dependency (django-otp
needs only Django), where django-two-factor-auth would bring its own templates,
formtools and phone-number packages.

The rule lives in `SecondFactorMiddleware`: a signed-in session that has not passed
the second step reaches only the pages of that step; deny by default, so a new page
is covered without anyone remembering to. A wrong code counts as a failed login for
django-axes (5 lock the username and address, as wrong passwords do), and the lock
ends the half-signed-in session."""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset as reset_login_failures
from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from coordination.access import return_path
from coordination.audit import client_ip
from coordination.validators import arabic_digits

BACKUP_CODE_COUNT = 10
ONE_STEP_SESSION_KEY = "login_without_second_factor"

# What a signed-in but unverified session may open: the second step itself, leaving,
# and the language switch.
OPEN_BEFORE_SECOND_STEP = {
    "login",
    "logout",
    "set_language",
    "health",
    "login-code",
    "two-factor-enrol",
}


def requires_second_factor(user) -> bool:
    """Whoever reaches a whole centre: administrators and coordinators."""
    return user.is_staff or user.is_coordinator


def is_verified(user) -> bool:
    return getattr(user, "is_verified", lambda: False)()


class SecondFactorMiddleware:
    """After django-otp's OTPMiddleware: sends a session that has passed only the
    password to the code page (a device enrolled) or to enrolment (none, and required)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or is_verified(user):
            return None
        match = request.resolver_match
        if match and match.view_name in OPEN_BEFORE_SECOND_STEP:
            return None
        # Known at login (no device then, and none required): no device queries on
        # every page of a volunteer's session.
        if request.session.get(ONE_STEP_SESSION_KEY) and not requires_second_factor(user):
            return None
        if user_has_device(user):
            return redirect_keeping_next("login-code", request)
        if requires_second_factor(user):
            return redirect_keeping_next("two-factor-enrol", request)
        return None


def redirect_keeping_next(name: str, request: HttpRequest) -> HttpResponse:
    target = request.get_full_path() if request.method == "GET" else ""
    url = reverse(name)
    return redirect(f"{url}?{urlencode({'next': target})}" if target and target != "/" else url)


def safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    return return_path(request, target) or reverse(settings.LOGIN_REDIRECT_URL)


@receiver(user_logged_in)
def forget_failures_of_one_step_logins(sender, request, user, **kwargs) -> None:
    """The password alone completes the login of a user without a device: their wrong
    passwords are forgotten now. Otherwise only after the code (AXES_RESET_ON_SUCCESS
    is off: a right password must not wipe the count of wrong codes)."""
    if request is not None and not user_has_device(user):
        reset_login_failures(ip=client_ip(request), username=user.get_username())
        request.session[ONE_STEP_SESSION_KEY] = True


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6 digits your authenticator app shows now, or one of your backup codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        # Thai digits from a Thai keyboard, spaces from copying "123 456".
        return "".join(arabic_digits(self.cleaned_data["code"]).split())


@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step of the login: the code from the user's authenticator app."""
    user = request.user
    if is_verified(user) or not user_has_device(user):
        return redirect(safe_next(request))
    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        logout(request)
        return render(request, settings.AXES_LOCKOUT_TEMPLATE, status=429)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            reset_login_failures(ip=client_ip(request), username=user.get_username())
            return redirect(safe_next(request))
        # Counted by django-axes like a wrong password; the fifth locks.
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            logout(request)
            return render(request, settings.AXES_LOCKOUT_TEMPLATE, status=429)
        form.add_error(
            "code", _("This code is not right. Check the time on your phone and try again.")
        )
    return render(
        request, "registration/login_code.html", {"form": form, "next": safe_next(request)}
    )


@require_http_methods(["GET", "POST"])
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: scan the code, type what it shows, and receive
    the backup codes, shown this once."""
    user = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return render(request, "registration/two_factor_enrolled.html")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            codes = confirm_enrolment(device)
            otp_login(request, device)
            return render(
                request,
                "registration/two_factor_backup_codes.html",
                {"codes": codes, "next": safe_next(request)},
            )
        form.add_error(
            "code", _("This code is not right. Check the time on your phone and try again.")
        )
    return render(
        request,
        "registration/two_factor_enrol.html",
        {
            "form": form,
            "qr_code": qr_code_data_uri(device.config_url),
            "secret": spaced(device.bin_key),
            "required": requires_second_factor(user),
            "next": safe_next(request),
        },
    )


def confirm_enrolment(device: TOTPDevice) -> list[str]:
    """The app is confirmed; fresh backup codes replace any earlier ones."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=device.user).delete()
    backup = StaticDevice.objects.create(user=device.user, name="backup codes")
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    backup.token_set.bulk_create([StaticToken(device=backup, token=code) for code in codes])
    return codes


def qr_code_data_uri(text: str) -> str:
    """An SVG QR code as a data: URI for an <img> (the CSP allows data: images, and
    an <img> needs no inline style)."""
    import segno

    return segno.make(text, error="m").svg_data_uri(scale=5, border=2)


def spaced(key: bytes) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    from base64 import b32encode

    text = b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
