"""`|as_field` gives the elements, attributes and text crispy's `|as_crispy_field`
gives, for every field of the forms it renders, blank, filled in and wrong."""

import re

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Fieldset, Layout, Row, Submit
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms
from django.template import Context, RequestContext, Template
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


def crispy_tag(form, request=None) -> str:
    template = Template("{% load crispy_forms_tags %}{% crispy form %}")
    return template.render(
        RequestContext(request, {"form": form}) if request else Context({"form": form})
    )


def quick_tag(form, request=None) -> str:
    template = Template("{% load quick_forms %}{% quick_form form %}")
    return template.render(
        RequestContext(request, {"form": form}) if request else Context({"form": form})
    )


def same_as_crispy_tag(make_form, request=None) -> str:
    theirs, ours = make_form(), make_form()
    theirs.is_bound and theirs.is_valid()
    ours.is_bound and ours.is_valid()
    written = quick_tag(ours, request)
    # A CSRF token is masked anew each time it is written.
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    assert parse_html(token.sub("", written)) == parse_html(
        token.sub("", crispy_tag(theirs, request))
    )
    return written


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["th", "en"])
def test_the_quick_form_tag_writes_the_case_forms_layout_as_the_crispy_tag_does(
    language, center, case
):
    """The intake and edit forms: fieldsets, rows and columns of every kind of field,
    blank, with errors, and filled in from a case (the edit form's hidden version)."""
    from cases.forms import CaseEditForm, CaseForm

    wrong = {
        "first_name": "<b>x</b>",
        "national_id": "123",
        "birth_date": "31/02/2569",
        "target_groups": ["999"],
        "disability_types": ["1", "zz"],
        "reg_province": "nonsense",
        "consent_purposes": ["zz"],
    }
    with override(language):
        same_as_crispy_tag(lambda: CaseForm(center=center))
        same_as_crispy_tag(lambda: CaseForm(wrong, center=center))
        edit = same_as_crispy_tag(lambda: CaseEditForm(instance=case, center=center))
        same_as_crispy_tag(
            lambda: CaseEditForm({**wrong, "version": "x"}, instance=case, center=center)
        )
    assert 'name="version"' in edit and 'type="hidden"' in edit
    assert 'name="disability_types"' in edit and 'type="checkbox"' in edit
    assert "crispy" not in edit and "<form" not in edit


class Laid(forms.Form):
    """Every part of a layout `{% quick_form %}` writes itself."""

    name = forms.CharField(label="Name & <b>", help_text="help <i>kept</i>")
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    tags = forms.MultipleChoiceField(
        choices=[("x", "X"), ("y", "Y")], widget=forms.CheckboxSelectMultiple, required=False
    )
    agree = forms.BooleanField(required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.render_hidden_fields = True
        self.helper.layout = Layout(
            Fieldset(
                "The first part & more",
                Row(Column("name"), Column("kind", css_class="mine", css_id="c1", data_x="1")),
                "version",  # a hidden field named in the layout
                css_class="part",
                css_id="part-1",
                data_y="<2>",
            ),
            Fieldset("", Row(Column("tags", css_class="col-6 extra"), css_class="g-2"), "agree"),
        )


@pytest.mark.parametrize("data", [None, {}, {"kind": "zz", "tags": ["q"], "name": "<x>"}])
@pytest.mark.parametrize("language", ["th", "en"])
def test_the_quick_form_tag_writes_every_part_of_a_layout_as_crispy_does(data, language):
    with override(language):
        written = same_as_crispy_tag(lambda: Laid(data))
    assert 'class="col-md "' in written or 'class="col-md"' in written  # a bare Column
    assert 'class="col-md mine"' in written and 'class="col-6 extra"' in written
    assert written.count('name="version"') == 1 and 'name="token"' in written
    assert "The first part &amp; more" in written and "Name &amp; &lt;b&gt;" in written


def with_helper(**options):
    def make():
        form = Laid({"kind": "zz"})
        for name, value in options.items():
            setattr(form.helper, name, value)
        return form

    return make


@pytest.mark.parametrize(
    "options",
    [
        {"label_class": "col-2"},
        {"field_class": "col-8"},
        {"form_show_labels": False},
        {"help_text_inline": True},
        {"form_class": "form-horizontal"},
        {"form_tag": True},
        {"form_error_title": "Look"},
        {"render_unmentioned_fields": True},
        {"disable_csrf": False, "form_tag": True},
    ],
)
def test_a_helper_that_changes_the_fields_or_adds_to_the_form_is_left_to_crispy(options, rf):
    """What the tag writes is crispy's own, whatever the helper asks for, with the page's
    request: a form tag left to crispy gets its token."""
    request = rf.get("/")
    written = same_as_crispy_tag(with_helper(**options), request)
    if options.get("disable_csrf") is False:
        assert 'name="csrfmiddlewaretoken"' in written


def test_a_helper_with_buttons_is_left_to_crispy():
    def make():
        form = Laid()
        form.helper.add_input(Submit("go", "Go <now>"))
        return form

    assert 'name="go"' in same_as_crispy_tag(make)


def test_a_layout_object_it_cannot_write_is_left_to_crispy():
    def make():
        form = Laid()
        form.helper.layout = Layout(HTML("<p class='mine'>{{ form.name.label }}</p>"), "name")
        return form

    assert "<p class='mine'>Name &amp; &lt;b&gt;</p>" in same_as_crispy_tag(make)


def test_as_form_is_the_crispy_filter_which_leaves_the_layout_out():
    """`|crispy` ignores a helper's layout (uni_form.html): so does `|as_form`."""
    from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form

    from coordination.templatetags.quick_forms import as_form

    assert parse_html(str(as_form(Laid()))) == parse_html(str(as_crispy_form(Laid())))
    assert 'id="part-1"' not in str(as_form(Laid()))
