"""Django's widget HTML, byte for byte, cheaper: a select that writes its options from its
choices, and the form renderer (settings.FORM_RENDERER) that writes the inputs, text
areas and selects of every form in Python instead of through their templates."""

from __future__ import annotations

import html
from collections.abc import Callable

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # not in django-stubs


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
                parts.append(f'\n  <optgroup label="{shown(group_value)}">')
            for option_value, label in group_label if grouped else [(group_value, group_label)]:
                option_value = "" if option_value is None else str(option_value)
                selected = (not has_selected or self.allow_multiple_selected) and (
                    option_value in chosen
                )
                has_selected |= selected
                parts.append(
                    f'\n  <option value="{conditional_escape(option_value)}"'
                    f"{' selected' if selected else ''}>"
                    f"{shown(label)}</option>\n"
                )
            if grouped:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))


# Django's widget templates written in Python (QuickFormRenderer): each field's widget
# went through two or three templates, and a select through two more an option. The
# intake form's 120 widgets were 60 % of its page's CPU.
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "input", "text", "checkbox", "date", "datetime", "time", "number", "email", "url",
        "tel", "search", "password", "hidden", "color",
    )
)  # fmt: skip


def input_html(widget: dict) -> str:
    """django/forms/widgets/input.html."""
    given = widget["value"]
    value = "" if given is None else f' value="{conditional_escape(given)}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{value}{attrs_html(widget["attrs"])}>'
    )


def textarea_html(widget: dict) -> str:
    """django/forms/widgets/textarea.html (the value is text already: format_value)."""
    text = conditional_escape(widget["value"]) if widget["value"] else ""
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"'
        f"{attrs_html(widget['attrs'])}>\n{text}</textarea>"
    )


def shown(value) -> str:
    """A value as a template's `{{ value }}` shows it: in local time, localised, escaped."""
    return conditional_escape(localize(template_localtime(value)))


SELECT_OPTION = "django/forms/widgets/select_option.html"


def select_html(widget: dict) -> str | None:
    """django/forms/widgets/select.html and select_option.html, from the options the
    widget's get_context() made (Select above writes them from its choices); None for
    options with a template of their own."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{attrs_html(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{shown(group_name)}">')
        for option in options:
            if option["template_name"] != SELECT_OPTION:
                return None
            parts.append(
                f'\n  <option value="{conditional_escape(option["value"])}"'
                f"{attrs_html(option['attrs'])}>{shown(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


WRITERS: dict[str, Callable[[dict], str | None]] = {
    **dict.fromkeys(INPUT_TEMPLATES, input_html),
    "django/forms/widgets/textarea.html": textarea_html,
    "django/forms/widgets/select.html": select_html,
}


class QuickFormRenderer(DjangoTemplates):
    """Django's form renderer (settings.FORM_RENDERER), with the templates of its inputs,
    text areas and selects written in Python, byte for byte
    (tests/coordination/test_widgets.py compares them). A widget with a template of its
    own, and everything else (forms, errors, the admin's widgets), goes to the templates."""

    def render(self, template_name: str, context: dict, request=None) -> str:
        writer = WRITERS.get(template_name)
        written = writer(context["widget"]) if writer is not None else None
        if written is None:
            return super().render(template_name, context, request)
        return written
