"""Widgets that write the same HTML as Django's, cheaper."""

from __future__ import annotations

import html

from django import forms
from django.utils.formats import localize
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe


def conditional_escape(value) -> str:
    """django.utils.html.conditional_escape without its lazy-argument wrapper and its
    SafeString for each piece: called three times an option, ~1,000 times a page."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def attrs_html(attrs: dict) -> str:
    """django/forms/widgets/attrs.html, in Python."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {conditional_escape(name)}")
        if value is not True:
            parts.append(f'="{conditional_escape(value)}"')
    return "".join(parts)


class Select(forms.Select):
    """Django's select, byte for byte (each option template's final newline included),
    with its options written in Python from the choices: the template includes two
    templates per option, and optgroups() makes a dict per option. A list filter's select
    of a centre's 280 active volunteers cost more than the rest of its page (the case
    list spent 80 of its 115 ms of CPU in its filter form, national scale); the team
    page's 230-volunteer select was 13 ms as templates, under 1 ms so. Named Select:
    crispy-forms reads the class name (its "select" CSS class and template choices)."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        # As ChoiceWidget.optgroups(): the first option whose value is chosen is selected
        # (every one, for a multiple select); a Select's options inherit no attributes.
        chosen = set(self.format_value(value))
        select_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            select_attrs["multiple"] = True
        parts = [f'<select name="{conditional_escape(name)}"{attrs_html(select_attrs)}>']
        has_selected = False
        for group_value, group_label in self.choices:
            grouped = isinstance(group_label, (list, tuple))
            if grouped:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_value)}">')
            for option_value, label in group_label if grouped else [(group_value, group_label)]:
                option_value = "" if option_value is None else str(option_value)
                selected = (not has_selected or self.allow_multiple_selected) and (
                    option_value in chosen
                )
                has_selected |= selected
                parts.append(
                    f'\n  <option value="{conditional_escape(option_value)}"'
                    f"{' selected' if selected else ''}>"
                    f"{conditional_escape(localize(label))}</option>\n"
                )
            if grouped:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))


class QuickInput:
    """django/forms/widgets/input.html (which text.html, checkbox.html, date.html...
    include), in Python: ~0.3 ms a field through three templates."""

    template_name: str  # the widget's, which this mixin comes before
    TEMPLATES = frozenset(
        f"django/forms/widgets/{name}.html"
        for name in ("input", "text", "checkbox", "date", "number", "email", "search")
    )

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        if self.template_name not in self.TEMPLATES:  # a subclass with its own template
            return super().render(name, value, attrs, renderer)  # type: ignore[misc]
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        given = widget["value"]
        shown = "" if given is None else f' value="{conditional_escape(given)}"'
        return mark_safe(
            f'<input type="{conditional_escape(widget["type"])}" '
            f'name="{conditional_escape(widget["name"])}"{shown}{attrs_html(widget["attrs"])}>'
        )


class TextInput(QuickInput, forms.TextInput):
    """Django's, byte for byte; named as Django's: crispy-forms reads the class name."""


class CheckboxInput(QuickInput, forms.CheckboxInput):
    """Django's, byte for byte; named as Django's: crispy-forms reads the class name."""


class Textarea(forms.Textarea):
    """django/forms/widgets/textarea.html, in Python, byte for byte; named as Django's:
    crispy-forms reads the class name."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        if self.template_name != "django/forms/widgets/textarea.html":
            return super().render(name, value, attrs, renderer)
        widget = self.get_context(name, value, attrs)["widget"]
        text = conditional_escape(widget["value"]) if widget["value"] else ""
        return mark_safe(
            f'<textarea name="{conditional_escape(widget["name"])}"'
            f"{attrs_html(widget['attrs'])}>\n{text}</textarea>"
        )
