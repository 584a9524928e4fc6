"""One confirmation step for changes that one tap should not make: a POST without
`confirmed` shows what will change and changes nothing; the page's own form posts the
same values again with `confirmed`. Plain HTML forms, so it works without JavaScript."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRM_FIELD = "confirmed"


def is_confirmed(request: HttpRequest) -> bool:
    return request.POST.get(CONFIRM_FIELD) == "yes"


def confirmation_page(
    request: HttpRequest,
    *,
    title: str,
    changes: list[str],
    confirm_label: str,
    cancel_url: str,
) -> HttpResponse:
    """Answers the first POST: the change in plain words, the values posted carried over
    as hidden fields, a button that does it and a link back that does not."""
    carried = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", CONFIRM_FIELD)
        for value in values
    ]
    return render(
        request,
        "coordination/confirm.html",
        {
            "title": title,
            "changes": changes,
            "confirm_label": confirm_label,
            "cancel_url": cancel_url,
            "carried": carried,
            "action": request.get_full_path(),
            "confirm_field": CONFIRM_FIELD,
        },
    )
