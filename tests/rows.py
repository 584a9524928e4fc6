"""Rows written in Python against the template loops they replaced."""

from collections.abc import Callable

from django.template import Context, Template
from django.test.html import parse_html
from django.utils.translation import override


def assert_written_as_the_loop(write: Callable[[], str], loop: str, context: dict) -> None:
    """`write()` gives what the template `loop` renders with `context`, as parsed HTML
    (whitespace aside), in Thai and in English."""
    for language in ["th", "en"]:
        with override(language):
            assert parse_html(write()) == parse_html(Template(loop).render(Context(context)))
