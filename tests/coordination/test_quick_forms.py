"""`|as_field` gives the elements, attributes and text crispy's `|as_crispy_field`
gives, for every field of the forms it renders, blank, filled in and wrong."""

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms
from django.test.html import parse_html
from django.utils.translation import override

from coordination.exports import ExportForm
from coordination.templatetags.quick_forms import as_field, is_simple


def same_as_crispy(make_form) -> list[str]:
    """Renders each field of two copies of a form, one by crispy and one by us; the
    names of the fields compared (all of them must be equal)."""
    theirs, ours = make_form(), make_form()
    compared = []
    for name in theirs.fields:
        expected = parse_html(str(as_crispy_field(theirs[name])))
        assert parse_html(str(as_field(ours[name]))) == expected, name
        # crispy leaves its classes on the widget; so do we.
        assert ours.fields[name].widget.attrs == theirs.fields[name].widget.attrs, name
        compared.append(name)
    return compared


class Everything(forms.Form):
    text = forms.CharField(label="A & B <text>", help_text="Help <b>kept</b>", max_length=3)
    number = forms.IntegerField(required=False)
    choice = forms.ChoiceField(choices=[("", "–"), ("a", "A")], label="Choose")
    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"class": "mine"}))
    tick = forms.BooleanField(label="Tick <me>", help_text="why")
    must_tick = forms.BooleanField(required=True, label="")
    unlabelled = forms.CharField(label="", required=False)
    area = forms.CharField(widget=forms.Textarea, required=False)
    radio = forms.ChoiceField(choices=[("x", "X")], widget=forms.RadioSelect, required=False)
    must_choose = forms.ChoiceField(
        choices=[("a", "A <1>"), ("b", "B")], widget=forms.RadioSelect, help_text="pick"
    )
    grouped = forms.ChoiceField(
        choices=[("g", [("1", "One"), ("2", "Two")]), ("3", "Three")],
        widget=forms.RadioSelect,
        required=False,
    )
    unlabelled_radio = forms.ChoiceField(
        choices=[("x", "X")], widget=forms.RadioSelect, required=False, label=""
    )
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"text": "toolong", "number": "x", "choice": "zz", "date": "no"},
        {"text": "ab", "choice": "a", "tick": "on", "must_tick": "on", "must_choose": "b"},
        {"must_choose": "zz", "grouped": "2", "radio": "x"},
    ],
)
@pytest.mark.parametrize("language", ["th", "en"])
def test_every_kind_of_field_renders_as_crispy_renders_it(data, language):
    with override(language):
        compared = same_as_crispy(lambda: Everything(data))
    assert len(compared) == len(Everything.base_fields)
    assert is_simple(Everything()["radio"]) and not is_simple(Everything()["hidden"])


@pytest.mark.parametrize(
    "data", [None, {"format": "csv"}, {"format": "csv", "full_ids": "on", "reason": " "}]
)
def test_the_export_form_renders_as_crispy_renders_it(data):
    assert same_as_crispy(lambda: ExportForm(data))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {},
        {"q": "สม", "status": "all", "sort": "next_visit_due", "overdue": "on"},
        {"status": "nonsense", "team": "999999", "opened_from": "31/02/2569", "volunteer": "x"},
    ],
)
def test_the_list_filters_render_as_crispy_renders_them(
    query, rf, coordinator, team, volunteer_on_team
):
    from cases.filters import CaseFilter, FollowupFilter
    from cases.models import Case

    request = rf.get("/cases/", query)
    request.user = coordinator
    for filterset in (CaseFilter, FollowupFilter):
        compared = same_as_crispy(
            lambda filterset=filterset: filterset(request, Case.objects.all()).form
        )
        assert "volunteer" in compared and "team" in compared


class Refused(forms.Form):
    """A form whose own error (not a field's) shows above its fields."""

    note = forms.CharField(max_length=5)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        raise forms.ValidationError(["Refused <as a whole>", "and again"])


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["th", "en"])
def test_as_form_renders_the_case_pages_forms_as_crispy_renders_them(language, case):
    from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form

    from cases.forms import CloseForm, ReopenForm, StatusForm
    from coordination.templatetags.quick_forms import as_form

    makers = [
        lambda: StatusForm(case=case),
        lambda: StatusForm({"status": "nonsense"}, case=case),
        lambda: CloseForm(case=case, prefix="close"),
        lambda: CloseForm({"close-reason": "duplicate"}, case=case, prefix="close"),
        lambda: ReopenForm(),
        lambda: Refused({"note": "too long"}),
        lambda: Refused({"note": "ok"}),
    ]
    with override(language):
        for make in makers:
            theirs, ours = make(), make()
            theirs.is_bound and theirs.is_valid()
            ours.is_bound and ours.is_valid()
            expected = parse_html(str(as_crispy_form(theirs)))
            assert parse_html(str(as_form(ours))) == expected
    assert Refused({"note": "ok"}).non_field_errors() and "Refused &lt;as a whole&gt;" in str(
        as_form(Refused({"note": "ok"}))
    )
