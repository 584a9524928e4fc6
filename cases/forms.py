from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.contrib.postgres.search import TrigramSimilarity
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Concat
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator, format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from cases import barthel
from cases.allowances import Finding
from cases.models import (
    Address,
    Assistance,
    Case,
    CaseConference,
    ConferenceAttendee,
    Debt,
    DisabilityType,
    HomeVisit,
    HouseholdMember,
    IncomeSource,
    PlanAction,
    PlanGoal,
    Referral,
    VisitPhoto,
    plausible_visit_time,
)
from cases.models.case import TEXT_LIMIT
from cases.models.plan import OWNER_FIELDS
from cases.photos import clean_photo
from coordination import widgets
from coordination.fields import BirthDateField, NameFormField, ThaiDateField
from coordination.forms import AgencyChoiceField, choose_from
from coordination.models import Agency, District, Province, Subdistrict, TargetGroup
from coordination.templatetags.thai import be_date
from coordination.validators import arabic_digits
from volunteers.models import Team, Volunteer

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    _FormBase = forms.BaseForm
    _ModelFormBase = forms.BaseModelForm
else:  # mixins: the form classes come after them in the bases
    _FormBase = _ModelFormBase = object

PLACE_LEVELS = ("province", "district", "subdistrict")


class AddressPickerMixin(_ModelFormBase):
    """Province → district → subdistrict selects for the `reg_` and `cur_` addresses.

    Only the subdistrict is stored; the province and district narrow its list
    (htmx refills them from place_options without a page load)."""

    address_prefixes = Address.PREFIXES

    def add_address_pickers(self, default_district: District | None) -> None:
        for prefix in self.address_prefixes:
            subdistrict_field = f"{prefix}_subdistrict"
            chosen = self._chosen_district(prefix, default_district)
            self.fields[f"{prefix}_province"] = forms.ModelChoiceField(
                label=_("province"),
                queryset=Province.objects.all(),
                required=False,
                initial=chosen.province_id if chosen else None,
            )
            self.fields[f"{prefix}_district"] = forms.ModelChoiceField(
                label=_("district"),
                queryset=District.objects.filter(province_id=chosen.province_id)
                if chosen
                else District.objects.none(),
                required=False,
                initial=chosen.pk if chosen else None,
            )
            choose_from(
                self,
                subdistrict_field,
                Subdistrict.objects.filter(district_id=chosen.pk)
                if chosen
                else Subdistrict.objects.none(),
            )
            self.refill_on_change(prefix)

    def refill_on_change(self, prefix: str) -> None:
        """htmx attributes (data-hx-…: valid HTML): a chosen province refills the districts and empties the
        subdistricts; a chosen district refills the subdistricts (no script of ours)."""
        url = reverse("place-options")
        province, district, subdistrict = (f"{prefix}_{level}" for level in PLACE_LEVELS)
        self.fields[province].widget.attrs.update(
            {"data-hx-get": url, "data-hx-target": f"#{self[district].auto_id}"}
        )
        self.fields[district].widget.attrs.update(
            {"data-hx-get": url, "data-hx-target": f"#{self[subdistrict].auto_id}"}
        )
        # Asked with no parameter, place_options answers only the blank choice.
        self.fields[subdistrict].widget.attrs.update(
            {
                "data-hx-get": url,
                "data-hx-trigger": f"change from:#{self[province].auto_id}",
                "data-hx-params": "none",
            }
        )

    def _chosen_district(self, prefix: str, default: District | None) -> District | None:
        if self.is_bound:
            code = self.data.get(self.add_prefix(f"{prefix}_district"))
            if code:
                return District.objects.filter(pk=code).first()
            code = self.data.get(self.add_prefix(f"{prefix}_subdistrict"))
            subdistrict = Subdistrict.objects.filter(pk=code).select_related("district").first()
            return subdistrict.district if subdistrict else None
        # The form's own start (an edit that met someone else's save starts from what
        # its person chose), else the record's.
        chosen = self.initial.get(f"{prefix}_subdistrict")
        if chosen is not None and not isinstance(chosen, Subdistrict):
            chosen = Subdistrict.objects.filter(pk=chosen).select_related("district").first()
        return chosen.district if chosen else default


class CaseForm(AddressPickerMixin, forms.ModelForm):
    birth_date = BirthDateField(label=_("birth date"), required=False)
    opened_on = ThaiDateField(label=_("opened on"))
    target_groups = forms.ModelMultipleChoiceField(
        label=_("target groups"),
        queryset=TargetGroup.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one target group.")},
    )
    disability_types = forms.TypedMultipleChoiceField(
        label=_("disability types"),
        choices=DisabilityType.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    consent_purposes = forms.MultipleChoiceField(
        label=_("purposes consented to"),
        choices=Case.ConsentPurpose.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    confirm_different_person = forms.BooleanField(
        label=_("I have checked: this is a different person."), required=False
    )

    class Meta:
        model = Case
        fields = [
            "prefix", "first_name", "last_name", "sex", "birth_date", "birth_year_only",
            "estimated_age", "national_id", "marital_status", "phone", "has_welfare_card",
            "disability_types", "has_disability_card",
            *[f"reg_{part}" for part in Address.LINE], "reg_subdistrict", "reg_postal_code",
            "current_same_as_registered",
            *[f"cur_{part}" for part in Address.LINE], "cur_subdistrict", "cur_postal_code",
            "landmark", "target_groups", "problems", "housing", "monthly_rent",
            "housing_condition", "legal_problem", "priority", "opened_on",
            "consent_given_by", "consent_method", "consent_purposes",
        ]  # fmt: skip
        widgets = {
            "problems": forms.Textarea(attrs={"rows": 3}),
            "housing_condition": forms.Textarea(attrs={"rows": 2}),
            "legal_problem": forms.Textarea(attrs={"rows": 2}),
        }
        field_classes = dict.fromkeys(Case.NAME_FIELDS, NameFormField)

    def __init__(self, *args, center, **kwargs) -> None:
        given = kwargs.get("initial") or {}
        super().__init__(*args, **kwargs)
        self.center = center
        self.similar_cases: list[Case] = []
        # The estimate as it stands today (it ages from the day it was made): what the
        # coordinator sees on the case page is what the form shows.
        self.stored_estimate = (self.instance.estimated_age, self.instance.estimated_age_on)
        instance = self.instance
        if (
            instance.pk
            and instance.estimated_age is not None
            and not instance.birth_date
            and "estimated_age" not in given
        ):
            self.initial["estimated_age"] = instance.age()
        self.add_address_pickers(default_district=center.district)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        # A layout renders only the fields it names; a hidden field added later (the
        # edit form's `version`) would silently never reach the browser. Render them all.
        self.helper.render_hidden_fields = True
        self.helper.layout = Layout(
            Fieldset(
                _("The person"),
                Row(Column("prefix", css_class="col-md-2"), Column("first_name", css_class="col-md-5"),
                    Column("last_name", css_class="col-md-5")),
                Row(Column("sex", css_class="col-md-3"), Column("birth_date", css_class="col-md-3"),
                    Column("estimated_age", css_class="col-md-3"), Column("marital_status", css_class="col-md-3")),
                "birth_year_only",
                Row(Column("national_id", css_class="col-md-6"), Column("phone", css_class="col-md-6")),
                "has_welfare_card", "disability_types", "has_disability_card",
            ),
            self._address_fieldset("reg", _("Address per house registration")),
            Fieldset(_("Current address"), "current_same_as_registered"),
            self._address_fieldset("cur", ""),
            # Outside the current address, which is hidden while it is the registered one:
            # a landmark helps find the house either way.
            "landmark",
            Fieldset(
                _("The situation"),
                "target_groups", "problems",
                Row(Column("housing", css_class="col-md-6"), Column("monthly_rent", css_class="col-md-6")),
                "housing_condition", "legal_problem",
                Row(Column("priority", css_class="col-md-6"), Column("opened_on", css_class="col-md-6")),
            ),
            Fieldset(
                _("Consent (PDPA)"),
                Row(Column("consent_given_by", css_class="col-md-6"), Column("consent_method", css_class="col-md-6")),
                "consent_purposes",
            ),
        )  # fmt: skip

    def _address_fieldset(self, prefix: str, legend: StrOrPromise) -> Fieldset:
        parts = [Column(f"{prefix}_{part}", css_class="col-6 col-md-4") for part in Address.LINE]
        return Fieldset(
            legend,
            Row(*parts),
            Row(
                Column(f"{prefix}_province", css_class="col-md-3"),
                Column(f"{prefix}_district", css_class="col-md-3"),
                Column(f"{prefix}_subdistrict", css_class="col-md-3"),
                Column(f"{prefix}_postal_code", css_class="col-md-3"),
            ),
            css_class=f"address address-{prefix}",
        )

    def clean_national_id(self) -> str:
        national_id = self.cleaned_data["national_id"]
        if not national_id:
            return national_id
        existing = (
            Case.objects.filter(center=self.center, national_id=national_id)
            .exclude(pk=self.instance.pk)
            .first()
        )
        if existing:
            raise forms.ValidationError(
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("A case with this national ID number already exists in this centre:"),
                    reverse("cases:case-detail", args=[existing.pk]),
                    existing.number,
                )
            )
        return national_id

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        if data.get("consent_method") and not (
            data.get("consent_given_by") and data.get("consent_purposes")
        ):
            self.add_error(
                "consent_purposes",
                _("Record who gave consent and for which purposes."),
            )
        if BirthDateField.is_year_alone(self.data.get(self.add_prefix("birth_date"))):
            data["birth_year_only"] = True  # the year alone says only the year is known
        if (
            data.get("birth_year_only")
            and not data.get("birth_date")
            and not self.has_error("birth_date")  # what was typed is refused already
        ):
            self.add_error("birth_date", _("Enter the birth year alone, e.g. 2510."))
        for prefix in Address.PREFIXES:
            subdistrict = data.get(f"{prefix}_subdistrict")
            typed = data.get(f"{prefix}_postal_code")
            # One postal code leaves nothing to choose; two (Khlong Kum's) are the person's.
            if subdistrict and not typed and len(subdistrict.postal_codes) == 1:
                data[f"{prefix}_postal_code"] = subdistrict.postal_codes[0]
        if not data.get("current_same_as_registered") and not data.get("cur_subdistrict"):
            self.add_error(
                "cur_subdistrict", _("Choose the subdistrict where the person lives now.")
            )
        self._date_the_estimate(data)
        self._check_similar_person(data)
        return data

    def _date_the_estimate(self, data: dict) -> None:
        """An estimated age is stored with the day it was made, so that it ages."""
        if "estimated_age" not in self.changed_data:
            # Unchanged (the form showed it aged): keep the estimate and its day as stored.
            if "estimated_age" in data:
                data["estimated_age"], self.instance.estimated_age_on = self.stored_estimate
        elif data.get("estimated_age") is None:
            self.instance.estimated_age_on = None
        else:
            self.instance.estimated_age_on = timezone.localdate()

    def _check_similar_person(self, data: dict) -> None:
        """Warns of a case that may be the same person: a similar name and the same birth
        date, the same name and an age within 3 years, or the same phone number. A person
        who checked ticks the box and saves again."""
        if data.get("confirm_different_person"):
            return
        others = Case.objects.filter(center=self.center).exclude(pk=self.instance.pk)
        warnings = [
            (_("A case with a similar name and the same birth date exists:"), self._same_birth(others, data)),
            (_("A case with the same name and an age within 3 years exists:"), self._same_name_and_age(others, data)),
            (_("A case with the same phone number exists:"), self._same_phone(others, data)),
        ]  # fmt: skip
        for message, cases in warnings:
            cases = [case for case in cases if case not in self.similar_cases]
            if not cases:
                continue
            self.similar_cases += cases
            links = format_html_join(
                ", ",
                '<a href="{}">{} {}</a>',
                ((reverse("cases:case-detail", args=[c.pk]), c.number, c.full_name) for c in cases),
            )
            self.add_error(
                None,
                format_html(
                    "{} {}. {}",
                    message,
                    links,
                    _("If this is a different person, tick the box below and save again."),
                ),
            )

    def _same_birth(self, others, data: dict) -> list[Case]:
        birth_date, first_name = data.get("birth_date"), data.get("first_name")
        if not (birth_date and first_name):
            return []
        full_name = f"{first_name} {data.get('last_name', '')}".strip()
        return list(
            others.filter(birth_date=birth_date)
            .annotate(
                similarity=TrigramSimilarity(
                    Concat("first_name", Value(" "), "last_name"), full_name
                )
            )
            .filter(Q(similarity__gt=0.3) | Q(first_name=first_name))[:5]
        )

    AGE_MARGIN = 3

    def _same_name_and_age(self, others, data: dict) -> list[Case]:
        first_name = data.get("first_name")
        if not first_name or not self._changed_or_new(
            "first_name", "last_name", "birth_date", "estimated_age"
        ):
            return []
        age = Case(
            birth_date=data.get("birth_date"),
            birth_year_only=data.get("birth_year_only") or False,
            estimated_age=data.get("estimated_age"),
            estimated_age_on=self.instance.estimated_age_on,
        ).age()
        if age is None:
            return []
        # The same name is rare enough that the few namesakes are compared in Python,
        # where the age (from a birth date or an estimate that ages) is computed.
        namesakes = others.filter(
            first_name__iexact=first_name, last_name__iexact=data.get("last_name", "")
        ).order_by("number")[:50]
        return [
            case
            for case in namesakes
            if case.age() is not None and abs(case.age() - age) <= self.AGE_MARGIN
        ][:5]

    def _same_phone(self, others, data: dict) -> list[Case]:
        phone = data.get("phone")
        if not phone or not self._changed_or_new("phone"):
            return []
        return list(others.filter(phone=phone).order_by("number")[:5])

    def _changed_or_new(self, *names: str) -> bool:
        """An edit warns again only when what the warning compares was changed."""
        return self.instance.pk is None or any(name in self.changed_data for name in names)


def version_field() -> forms.IntegerField:
    """The version of the record an edit form was opened on: saved against an older one,
    the edit meets someone else's save (Case.save_checked, HomeVisit.correct)."""
    return forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class CaseEditForm(CaseForm):
    version = version_field()


def comparable(value: Any) -> Any:
    """A form's initial value, comparable whatever read it: many-to-many values are
    sets of keys (model_to_dict gives objects, a history record's rows give keys)."""
    if isinstance(value, (list, tuple, set, models.QuerySet)):
        return {str(getattr(item, "pk", item)) for item in value}
    return value


def edit_over(
    form: forms.ModelForm, current: models.Model, **kwargs: Any
) -> tuple[Any, list[str], bool]:
    """An edit (`form`, valid) that met someone else's save, as a form to check and save
    again: the record as it is now, with what this person changed since the version they
    opened typed over it, so that saving again changes only that. Also the labels of
    what the other person changed meanwhile, and whether this person's changes could be
    told: the version they opened comes from the record's history (its many-to-many
    fields too). Without it, the form is the record as it is now, none of what they sent
    on it (any of it may be the other person's change undone)."""
    model = type(current)
    record = (
        model.history.filter(id=current.pk, version=form.cleaned_data["version"])  # type: ignore[attr-defined]
        .order_by("-history_date", "-history_id")
        .first()
    )
    if record is None:
        return (
            type(form)(instance=current, initial={"version": current.version}, **kwargs),  # type: ignore[attr-defined]
            [],
            False,
        )
    many = {f.name: f for f in record._history_m2m_fields}
    as_opened = type(form)(
        instance=record.instance,
        initial={
            name: list(
                getattr(record, name).values_list(f"{f.m2m_reverse_field_name()}_id", flat=True)
            )
            for name, f in many.items()
        },
        **kwargs,
    )
    as_now = type(form)(instance=current, **kwargs)
    mine, theirs = {}, []
    for name, field in form.fields.items():
        if name == "version" or isinstance(field, forms.FileField) or name not in as_now.fields:
            continue
        now, opened, typed = as_now[name].initial, as_opened[name].initial, form[name].data
        # Theirs when it differs from what they opened and from what is there now.
        if name in form.cleaned_data and all(field.has_changed(v, typed) for v in (opened, now)):
            mine[name] = form.cleaned_data[name]
        if comparable(opened) != comparable(now):
            theirs.append(str(field.label))
    merged = type(form)(instance=current, initial={**mine, "version": current.version}, **kwargs)  # type: ignore[attr-defined]
    return merged, theirs, True


class HouseholdMemberForm(forms.ModelForm):
    # Three answers: "not asked yet" unless someone asked (the model's default).
    can_care_for_self = forms.TypedChoiceField(
        label=_("can care for self"),
        choices=[
            ("", _("not asked yet")),
            ("True", pgettext_lazy("it is so", "yes")),  # as the case page answers it
            ("False", pgettext_lazy("it is so", "no")),
        ],
        coerce=lambda answer: answer == "True",
        empty_value=None,
        required=False,
        widget=widgets.Select,
    )

    class Meta:
        model = HouseholdMember
        fields = list(HouseholdMember.RECORDED_FIELDS)
        field_classes = dict.fromkeys(HouseholdMember.NAME_FIELDS, NameFormField)


class BlankExtraRowMixin(_FormBase):
    """An extra row of a list ("add a row") that is left empty is ignored, so it shows no
    required marks; once anything is typed in it, what it needs is required again."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.required_when_used: list[str] = []
        if self.empty_permitted:  # Django's mark of an extra row of a formset
            for name, field in self.fields.items():
                if field.required:
                    field.required = False
                    self.required_when_used.append(name)

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        # Runs only for a row with something typed in it (Django skips unchanged extra rows).
        for name in self.required_when_used:
            if data.get(name) in self.fields[name].empty_values and name not in self.errors:
                self.add_error(name, self.fields[name].error_messages["required"])
        return data


class IncomeSourceForm(BlankExtraRowMixin, forms.ModelForm):
    class Meta:
        model = IncomeSource
        fields = ["kind", "amount", "note"]


class DebtForm(BlankExtraRowMixin, forms.ModelForm):
    due_on = ThaiDateField(label=_("due date"), required=False)

    class Meta:
        model = Debt
        fields = list(Debt.RECORDED_FIELDS)


class CaseRowChoiceField(forms.ModelChoiceField):
    """A case row's hidden `id`: one of `rows`, the case's rows as its formset read them.
    ModelChoiceField asked the database for the row again, once per row sent (a case's
    eight household members: eight queries more)."""

    def __init__(self, queryset, *, rows: dict[str, models.Model], **kwargs) -> None:
        super().__init__(queryset, **kwargs)
        self.rows = rows

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self.rows[str(value)]
        except KeyError:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class CaseRowsFormSet(BaseInlineFormSet):
    """One case's rows (household members, incomes). Django's hidden `id` field would
    accept a row of any case of any centre and then quietly save it as a new row; here
    it chooses among this case's rows only, and a row of another case is a form error."""

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        name = self.model._meta.pk.name
        django_s = form.fields[name]
        form.fields[name] = CaseRowChoiceField(
            self.get_queryset(),
            rows=self.rows_by_pk,
            initial=django_s.initial,
            required=False,
            widget=django_s.widget,
        )

    @cached_property
    def rows_by_pk(self) -> dict[str, models.Model]:
        """The case's rows (the formset's queryset, read once), by their ids as sent."""
        return {str(row.pk): row for row in self.get_queryset()}

    def clean(self) -> None:
        super().clean()
        pk_name = self.model._meta.pk.name
        if any(pk_name in form.errors for form in self.forms):
            raise forms.ValidationError(
                _(
                    "A row sent with the form is not one of this case's: reload the page and enter it again."
                ),
                code="foreign_row",
            )


HouseholdFormSet = inlineformset_factory(
    Case,
    HouseholdMember,
    form=HouseholdMemberForm,
    formset=CaseRowsFormSet,
    extra=2,
    can_delete=True,
)
IncomeFormSet = inlineformset_factory(
    Case, IncomeSource, form=IncomeSourceForm, formset=CaseRowsFormSet, extra=2, can_delete=True
)
DebtFormSet = inlineformset_factory(
    Case, Debt, form=DebtForm, formset=CaseRowsFormSet, extra=1, can_delete=True
)


class AssignForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())

    def __init__(self, *args, teams, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choose_from(self, "team", teams)


class BulkAssignForm(AssignForm):
    cases = forms.ModelMultipleChoiceField(queryset=Case.objects.none())

    def __init__(self, *args, teams, cases, **kwargs) -> None:
        super().__init__(*args, teams=teams, **kwargs)
        choose_from(self, "cases", cases)
        self.fields["cases"].error_messages["invalid_choice"] = _("Choose cases from the list.")
        self.fields["cases"].error_messages["required"] = _(
            "Tick the cases to assign first: the boxes at the start of their rows."
        )


class StatusForm(forms.Form):
    """Offers only where the lifecycle leads from the case's status; a step whose rule is
    not met (no visit yet, no help arranged) is refused with the reason, nothing saved."""

    # The quick select: the case page writes this form and the closing one on every view.
    status = forms.ChoiceField(label=_("New status"), choices=(), widget=widgets.Select)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, case: Case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["status"].choices = [  # type: ignore[attr-defined]  # a ChoiceField
            (status, Case.Status(status).label) for status in case.next_statuses()
        ]
        self.fields["status"].error_messages["invalid_choice"] = _(
            "A case that is “%(status)s” cannot take this status."
        ) % {"status": case.get_status_display()}

    def clean_status(self) -> str:
        status = self.cleaned_data["status"]
        if refusal := self.case.status_refusal(status):
            raise forms.ValidationError(refusal)
        return status


class CloseForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("closure reason"),
        choices=Case.ClosureReason.choices,
        error_messages={"required": _("Choose why the case is closed.")},
        widget=widgets.Select,
    )
    kept_case = forms.CharField(
        label=_("Number of the case that is kept"),
        max_length=20,
        required=False,
        help_text=_("Only when closing as a duplicate, e.g. 1027-2569-0001."),
    )
    note = forms.CharField(
        label=_("Closing note"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, case: Case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        self.kept: Case | None = None

    def clean_kept_case(self) -> str:
        number = arabic_digits(self.cleaned_data["kept_case"]).strip()
        if number:
            # Chosen among the case's own centre only: another centre's number is "not found".
            self.kept = Case.objects.filter(center_id=self.case.center_id, number=number).first()
            if self.kept is None:
                raise forms.ValidationError(_("No case with this number in this centre."))
        return number

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        refusals = self.case.closing_refusals(data["reason"], data["note"], self.kept)
        for field, messages in refusals.items():
            for message in messages:
                self.add_error(None if field == "__all__" else field, message)
        return data


class ReopenForm(forms.Form):
    # Asked, as closing asks why: the case's history says why its work started again.
    note = forms.CharField(
        label=_("Why reopen?"),
        max_length=500,
        help_text=_(
            "The case returns to “assessed”, work starting again from its assessment; to "
            "“intake” if it was never visited."
        ),
        error_messages={"required": _("Say why the case is reopened.")},
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos from one input; each is checked and cleaned by clean_photo()."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "image/jpeg,image/png", "capture": "environment"}),
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None) -> list:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [clean_photo(upload) for upload in files]


class VisitForm(forms.ModelForm):
    visit_date = ThaiDateField(label=_("Date of the visit"))
    visit_time = forms.TimeField(
        label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    volunteers = forms.ModelMultipleChoiceField(
        label=_("volunteers present"),
        queryset=Volunteer.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    next_visit_due = ThaiDateField(label=_("next visit due"), required=False)
    photos = MultiplePhotoField(label=_("Photos"), required=False)
    submission_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    # As the page shows them (the banner's links to what to correct follow this order);
    # the incomes' rows come after income_checked.
    field_order = [
        "visit_date", "visit_time", "volunteers", "other_participants", "purpose", "findings",
        "living_conditions", "health", *barthel.FIELDS, "adl_score", "income_checked", "needs",
        "actions", "referral_needed", "next_visit_due", "latitude", "longitude", "photos",
    ]  # fmt: skip

    class Meta:
        model = HomeVisit
        fields = [
            "volunteers", "other_participants", "purpose", "findings", "living_conditions",
            "health", "adl_score", *barthel.FIELDS, "needs", "actions", "referral_needed", "income_checked",
            "next_visit_due", "latitude", "longitude",
        ]  # fmt: skip
        widgets = {
            "findings": forms.Textarea(attrs={"rows": 3}),
            "living_conditions": forms.Textarea(attrs={"rows": 2}),
            "health": forms.Textarea(attrs={"rows": 2}),
            "needs": forms.Textarea(attrs={"rows": 2}),
            "actions": forms.Textarea(attrs={"rows": 2}),
            "adl_score": forms.NumberInput(attrs={"min": 0, "max": 20, "inputmode": "numeric"}),
            "latitude": forms.HiddenInput,
            "longitude": forms.HiddenInput,
        }
        labels = {
            # Under the heading "Income and allowances": say what is ticked, not the heading again.
            "income_checked": _("I went through the list below with the household"),
            "adl_score": _("ADL total (0–20)"),
        }
        help_texts = {
            "adl_score": _(
                "Counted from the items when they are answered; type it only if you have just "
                "the total."
            ),
        }

    def __init__(self, *args, case: Case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        self.notices: list[str] = []
        # Whether another visit holds the form's token, when the view has read it already
        # (visit_create, before validating); None: the form reads it.
        self.token_taken: bool | None = None
        self.add_barthel_fields()
        self.fields["next_visit_due"].help_text = _(
            "Left blank, the next visit is due %(days)d days after this one."
        ) % {"days": case.center.followup_interval_days}
        choose_from(self, "volunteers", self.volunteers_to_offer(case))
        self.photos_kept = self.instance.photos.count() if self.instance.pk else 0
        self.photo_room = VisitPhoto.MAX_PER_VISIT - self.photos_kept
        # As many as the visit still has room for: a correction of a visit with two
        # photos said "up to 5".
        self.fields["photos"].help_text = ngettext(
            "Up to %(count)d JPEG or PNG photo of at most 5 MB; its location data is removed.",
            "Up to %(count)d JPEG or PNG photos of at most 5 MB each; their location data is "
            "removed.",
            self.photo_room,
        ) % {"count": self.photo_room}
        if self.instance.pk:
            local = timezone.localtime(self.instance.visited_at)
            self.initial.setdefault("visit_date", local.date())
            self.initial.setdefault("visit_time", local.time().replace(second=0, microsecond=0))

    def add_barthel_fields(self) -> None:
        """The ten Barthel items, each a group of radio buttons with the score in front."""
        for number, item in enumerate(barthel.ITEMS, start=1):
            self.fields[item.field] = forms.TypedChoiceField(
                # Numbered as on the paper form the volunteer may be copying from.
                label=format_lazy("{}. {}", number, item.label),
                choices=[
                    (score, format_lazy("{} – {}", score, text)) for score, text in item.choices
                ],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect(attrs={"data-adl-item": item.maximum}),
            )

    def adl_started(self) -> bool:
        """Open the ADL items when some are answered (a correction, an error to fix)."""
        return any(self[name].value() not in (None, "") for name in barthel.FIELDS)

    def barthel_bound_fields(self) -> list:
        return [self[name] for name in barthel.FIELDS]

    def clean_barthel(self, data: dict) -> None:
        """All ten items or none; with all ten the total is theirs, whatever was typed."""
        values = [data.get(name) for name in barthel.FIELDS]
        answered = [value is not None for value in values]
        if any(answered) and not all(answered):
            for name, done in zip(barthel.FIELDS, answered, strict=True):
                if not done and name not in self.errors:
                    self.add_error(name, _("Choose an answer for this item too."))
        elif all(answered):
            total = sum(value for value in values if value is not None)
            typed = data.get("adl_score")
            if self.errors.pop("adl_score", None):  # not a number from 0 to 20: ignored too
                typed = self.data.get(self.add_prefix("adl_score"))
            if typed not in (None, "") and typed != total:
                self.notices.append(
                    _(
                        "The ADL total typed (%(typed)s) did not match the items; the total of "
                        "the items (%(total)d) was saved."
                    )
                    % {"typed": typed, "total": total}
                )
            data["adl_score"] = total

    def clean_submission_token(self):
        token = self.cleaned_data.get("submission_token")
        # The view has already matched a token of the user's own visit of this case (a
        # double tap). Any other visit's token is not this form's: refuse it rather
        # than save over it or lead to that visit.
        # A hidden field's error is not shown next to it: the form's own errors are.
        # Tokens are unique per centre (HomeVisit.Meta): another centre's never matches.
        others = HomeVisit.objects.filter(center_id=self.case.center_id).exclude(
            pk=self.instance.pk
        )
        taken = self.token_taken
        if token and taken is None:
            taken = others.filter(submission_token=token).exists()
        if token and taken:
            self.add_error(
                None,
                forms.ValidationError(
                    _(
                        "This form was already used for another visit: "
                        "reload the page and enter it again."
                    ),
                    code="foreign_token",
                ),
            )
        return token

    def volunteers_to_offer(self, case: Case):
        """The case's team's active members; for a case with no team yet, the centre's
        active volunteers — an unassigned case is still visited (the first assessment,
        an emergency) and the record must say who went. Always of the case's centre only.
        """
        own_centre = Volunteer.objects.filter(center_id=case.center_id)
        if case.team_id is not None:
            # The membership conditions in one filter(): one join, both on the same row.
            offered = own_centre.in_team(case.team_id)
        else:
            offered = own_centre.active()
        if self.instance.pk:  # keep whoever was there, even if they have left the team since
            offered = offered | own_centre.filter(visits=self.instance)
        return offered.distinct().order_by("first_name")

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        self.clean_barthel(data)
        day, time = data.get("visit_date"), data.get("visit_time")
        if day and time:
            visited_at = timezone.make_aware(datetime.datetime.combine(day, time))
            try:
                plausible_visit_time(visited_at)
            except forms.ValidationError as error:
                self.add_error("visit_date", error)
            else:
                # The model checks the rest (the next visit not before it).
                self.instance.visited_at = visited_at
        if (
            self.instance._state.adding
            and "visit_date" in self.changed_data
            and "next_visit_due" not in self.changed_data
        ):
            # The suggested next visit was counted from today: left as suggested, it is
            # counted from the day the visit was, by the model (HomeVisit.save).
            data["next_visit_due"] = None
        # Photos ticked to remove (a correction) make room for as many new ones.
        room = self.photo_room + len(data.get("remove_photos") or [])
        if len(data.get("photos") or []) > room:
            self.add_error("photos", self.too_many_photos(room))
        try:
            self.instance.check_volunteers(data.get("volunteers") or [])
        except forms.ValidationError as error:
            self.add_error(None, error)
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error(None, _("The location is incomplete; try again or leave it out."))
        return data

    def too_many_photos(self, room: int) -> str:
        if room == VisitPhoto.MAX_PER_VISIT:  # none kept yet: "5 more" confused
            return ngettext(
                "A visit keeps at most %(count)d photo: choose %(count)d or fewer.",
                "A visit keeps at most %(count)d photos: choose %(count)d or fewer.",
                VisitPhoto.MAX_PER_VISIT,
            ) % {"count": VisitPhoto.MAX_PER_VISIT}
        return ngettext(
            "A visit keeps at most %(count)d photo; %(room)d more can be added.",
            "A visit keeps at most %(count)d photos; %(room)d more can be added.",
            VisitPhoto.MAX_PER_VISIT,
        ) % {"count": VisitPhoto.MAX_PER_VISIT, "room": room}

    def say_photos_not_kept(self) -> None:
        """After a refused submission. A browser sends the chosen files once, and the page
        comes back with its file input empty: said at the field, or a volunteer fixes the
        other answer and saves the visit without the photos."""
        chosen = "photos" in self.fields and self.files.getlist(self.add_prefix("photos"))
        if chosen and not self.has_error("photos"):
            self.add_error(
                "photos",
                _("The photos you chose were not kept: choose them again before saving."),
            )


class VisitIncomeForm(IncomeSourceForm):
    """An income as a visit's page shows it, with the values it showed kept beside it
    (Django's hidden initial values): what the volunteer changed is told apart from what
    someone else changed since the page was opened (VisitIncomeRows)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.show_hidden_initial = True


class VisitIncomeRows(CaseRowsFormSet):
    """The case's incomes on a visit's page, which may have been opened hours before
    (offline). A row is written only if the volunteer changed it from what the page
    showed: compared with the case as it is now, a row someone else changed meanwhile
    (the coordinator's edit page, another visit) read as changed and was written back.
    A row both changed stays as the other person saved it, and is named in `overtaken`
    for the page to say."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.overtaken: list[forms.ModelForm] = []  # found by save(), under the case's lock

    def differ_from_saved(self) -> bool:
        """Whether the rows sent differ from the case's rows now: changed by this person,
        or by someone else since the page was opened."""
        return self.has_changed() or any(changed_since_shown(f) for f in self.initial_forms)

    def save(self, commit: bool = True):
        if commit and self.has_changed():
            # The case's rows, saved apart from it, move it on. Its row is locked before
            # theirs, in the order its edit page takes them (Case.save_checked, then the
            # rows): the other order could deadlock with an edit saved at the same time.
            Case.move_on(self.instance.pk)
            # Held, the lock keeps the case's other writers out (they take it first):
            # the rows are compared again as they are now, not as validation read them.
            now = IncomeSource.objects.in_bulk([f.instance.pk for f in self.initial_forms])
            self.overtaken = [
                form
                for form in self.initial_forms
                if form.has_changed()
                and changed_since_shown(form, model_to_dict(now[form.instance.pk]))
            ]
        return super().save(commit)

    def save_existing(self, form, obj, commit: bool = True):
        return obj if form in self.overtaken else super().save_existing(form, obj, commit)

    def delete_existing(self, obj, commit: bool = True) -> None:
        if all(form.instance.pk != obj.pk for form in self.overtaken):
            super().delete_existing(obj, commit)


def changed_since_shown(form: forms.ModelForm, now: Mapping[str, Any] | None = None) -> bool:
    """Whether someone changed the row after the page was opened: its values now (`now`,
    or as the form read them) differ from those the page showed."""
    values = form.initial if now is None else now
    for name, field in form.fields.items():
        bound = form[name]
        if not field.show_hidden_initial or bound.html_initial_name not in form.data:
            continue  # a page kept from before the values were sent along: as before
        shown = field.hidden_widget().value_from_datadict(
            form.data, form.files, bound.html_initial_name
        )
        if field.has_changed(values.get(name), shown):
            return True
    return False


# The case's income sources, confirmed or updated during a visit. A new row has nothing
# to delete: leaving it empty is enough.
VisitIncomeFormSet = inlineformset_factory(
    Case,
    IncomeSource,
    form=VisitIncomeForm,
    formset=VisitIncomeRows,
    extra=1,
    can_delete=True,
    can_delete_extra=False,
)


# --- Assistance, the case plan and case conferences ---------------------------------


class VisitCorrectionForm(VisitForm):
    version = version_field()
    # A photo of the wrong house, or one that shows more than it should: ticked, it goes
    # with its file when the correction is saved.
    remove_photos = forms.ModelMultipleChoiceField(
        label=_("Remove photos"),
        queryset=VisitPhoto.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.photos_kept:
            choose_from(self, "remove_photos", self.instance.photos.all())
        else:
            del self.fields["remove_photos"]
        if self.photo_room <= 0:
            self.fields["photos"].help_text = ngettext(
                "The visit keeps %(count)d photo, as many as it can: tick it above to put "
                "another in its place.",
                "The visit keeps %(count)d photos, as many as it can: tick one above to put "
                "another in its place.",
                VisitPhoto.MAX_PER_VISIT,
            ) % {"count": VisitPhoto.MAX_PER_VISIT}


class AssistanceForm(forms.ModelForm):
    given_on = ThaiDateField(label=_("date given"))
    over_cap = forms.BooleanField(
        label=_("Record it over the cap, as an exception"),
        required=False,
        help_text=_("Only with a reason; the exception is logged on the case."),
    )
    exception_reason = forms.CharField(
        label=_("reason for going over the cap"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = Assistance
        fields = ["kind", "amount", "provider", "referral", "given_on", "description"]
        field_classes = {"provider": AgencyChoiceField}

    def __init__(self, *args, case: Case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choose_from(self, "provider", Agency.objects.usable_by(case.center_id).offered())
        choose_from(self, "referral", case.referrals.select_related("agency").order_by("-sent_on"))
        self.fields["provider"].empty_label = _("this coordination centre")  # type: ignore[attr-defined]
        self.fields["amount"].widget.attrs.update({"inputmode": "decimal", "min": "0"})

    def clean_amount(self):
        # Decimal reads "1e5" as 100,000: money is written in digits, never so.
        typed = str(self.data.get(self.add_prefix("amount"), ""))
        if any(letter in typed for letter in "eE"):
            raise forms.ValidationError(_("Write the amount in digits, e.g. 1500.50."))
        return self.cleaned_data["amount"]

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        if "amount" in self.errors:
            # The amount typed is wrong already: the model's own check would read the
            # default 0 and add "more than 0" beside the real error.
            self.instance.amount = None
        if data.get("over_cap") and not data.get("exception_reason", "").strip():
            self.add_error("exception_reason", _("Give the reason for going over the cap."))
        return data

    def exception(self) -> str:
        return self.cleaned_data["exception_reason"] if self.cleaned_data.get("over_cap") else ""


class OwnerChoicesMixin(_ModelFormBase):
    """A planned action's owner: a team or a volunteer of the case's centre, or an agency
    of the centre or a national one. Three lists; exactly one is chosen (PlanAction.clean
    says so: the form said it too, and the page showed it twice)."""

    def set_owner_choices(self, center_id: int) -> None:
        choose_from(self, "owner_team", Team.objects.filter(center_id=center_id))
        owner = self.instance  # a PlanAction: a row of the plan, or a decision
        volunteers = Volunteer.objects.filter(center_id=center_id)
        choose_from(self, "owner_volunteer", volunteers.offered(keep=owner.owner_volunteer_id))
        agencies = Agency.objects.usable_by(center_id)
        choose_from(self, "owner_agency", agencies.offered(keep=owner.owner_agency_id))
        for name in OWNER_FIELDS:
            self.fields[name].empty_label = "–"  # type: ignore[attr-defined]  # a ModelChoiceField
        self.fields["owner_team"].help_text = _(
            "Choose one owner: a team, a volunteer or an agency."
        )


class PlanGoalForm(BlankExtraRowMixin, forms.ModelForm):
    achieved_on = ThaiDateField(label=_("achieved on"), required=False)

    class Meta:
        model = PlanGoal
        fields = ["text", "achieved", "achieved_on"]

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        if data.get("achieved") and not data.get("achieved_on"):
            data["achieved_on"] = timezone.localdate()
        if not data.get("achieved"):
            data["achieved_on"] = None
        if data.get("achieved_on") and data["achieved_on"] > timezone.localdate():
            self.add_error("achieved_on", _("This date cannot be in the future."))
        return data


class PlanActionForm(OwnerChoicesMixin, BlankExtraRowMixin, forms.ModelForm):
    due_on = ThaiDateField(label=_("due on"))
    finished_on = ThaiDateField(label=_("done or given up on"), required=False)

    class Meta:
        model = PlanAction
        fields = [
            "what", "owner_team", "owner_volunteer", "owner_agency", "due_on", "status",
            "finished_on", "note",
        ]  # fmt: skip
        # The model's "action" is the access log's word too ("การกระทำ", a deed).
        labels = {"what": _("what is to be done")}

    def __init__(self, *args, center_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.set_owner_choices(center_id)

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        finished = data.get("status") not in (None, "", PlanAction.Status.PLANNED)
        if finished and not data.get("finished_on"):
            data["finished_on"] = timezone.localdate()
        if not finished:
            data["finished_on"] = None
        return data


class PlanRowsFormSet(CaseRowsFormSet):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.queryset is not None:
            self.queryset = self.queryset.order_by("id")


GoalFormSet = inlineformset_factory(
    Case, PlanGoal, form=PlanGoalForm, formset=PlanRowsFormSet, extra=1, can_delete=True
)
ActionFormSet = inlineformset_factory(
    Case, PlanAction, form=PlanActionForm, formset=PlanRowsFormSet, extra=1, can_delete=True
)


class ConferenceForm(forms.ModelForm):
    held_on = ThaiDateField(label=_("date"))

    class Meta:
        model = CaseConference
        fields = ["held_on", "place", "volunteers", "cases", "summary"]
        widgets = {
            "volunteers": forms.CheckboxSelectMultiple,
            "summary": forms.Textarea(attrs={"rows": 3}),
        }
        # "Volunteers present" reads, in Thai, as those on a home visit.
        labels = {"volunteers": _("volunteers at the meeting")}

    def __init__(self, *args, user, center, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choose_from(self, "volunteers", Volunteer.objects.filter(center=center).active())
        choose_from(self, "cases", conference_cases(user, center))
        self.fields["cases"].widget.attrs["size"] = 8


def conference_cases(user, center):
    """The cases a conference may discuss: the centre's open ones the user may see."""
    return Case.objects.visible_to(user).filter(center=center).open().order_by("number")


class AttendeeForm(forms.ModelForm):
    class Meta:
        model = ConferenceAttendee
        fields = ["name", "organisation", "position"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.empty_permitted = True  # a row left empty is nobody
        self.use_required_attribute = False


class DecisionForm(OwnerChoicesMixin, BlankExtraRowMixin, forms.ModelForm):
    """A decision about one case: it becomes that case's planned action."""

    due_on = ThaiDateField(label=_("due on"))

    class Meta:
        model = PlanAction
        fields = ["case", "what", "owner_team", "owner_volunteer", "owner_agency", "due_on"]
        labels = {"what": _("decision")}

    def __init__(self, *args, user, center, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choose_from(self, "case", conference_cases(user, center))
        self.set_owner_choices(center.pk)


AttendeeFormSet = forms.formset_factory(AttendeeForm, extra=3)
DecisionFormSet = forms.formset_factory(DecisionForm, extra=3)


class NeedChoiceField(forms.ModelChoiceField):
    """A home visit that asked for a referral, named by its date and its needs."""

    widget = widgets.Select

    def label_from_instance(self, obj: HomeVisit) -> str:
        return _("%(date)s: %(needs)s") % {
            "date": be_date(obj.visited_at),
            "needs": Truncator(obj.needs).chars(80) or "–",
        }


class ReferralForm(forms.ModelForm):
    """A referral from a case (and perhaps from the visit that asked for it). The agency
    list is the case's centre's agencies and the national ones, nothing else."""

    agency = AgencyChoiceField(
        label=_("Agency"),
        queryset=Agency.objects.none(),
        error_messages={"invalid_choice": _("Choose an agency of this centre or a national one.")},
    )
    visit = forms.ModelChoiceField(
        queryset=HomeVisit.objects.none(), widget=forms.HiddenInput, required=False
    )
    reply_by = ThaiDateField(label=_("reply by"))

    class Meta:
        model = Referral
        fields = [
            "agency",
            "reason",
            "requested",
            "documents",
            "agency_contact",
            "reply_by",
            "visit",
            "legal_basis",
            "legal_basis_note",
        ]
        widgets = {
            "reason": forms.Textarea(attrs={"rows": 4}),
            "requested": forms.Textarea(attrs={"rows": 3}),
            "legal_basis": forms.RadioSelect,
        }

    def __init__(self, *args, case: Case, from_visit: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choose_from(self, "agency", Referral.agency_choices(case))
        self.ask_legal_basis(case)
        choose_from(self, "visit", case.visits.all())
        if not from_visit:
            self.offer_needs(case)

    def ask_legal_basis(self, case: Case) -> None:
        """Without a consent to referral on the case, the basis for sending the data
        anyway (Referral.clean says it is needed); with one, nothing to ask."""
        if case.consents_to(Case.ConsentPurpose.REFERRAL):
            del self.fields["legal_basis"], self.fields["legal_basis_note"]
            return
        basis = self.fields["legal_basis"]
        basis.label = _("No consent to referral is recorded: on what basis is it sent?")
        basis.choices = [  # type: ignore[attr-defined]  # a ChoiceField
            (b.value, b.label) for b in (Referral.LegalBasis.VITAL, Referral.LegalBasis.LAW)
        ]
        basis.help_text = _(
            "Health and disability data go to the agency only with the person's consent, "
            "or without it to protect them or under a law. Record the consent on the case "
            "if it was given."
        )

    def offer_needs(self, case: Case) -> None:
        """Referred from the case page while visits ask for a referral: which of their
        needs this referral answers, or none. Unlinked, the need stayed on the case page
        after the referral was made and done."""
        needing = case.visits.needing_referral().order_by("-visited_at", "-pk")
        if not needing.exists():
            return
        self.fields["visit"] = NeedChoiceField(
            needing,
            required=False,
            label=_("the home visit whose need this answers"),
            empty_label=_("none of them"),
        )
        self.order_fields(["visit"])

    def clean_reply_by(self) -> datetime.date:
        reply_by = self.cleaned_data["reply_by"]
        if reply_by < timezone.localdate():
            raise forms.ValidationError(_("The reply-by date cannot be in the past."))
        return reply_by


class ReferralStatusForm(forms.Form):
    """The agency's answer: the next status, when, a note, and the outcome at the end."""

    status = forms.ChoiceField(label=_("New status"))
    on = ThaiDateField(label=_("Date of the answer"))
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    outcome = forms.CharField(
        label=_("Outcome"),
        max_length=TEXT_LIMIT,
        required=False,  # the referral's own rule asks for it on done and declined
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when the referral is done or declined: what the agency reported."),
    )

    def __init__(self, *args, referral: Referral, **kwargs) -> None:
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [  # type: ignore[attr-defined]  # a ChoiceField
            (s.value, s.label) for s in referral.allowed_statuses()
        ]


class DismissNeedForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is no referral made?"),
        max_length=500,
    )


class DismissForm(forms.Form):
    """Dismisses a missed-allowance flag: which one (only those raised now), and why."""

    rule = forms.ChoiceField(label=_("Flag"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_('For example "not eligible: has a government pension".'),
    )

    def __init__(self, *args, found: list[Finding], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only what is flagged now can be dismissed.
        self.fields["rule"].choices = [  # type: ignore[attr-defined]  # a ChoiceField
            (f.rule.value, f.label) for f in found
        ]
