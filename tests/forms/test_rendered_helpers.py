"""The guards of these form tests can fail: a page that drops a field is caught."""

import pytest
from crispy_forms.utils import render_crispy_form
from django.urls import reverse

from cases.forms import CaseEditForm
from tests.forms.rendered import assert_renders_every_field, form_with_field


def test_a_crispy_layout_renders_the_hidden_fields_it_does_not_name(case):
    form = CaseEditForm(instance=case, center=case.center, initial={"version": case.version})
    assert "version" not in str(form.helper.layout)  # the layout names no hidden field...
    html = render_crispy_form(form)
    assert 'type="hidden" name="version"' in html  # ...and the page still carries it


def test_the_guard_fails_when_the_page_drops_the_hidden_version(app, case, coordinator):
    response = app.get(reverse("cases:case-edit", args=[case.pk]), user=coordinator)
    rendered = form_with_field(response, "first_name")
    rendered.fields.pop("version", None)  # as the page rendered before the fix

    with pytest.raises(AssertionError, match=r"\['version'\]"):
        assert_renders_every_field(
            rendered, response.context["form"], skip={"confirm_different_person"}
        )
