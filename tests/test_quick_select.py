"""QuickSelect writes exactly the HTML of Django's Select, which it replaces for speed."""

import pytest
from django import forms

from coordination.widgets import QuickSelect
from tests.factories import VolunteerFactory
from volunteers.models import Volunteer

CHOICES = [
    ("", "---------"),
    ("x", 'X <&> "quoted"'),
    (1, "one"),
    ("Group <b>", [("g1", "G1"), ("g2", "G2")]),
]


@pytest.mark.parametrize("value", ["g2", 1, "", None, "missing"])
@pytest.mark.parametrize(
    "attrs",
    [None, {"class": "form-select", "required": True, "disabled": False, "title": 'a"b<'}],
)
def test_the_same_html_as_djangos_select(value, attrs):
    assert QuickSelect(choices=CHOICES).render("field", value, attrs) == forms.Select(
        choices=CHOICES
    ).render("field", value, attrs)


@pytest.mark.django_db
def test_the_same_html_for_model_choices_as_rendered_in_a_form(center):
    chosen = VolunteerFactory(center=center, first_name="สมศรี")
    VolunteerFactory(center=center, first_name="<มาลี>")

    class Quick(forms.Form):
        volunteer = forms.ModelChoiceField(Volunteer.objects.order_by("pk"), widget=QuickSelect)

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
        volunteer = VolunteerChoiceField(Volunteer.objects.order_by("pk"), widget=QuickSelect)

    class Models(forms.Form):
        volunteer = forms.ModelChoiceField(Volunteer.objects.order_by("pk"))

    for data in ({"volunteer": chosen.pk}, None):
        assert str(Names(data)["volunteer"]) == str(Models(data)["volunteer"])
    assert list(Names().fields["volunteer"].choices)[1:] == [
        (v.pk, str(v)) for v in Volunteer.objects.order_by("pk")
    ]
    assert Names({"volunteer": chosen.pk}).is_valid()


@pytest.mark.django_db
def test_crispy_gives_a_quick_select_the_css_class_of_a_select(center, team):
    """crispy adds the widget's class name to its CSS classes (CRISPY_CLASS_CONVERTERS)."""
    from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field

    from volunteers.forms import AddMemberForm

    html = as_crispy_field(AddMemberForm(team=team)["volunteer"])

    assert '<select name="volunteer" class="select form-select"' in html
