import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import Q, Value
from django.db.models.functions import Concat
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cases import barthel
from cases.allowances import Finding
from cases.models import (
    Address,
    Case,
    DisabilityType,
    HomeVisit,
    HouseholdMember,
    IncomeSource,
    VisitPhoto,
    plausible_visit_time,
)
from cases.photos import clean_photo
from coordination.fields import ThaiDateField
from coordination.models import District, Province, Subdistrict, TargetGroup
from volunteers.models import Team, Volunteer

PLACE_LEVELS = ("province", "district", "subdistrict")


class AddressPickerMixin:
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
            self.fields[subdistrict_field].queryset = (
                Subdistrict.objects.filter(district_id=chosen.pk)
                if chosen
                else Subdistrict.objects.none()
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
        subdistrict = getattr(self.instance, f"{prefix}_subdistrict", None)
        return subdistrict.district if subdistrict else default


class CaseForm(AddressPickerMixin, forms.ModelForm):
    birth_date = ThaiDateField(label=_("birth date"), required=False)
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
            "housing_condition", "priority", "opened_on",
            "consent_given_by", "consent_method", "consent_purposes",
        ]  # fmt: skip
        widgets = {
            "problems": forms.Textarea(attrs={"rows": 3}),
            "housing_condition": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, center, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.center = center
        self.similar_cases: list[Case] = []
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
            self._address_fieldset("cur", "", landmark=True),
            Fieldset(
                _("The situation"),
                "target_groups", "problems",
                Row(Column("housing", css_class="col-md-6"), Column("monthly_rent", css_class="col-md-6")),
                "housing_condition",
                Row(Column("priority", css_class="col-md-6"), Column("opened_on", css_class="col-md-6")),
            ),
            Fieldset(
                _("Consent (PDPA)"),
                Row(Column("consent_given_by", css_class="col-md-6"), Column("consent_method", css_class="col-md-6")),
                "consent_purposes",
            ),
        )  # fmt: skip

    def _address_fieldset(self, prefix: str, legend: str, landmark: bool = False) -> Fieldset:
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
            *(["landmark"] if landmark else []),
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
        data = super().clean()
        if data.get("consent_method") and not (
            data.get("consent_given_by") and data.get("consent_purposes")
        ):
            self.add_error(
                "consent_purposes",
                _("Record who gave consent and for which purposes."),
            )
        if data.get("birth_year_only") and not data.get("birth_date"):
            self.add_error("birth_date", _("Enter the birth year, as 1 January of that year."))
        if not data.get("current_same_as_registered") and not data.get("cur_subdistrict"):
            self.add_error(
                "cur_subdistrict", _("Choose the subdistrict where the person lives now.")
            )
        self._check_similar_person(data)
        return data

    def _check_similar_person(self, data: dict) -> None:
        birth_date, first_name = data.get("birth_date"), data.get("first_name")
        if not (birth_date and first_name) or data.get("confirm_different_person"):
            return
        full_name = f"{first_name} {data.get('last_name', '')}".strip()
        self.similar_cases = list(
            Case.objects.filter(center=self.center, birth_date=birth_date)
            .exclude(pk=self.instance.pk)
            .annotate(
                similarity=TrigramSimilarity(
                    Concat("first_name", Value(" "), "last_name"), full_name
                )
            )
            .filter(Q(similarity__gt=0.3) | Q(first_name=first_name))[:5]
        )
        if self.similar_cases:
            links = format_html_join(
                ", ",
                '<a href="{}">{} {}</a>',
                (
                    (reverse("cases:case-detail", args=[c.pk]), c.number, c.full_name)
                    for c in self.similar_cases
                ),
            )
            self.add_error(
                None,
                format_html(
                    "{} {}. {}",
                    _("A case with a similar name and the same birth date exists:"),
                    links,
                    _("If this is a different person, tick the box below and save again."),
                ),
            )


class CaseEditForm(CaseForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class HouseholdMemberForm(forms.ModelForm):
    class Meta:
        model = HouseholdMember
        fields = list(HouseholdMember.RECORDED_FIELDS)


class BlankExtraRowMixin:
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
        data = super().clean()
        # Runs only for a row with something typed in it (Django skips unchanged extra rows).
        for name in self.required_when_used:
            if data.get(name) in self.fields[name].empty_values and name not in self.errors:
                self.add_error(name, self.fields[name].error_messages["required"])
        return data


class IncomeSourceForm(BlankExtraRowMixin, forms.ModelForm):
    class Meta:
        model = IncomeSource
        fields = ["kind", "amount", "note"]


class CaseRowsFormSet(BaseInlineFormSet):
    """One case's rows (household members, incomes). Django's hidden `id` field would
    accept a row of any case of any centre and then quietly save it as a new row; here
    it chooses among this case's rows only, and a row of another case is a form error."""

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        form.fields[self.model._meta.pk.name].queryset = self.get_queryset()

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


class AssignForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())

    def __init__(self, *args, teams, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class BulkAssignForm(AssignForm):
    cases = forms.ModelMultipleChoiceField(queryset=Case.objects.none())

    def __init__(self, *args, teams, cases, **kwargs) -> None:
        super().__init__(*args, teams=teams, **kwargs)
        self.fields["cases"].queryset = cases
        self.fields["cases"].error_messages["invalid_choice"] = _("Choose cases from the list.")


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[c for c in Case.Status.choices if c[0] != Case.Status.CLOSED]
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label=_("closure reason"), choices=Case.ClosureReason.choices)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class ReopenForm(forms.Form):
    note = forms.CharField(label=_("Why reopen?"), max_length=500, required=False)


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
        self.add_barthel_fields()
        self.fields["next_visit_due"].help_text = _(
            "Left blank, the next visit is due %(days)d days after this one."
        ) % {"days": case.center.followup_interval_days}
        self.fields["volunteers"].queryset = self.volunteers_to_offer(case)
        existing = self.instance.photos.count() if self.instance.pk else 0
        self.photo_room = VisitPhoto.MAX_PER_VISIT - existing
        self.fields["photos"].help_text = ngettext(
            "Up to %(count)d JPEG or PNG photo of at most 5 MB; its location data is removed.",
            "Up to %(count)d JPEG or PNG photos of at most 5 MB each; their location data is "
            "removed.",
            VisitPhoto.MAX_PER_VISIT,
        ) % {"count": VisitPhoto.MAX_PER_VISIT}
        if self.photo_room <= 0:
            del self.fields["photos"]
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
            total = sum(values)
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
        others = HomeVisit.objects.exclude(pk=self.instance.pk)
        if token and others.filter(submission_token=token).exists():
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
        data = super().clean()
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
        if len(data.get("photos") or []) > self.photo_room:
            self.add_error(
                "photos",
                ngettext(
                    "A visit keeps at most %(count)d photo; %(room)d more can be added.",
                    "A visit keeps at most %(count)d photos; %(room)d more can be added.",
                    VisitPhoto.MAX_PER_VISIT,
                )
                % {"count": VisitPhoto.MAX_PER_VISIT, "room": self.photo_room},
            )
        try:
            self.instance.check_volunteers(data.get("volunteers") or [])
        except forms.ValidationError as error:
            self.add_error(None, error)
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error(None, _("The location is incomplete; try again or leave it out."))
        return data


# The case's income sources, confirmed or updated during a visit. A new row has nothing
# to delete: leaving it empty is enough.
VisitIncomeFormSet = inlineformset_factory(
    Case,
    IncomeSource,
    form=IncomeSourceForm,
    formset=CaseRowsFormSet,
    extra=1,
    can_delete=True,
    can_delete_extra=False,
)


class DismissForm(forms.Form):
    """Dismisses a missed-allowance flag: which one (only those raised now), and why."""

    rule = forms.ChoiceField(label=_("flag"))
    reason = forms.CharField(
        label=_("reason"),
        max_length=300,
        help_text=_('For example "not eligible: has a government pension".'),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, found: list[Finding], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only what is flagged now can be dismissed.
        self.fields["rule"].choices = [(f.rule.value, f.label) for f in found]
