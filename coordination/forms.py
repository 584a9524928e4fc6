"""What forms of every app share."""

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest


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
