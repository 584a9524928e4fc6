from typing import Any, cast

from django import forms
from django.db.models.fields import BLANK_CHOICE_DASH
from django.utils.translation import gettext_lazy as _

from coordination.choices import CHILD_PREFIXES, Prefix
from coordination.fields import NameFormField, ThaiDateField
from coordination.models import TargetGroup
from coordination.widgets import Select
from volunteers.models import Team, TeamMembership, Volunteer


class VolunteerForm(forms.ModelForm):
    birth_date = ThaiDateField(label=_("birth date"), required=False)
    appointed_on = ThaiDateField(label=_("appointed on"), required=False)

    class Meta:
        model = Volunteer
        fields = [
            "prefix",
            "first_name",
            "last_name",
            "national_id",
            "birth_date",
            "phone",
            "address",
            "subdistrict",
            "appointed_on",
        ]
        field_classes = dict.fromkeys(Volunteer.NAME_FIELDS, NameFormField)

    def __init__(self, *args, subdistricts, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["subdistrict"]).queryset = subdistricts
        # An adult's prefixes only (Volunteer.clean refuses a child's).
        cast(forms.TypedChoiceField, self.fields["prefix"]).choices = [
            *BLANK_CHOICE_DASH,
            *((value, label) for value, label in Prefix.choices if value not in CHILD_PREFIXES),
        ]

    def clean_national_id(self) -> str:
        national_id = self.cleaned_data["national_id"]
        # The (centre, ID) constraint involves the centre, which is not a form field,
        # so the form would not check it: check here and say it in the user's words.
        duplicate = Volunteer.objects.filter(
            center_id=self.instance.center_id, national_id=national_id
        ).exclude(pk=self.instance.pk)
        if duplicate.exists():
            raise forms.ValidationError(
                _("A volunteer with this national ID number is already registered in this centre.")
            )
        return national_id


class VolunteerStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Volunteer.Status.choices)


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "target_group"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField, self.fields["target_group"]
        ).queryset = TargetGroup.objects.all()

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        if (
            Team.objects.filter(center_id=self.instance.center_id, name=name)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            raise forms.ValidationError(_("This centre already has a team of that name."))
        return name


class NameChoiceIterator(forms.models.ModelChoiceIterator):
    """Each volunteer's (pk, full name), the labels ModelChoiceField shows, without a
    model instance each (Volunteer.objects.names()): the team page's select."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.names()


class VolunteerChoiceField(forms.ModelChoiceField):
    iterator = NameChoiceIterator


class AddMemberForm(forms.Form):
    volunteer = VolunteerChoiceField(
        label=_("Volunteer"), queryset=Volunteer.objects.none(), widget=Select
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=TeamMembership.Role.choices, initial=TeamMembership.Role.MEMBER
    )
    joined_on = ThaiDateField(label=_("joined on"), required=False)

    def __init__(self, *args, team: Team, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.team = team
        cast(forms.ModelChoiceField, self.fields["volunteer"]).queryset = (
            Volunteer.objects.filter(center_id=team.center_id)
            .active()
            .exclude(pk__in=Volunteer.objects.in_team(team).values("pk"))
            .order_by("first_name")
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if (
            cleaned.get("role") == TeamMembership.Role.LEADER
            and self.team.memberships.active().filter(role=TeamMembership.Role.LEADER).exists()
        ):
            self.add_error(
                "role", _("This team already has a leader. Make the new member leader afterwards.")
            )
        return cleaned
