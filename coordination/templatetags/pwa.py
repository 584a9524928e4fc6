"""The installable app's hooks in base.html (coordination/pwa.py, static/js/offline.js)."""

from django import template
from django.utils import timezone

from coordination.templatetags.thai import be_datetime

register = template.Library()


@register.simple_tag
def rendered_at() -> str:
    """When this page was made, in the Buddhist era: a page kept on the phone shows it
    offline ("offline — data as of …")."""
    return be_datetime(timezone.now())
