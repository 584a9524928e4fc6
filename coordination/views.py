from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from coordination.access import coordinator_required
from coordination.models import Center, District, Subdistrict, TargetGroup


@require_GET
def home(request: HttpRequest) -> HttpResponse:
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
def place_options(request: HttpRequest) -> JsonResponse:
    """Districts of a province or subdistricts of a district, for the address pickers."""
    province, district = request.GET.get("province", ""), request.GET.get("district", "")
    if province.isdigit():
        places = District.objects.filter(province_id=province)
    elif district.isdigit():
        places = Subdistrict.objects.filter(district_id=district)
    else:
        places = District.objects.none()
    return JsonResponse({"options": [{"code": p.code, "name": p.name} for p in places]})


@login_not_required
@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """For the load balancer: answers 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


@coordinator_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """ภาพรวม: the centre's work at a glance; every figure links to its list."""
    # The case model sits above this app: reach it through the reverse relation.
    Case = Center.cases.rel.related_model
    today = timezone.localdate()
    month_start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    cases = Case.objects.visible_to(request.user)
    open_cases = cases.open()
    figures = open_cases.aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(next_visit_due__lt=today)),
        unassigned=Count("pk", filter=Q(team__isnull=True)),
        never_visited=Count("pk", filter=Q(last_visit_at__isnull=True)),
        urgent=Count("pk", filter=Q(priority=4)),
    )
    figures.update(
        cases.aggregate(
            opened_this_month=Count("pk", filter=Q(opened_on__gte=month_start.date())),
            closed_this_month=Count("pk", filter=Q(closed_on__gte=month_start.date())),
        )
    )
    by_status = dict(open_cases.values_list("status").annotate(n=Count("pk")))
    by_group = dict(open_cases.values_list("target_groups").annotate(n=Count("pk")))
    visits_this_month = (
        Case.visits.rel.related_model.objects.visible_to(request.user)
        .filter(visited_at__gte=month_start)
        .count()
    )
    return render(
        request,
        "coordination/dashboard.html",
        {
            "figures": figures,
            "statuses": [
                (value, label, by_status.get(value, 0))
                for value, label in Case.Status.choices
                if value != "closed"
            ],
            "groups": [(group, by_group.get(group.pk, 0)) for group in TargetGroup.objects.all()],
            "visits_this_month": visits_this_month,
            # A new centre's checklist, until done; a national administrator has none.
            "onboarding": request.user.center.onboarding_left() if request.user.center_id else [],
        },
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400 in the site's frame. Django's own handler renders without the request, so
    the page would lose the menu and the user's language."""
    return render(request, "400.html", status=400)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """An expired or foreign form: said in plain words, in the frame (Django's own
    CSRF page is English and technical)."""
    return render(request, "403_csrf.html", status=403)
