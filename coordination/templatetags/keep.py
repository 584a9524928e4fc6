"""`{% keep "name" %}...{% endkeep %}`: a part of a page kept as HTML until the data it
shows changes (coordination/stamps.py), for this address and its parameters.

A list's filter form writes a select of each of the centre's teams, places and some 280
volunteers, a list its rows, and every page its menu: with the rows' data kept, that
writing was most of what a kept list page still cost (the case list: 8 of its 14 ms of
CPU, national). Only a part that reads nothing but the request's address, its user, the
day and the centre's data may be kept: not a form filled in with the time or a new
token (a new visit's), nor the messages.

A form that posts may be kept: the part is written with a stand-in for the request's
CSRF token, and each request's own token takes its place when it is served, so no
token is ever kept. Nothing is kept for a request that posts: its forms show what was
posted.

`{% keep "name" everywhere %}`: the same on every page (base.html's menu), kept once
for the user rather than for each address.

`{% keep "name" with parts %}`: `parts`, a dict the view computes only when it is read
(coordination.stamps.Later), is what the part shows: its keys are added to the
context while the part is written, and nothing of it is read when the part is kept.
"""

import re

from django import template
from django.core.exceptions import ImproperlyConfigured
from django.template.base import FilterExpression, Parser, Token
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe

from coordination import stamps

register = template.Library()

# What a kept part holds where the request's CSRF token goes: only that whole attribute
# is replaced (text a person typed is escaped, and cannot write it).
TOKEN = "csrf-token-of-the-request-serving-this-kept-part"
TOKEN_INPUT = f'name="csrfmiddlewaretoken" value="{TOKEN}"'
ANY_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')


class KeepNode(template.Node):
    def __init__(
        self,
        name: str,
        nodelist: template.NodeList,
        everywhere: bool,
        parts: FilterExpression | None,
    ) -> None:
        self.name = name
        self.nodelist = nodelist
        self.everywhere = everywhere
        self.parts = parts

    def write(self, context: Context, **extra: object) -> SafeString:
        with context.push(**(self.parts.resolve(context) if self.parts else {}), **extra):
            return mark_safe(self.nodelist.render(context))

    def kept_write(self, context: Context) -> SafeString:
        html = self.write(context, csrf_token=TOKEN)
        # A form written apart from this context (render_to_string in a view) would
        # carry the request's own token: refused, never kept.
        if any(token != TOKEN for token in ANY_TOKEN.findall(html)):
            raise ImproperlyConfigured(f"{{% keep {self.name!r} %}} would keep a CSRF token")
        return html

    def render(self, context: Context) -> SafeString:
        # No request: a template rendered outside one. No user: a request refused before
        # the user was read (a bad Host header's 400 page).
        request = context.get("request")
        user = getattr(request, "user", None)
        if (
            request is None
            or user is None
            or request.method not in ("GET", "HEAD")
            or not user.is_authenticated
        ):
            return self.write(context)
        address = () if self.everywhere else (request.path, stamps.asked(request))
        # Named apart from the data views keep (coordination.stamps.kept).
        html = stamps.kept(request, f"part {self.name}", address, lambda: self.kept_write(context))
        if TOKEN_INPUT in html:
            token = f'name="csrfmiddlewaretoken" value="{context.get("csrf_token")}"'
            html = mark_safe(html.replace(TOKEN_INPUT, token))
        return html


@register.tag
def keep(parser: Parser, token: Token) -> KeepNode:
    bits = token.split_contents()
    name, options = bits[1] if len(bits) > 1 else "", bits[2:]
    everywhere = options == ["everywhere"]
    parts = (
        parser.compile_filter(options[1]) if len(options) == 2 and options[0] == "with" else None
    )
    if (
        not name
        or name[0] not in "'\""
        or name[0] != name[-1]
        or options
        and not (everywhere or parts)
    ):
        raise template.TemplateSyntaxError('{% keep "name" [everywhere | with parts] %}')
    nodelist = parser.parse(("endkeep",))
    parser.delete_first_token()
    return KeepNode(name[1:-1], nodelist, everywhere, parts)
