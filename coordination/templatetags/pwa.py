"""The installable app's hooks in base.html (coordination/pwa.py, static/js/offline.js)."""

import datetime

from django import template
from django.utils import timezone

from coordination.templatetags.thai import be_datetime

register = template.Library()


@register.simple_tag
def rendered_at() -> str:
    """When this page was made, in the Buddhist era: a page kept on the phone shows it
    offline ("offline — data as of …")."""
    return be_datetime(timezone.now())


@register.simple_tag(takes_context=True)
def session_expires_ms(context) -> int:
    """The session's end in milliseconds since 1970 (JavaScript's clock), 0 without one."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return 0
    expiry: datetime.datetime = request.session.get_expiry_date()
    return int(expiry.timestamp() * 1000)
