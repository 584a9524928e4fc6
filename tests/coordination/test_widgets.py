"""coordination.widgets.Select writes exactly what Django's select writes: the list
filters use it for speed, and nothing on the page may change."""

import datetime
import decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils.safestring import mark_safe
from django.utils.translation import override

from coordination import widgets
from coordination.choices import Prefix, prefix_text
from coordination.fields import ThaiDateInput
from coordination.widgets import WRITERS, QuickFormRenderer
from tests.factories import VolunteerFactory
from volunteers.models import Volunteer

CHOICES = [
    ("", "---------"),
    ("a", "Tom & Jerry <b>"),
    (1, 2000),
    ("safe", mark_safe("<i>kept</i>")),
    ("group", [("x", "X"), ('"y"', "Y")]),
    (None, "nothing"),
    # Shown as a template shows them: localised, an aware time in Bangkok's time.
    ("d", datetime.date(2019, 4, 24)),
    ("t", datetime.datetime(2026, 11, 27, 1, 30, tzinfo=datetime.UTC)),
    (datetime.date(2020, 1, 2), [("n", decimal.Decimal("1234.5"))]),
]
ATTRS = {"class": "form-select", "required": True, "disabled": False, "data-x": '"q"'}


SELECTED = [None, "", "a", 1, "1", "x", '"y"', ["a", "x"], "absent"]


@pytest.mark.parametrize("value", SELECTED)
@pytest.mark.parametrize("language", ["th", "en"])
def test_the_quick_select_renders_what_djangos_select_renders(value, language):
    django_select = forms.Select(attrs=ATTRS, choices=CHOICES)
    ours = widgets.Select(attrs=ATTRS, choices=CHOICES)
    with override(language):
        expected = django_select.render(
            "n&me", value, attrs={"id": "id_n"}, renderer=DjangoTemplates()
        )
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
INPUTS = [
    forms.TextInput, forms.CheckboxInput, forms.NumberInput, forms.EmailInput, forms.URLInput,
    forms.PasswordInput, forms.HiddenInput, forms.DateInput, forms.DateTimeInput,
    forms.TimeInput, ThaiDateInput,
]  # fmt: skip


@pytest.mark.parametrize("value", INPUT_VALUES)
@pytest.mark.parametrize("attrs", INPUT_ATTRS)
@pytest.mark.parametrize("widget", INPUTS)
def test_the_quick_renderer_writes_the_inputs_as_djangos_templates_do(widget, value, attrs):
    made = widget(attrs={"placeholder": "<p>"})
    expected = made.render("n&me", value, attrs=attrs, renderer=DjangoTemplates())
    assert made.render("n&me", value, attrs=attrs, renderer=QuickFormRenderer()) == expected
    assert expected.startswith("<input") and made.template_name in WRITERS


@pytest.mark.parametrize(
    "widget, value",
    [
        *((widget, value) for widget in (forms.Select, forms.SelectMultiple) for value in SELECTED),
        *((forms.NullBooleanSelect, value) for value in (None, True, False, "true", "unknown")),
    ],
)
@pytest.mark.parametrize("language", ["th", "en"])
def test_the_quick_renderer_writes_the_selects_as_djangos_templates_do(widget, value, language):
    made = widget(attrs=ATTRS)
    if widget is not forms.NullBooleanSelect:
        made.choices = CHOICES
    assert made.template_name in WRITERS  # written in Python, not by the templates
    with override(language):
        expected = made.render("n&me", value, attrs={"id": "id_n"}, renderer=DjangoTemplates())
        quick = made.render("n&me", value, attrs={"id": "id_n"}, renderer=QuickFormRenderer())
    assert quick == expected
    if widget is not forms.NullBooleanSelect:
        assert "8:30" in expected  # 01:30 UTC


def test_options_with_a_template_of_their_own_go_to_the_templates():
    class Own(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    made = Own(choices=CHOICES)
    expected = made.render("n", "a", renderer=DjangoTemplates())
    assert made.render("n", "a", renderer=QuickFormRenderer()) == expected
    assert "<option" not in expected


@pytest.mark.parametrize("value", [None, "", "a & <b>\nline", 0, mark_safe("<i>kept</i>")])
def test_the_quick_renderer_writes_the_text_area_as_djangos_template_does(value):
    attrs = {"rows": 2, "class": "textarea form-control", "required": True, "disabled": False}
    made = forms.Textarea(attrs=attrs)
    assert made.template_name in WRITERS
    expected = made.render("n&me", value, attrs={"id": "id_n"}, renderer=DjangoTemplates())
    assert (
        made.render("n&me", value, attrs={"id": "id_n"}, renderer=QuickFormRenderer()) == expected
    )


def test_a_widget_with_a_template_of_its_own_goes_to_the_templates():
    class Own(forms.TextInput):
        template_name = "django/forms/widgets/radio.html"

    boxes = forms.CheckboxSelectMultiple(choices=[("a", "A")])
    for made in (Own(), boxes, forms.ClearableFileInput(), forms.SplitDateTimeWidget()):
        expected = made.render("n", None, renderer=DjangoTemplates())
        assert made.render("n", None, renderer=QuickFormRenderer()) == expected
    assert 'type="checkbox"' in boxes.render("n", None, renderer=QuickFormRenderer())


def test_the_forms_render_with_the_quick_renderer():
    assert isinstance(forms.Form().renderer or get_default_renderer(), QuickFormRenderer)


@pytest.mark.parametrize("language", ["th", "en"])
@pytest.mark.parametrize("value", [None, "", datetime.date(2019, 4, 24), "31/02/2569"])
def test_the_thai_date_input_renders_what_its_template_renders(language, value):
    widget = ThaiDateInput(attrs={"class": "form-control"})
    with override(language):
        expected = widget.render("day", value, attrs={"id": "id_day"}, renderer=DjangoTemplates())
        quick = widget.render("day", value, attrs={"id": "id_day"}, renderer=QuickFormRenderer())
        assert quick == expected
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


@pytest.mark.django_db
def test_the_case_pages_forms_render_as_with_djangos_widgets_and_templates(case):
    """The status, closing and reopening forms (on every case page): the quick select and
    the quick renderer write what Django's select and templates write."""
    from cases.forms import CloseForm, ReopenForm, StatusForm

    bound = {"status": "x", "note": "<n>", "close-note": "a\n<b>", "close-kept_case": "1&2"}
    makers = [
        lambda: StatusForm(bound, case=case),
        lambda: CloseForm(bound, case=case, prefix="close"),
        lambda: ReopenForm(bound),
        lambda: CloseForm(case=case, prefix="close"),
    ]
    for make in makers:
        ours, theirs = make(), make()
        theirs.renderer = DjangoTemplates()
        for field in theirs.fields.values():
            field.widget.__class__ = next(  # Django's own
                c for c in type(field.widget).__mro__ if c.__module__ == "django.forms.widgets"
            )
        assert isinstance(ours.renderer, QuickFormRenderer)
        for name in ours.fields:
            assert str(ours[name]) == str(theirs[name]), name
    assert type(StatusForm(case=case).fields["status"].widget) is widgets.Select
