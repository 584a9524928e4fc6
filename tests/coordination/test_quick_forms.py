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
    boxes = forms.MultipleChoiceField(
        choices=[("a", "A & a"), ("b", "B")], widget=forms.CheckboxSelectMultiple, required=False
    )
    must_tick_some = forms.MultipleChoiceField(
        choices=[("g", [("1", "One"), ("2", "Two")]), ("3", "Three")],
        widget=forms.CheckboxSelectMultiple,
        help_text="one or more",
    )
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"text": "toolong", "number": "x", "choice": "zz", "date": "no"},
        {"text": "ab", "choice": "a", "tick": "on", "must_tick": "on", "must_choose": "b"},
        {"must_choose": "zz", "grouped": "2", "radio": "x", "boxes": ["b", "zz"]},
        {"boxes": ["a", "b"], "must_tick_some": ["1", "3"]},
    ],
)
@pytest.mark.parametrize("language", ["th", "en"])
def test_every_kind_of_field_renders_as_crispy_renders_it(data, language):
    with override(language):
        compared = same_as_crispy(lambda: Everything(data))
    assert len(compared) == len(Everything.base_fields)
    assert is_simple(Everything()["radio"]) and not is_simple(Everything()["hidden"])
    assert is_simple(Everything()["boxes"])


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


def crispy_tag(form) -> str:
    from django.template import Context, Template

    return Template("{% load crispy_forms_tags %}{% crispy form %}").render(Context({"form": form}))


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["th", "en"])
def test_as_form_renders_the_case_forms_layout_as_the_crispy_tag_renders_it(language, center, case):
    """The intake and edit forms: fieldsets, rows and columns of every kind of field,
    blank, with errors, and filled in from a case (the edit form's hidden version)."""
    from cases.forms import CaseEditForm, CaseForm
    from coordination.templatetags.quick_forms import as_form

    wrong = {
        "first_name": "<b>x</b>",
        "national_id": "123",
        "birth_date": "31/02/2569",
        "target_groups": ["999"],
        "disability_types": ["1", "zz"],
        "reg_province": "nonsense",
        "consent_purposes": ["zz"],
    }
    makers = [
        lambda: CaseForm(center=center),
        lambda: CaseForm(wrong, center=center),
        lambda: CaseEditForm(instance=case, center=center),
        lambda: CaseEditForm({**wrong, "version": "x"}, instance=case, center=center),
    ]
    with override(language):
        for make in makers:
            theirs, ours = make(), make()
            theirs.is_bound and theirs.is_valid()
            ours.is_bound and ours.is_valid()
            expected = parse_html(crispy_tag(theirs))
            assert parse_html(str(as_form(ours))) == expected
    edit = str(as_form(CaseEditForm(instance=case, center=center)))
    assert 'name="version"' in edit and 'type="hidden"' in edit
    assert 'name="disability_types"' in edit and 'type="checkbox"' in edit


@pytest.mark.django_db
def test_a_layout_or_helper_it_cannot_write_is_left_to_crispy(center):
    """A layout object other than fieldsets, rows and columns, or a helper that hides
    the labels: the form goes to crispy as a whole, and comes out as crispy writes it."""
    from crispy_forms.layout import HTML, Layout

    from cases.forms import CaseForm
    from coordination.templatetags.quick_forms import as_form

    with_html = CaseForm(center=center)
    with_html.helper.layout = Layout(HTML("<p class='mine'>{{ form.prefix.label }}</p>"), "prefix")
    assert "<p class='mine'>" in str(as_form(with_html))

    no_labels = CaseForm(center=center)
    no_labels.helper.form_show_labels = False
    theirs = CaseForm(center=center)
    theirs.helper.form_show_labels = False
    assert parse_html(str(as_form(no_labels))) == parse_html(crispy_tag(theirs))
    assert 'class="form-label' not in str(as_form(no_labels))
