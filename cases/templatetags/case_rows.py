"""Rows of the case page written in Python: what the template wrote per row, the same
HTML, without its per-row work (40 history events a page)."""

from collections.abc import Iterable
from html import escape
from typing import cast

from django import template
from django.db import models
from django.utils.safestring import SafeString, mark_safe

from cases.models import CaseEvent
from coordination.templatetags.thai import be_datetime

register = template.Library()


def labels(field_name: str) -> dict[str, str]:
    """A choice field's labels in the active language, each translated once."""
    field = cast(models.Field, CaseEvent._meta.get_field(field_name))
    return {str(value): str(label) for value, label in field.flatchoices}


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
        if event.note:
            line += f" — {escape(event.note)}"
        line += "\n        "
        if event.by:
            who = event.by.get_full_name() or event.by.username
            line += f'<span class="text-muted">· {escape(who)}</span>'
        rows.append(line + "</li>\n    ")
    return mark_safe("".join(rows))
