"""The agency directory: where a centre refers its cases. A coordinator manages their
centre's agencies here and reads the national ones (the 1300 hotline and the like),
which only national administrators change, in the admin."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from coordination.access import (
    AuthenticatedRequest,
    center_for_new_objects,
    coordinator_required,
    get_visible_or_404,
)
from coordination.confirm import confirmation_page, is_confirmed
from coordination.filters import AgencyFilter
from coordination.forms import AgencyForm
from coordination.models import Agency
from coordination.paging import Paginator

PAGE_SIZE = 25


def agency_to_change(request: AuthenticatedRequest, pk: int) -> Agency:
    """An agency the user may change. One they may only read (a national one, for a
    coordinator) answers 403; one of another centre answers 404, as if it did not exist."""
    agency = get_visible_or_404(Agency.objects, request.user, pk=pk)
    if not Agency.objects.editable_by(request.user).filter(pk=agency.pk).exists():
        raise PermissionDenied
    return agency


@coordinator_required
@require_http_methods(["GET"])
def agency_list(request: AuthenticatedRequest) -> HttpResponse:
    agencies = Agency.objects.visible_to(request.user).select_related("center")
    chosen = AgencyFilter(request, agencies)
    page = Paginator(chosen.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "coordination/agency_list.html", {"form": chosen.form, "page_obj": page})


@coordinator_required
@require_http_methods(["GET", "POST"])
def agency_create(request: AuthenticatedRequest) -> HttpResponse:
    center = center_for_new_objects(request.user)
    form = AgencyForm(request.POST or None, instance=Agency(center=center))
    if request.method == "POST" and form.is_valid():
        agency = form.save()
        messages.success(request, _("Agency %(name)s added.") % {"name": agency})
        return redirect("coordination:agency-detail", pk=agency.pk)
    return render(request, "coordination/agency_form.html", {"form": form})


@coordinator_required
@require_http_methods(["GET"])
def agency_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    agency = get_visible_or_404(Agency.objects.select_related("center"), request.user, pk=pk)
    can_change = Agency.objects.editable_by(request.user).filter(pk=agency.pk).exists()
    return render(
        request, "coordination/agency_detail.html", {"agency": agency, "can_change": can_change}
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def agency_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    agency = agency_to_change(request, pk)
    form = AgencyForm(request.POST or None, instance=agency)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Changes saved."))
        return redirect("coordination:agency-detail", pk=agency.pk)
    return render(request, "coordination/agency_form.html", {"form": form, "agency": agency})


@coordinator_required
@require_POST
def agency_deactivate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    agency = agency_to_change(request, pk)
    if not agency.active:
        return redirect("coordination:agency-detail", pk=agency.pk)
    if not is_confirmed(request):
        return confirmation_page(
            request,
            title=_("Deactivate %(name)s?") % {"name": agency},
            changes=[
                _("%(name)s will no longer be offered for new referrals.") % {"name": agency},
                _("It stays in the directory, with the referrals already made to it."),
                _("You can make it active again from its page."),
            ],
            confirm_label=_("Yes, deactivate"),
            cancel_url=reverse("coordination:agency-detail", args=[agency.pk]),
        )
    agency.deactivate()
    messages.success(request, _("%(name)s is now inactive.") % {"name": agency})
    return redirect("coordination:agency-detail", pk=agency.pk)


@coordinator_required
@require_POST
def agency_reactivate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    agency = agency_to_change(request, pk)
    agency.reactivate()
    messages.success(request, _("%(name)s is active again.") % {"name": agency})
    return redirect("coordination:agency-detail", pk=agency.pk)
