"""coordination.widgets.Select writes exactly what Django's select writes: the list
filters use it for speed, and nothing on the page may change."""

import datetime

import pytest
from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import override

from coordination import widgets
from coordination.choices import Prefix, prefix_text
from coordination.fields import ThaiDateInput
from tests.factories import VolunteerFactory
from volunteers.models import Volunteer

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
            assert prefix_text(value) == str(label)
        assert prefix_text("unknown") == "unknown"


INPUT_VALUES = [None, "", 'a&"b<', 0, 12, True, False, mark_safe("<b>kept</b>")]
INPUT_ATTRS = [None, {"class": "x y", "required": True, "disabled": False, "aria-x": "<"}]


@pytest.mark.parametrize("value", INPUT_VALUES)
@pytest.mark.parametrize("attrs", INPUT_ATTRS)
@pytest.mark.parametrize(
    "theirs, ours",
    [(forms.TextInput, widgets.TextInput), (forms.CheckboxInput, widgets.CheckboxInput)],
)
def test_the_quick_inputs_render_what_djangos_render(theirs, ours, value, attrs):
    made = {"attrs": {"placeholder": "<p>"}}
    expected = theirs(**made).render("n&me", value, attrs=attrs)
    assert ours(**made).render("n&me", value, attrs=attrs) == expected


@pytest.mark.parametrize("language", ["th", "en"])
@pytest.mark.parametrize("value", [None, "", datetime.date(2019, 4, 24), "31/02/2569"])
def test_the_thai_date_input_renders_what_its_template_renders(language, value):
    widget = ThaiDateInput(attrs={"class": "form-control"})
    with override(language):
        # forms.Widget.render: the template, as before the widget wrote it in Python.
        expected = forms.Widget.render(widget, "day", value, attrs={"id": "id_day"})
        assert widget.render("day", value, attrs={"id": "id_day"}) == expected
    assert "value=" in expected or value in (None, "")


@pytest.mark.django_db
def test_the_same_html_for_model_choices_as_rendered_in_a_form(center):
    chosen = VolunteerFactory(center=center, first_name="สมศรี")
    VolunteerFactory(center=center, first_name="<มาลี>")

    class Quick(forms.Form):
        volunteer = forms.ModelChoiceField(Volunteer.objects.order_by("pk"), widget=widgets.Select)

    class Plain(forms.Form):
        volunteer = forms.ModelChoiceField(Volunteer.objects.order_by("pk"))

    for data in ({"volunteer": chosen.pk}, {"volunteer": "nonsense"}, None):
        quick, plain = str(Quick(data)["volunteer"]), str(Plain(data)["volunteer"])
        assert quick == plain
        assert "&lt;มาลี&gt;" in quick


@pytest.mark.django_db
def test_the_volunteer_choices_read_four_columns_and_read_as_model_choices_do(center):
    from volunteers.forms import VolunteerChoiceField

    chosen = VolunteerFactory(center=center, prefix="mrs", first_name="สมศรี")
    VolunteerFactory(center=center, prefix="mr", first_name="<ประเสริฐ>")

    class Names(forms.Form):
        volunteer = VolunteerChoiceField(Volunteer.objects.order_by("pk"), widget=widgets.Select)

    class Models(forms.Form):
        volunteer = forms.ModelChoiceField(Volunteer.objects.order_by("pk"))

    for data in ({"volunteer": chosen.pk}, None):
        assert str(Names(data)["volunteer"]) == str(Models(data)["volunteer"])
    assert list(Names().fields["volunteer"].choices)[1:] == [
        (v.pk, str(v)) for v in Volunteer.objects.order_by("pk")
    ]
    assert Names({"volunteer": chosen.pk}).is_valid()


@pytest.mark.django_db
def test_crispy_gives_the_quick_select_the_css_class_of_a_select(center, team):
    """crispy adds the widget's class name to its CSS classes: ours is named Select."""
    from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field

    from volunteers.forms import AddMemberForm

    html = as_crispy_field(AddMemberForm(team=team)["volunteer"])

    assert '<select name="volunteer" class="select form-select"' in html


@pytest.mark.parametrize("value", [None, "", "a & <b>\nline", 0, mark_safe("<i>kept</i>")])
def test_the_quick_textarea_renders_what_djangos_renders(value):
    attrs = {"rows": 2, "class": "textarea form-control", "required": True, "disabled": False}
    expected = forms.Textarea(attrs=attrs).render("n&me", value, attrs={"id": "id_n"})
    assert widgets.Textarea(attrs=attrs).render("n&me", value, attrs={"id": "id_n"}) == expected


@pytest.mark.django_db
def test_the_case_pages_forms_render_as_with_djangos_widgets(case):
    """The status, closing and reopening forms (on every case page) use the quick widgets."""
    from cases.forms import CloseForm, ReopenForm, StatusForm

    bound = {"status": "x", "note": "<n>", "close-note": "a\n<b>", "close-kept_case": "1&2"}
    for form in [
        StatusForm(bound, case=case),
        CloseForm(bound, case=case, prefix="close"),
        ReopenForm(bound),
        CloseForm(case=case, prefix="close"),
    ]:
        for name, field in form.fields.items():
            assert type(field.widget).__module__ == "coordination.widgets", name
            ours = str(form[name])
            field.widget.__class__ = next(  # Django's own
                c for c in type(field.widget).__mro__ if c.__module__ == "django.forms.widgets"
            )
            assert type(field.widget).__module__ == "django.forms.widgets", name
            assert str(form[name]) == ours, name
