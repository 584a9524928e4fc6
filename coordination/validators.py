"""Validation and normalisation of Thai identifiers, shared by models and forms."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.th import pin

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def visible(value: str) -> str:
    """Without the invisible characters a copy from a chat or a web page brings along
    (zero-width spaces and joiners, a byte-order mark, a soft hyphen: Unicode's format
    characters; Thai letters and marks are none of them)."""
    return "".join(ch for ch in value if unicodedata.category(ch) != "Cf")


def plain_name(value: str) -> str:
    """A name as it reads: its invisible characters gone and its spaces single. A name
    typed with a zero-width space was no name a search for it would find, and one of
    only such characters passed as filled in."""
    return " ".join(visible(value).split())


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


# An agency's phone: hotlines (1300, 1479), and offices that answer on an extension or on
# several lines. One part: a number, then an optional extension ("ต่อ 12", "ext 12").
AGENCY_PHONE_PART = re.compile(
    r"(?P<number>[\d\s\-()]+?)\s*(?:(?:ต่อ|ext\.?|x)\s*(?P<extension>\d{1,6}))?", re.IGNORECASE
)
AGENCY_NUMBER = re.compile(r"1\d{3}|0[689]\d{8}|0[2-7]\d{7}")


def agency_phone_parts(value: str) -> list[tuple[str, str]] | None:
    """(number, extension) of each comma-separated part, normalised; None if a part is
    not a number with an optional extension."""
    parts = []
    for part in re.split(r"[,;]", arabic_digits(value or "")):
        if not part.strip():
            continue
        found = AGENCY_PHONE_PART.fullmatch(part.strip())
        if found is None:
            return None
        parts.append((normalize_phone(found["number"]), found["extension"] or ""))
    return parts


def normalize_agency_phone(value: str | None) -> str:
    """`02-123 4567 ต่อ ๑๒,1300` -> `021234567 ต่อ 12, 1300`; what cannot be read is
    returned as typed (stripped), for the validator to refuse with its message."""
    parts = agency_phone_parts(value or "")
    if parts is None:
        return (value or "").strip()
    return ", ".join(f"{number} ต่อ {ext}" if ext else number for number, ext in parts)


def validate_agency_phone(value: str) -> None:
    parts = agency_phone_parts(value)
    if parts is None or not all(AGENCY_NUMBER.fullmatch(number) for number, _ext in parts):
        raise ValidationError(
            _(
                "Enter phone numbers as a hotline of 4 digits (1300), a mobile of 10 digits "
                "or a line of 9 digits (02…), an extension after “ต่อ”; separate several "
                "with commas."
            ),
            code="agency_phone",
        )
