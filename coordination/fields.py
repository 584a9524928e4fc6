"""Model and form fields for Thai identifiers: they normalise what people type
(Thai digits, dashes, spaces) before validating, wherever they are used."""

import datetime
import re
from typing import Any

from django import forms
from django.db import models
from django.forms.utils import to_current_timezone
from django.utils.translation import gettext_lazy as _

from coordination import dates
from coordination.validators import (
    arabic_digits,
    normalize_national_id,
    normalize_phone,
    plain_name,
    validate_national_id,
    validate_phone,
)


class NameFormField(forms.CharField):
    """A person's name, typed or pasted, kept as it reads (plain_name)."""

    def to_python(self, value: Any) -> str:
        return plain_name(super().to_python(value) or "")


class NationalIDFormField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs["max_length"] = 20  # room for dashes and spaces as typed
        kwargs.setdefault("help_text", _("13 digits; dashes and Thai digits are accepted."))
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def to_python(self, value: Any) -> str:
        return normalize_national_id(super().to_python(value))


class NationalIDField(models.CharField):
    """13 digits with a valid check digit (python-stdnum's stdnum.th.pin), or blank."""

    default_validators = [validate_national_id]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["max_length"] = 13
        kwargs.setdefault("verbose_name", _("national ID number"))
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> str:
        return normalize_national_id(super().to_python(value))

    # Django's signature names form_class; passing it through **kwargs is the same call.
    def formfield(self, **kwargs: Any) -> forms.Field | None:  # type: ignore[override]
        return super().formfield(**{"form_class": NationalIDFormField, **kwargs})


class PhoneFormField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs["max_length"] = 20
        super().__init__(**kwargs)
        self.widget.input_type = "tel"

    def to_python(self, value: Any) -> str:
        return normalize_phone(super().to_python(value))


class PhoneField(models.CharField):
    default_validators = [validate_phone]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["max_length"] = 10
        kwargs.setdefault("verbose_name", _("phone"))
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> str:
        return normalize_phone(super().to_python(value))

    # Django's signature names form_class; passing it through **kwargs is the same call.
    def formfield(self, **kwargs: Any) -> forms.Field | None:  # type: ignore[override]
        return super().formfield(**{"form_class": PhoneFormField, **kwargs})


class ThaiDateInput(forms.TextInput):
    """A text input that shows the date in the Buddhist Era in Thai pages."""

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__({"placeholder": _("dd/mm/yyyy"), "autocomplete": "off", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, datetime.date):
            return dates.format_date_input(value)
        return super().format_value(value)


class ThaiDateField(forms.DateField):
    """Accepts 24/04/2562 (BE), 24/04/2019 (CE), ISO dates and Thai digits."""

    widget = ThaiDateInput
    default_error_messages = {
        "invalid": _("Enter a real date as day/month/year, e.g. 24/04/2562."),
        "ambiguous": _(
            "Write the year in full (e.g. 2562 or 2019): a two-digit year is ambiguous."
        ),
    }

    def to_python(self, value: Any) -> datetime.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            return dates.parse_date(str(value))
        except dates.AmbiguousDate:
            raise forms.ValidationError(
                self.error_messages["ambiguous"], code="ambiguous"
            ) from None
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None

    def bound_data(self, data: Any, initial: Any) -> Any:
        """An ISO date in the address (the dashboard's links, a bookmark) is shown as
        the page writes dates, 01/11/2569 on a Thai page, not as 2026-11-01; anything
        else as it was typed, to be corrected."""
        if isinstance(data, str) and ISO_DATE.fullmatch(data.strip()):
            try:
                return self.to_python(data)
            except forms.ValidationError:
                pass
        return super().bound_data(data, initial)


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class BirthDateField(ThaiDateField):
    """A birth date, or its year alone (2510, 1967) when only the year is known: read as
    1 January of that year. `is_year_alone` tells which was typed."""

    YEAR = re.compile(r"\s*(\d{4})\s*")

    @classmethod
    def is_year_alone(cls, value: Any) -> bool:
        return bool(value) and bool(cls.YEAR.fullmatch(arabic_digits(str(value))))

    def to_python(self, value: Any) -> datetime.date | None:
        if self.is_year_alone(value):
            return super().to_python(f"01/01/{arabic_digits(str(value)).strip()}")
        return super().to_python(value)


class ThaiSplitDateTimeWidget(forms.MultiWidget):
    """A date in the Buddhist Era and a time, as the admin's split date and time is."""

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__((ThaiDateInput(), forms.TimeInput(format="%H:%M")), attrs)

    def decompress(self, value: Any) -> list:
        if isinstance(value, datetime.datetime):
            value = to_current_timezone(value)
            return [value.date(), value.time().replace(microsecond=0)]
        return [None, None]


class ThaiSplitDateTimeField(forms.SplitDateTimeField):
    """Django's split date and time with the date part read as ThaiDateField reads it."""

    widget = ThaiSplitDateTimeWidget

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        made = self.fields[0]  # as MultiValueField set it up: required, disabled, messages
        date = ThaiDateField(required=made.required, disabled=made.disabled)
        date.error_messages.setdefault("incomplete", made.error_messages["incomplete"])
        self.fields = (date, self.fields[1])
