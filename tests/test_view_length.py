"""A view reads the request, calls the models, renders: no view of ours is longer than
40 lines (from its `def` to its end, its docstring not counted). Longer, it is doing
what belongs on a model, a QuerySet or a function of its own."""

import ast
import inspect
import textwrap

from django.urls import URLPattern, URLResolver, get_resolver

LIMIT = 40
OURS = ("cases.", "coordination.", "volunteers.")


def views(patterns=None) -> dict[str, object]:
    found: dict[str, object] = {}
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            found |= views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            view = inspect.unwrap(pattern.callback)
            if inspect.isfunction(view) and view.__module__.startswith(OURS):
                found[f"{view.__module__}.{view.__name__}"] = view
    return found


def length(view) -> int:
    source = textwrap.dedent(inspect.getsource(view))
    (function,) = ast.parse(source).body
    assert isinstance(function, ast.FunctionDef)
    lines = (function.end_lineno or 0) - function.lineno + 1 - len(function.decorator_list)
    docstring = function.body[0]
    if isinstance(docstring, ast.Expr) and isinstance(docstring.value, ast.Constant):
        lines -= (docstring.end_lineno or 0) - docstring.lineno + 1
    return lines


def test_no_view_is_longer_than_40_lines():
    found = views()
    assert len(found) > 60  # the URLconf was read whole
    too_long = {name: n for name, view in found.items() if (n := length(view)) > LIMIT}
    assert too_long == {}


def test_the_length_is_counted_without_decorators_and_docstring():
    def view(request):
        """Says
        what it does."""
        return request

    assert length(view) == 2
