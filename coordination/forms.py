"""What forms of every app share, and the agency directory's form."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from coordination.models import Agency
from coordination.validators import normalize_agency_phone


def errors_as_messages(request: HttpRequest, form: forms.Form) -> None:
    """For a small form posted from a page that is not its own (a button on a list or a
    team page): its errors follow the redirect back as messages."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))


def choose_from(form: forms.BaseForm, name: str, rows: QuerySet) -> None:
    """Offers in the choice field `name` only `rows` — the rows its user may see, like
    the pages (a choice list is scoped as a page is)."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = rows


class AgencyChoiceField(forms.ModelChoiceField):
    """An agency to choose, by its name; a national one says so: a centre may enter its
    own branch of a national agency under the same name, and the two read alike."""

    def label_from_instance(self, obj: Agency) -> str:
        if obj.center_id:
            return obj.name
        return str(_("%(name)s (national)") % {"name": obj.name})


class AgencyForm(forms.ModelForm):
    """A centre's partner agency. The centre is the coordinator's, set by the view, and
    `active` changes only through deactivation (asked first) or reactivation."""

    class Meta:
        model = Agency
        fields = ["name", "kind", "phone", "contact_person", "address", "area", "services"]
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "address": forms.Textarea(attrs={"rows": 2}),
            "services": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        # The (centre, name) constraint involves the centre, which is not a form field,
        # so the form would not check it: check here and say it in the user's words. A
        # national agency of the same name is allowed: the centre's own branch of it.
        duplicate = Agency.objects.filter(
            center_id=self.instance.center_id, name__iexact=name
        ).exclude(pk=self.instance.pk)
        if duplicate.exists():
            raise forms.ValidationError(_("This centre already has an agency of that name."))
        return name

    def clean_phone(self) -> str:
        return normalize_agency_phone(self.cleaned_data["phone"])
