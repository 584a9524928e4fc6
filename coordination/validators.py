"""Validation and normalisation of Thai identifiers, shared by models and forms."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.th import pin

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def arabic_digits(value: str) -> str:
    """Thai digits (๐–๙) to Arabic ones; everything else unchanged."""
    return value.translate(THAI_DIGITS)


def normalize_national_id(value: str | None) -> str:
    """Digits only: accepts Thai digits, spaces and dashes (`3-1234-...`)."""
    return re.sub(r"[\s\-]", "", arabic_digits(value or ""))


def validate_national_id(value: str) -> None:
    number = normalize_national_id(value)
    if not re.fullmatch(r"\d{13}", number):
        raise ValidationError(_("A national ID number has 13 digits."), code="national_id_length")
    try:
        pin.validate(number)
    except StdnumError:
        raise ValidationError(
            _("This national ID number is not valid: its check digit does not match."),
            code="national_id_checksum",
        ) from None


def format_national_id(value: str) -> str:
    """`3-1234-56789-01-2`, as printed on the card."""
    if len(value) != 13:
        return value
    return f"{value[0]}-{value[1:5]}-{value[5:10]}-{value[10:12]}-{value[12]}"


def mask_national_id(value: str) -> str:
    """`3-1234-xxxxx-xx-1`: for lists and printouts (PDPA)."""
    if len(value) != 13:
        return value
    return f"{value[0]}-{value[1:5]}-xxxxx-xx-{value[12]}"


def normalize_phone(value: str | None) -> str:
    return re.sub(r"[\s\-()]", "", arabic_digits(value or ""))


def validate_phone(value: str) -> None:
    number = normalize_phone(value)
    # Mobiles: 10 digits from 06, 08, 09. Fixed lines: 9 digits from 02–07 (Bangkok: 02).
    if not re.fullmatch(r"0[689]\d{8}|0[2-7]\d{7}", number):
        raise ValidationError(
            _(
                "Enter a Thai phone number: a mobile of 10 digits (06, 08, 09) "
                "or a line of 9 digits (02…)."
            ),
            code="phone",
        )


def with_check_digit(first_twelve: str) -> str:
    """Completes 12 digits into a valid national ID (for demo data and tests)."""
    return first_twelve + pin.calc_check_digit(first_twelve)
