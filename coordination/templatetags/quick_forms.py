"""`|as_field`: crispy-forms' `|as_crispy_field` (bootstrap5) for the simple fields of
the list filters, written in Python.

crispy renders each field through a template of some 40 conditionals and five
includes: the case list's 15 fields cost ~1 ms of CPU each, a third of the page. The
fields here (a text, date or select input, a tick box) come out as the same elements
with the same attributes and text (tests/coordination/test_quick_forms.py compares
them, as parsed HTML, with crispy's); only the blank lines between the tags go.
Anything else — hidden fields, radio buttons, files, multi-widgets, a form with a
crispy helper — is handed to crispy itself."""

from __future__ import annotations

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.conf import settings
from django.forms.boundfield import BoundField
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def crispy_widget(field: BoundField, css: str) -> str:
    """crispy's `{% crispy_field field 'class' css %}` (CrispyFieldNode.render): the
    widget's class name and `css` join its classes, on the widget itself as crispy
    leaves them."""
    widget = field.field.widget
    class_name = widget.__class__.__name__.lower()
    class_name = getattr(settings, "CRISPY_CLASS_CONVERTERS", {}).get(class_name, class_name)
    classes = widget.attrs.get("class", "")
    if classes:
        if classes.find(class_name) == -1:
            classes += f" {class_name}"
    else:
        classes = class_name
    for name in css.split():
        if name not in classes.split():
            classes += f" {name}"
    widget.attrs["class"] = classes
    return str(field)


def help_text_and_errors(field: BoundField) -> str:
    """bootstrap5/layout/field_errors_block.html and help_text.html."""
    parts = []
    if field.errors:
        field_id = conditional_escape(getattr(field.errors, "field_id", "") or "")
        parts.append(f'<div id="{field_id}_error" class="invalid-feedback">')
        for number, error in enumerate(field.errors, 1):
            parts.append(
                f'<p id="error_{number}_{conditional_escape(field.auto_id)}">'
                f"<strong>{conditional_escape(str(error))}</strong></p>"
            )
        parts.append("</div>")
    if field.help_text:
        helptext_id = f'id="{conditional_escape(field.auto_id)}_helptext" ' if field.auto_id else ""
        parts.append(f'<div {helptext_id}class="form-text">{field.help_text}</div>')
    return "".join(parts)


def required_marks(field: BoundField) -> tuple[str, str]:
    if field.field.required:
        return " requiredField", '<span class="asteriskField">*</span>'
    return "", ""


NOT_SIMPLE = (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.FileInput, forms.MultiWidget)


def is_simple(field: BoundField) -> bool:
    widget = field.field.widget
    return not (
        field.is_hidden
        or getattr(field.form, "helper", None) is not None
        or field.use_fieldset
        or isinstance(widget, NOT_SIMPLE)
        or hasattr(widget, "widget")  # wrappers (admin)
    )


@register.filter
def as_field(field: BoundField) -> SafeString:
    if not is_simple(field):
        return as_crispy_field(field)
    required_class, asterisk = required_marks(field)
    invalid = " is-invalid" if field.errors else ""
    extra = f" {conditional_escape(field.css_classes())}" if field.css_classes() else ""
    auto_id = conditional_escape(field.auto_id)
    label = conditional_escape(field.label)
    if isinstance(field.field.widget, forms.CheckboxInput):
        return mark_safe(
            f'<div class="mb-3"><div id="div_{auto_id}" class="form-check{extra}">'
            f"{crispy_widget(field, 'form-check-input' + invalid)}"
            f'<label for="{conditional_escape(field.id_for_label)}" '
            f'class="form-check-label{required_class}">{label}{asterisk}</label>'
            f"{help_text_and_errors(field)}</div></div>"
        )
    parts = [f'<div id="div_{auto_id}" class="mb-3{extra}">']
    if field.label:
        target = f'for="{conditional_escape(field.id_for_label)}" ' if field.id_for_label else ""
        parts.append(f'<label {target}class="form-label{required_class}">{label}{asterisk}</label>')
    css = "form-select" if isinstance(field.field.widget, forms.Select) else "form-control"
    parts.append(crispy_widget(field, css + invalid))
    parts.append(help_text_and_errors(field))
    parts.append("</div>")
    return mark_safe("".join(parts))
