"""Helpers to take a form as a page renders it, and to check nothing of it is missing.

webtest submits only the fields the page contains. A field the form class expects but
the template forgot (a hidden `version`, a formset's management form) then fails the
submission the way it fails a person; `assert_renders_every_field` says which one."""

import copy
from collections.abc import Iterable

from django import forms
from webtest.forms import Form
from webtest.response import TestResponse

from coordination.confirm import CONFIRM_FIELD


def as_a_browser_posts(form: Form) -> Form:
    """Sets aside the fields of a formset's empty form: a browser never posts what is in
    a <template>, webtest would. add_row() copies them, as the page's script does."""
    form.empty_rows = [(n, f) for n, f in form.field_order if n and "__prefix__" in n]
    for name, _field in form.empty_rows:
        form.fields.pop(name, None)
    form.field_order = [(n, f) for n, f in form.field_order if not (n and "__prefix__" in n)]
    return form


def form_posting_to(response: TestResponse, action: str) -> Form:
    """The page's form whose action is `action` (several forms share one page)."""
    found = [form for form in response.forms.values() if form.action == action]
    assert len(found) == 1, f"{len(found)} forms post to {action}"
    return as_a_browser_posts(found[0])


def expected_names(form: forms.BaseForm | forms.BaseFormSet, skip: Iterable[str] = ()) -> set[str]:
    """The HTML names a form (or a formset, with its management form and the fields of
    each of its rows) reads from a submission."""
    if isinstance(form, forms.BaseFormSet):
        names = expected_names(form.management_form)
        for row in form.forms:
            names |= expected_names(row, skip)
        return names
    return {form[name].html_name for name in form.fields if name not in skip}


def assert_renders_every_field(
    rendered: Form, *django_forms: forms.BaseForm | forms.BaseFormSet, skip: Iterable[str] = ()
) -> None:
    """Every field of the forms behind the page, hidden ones included, is in the <form>."""
    wanted = set().union(*(expected_names(form, skip) for form in django_forms))
    missing = sorted(wanted - set(rendered.fields))
    assert not missing, f"fields not rendered in the form: {missing}"


def form_with_field(response: TestResponse, name: str) -> Form:
    """The page's form that has a field `name` (the page also has logout and language forms)."""
    found = [form for form in response.forms.values() if name in form.fields]
    assert len(found) == 1, f"{len(found)} forms have a field {name}"
    return as_a_browser_posts(found[0])


def add_row(rendered: Form, prefix: str) -> int:
    """Adds a formset row as the page's 'add a row' button does (static/js/formset.js):
    copies the empty form rendered in the <template>, `__prefix__` numbered after the rows
    there, and raises TOTAL_FORMS. Returns the new row's index."""
    total = rendered[f"{prefix}-TOTAL_FORMS"]
    index = int(total.value)
    empty = f"{prefix}-__prefix__-"
    template = [(name, field) for name, field in rendered.empty_rows if name.startswith(empty)]
    assert template, f"no empty form of {prefix} on the page"
    for name, field in template:
        new_name = name.replace("__prefix__", str(index))
        clone = copy.copy(field)
        clone.name = new_name
        if hasattr(field, "options"):
            clone.options = list(field.options)
        rendered.fields.setdefault(new_name, []).append(clone)
        rendered.field_order.append((new_name, clone))
    total.force_value(str(index + 1))
    return index


def submit_and_follow(rendered: Form, **kwargs: object) -> TestResponse:
    """Submits; the save must redirect (on a form error, the failure says which)."""
    response = rendered.submit(**kwargs)
    if response.status_int != 302:
        errors = {name: form.errors for name, form in forms_in_context(response).items()}
        raise AssertionError(f"not saved ({response.status}): {errors}")
    return response.follow()


def forms_in_context(response: TestResponse) -> dict[str, forms.BaseForm | forms.BaseFormSet]:
    """The forms and formsets the view handed to its template, by context name."""
    found: dict[str, forms.BaseForm | forms.BaseFormSet] = {}
    for context in response.context or []:
        for layer in context.dicts if hasattr(context, "dicts") else [context]:
            for name, value in layer.items():
                if isinstance(value, forms.BaseForm | forms.BaseFormSet):
                    found.setdefault(name, value)
    return found


def assert_rendered_whole(response: TestResponse, *names: str, skip: Iterable[str] = ()) -> None:
    """The forms the view passed to its template as `names` are each rendered whole, in
    the <form> of the page that holds most of their fields (one <form> may hold a form
    and its formsets; forms of one page may share a field name such as `note`)."""
    behind = forms_in_context(response)
    for name in names:
        assert name in behind, f"{response.request.path}: no form {name} in the context"
        wanted = expected_names(behind[name], skip)
        rendered = max(response.forms.values(), key=lambda r: len(wanted & set(r.fields)))
        missing = sorted(wanted - set(rendered.fields))
        assert not missing, f"{response.request.path}: {name} is missing {missing}"


def confirm_and_follow(rendered: Form) -> TestResponse:
    """Submits a form whose change is asked about first: the confirmation page says what
    will change and saves nothing; its own form, as rendered, then confirms."""
    asking = rendered.submit()
    assert asking.status_int == 200, f"expected the confirmation page, got {asking.status}"
    confirmation = form_posting_to(asking, rendered.action)
    return submit_and_follow(confirmation, name=CONFIRM_FIELD)


def admin_form(app, url: str, user) -> Form:
    """The Django admin's change form on `url` (the page's other forms: the language
    switch, logout)."""
    return next(
        f for f in app.get(url, user=user).forms.values() if f.id and f.id.endswith("_form")
    )
