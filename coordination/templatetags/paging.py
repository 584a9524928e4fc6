"""Links to a page of one of several paginated lists on a page (a case's visits and its
events): `{% querystring %}` takes the parameter's name literally, these lists each
have their own."""

from django import template
from django.template.context import Context

register = template.Library()


@register.simple_tag(takes_context=True)
def page_link(context: Context, param: str, number: int) -> str:
    """The current query string with `param` set to `number`; the other lists keep
    their pages."""
    params = context["request"].GET.copy()
    params[param] = str(number)
    return "?" + params.urlencode()
