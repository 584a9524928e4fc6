"""The pages a volunteer's phone keeps for working without a signal (static/js/sw.js,
offline.js): the cases app's side of the installable app in coordination/pwa.py."""

from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from cases.models import Case
from coordination.access import AuthenticatedRequest
from coordination.pwa import session_end

# A volunteer's open cases kept on the phone: more than any team gives one person, and
# few enough that the phone fetches them in seconds on a slow line.
MAX_OFFLINE_CASES = 60


@require_GET
def offline_pages(request: AuthenticatedRequest) -> JsonResponse:
    """What this user's phone keeps: for a volunteer, my cases and each open case's page
    and visit form; for anyone else nothing. With the session's expiry, after which
    the phone must not show them any more."""
    user = request.user
    urls: list[str] = []
    if user.is_volunteer:
        urls.append(reverse("cases:my-cases"))
        cases = (
            Case.objects.visible_to(user)
            .open()
            .order_by("next_visit_due", "number")
            .values_list("pk", flat=True)[:MAX_OFFLINE_CASES]
        )
        for pk in cases:
            urls.append(reverse("cases:case-detail", args=[pk]))
            urls.append(reverse("cases:visit-create", args=[pk]))
    response = JsonResponse(
        {
            "user": user.pk,
            "expires": int(session_end(request).timestamp() * 1000),
            "urls": urls,
        }
    )
    response["Cache-Control"] = "no-store"
    return response
