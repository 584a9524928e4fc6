"""Rows of the team page written in Python: what templates/volunteers/team_detail.html's
loops wrote, the same HTML, without their per-row template work (a large centre's team
has 60 and more members with two forms each, and 25 cases a page).
tests/volunteers/test_team_page_rows.py compares each tag with the loop it replaced."""

from collections.abc import Iterable
from html import escape

from django import template
from django.template import Context
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from cases.models import Case
from cases.templatetags.case_rows import csrf_input, labels
from coordination.templatetags.rows import pk_url
from coordination.templatetags.thai import be_date
from volunteers.models import TeamMembership

register = template.Library()


@register.simple_tag(takes_context=True)
def team_member_rows(context: Context, members: Iterable[TeamMembership]) -> SafeString:
    """The current members' <li> rows, each with its "Make leader" (not for the leader)
    and "Remove" forms. cases.team_pages.add_member_rows sets each one's `name`, URLs,
    `figures` and `last_visit`."""
    roles = labels("role", TeamMembership)
    since = escape(_("since"))
    make_leader, remove = escape(_("Make leader")), escape(_("Remove"))
    csrf = csrf_input(context)
    rows = []
    for m in members:
        name = escape(m.name)
        line = (
            '\n    <li class="list-group-item d-flex flex-wrap gap-2 justify-content-between '
            f'align-items-center">\n      <div><a href="{escape(m.volunteer_url)}">{name}</a> · '
            f"{escape(roles.get(m.role, m.role))} · "
            f'<span class="text-muted">{since} {escape(be_date(m.joined_on))}</span>\n        '
            f'<br><span class="small">{escape(m.figures)} ·\n        '
            f"{escape(m.last_visit)}</span></div>\n      \n"
            '      <div class="d-flex flex-wrap gap-3">\n        '
        )
        if m.role != TeamMembership.Role.LEADER:
            line += (
                f'\n        <form method="post" action="{escape(m.make_leader_url)}">{csrf}'
                f'<button class="btn btn-sm btn-outline-primary" type="submit">{make_leader}'
                f'<span class="visually-hidden">: {name}</span></button></form>\n        '
            )
        line += (
            f'\n        <form method="post" action="{escape(m.end_url)}">{csrf}'
            f'<button class="btn btn-sm btn-outline-danger" type="submit">{remove}'
            f'<span class="visually-hidden">: {name}</span></button></form>\n'
            "      </div>\n    </li>\n  "
        )
        rows.append(line)
    return mark_safe("".join(rows))


@register.simple_tag
def team_case_rows(cases: Iterable[Case]) -> SafeString:
    """The team's open cases' <li> rows, a page of them."""
    statuses = labels("status", Case)
    next_visit = escape(_("next visit"))
    today = timezone.localdate()  # once, not once a row (Case.is_overdue)
    rows = []
    for case in cases:
        line = (
            f'\n    <li class="list-group-item"><a href="{pk_url("cases:case-detail", case.pk)}">'
            f"{escape(case.number)} {escape(case.full_name)}</a> · "
            f"{escape(statuses.get(case.status, case.status))}\n      "
        )
        if case.next_visit_due:
            overdue = "overdue" if case.is_overdue(today) else ""
            line += (
                f'· <span class="{overdue}">{next_visit} {escape(be_date(case.next_visit_due))}'
                "</span>"
            )
        rows.append(line + "</li>\n  ")
    return mark_safe("".join(rows))
