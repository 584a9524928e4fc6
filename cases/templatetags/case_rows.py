"""Rows of the case page, the follow-up worklist, the case list and "my cases" written in
Python: what the template wrote per row, the same HTML, without its per-row work (40
history events, 20 visits, 50 changes, a team's 60 and more members, the visits asking
for a referral, the worklist's 25 cases with their reassign forms, a list's 25 cases).
tests/cases/test_case_page_rows.py, test_followup_rows.py and test_case_list_rows.py
compare each tag with the template loop it replaced."""

from collections.abc import Callable, Iterable
from html import escape
from typing import cast

from django import template
from django.db import models
from django.template import Context
from django.template.defaultfilters import truncatewords
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.history import Change
from cases.models import Case, CaseEvent, HomeVisit, Referral
from coordination.choices import choice_labels
from coordination.models import User
from coordination.templatetags.rows import pk_url
from coordination.templatetags.thai import (
    be_date,
    be_datetime,
    days_since,
    last_visit_words,
    masked_id,
)
from volunteers.models import TeamMembership

register = template.Library()


def labels(field_name: str, model: type[models.Model] = CaseEvent) -> dict[str, str]:
    """choice_labels() of a case event's field, or of `model`'s."""
    return choice_labels(model, field_name)


@register.simple_tag
def event_rows(events: Iterable[CaseEvent]) -> SafeString:
    """The history's <li> rows, as `{% for event in events %}` in cases/case_detail.html
    wrote them (escape() is what autoescaping does)."""
    kinds, statuses_from, statuses_to = labels("kind"), labels("status_from"), labels("status_to")
    rows = []
    for event in events:
        line = (
            f'\n      <li class="mb-2"><strong>{escape(be_datetime(event.at))}</strong> · '
            f"{escape(kinds.get(event.kind, event.kind))}"
        )
        if event.team:
            line += f": {escape(event.team.name)}"
        if event.status_to and event.kind != "assigned":
            line += ": "
            if event.status_from:
                line += f"{escape(statuses_from.get(event.status_from, event.status_from))} → "
            line += escape(statuses_to.get(event.status_to, event.status_to))
        if note := event.text:
            line += f" — {escape(note)}"
        line += "\n        "
        if event.by:
            who = event.by.shown_name
            line += f'<span class="text-muted">· {escape(who)}</span>'
        rows.append(line + "</li>\n    ")
    return mark_safe("".join(rows))


def thumbnail_height(height: int, width: int) -> str:
    """`{% widthratio height width 96 %}`: the thumbnail's height at 96 pixels wide."""
    try:
        return str(round(float(height) / float(width) * 96))
    except ZeroDivisionError:
        return "0"


@register.simple_tag
def visit_rows(visits: Iterable[HomeVisit]) -> SafeString:
    """The home visits' <li> rows, as the case page's `{% for visit in visits %}` wrote
    them: 20 rows with a {% url %} each, the names of those present and the photos'
    links were 9 ms of a page's 60 (national). Each visit comes from
    views.timelines_of with `present` (names) and `photo_sizes` ((pk, width, height))."""
    adl = escape(_("ADL"))
    purposes = labels("purpose", HomeVisit)
    rows = []
    for visit in visits:
        line = (
            '\n      <li class="border-start border-3 ps-3 mb-3">\n        '
            f'<a href="{pk_url("cases:visit-detail", visit.pk)}"><strong>{escape(be_datetime(visit.visited_at))}'
            f"</strong></a> · {escape(purposes.get(visit.purpose, visit.purpose))}\n        "
            f'<div class="small text-muted">{escape(", ".join(visit.present))}'
        )
        if visit.other_participants:
            line += f"; {escape(visit.other_participants)}"
        line += (
            f'</div>\n        <p class="mb-1">{escape(truncatewords(visit.findings, 40))}</p>'
            "\n        "
        )
        if visit.adl_score is not None:
            line += f'<div class="small">{adl} {visit.adl_score} · {escape(visit.adl_group)}</div>'
        line += "\n        "
        if visit.photo_sizes:
            date = escape(be_date(visit.visited_at))
            line += '<div class="d-flex flex-wrap gap-1 mt-1">'
            for number, (pk, width, height) in enumerate(visit.photo_sizes, 1):
                # blocktranslate: the values escaped, the translation as it is.
                alt = _("Photo %(n)s of the visit of %(date)s") % {"n": number, "date": date}
                url = pk_url("cases:visit-photo", pk)
                line += (
                    f'<a href="{url}"><img src="{url}?size=thumb" alt="{alt}" '
                    f'width="96" height="{thumbnail_height(height, width)}" loading="lazy" '
                    'class="rounded border"></a>'
                )
            line += "</div>"
        rows.append(line + "\n      </li>\n    ")
    return mark_safe("".join(rows))


@register.simple_tag
def change_rows(changes: Iterable[Change]) -> SafeString:
    """The change history's <li> rows (cases/history.py), as the case page's
    `{% for change in changes %}` wrote them: 50 rows with a blocktranslate each and
    their fields' lines were 2 ms of the page."""
    rows = []
    for change in changes:
        # blocktranslate: the values escaped, the translation as it is.
        what = _("%(subject)s %(kind)s") % {
            "subject": escape(change.subject),
            "kind": escape(change.kind),
        }
        line = (
            f'\n      <li class="mb-2"><strong>{escape(be_datetime(change.at))}</strong> · {what}'
        )
        if user := cast(User | None, change.user):
            who = user.shown_name
            line += f' · <span class="text-muted">{escape(who)}</span>'
        line += "\n        "
        if change.fields:
            line += '<ul class="mb-0">'
            for label, old, new in change.fields:
                line += (
                    f"<li>{escape(label)}: {escape(Truncator(old).chars(80))} → "
                    f"{escape(Truncator(new).chars(80))}</li>"
                )
            line += "</ul>"
        rows.append(line + "\n      </li>\n    ")
    return mark_safe("".join(rows))


@register.simple_tag
def member_rows(members: Iterable[TeamMembership]) -> SafeString:
    """The case's team members' <li> rows, as the case page's `{% for m in team_members %}`
    wrote them (views.team_members_of sets each one's `name` and `url`): 60 and more
    rows were 3 ms of the page."""
    leader = escape(_("team leader"))
    rows = []
    for member in members:
        name = escape(member.name)
        line = '<li class="list-group-item">'
        line += f'<a href="{escape(member.url)}">{name}</a>' if member.url else name
        if member.role == "leader":
            line += f" · {leader}"
        if phone := member.volunteer.phone:
            line += f' · <a href="tel:{escape(phone)}">{escape(phone)}</a>'
        rows.append(line + "</li>\n      ")
    return mark_safe("".join(rows))


def csrf_input(context: Context) -> str:
    """`{% csrf_token %}` (CsrfTokenNode.render)."""
    token = context.get("csrf_token")
    if not token or token == "NOTPROVIDED":
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(str(token))}">'


def need_actions(context: Context, next_page: str = "") -> Callable[[HomeVisit], str]:
    """For a visit asking for a referral: its "Refer" link and its dismissal form, as the
    case page and the worklist's referral tab write them (`next_page`: where the
    dismissal returns to, the case page when empty). Reads `dismiss_form`."""
    refer, dismiss = escape(_("Refer")), escape(_("Dismiss"))
    dismiss_need = escape(_("Dismiss the need"))
    label = escape(str(context["dismiss_form"]["reason"].label))
    csrf = csrf_input(context)
    back = (
        f'<input type="hidden" name="next" value="{escape(next_page)}">\n            '
        if next_page
        else ""
    )

    def actions(visit: HomeVisit) -> str:
        return (
            '\n      <div class="d-flex flex-wrap gap-2 mt-2 align-items-start">\n        '
            f'<a class="btn btn-sm btn-primary" href="{pk_url("cases:referral-create", visit.case_id)}'
            f'?visit={visit.pk}">{refer}</a>\n        <details>\n          '
            f'<summary class="btn btn-sm btn-outline-secondary">{dismiss_need}</summary>\n          '
            f'<form method="post" action="{pk_url("cases:visit-referral-dismiss", visit.pk)}" '
            f'class="mt-2">{csrf}\n            {back}'
            f'<label class="form-label" for="dismiss-reason-{visit.pk}">{label}</label>\n            '
            '<input type="text" class="form-control" name="reason" '
            f'id="dismiss-reason-{visit.pk}" maxlength="500" required>\n            '
            f'<button type="submit" class="btn btn-sm btn-outline-danger mt-2">{dismiss}</button>'
            "\n          </form>\n        </details>\n      </div>"
        )

    return actions


@register.simple_tag(takes_context=True)
def referral_need_rows(context: Context, visits: Iterable[HomeVisit]) -> SafeString:
    """The visits that asked for a referral, as cases/_case_referrals.html's loop wrote
    them, each with its "Refer" link and its dismissal form for those who may refer:
    14 rows were 3 ms of the page. Reads `can_refer` and `dismiss_form`."""
    actions = need_actions(context) if context["can_refer"] else None
    rows = []
    for visit in visits:
        line = (
            '\n    <li class="border-start border-3 border-warning ps-3 mb-3">\n      '
            f'<a href="{pk_url("cases:visit-detail", visit.pk)}">'
            f"{escape(be_date(visit.visited_at))}</a>"
        )
        if visit.needs:
            line += f": {escape(truncatewords(visit.needs, 30))}"
        line += "\n      "
        if actions:
            line += actions(visit) + "\n      "
        rows.append(line + "\n    </li>\n    ")
    return mark_safe("".join(rows))


def team_selects(teams: Iterable) -> dict[int | None, str]:
    """The worklist's per-row team <option>s (rows.model_options' HTML), for each team
    the row's case may be on, and for none: written once a page, not once a row."""
    teams = [(team.pk, escape(team.name)) for team in teams]
    return {
        selected: "".join(
            f'<option value="{pk}"{" selected" if pk == selected else ""}>{name}</option>'
            for pk, name in teams
        )
        for selected in [None, *(pk for pk, _name in teams)]
    }


@register.simple_tag(takes_context=True)
def followup_rows(context: Context, cases: Iterable, teams: Iterable) -> SafeString:
    """The follow-up worklist's <tr> rows, as cases/followup_list.html's loop wrote them,
    each with its reassign form: 25 rows with their translations, two URLs, a CSRF token
    and a select of the centre's teams were a third of the page's CPU (national). Each
    case needs only what views.FOLLOWUP_ROW_COLUMNS reads."""
    l_case, l_team = escape(_("Case")), escape(_("Team"))
    l_last, l_next = escape(_("Last visit")), escape(_("Next visit due"))
    l_reassign, l_move = escape(_("Reassign")), escape(_("Move"))
    none_yet, never = escape(_("none yet")), escape(_("never"))
    csrf = csrf_input(context)
    next_path = escape(context["request"].get_full_path())
    selects = team_selects(teams)
    today = timezone.localdate()
    rows = []
    for case in cases:
        number = escape(case.number)
        if case.next_visit_due:
            days = case.days_overdue(today)
            due = (
                f'<span class="{"overdue" if days else ""}">{escape(be_date(case.next_visit_due))}'
                "</span>"
            )
            if days:
                # blocktranslate: the value as text, the translation as it is.
                late = ngettext("%(days)s day overdue", "%(days)s days overdue", days)
                due += f'<br><span class="overdue small">{late % {"days": days}}</span>'
        else:
            due = "–"
        team = escape(case.team.name) if case.team_id else none_yet
        rows.append(
            "\n    <tr>\n      "
            f'<td data-label="{l_case}"><a href="{pk_url("cases:case-detail", case.pk)}">'
            f"{number} {escape(case.full_name)}</a></td>\n      "
            f'<td data-label="{l_team}">{team or none_yet}</td>\n      '
            f'<td data-label="{l_last}">{escape(be_date(case.last_visit_at)) or never}</td>'
            f'\n      <td data-label="{l_next}">{due}</td>\n      '
            f'<td data-label="{l_reassign}">\n        '
            f'<form method="post" action="{pk_url("cases:case-assign", case.pk)}" '
            'class="d-flex flex-wrap gap-2 flex-grow-1">\n          '
            f"{csrf}\n          "
            f'<input type="hidden" name="next" value="{next_path}">\n          '
            f'<label class="visually-hidden" for="team-{case.pk}">'
            f"{_('New team for %(number)s') % {'number': number}}</label>\n          "
            f'<select class="form-select form-select-sm" name="team" id="team-{case.pk}">'
            f"\n            {selects.get(case.team_id, selects[None])}\n          </select>"
            "\n          "
            f'<button type="submit" class="btn btn-sm btn-outline-primary">{l_move}</button>'
            "\n        </form>\n      </td>\n    </tr>\n  "
        )
    return mark_safe("".join(rows))


@register.simple_tag
def plan_action_rows(actions: Iterable, today) -> SafeString:
    """The planned actions due, as cases/_plan_actions_due.html's loop wrote them (the
    follow-up worklist and my cases): 50 rows were 3-4 ms of the worklist's CPU. Each
    row is a views.ActionRow (views.actions_due_for)."""
    overdue, owner, due_on = escape(_("Overdue")), escape(_("Owner")), escape(_("due on"))
    rows = []
    for action in actions:
        badge = (
            f'<span class="badge text-bg-danger">{overdue}</span>' if action.due_on < today else ""
        )
        rows.append(
            f'\n    <li class="list-group-item" data-plan-action="{action.pk}">\n      '
            f"<strong>{escape(action.what)}</strong>\n      {badge}<br>\n      "
            f'<a href="{pk_url("cases:case-detail", action.case_id)}">{escape(action.case_number)} '
            f"{escape(action.case_name)}</a>\n      · {owner}: {escape(action.owner_name)} · "
            f"{due_on} {escape(be_date(action.due_on))}\n    </li>\n  "
        )
    return mark_safe("".join(rows))


@register.simple_tag
def worklist_referral_rows(referrals: Iterable[Referral], overdue: bool) -> SafeString:
    """The referral tab's <li> rows of overdue referrals (`overdue`) or of unread
    outcomes, as cases/_followup_referrals.html's loops wrote them (referrals.
    worklist_referrals reads their columns)."""
    statuses = labels("status", Referral)
    rows = []
    for referral in referrals:
        case = referral.case
        status = escape(statuses.get(referral.status, referral.status))
        line = (
            f'\n    <li class="list-group-item{" overdue-item" if overdue else ""}">'
            f'<a href="{pk_url("cases:referral-detail", referral.pk)}">{escape(case.number)} '
            f"{escape(case.full_name)} → {escape(referral.agency.name)}</a>\n      "
        )
        if overdue:
            # blocktranslate: the value escaped, the translation as it is.
            due = _("reply was due by %(date)s") % {"date": escape(be_date(referral.reply_by))}
            line += f'<br><span class="small">{status} · <span class="overdue">{due}</span></span>'
        else:
            outcome = escape(truncatewords(referral.outcome, 20))
            line += f'<br><span class="small">{status}: {outcome}</span>'
        rows.append(line + "</li>\n  ")
    return mark_safe("".join(rows))


@register.simple_tag(takes_context=True)
def worklist_need_rows(context: Context, visits: Iterable[HomeVisit]) -> SafeString:
    """The referral tab's visits that asked for a referral, as cases/_followup_referrals.html's
    loop wrote them, each with its "Refer" link and its dismissal form (the case page's
    are referral_need_rows). Reads `dismiss_form`."""
    actions = need_actions(context, next_page="followup")
    rows = []
    for visit in visits:
        case = visit.case
        line = (
            f'\n    <li class="list-group-item"><a href="{pk_url("cases:visit-detail", visit.pk)}">'
            f"{escape(case.number)} {escape(case.full_name)} · {escape(be_date(visit.visited_at))}"
            "</a>\n      "
        )
        if visit.needs:
            line += f'<br><span class="small">{escape(truncatewords(visit.needs, 20))}</span>'
        line += actions(visit) + "\n    </li>\n  "
        rows.append(line)
    return mark_safe("".join(rows))


@register.simple_tag
def case_list_rows(cases: Iterable[Case]) -> SafeString:
    """The case list's <tr> rows, as its `{% for case in page_obj %}` wrote them: 25
    rows of ten cells, each with its translated label, were a third of the page's CPU
    (national). Each case comes from views.list_rows (its team, its groups' names)."""
    cells = {
        "number": _("Case number"),
        "name": _("Name"),
        "id": _("National ID number"),
        "groups": _("Target groups"),
        "team": _("Team"),
        "status": _("Status"),
        "opened": _("Opened"),
        "last": _("Last visit"),
        "next": _("Next visit due"),
    }
    label = {key: f' data-label="{escape(text)}"' for key, text in cells.items()}
    overdue_word = escape(_("overdue"))
    none_yet = f'<span class="text-danger">{escape(_("none yet"))}</span>'
    priorities, statuses = labels("priority", Case), labels("status", Case)
    today = timezone.localdate()
    rows = []
    for case in cases:
        number = escape(case.number)
        # blocktranslate: the value escaped, the translation as it is.
        select = _("Select case %(number)s") % {"number": number}
        priority = (
            f' <span class="badge text-bg-warning">{escape(priorities[str(case.priority)])}</span>'
            if case.priority >= Case.Priority.HIGH
            else ""
        )
        team = (
            f'<a href="{pk_url("volunteers:team-detail", case.team.pk)}">'
            f"{escape(case.team.name)}</a>"
            if case.team
            else none_yet
        )
        if case.next_visit_due:
            overdue = case.is_overdue(today)
            due = escape(be_date(case.next_visit_due))
            next_due = (
                f'<span class="overdue">{due} ({overdue_word})</span>'
                if overdue
                else f'<span class="">{due}</span>'
            )
        else:
            next_due = "–"
        rows.append(
            "\n      <tr>\n        "
            '<td><label class="check-target"><input class="form-check-input" type="checkbox" '
            f'name="cases" value="{case.pk}"><span class="visually-hidden">{select}</span>'
            "</label></td>\n        "
            f'<td{label["number"]}><a href="{pk_url("cases:case-detail", case.pk)}">{number}</a>'
            f"{priority}</td>\n        "
            f"<td{label['name']}>{escape(case.full_name)}</td>\n        "
            f"<td{label['id']}>{escape(masked_id(case.national_id) or '–')}</td>\n        "
            f"<td{label['groups']}>{escape(', '.join(case.group_names))}</td>\n        "
            f"<td{label['team']}>{team}</td>\n        "
            f"<td{label['status']}>{escape(statuses[case.status])}</td>\n        "
            f"<td{label['opened']}>{escape(be_date(case.opened_on))}</td>\n        "
            f"<td{label['last']}>{escape(be_date(case.last_visit_at) or '–')}</td>\n        "
            f"<td{label['next']}>{next_due}</td>\n      </tr>\n    "
        )
    return mark_safe("".join(rows))


@register.simple_tag
def my_case_rows(cases: Iterable[Case]) -> SafeString:
    """A volunteer's cases on "my cases", the <li> rows its `{% for case in page_obj %}`
    wrote: 25 rows with two links, a plural and a date each were most of the page's
    CPU (national)."""
    overdue_badge = f'<span class="badge text-bg-danger">{escape(_("Overdue"))}</span>'
    next_due = f"{escape(_('Next visit due'))}:"
    not_set, never = escape(_("not set")), escape(_("never visited"))
    log_label = escape(_("Log a visit"))
    today = timezone.localdate()
    rows = []
    for case in cases:
        overdue = case.is_overdue(today)
        name = escape(case.full_name)
        since = days_since(case.last_visit_at)
        last = never if since is None else escape(last_visit_words(since))
        rows.append(
            "\n  \n  "
            f'<li class="list-group-item{" overdue-item" if overdue else ""}">\n    '
            f'<a class="fw-bold" href="{pk_url("cases:case-detail", case.pk)}">{name}</a>\n    '
            f'<span class="text-muted">{escape(case.number)} · '
            f"{escape(case.team.name) if case.team else ''}</span><br>\n    "
            f"{overdue_badge if overdue else next_due}\n    "
            f"{escape(be_date(case.next_visit_due)) or not_set} ·\n    {last}\n    "
            '<div class="mt-2"><a class="btn btn-primary btn-sm" '
            f'href="{pk_url("cases:visit-create", case.pk)}" aria-label="{log_label}: {name}">'
            f"{log_label}</a></div>\n  </li>\n  \n"
        )
    return mark_safe("".join(rows))
