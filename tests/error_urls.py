"""The project's URLs and one view that fails, to see the 500 page as a user would."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from coordination.urls import handler400
from coordination.urls import urlpatterns as site_urlpatterns

__all__ = ["handler400", "urlpatterns"]


@login_not_required  # a fault may strike before login too, e.g. on the login page
def fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a fault in a view")


urlpatterns = [*site_urlpatterns, path("fails/", fails)]
