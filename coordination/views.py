from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from coordination.access import AuthenticatedRequest
from coordination.models import District, Subdistrict


@require_GET
def home(request: AuthenticatedRequest) -> HttpResponse:
    """Everyone starts where their work is."""
    user = request.user
    if user.is_coordinator:
        return redirect("cases:case-list")
    if user.is_volunteer:
        return redirect("cases:my-cases")
    if user.is_staff:
        return redirect("admin:index")
    return render(request, "coordination/home.html")


@require_GET
def place_options(request: HttpRequest) -> HttpResponse:
    """The <option>s of a province's districts or a district's subdistricts, which htmx
    puts into the next address picker. A picker sends its own field, `province` or, on a
    form with two addresses, `reg_province`: only the part after the prefix counts. With
    neither, only the blank choice: a picker emptied when the one above it changes."""
    asked = {name.rpartition("_")[2]: str(code) for name, code in request.GET.items()}
    province, district = asked.get("province", ""), asked.get("district", "")
    places: QuerySet[District] | QuerySet[Subdistrict]
    if province.isdecimal():
        places = District.objects.filter(province_id=province)
    elif district.isdecimal():
        places = Subdistrict.objects.filter(district_id=district)
    else:
        places = District.objects.none()
    return render(request, "coordination/_place_options.html", {"places": places})


@login_not_required
@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """For the load balancer: answers 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400 in the site's frame. Django's own handler renders without the request, so
    the page would lose the menu and the user's language."""
    return render(request, "400.html", status=400)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """An expired or foreign form: said in plain words, in the frame (Django's own
    CSRF page is English and technical)."""
    return render(request, "403_csrf.html", status=403)
