"""`|as_field`: crispy-forms' `|as_crispy_field` (bootstrap5) for the simple fields of
the list filters, written in Python.

crispy renders each field through a template of some 40 conditionals and five
includes: the case list's 15 fields cost ~1 ms of CPU each, a third of the page. The
fields here (a text, date or select input, a tick box, radio buttons) come out as the same elements
with the same attributes and text (tests/coordination/test_quick_forms.py compares
them, as parsed HTML, with crispy's); only the blank lines between the tags go.
Anything else — hidden fields, tick-box lists, files, multi-widgets, a form with a
crispy helper — is handed to crispy itself."""

from __future__ import annotations

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django import forms, template
from django.conf import settings
from django.forms.boundfield import BoundField
from django.templatetags.l10n import unlocalize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from coordination.widgets import attrs_html

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


def errors_html(field: BoundField) -> str:
    """bootstrap5/layout/field_errors_block.html."""
    if not field.errors:
        return ""
    field_id = conditional_escape(getattr(field.errors, "field_id", "") or "")
    parts = [f'<div id="{field_id}_error" class="invalid-feedback">']
    for number, error in enumerate(field.errors, 1):
        parts.append(
            f'<p id="error_{number}_{conditional_escape(field.auto_id)}">'
            f"<strong>{conditional_escape(str(error))}</strong></p>"
        )
    parts.append("</div>")
    return "".join(parts)


def help_text_html(field: BoundField) -> str:
    """bootstrap5/layout/help_text.html."""
    if not field.help_text:
        return ""
    helptext_id = f'id="{conditional_escape(field.auto_id)}_helptext" ' if field.auto_id else ""
    return f'<div {helptext_id}class="form-text">{field.help_text}</div>'


def help_text_and_errors(field: BoundField) -> str:
    """bootstrap5/layout/help_text_and_errors.html."""
    return errors_html(field) + help_text_html(field)


def required_marks(field: BoundField) -> tuple[str, str]:
    if field.field.required:
        return " requiredField", '<span class="asteriskField">*</span>'
    return "", ""


NOT_SIMPLE = (forms.CheckboxSelectMultiple, forms.FileInput, forms.MultiWidget)


def is_radio(field: BoundField) -> bool:
    """crispy's is_radioselect: radio buttons, not tick boxes (a subclass of them)."""
    widget = field.field.widget
    return isinstance(widget, forms.RadioSelect) and not isinstance(
        widget, forms.CheckboxSelectMultiple
    )


def radio_buttons(field: BoundField) -> str:
    """bootstrap5/layout/radio_checkbox_select.html, for radio buttons (crispy's
    `optgroups` filter gives the options)."""
    widget = field.field.widget
    id_ = widget.attrs.get("id") or field.auto_id
    attrs = field.build_widget_attrs({"id": id_} if id_ else {})
    groups = widget.optgroups(field.html_name, widget.format_value(field.value()), attrs)
    invalid = " is-invalid" if field.errors else ""
    name = conditional_escape(field.html_name)
    parts = ["<div>"]
    for number, (group, options, _index) in enumerate(groups, 1):
        if group:
            parts.append(f"<strong>{conditional_escape(group)}</strong>")
        for position, option in enumerate(options, 1):
            value = conditional_escape(unlocalize(option["value"]))
            target = conditional_escape(option["attrs"].get("id", ""))
            parts.append(
                f'<div class="form-check"><input type="{conditional_escape(option["type"])}" '
                f'class="form-check-input{invalid}" name="{name}" value="{value}"'
                f"{attrs_html(option['attrs'])}>"
                f'<label for="{target}" class="form-check-label">'
                f"{conditional_escape(unlocalize(option['label']))}</label>"
            )
            if field.errors and number == len(groups) and position == len(options):
                parts.append(errors_html(field))
            parts.append("</div>")
    parts.append("</div>")
    parts.append(help_text_html(field))
    return "".join(parts)


def is_simple(field: BoundField) -> bool:
    widget = field.field.widget
    return not (
        field.is_hidden
        or getattr(field.form, "helper", None) is not None
        or (field.use_fieldset and not is_radio(field))
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
    if is_radio(field):  # use_fieldset: a legend names the group
        if field.label:
            described = getattr(field, "aria_describedby", None)
            described_by = (
                f' aria-describedby="{conditional_escape(described)}"' if described else ""
            )
            target = (
                f'for="{conditional_escape(field.id_for_label)}" ' if field.id_for_label else ""
            )
            parts.append(f"<fieldset{described_by}>")
            parts.append(
                f'<legend {target}class="form-label{required_class} fs-6">{label}{asterisk}</legend>'
            )
        parts.append(radio_buttons(field))
        if field.label:
            parts.append("</fieldset>")
        parts.append("</div>")
        return mark_safe("".join(parts))
    if field.label:
        target = f'for="{conditional_escape(field.id_for_label)}" ' if field.id_for_label else ""
        parts.append(f'<label {target}class="form-label{required_class}">{label}{asterisk}</label>')
    css = "form-select" if isinstance(field.field.widget, forms.Select) else "form-control"
    parts.append(crispy_widget(field, css + invalid))
    parts.append(help_text_and_errors(field))
    parts.append("</div>")
    return mark_safe("".join(parts))


def non_field_errors_html(form: forms.BaseForm) -> str:
    """bootstrap5/errors.html, as `|crispy` includes it (no error title)."""
    errors = form.non_field_errors()
    if not errors:
        return ""
    items = "".join(f"<li>{conditional_escape(str(error))}</li>" for error in errors)
    return f'<div class="alert alert-block alert-danger"><ul class="m-0">{items}</ul></div>'


@register.filter
def as_form(form: forms.BaseForm) -> SafeString:
    """`{{ form|crispy }}` (bootstrap5/uni_form.html: the form's own errors, then each
    field) with `|as_field` for each field: the case page's three small forms (status,
    closing, reopening) cost 9 ms of CPU through crispy's templates, ~1 ms here.
    A formset is handed to crispy."""
    if not isinstance(form, forms.BaseForm):
        return as_crispy_form(form)
    return mark_safe(non_field_errors_html(form) + "".join(as_field(field) for field in form))


@register.simple_tag
def errors_to_correct(*forms_and_formsets) -> list[tuple[str, str, str]]:
    """Each field's error in the forms (and the formsets' rows), in the page's order of
    fields, as (the field's id, its label, the message): the "nothing was saved" banner
    lists them as links, so that the error at the bottom of a long form on a phone (a
    visit's photos) is one tap away, not a scroll without a hint."""
    found = []
    for item in forms_and_formsets:
        rows = item.forms if isinstance(item, forms.BaseFormSet) else [item]
        for form in rows:
            for name in form.fields:
                if name in form.errors:
                    field = form[name]
                    # A choice of boxes labels no one input: its first box.
                    target = field.id_for_label or f"{field.auto_id}_0"
                    found += [(target, str(field.label), str(e)) for e in form.errors[name]]
    return found
