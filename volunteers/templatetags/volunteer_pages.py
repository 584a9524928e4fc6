"""Where a link to a volunteer or a team may go for the user reading the page."""

from django import template
from django.urls import reverse

from coordination.access import may_open, visible_pks
from coordination.templatetags.rows import pk_url
from volunteers.models import Team, Volunteer

register = template.Library()


def page_url(user, obj: Volunteer | Team) -> str:
    """The page of `obj` that opens for `user`, or "" when none does.

    A coordinator (or administrator) gets the volunteer's or the team's own page if
    `may_open` allows it. A volunteer never opens those pages; their own record and
    their teams, which is what `visible_to` lets them see, are on their own page.
    """
    if may_open(user, obj):
        name = (
            "volunteers:volunteer-detail"
            if isinstance(obj, Volunteer)
            else "volunteers:team-detail"
        )
        return reverse(name, args=[obj.pk])
    own = user.is_authenticated and user.is_volunteer and obj.pk in visible_pks(user, type(obj))
    if own:
        url = reverse("volunteers:my-profile")
        return f"{url}#team-{obj.pk}" if isinstance(obj, Team) else url
    return ""


def volunteer_page_urls(user, volunteers: list[Volunteer]) -> dict[int, str]:
    """page_url() of each volunteer, the URL pattern reversed once (pk_url): the case
    page names every member of the case's team (60 and more), each with its link."""
    if user.is_authenticated and user.is_coordinator_or_staff:
        visible = visible_pks(user, Volunteer)
        return {
            v.pk: pk_url("volunteers:volunteer-detail", v.pk)
            if v.pk in visible
            else page_url(user, v)
            for v in volunteers
        }
    return {v.pk: page_url(user, v) for v in volunteers}


@register.simple_tag(takes_context=True)
def page_of(context, obj: Volunteer | Team) -> str:
    """`{% page_of volunteer as url %}{% if url %}<a href="{{ url }}">…{% endif %}`"""
    return page_url(context["request"].user, obj)
