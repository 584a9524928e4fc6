"""The public page of a one-time link: its owner sets their password."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from coordination.accounts import LinkState, log_password_set, password_links
from coordination.models import User


def account_of(uidb64: str) -> User | None:
    try:
        return User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (ValueError, OverflowError, User.DoesNotExist):
        return None


# Public like the login page: whoever holds the link is who the coordinator gave it to.
@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def password_set(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    account = account_of(uidb64)
    state = password_links.state(account, token)
    if account is None or state is not LinkState.VALID:
        return render(request, "registration/password_set.html", {"state": state.value})
    form = SetPasswordForm(account, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()  # changes the password, which spends the link
        log_password_set(request, account)
        messages.success(
            request,
            _("Your password is set. Log in with the username %(username)s and your new password.")
            % {"username": account.get_username()},
        )
        return redirect("login")
    return render(
        request,
        "registration/password_set.html",
        {"state": state.value, "form": form, "account": account},
    )
