"""coordination.widgets.Select writes exactly what Django's select writes: the list
filters use it for speed, and nothing on the page may change."""

import pytest
from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import override

from coordination import widgets
from coordination.choices import Prefix, prefix_label

CHOICES = [
    ("", "---------"),
    ("a", "Tom & Jerry <b>"),
    (1, 2000),
    ("safe", mark_safe("<i>kept</i>")),
    ("group", [("x", "X"), ('"y"', "Y")]),
    (None, "nothing"),
]
ATTRS = {"class": "form-select", "required": True, "disabled": False, "data-x": '"q"'}


@pytest.mark.parametrize("value", [None, "", "a", 1, "1", "x", '"y"', ["a", "x"], "absent"])
def test_the_quick_select_renders_what_djangos_select_renders(value):
    django_select = forms.Select(attrs=ATTRS, choices=CHOICES)
    ours = widgets.Select(attrs=ATTRS, choices=CHOICES)
    expected = django_select.render("n&me", value, attrs={"id": "id_n"})
    assert ours.render("n&me", value, attrs={"id": "id_n"}) == expected
    assert "Tom &amp; Jerry &lt;b&gt;" in expected and "<i>kept</i>" in expected


@pytest.mark.django_db
def test_the_case_filters_render_as_django_renders_them(coordinator, team, volunteer_on_team, rf):
    from cases.filters import CaseFilter
    from cases.models import Case

    chosen = {"team": team.pk, "status": "closed", "volunteer": volunteer_on_team.pk}
    request = rf.get("/cases/", chosen)
    request.user = coordinator
    form = CaseFilter(request, Case.objects.visible_to(coordinator)).form
    for name in ("status", "team", "subdistrict", "volunteer", "target_group", "sort"):
        field = form.fields[name]
        assert type(field.widget) is widgets.Select, name
        ours = form[name].as_widget()
        field.widget.__class__ = forms.Select
        assert form[name].as_widget() == ours, name
    assert f'<option value="{volunteer_on_team.pk}" selected>{volunteer_on_team}</option>' in str(
        form["volunteer"].as_widget()
    )


@pytest.mark.parametrize("language", ["th", "en"])
def test_the_prefix_label_is_the_choice_display(language):
    with override(language):
        for value, label in Prefix.choices:
            assert prefix_label(value) == str(label)
        assert prefix_label("unknown") == "unknown"
