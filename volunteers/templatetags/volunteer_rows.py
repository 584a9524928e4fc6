"""The volunteer list's rows written in Python: what its template loop wrote, the same
HTML, without the loop's per-row work (a translated label in each cell, a URL reversed
and a name built per row). tests/volunteers/test_volunteer_list_rows.py compares them."""

from collections.abc import Iterable
from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from coordination.choices import choice_labels
from coordination.templatetags.rows import pk_url
from coordination.templatetags.thai import masked_id
from volunteers.models import Volunteer

register = template.Library()


@register.simple_tag
def volunteer_list_rows(volunteers: Iterable[Volunteer]) -> SafeString:
    """The <tr> rows of the volunteer list (views.volunteer_list: each volunteer with its
    subdistrict and `open_memberships` with their teams)."""
    label = {
        key: f' data-label="{escape(text)}"'
        for key, text in {
            "name": _("Name"),
            "id": _("National ID number"),
            "phone": _("Phone"),
            "teams": _("Teams"),
            "subdistrict": _("Subdistrict"),
            "status": _("Status"),
        }.items()
    }
    leader = f" ({escape(_('leader'))})"
    statuses = choice_labels(Volunteer, "status")
    rows = []
    for volunteer in volunteers:
        teams = ", ".join(
            escape(m.team.name) + (leader if m.role == "leader" else "")
            for m in volunteer.open_memberships
        )
        rows.append(
            "\n    <tr>\n      "
            f'<td{label["name"]}><a href="{pk_url("volunteers:volunteer-detail", volunteer.pk)}">'
            f"{escape(volunteer.full_name)}</a></td>\n      "
            f"<td{label['id']}>{escape(masked_id(volunteer.national_id))}</td>\n      "
            f"<td{label['phone']}>{escape(volunteer.phone)}</td>\n      "
            f"<td{label['teams']}>{teams or '–'}</td>\n      "
            f"<td{label['subdistrict']}>"
            f"{escape(str(volunteer.subdistrict)) if volunteer.subdistrict else '–'}</td>\n      "
            f"<td{label['status']}>{escape(statuses[volunteer.status])}</td>\n    </tr>\n  "
        )
    return mark_safe("".join(rows))
