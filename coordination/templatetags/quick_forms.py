"""`|as_field`, `|as_form` and `{% quick_form %}`: crispy-forms' `|as_crispy_field`,
`|crispy` and `{% crispy form %}` (bootstrap5), written in Python.

crispy renders each field through a template of some 40 conditionals and five
includes: the case list's 15 fields cost ~1 ms of CPU each, a third of the page, and
the intake form's layout three quarters of its page. The fields here (a text, date or
select input, a tick box, radio buttons, a list of tick boxes) and the layouts (fieldsets,
rows, columns) come out as the same elements with the same attributes and text
(tests/coordination/test_quick_forms.py compares them, as parsed HTML, with crispy's);
only the blank lines between the tags go. Anything else — hidden fields, files,
multi-widgets, a helper that changes how fields look or adds to the form, other layout
objects — is handed to crispy itself."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django import forms, template
from django.conf import settings
from django.forms.boundfield import BoundField
from django.template import Context, Template
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


def errors_html(field: BoundField, tag: str = "p") -> str:
    """bootstrap5/layout/field_errors_block.html, or with `span` field_errors.html (a
    helper's `error_text_inline`, as `{% crispy form %}` renders a layout's fields)."""
    if not field.errors:
        return ""
    field_id = conditional_escape(getattr(field.errors, "field_id", "") or "")
    parts = [f'<div id="{field_id}_error" class="invalid-feedback">']
    for number, error in enumerate(field.errors, 1):
        parts.append(
            f'<{tag} id="error_{number}_{conditional_escape(field.auto_id)}">'
            f"<strong>{conditional_escape(str(error))}</strong></{tag}>"
        )
    parts.append("</div>")
    return "".join(parts)


def help_text_html(field: BoundField) -> str:
    """bootstrap5/layout/help_text.html."""
    if not field.help_text:
        return ""
    helptext_id = f'id="{conditional_escape(field.auto_id)}_helptext" ' if field.auto_id else ""
    return f'<div {helptext_id}class="form-text">{field.help_text}</div>'


def help_text_and_errors(field: BoundField, error_tag: str) -> str:
    """bootstrap5/layout/help_text_and_errors.html."""
    return errors_html(field, error_tag) + help_text_html(field)


def required_marks(field: BoundField) -> tuple[str, str]:
    if field.field.required:
        return " requiredField", '<span class="asteriskField">*</span>'
    return "", ""


NOT_SIMPLE = (forms.FileInput, forms.MultiWidget)


def is_choice_boxes(field: BoundField) -> bool:
    """crispy's is_radioselect or is_checkboxselectmultiple: radio buttons or a list of
    tick boxes (a subclass of them), which crispy renders with one template."""
    return isinstance(field.field.widget, forms.RadioSelect)


def choice_boxes(field: BoundField) -> str:
    """bootstrap5/layout/radio_checkbox_select.html, for radio buttons and lists of tick
    boxes (crispy's `optgroups` filter gives the options)."""
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


def is_plain(helper: FormHelper | None) -> bool:
    """A form helper that leaves each field as crispy's defaults render it: labels and
    errors shown, no label or field classes, no inline help, not a horizontal form."""
    return helper is None or bool(
        helper.form_show_labels
        and helper.form_show_errors
        and not helper.label_class
        and not helper.field_class
        and not helper.help_text_inline
        and "form-horizontal" not in helper.form_class
    )


def is_simple(field: BoundField) -> bool:
    widget = field.field.widget
    return not (
        field.is_hidden
        or not is_plain(getattr(field.form, "helper", None))
        or (field.use_fieldset and not is_choice_boxes(field))
        or isinstance(widget, NOT_SIMPLE)
        or hasattr(widget, "widget")  # wrappers (admin)
    )


@register.filter
def as_field(field: BoundField) -> SafeString:
    return field_html(field, "p")


def field_html(field: BoundField, error_tag: str) -> SafeString:
    """bootstrap5/field.html; a field's errors in `error_tag` (`p` as `|as_crispy_field`
    writes them, `span` as `{% crispy form %}` does)."""
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
            f"{help_text_and_errors(field, error_tag)}</div></div>"
        )
    parts = [f'<div id="div_{auto_id}" class="mb-3{extra}">']
    if is_choice_boxes(field):  # use_fieldset: a legend names the group
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
        parts.append(choice_boxes(field))
        if field.label:
            parts.append("</fieldset>")
        parts.append("</div>")
        return mark_safe("".join(parts))
    if field.label:
        target = f'for="{conditional_escape(field.id_for_label)}" ' if field.id_for_label else ""
        parts.append(f'<label {target}class="form-label{required_class}">{label}{asterisk}</label>')
    css = "form-select" if isinstance(field.field.widget, forms.Select) else "form-control"
    parts.append(crispy_widget(field, css + invalid))
    parts.append(help_text_and_errors(field, error_tag))
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
    field; a helper's layout is not used) with `|as_field` for each field: the case page's
    three small forms (status, closing, reopening) cost 9 ms of CPU through crispy's
    templates, ~1 ms here. A formset is handed to crispy."""
    if not isinstance(form, forms.BaseForm):
        return as_crispy_form(form)
    return mark_safe(non_field_errors_html(form) + "".join(as_field(f) for f in form))


@register.simple_tag(takes_context=True)
def quick_form(context: Context, form: forms.BaseForm) -> SafeString:
    """`{% crispy form %}`: the form's helper and layout. A layout of fieldsets, rows and
    columns, with a helper that writes no `<form>`, token, buttons or media of its own,
    is written here (`layout_html`): the intake form's layout through crispy's templates
    was three quarters of its page. Anything else goes to crispy's tag, with the page's
    context (its request and token)."""
    helper = getattr(form, "helper", None)
    if not (
        isinstance(form, forms.BaseForm)
        and is_plain(helper)
        and helper is not None
        and writes_nothing_around(helper, form)
        and helper.layout is not None
        and is_plain_layout(helper.layout)
    ):
        with context.push(form=form):
            return CRISPY_TAG.render(context)
    error_tag = "span" if helper.error_text_inline else "p"
    html = non_field_errors_html(form) + layout_html(form, helper.layout.fields, error_tag)
    if helper.render_hidden_fields:  # crispy's FormHelper.render_layout
        named = set(layout_field_names(helper.layout.fields))
        html += "".join(
            str(form[name])
            for name, field in form.fields.items()
            if name not in named and field.widget.is_hidden
        )
    return mark_safe(html)


def writes_nothing_around(helper: FormHelper, form: forms.BaseForm) -> bool:
    """bootstrap5/whole_uni_form.html and display_form.html add nothing to the layout: no
    `<form>` tag, no token, no buttons, no error title, no media, no other templates, no
    fields beyond the layout's but hidden ones."""
    return not (
        helper.form_tag
        or (not helper.disable_csrf and helper.form_method.lower() == "post")
        or helper.inputs
        or helper.form_error_title
        or (helper.include_media and str(form.media))
        or helper.template
        or helper.field_template
        or helper.render_unmentioned_fields
        or helper.render_required_fields
    )


# crispy's bootstrap5 layout objects that `layout_html` writes as their templates do:
# layout/fieldset.html, layout/row.html and layout/column.html.
PLAIN_LAYOUT = (Fieldset, Row, Column)


def is_plain_layout(layout: Layout | Fieldset | Row | Column) -> bool:
    return all(
        isinstance(item, str)
        or (
            type(item) in PLAIN_LAYOUT
            and item.template == type(item).template
            and is_plain_layout(item)
        )
        for item in layout.fields
    )


def layout_field_names(items: list) -> list[str]:
    return [
        name
        for item in items
        for name in ([item] if isinstance(item, str) else layout_field_names(item.fields))
    ]


def layout_html(form: forms.BaseForm, items: list, error_tag: str) -> str:
    parts = []
    for item in items:
        if isinstance(item, str):
            if item in form.fields:  # crispy skips a name the form does not have
                field = form[item]
                parts.append(str(field) if field.is_hidden else field_html(field, error_tag))
            continue
        inner = layout_html(form, item.fields, error_tag)
        css_id = f'id="{conditional_escape(item.css_id)}" ' if item.css_id else ""
        if isinstance(item, Fieldset):
            css = f'class="{conditional_escape(item.css_class)}" ' if item.css_class else ""
            # crispy renders a legend as a template and marks it safe; ours are plain
            # translated text, escaped here as any text.
            legend = f"<legend>{conditional_escape(item.legend)}</legend>" if item.legend else ""
            parts.append(f"<fieldset {css_id}{css}{item.flat_attrs}>{legend}{inner}</fieldset>")
            continue
        css_class = item.css_class or ""
        if isinstance(item, Row):
            classes = f"row {css_class}"
        else:
            classes = css_class if "col" in css_class else f"col-md {css_class}"
        parts.append(
            f'<div {css_id}class="{conditional_escape(classes)}" {item.flat_attrs}>{inner}</div>'
        )
    return "".join(parts)


CRISPY_TAG = Template("{% load crispy_forms_tags %}{% crispy form %}")


@register.simple_tag
def errors_to_correct(form, *formsets, rows_after: str = "") -> list[tuple[str, str, str]]:
    """Each field's error in the form and the formsets' rows, in the page's order of
    fields, as (the field's id, its label, the message): the "nothing was saved" banner
    lists them as links, so that the error at the bottom of a long form on a phone (a
    visit's photos) is one tap away, not a scroll without a hint. The rows come after
    the form's fields, or after its field `rows_after` where the page shows them there
    (a visit's incomes, between the person's situation and the needs)."""
    names = list(form.fields)
    cut = names.index(rows_after) + 1 if rows_after else len(names)
    rows = [row for formset in formsets for row in formset.forms]
    return [
        *errors_of(form, names[:cut]),
        *(error for row in rows for error in errors_of(row, row.fields)),
        *errors_of(form, names[cut:]),
    ]


def errors_of(form, names) -> list[tuple[str, str, str]]:
    found = []
    for name in names:
        if name in form.errors:
            field = form[name]
            # A choice of boxes labels no one input: its first box.
            target = field.id_for_label or f"{field.auto_id}_0"
            found += [(target, str(field.label), str(e)) for e in form.errors[name]]
    return found
