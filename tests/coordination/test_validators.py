import pytest
from django.core.exceptions import ValidationError

from coordination.fields import NationalIDFormField
from coordination.validators import (
    format_national_id,
    mask_national_id,
    normalize_national_id,
    validate_national_id,
    validate_phone,
    with_check_digit,
)

VALID_ID = with_check_digit("310270000001")


def test_a_checksummed_id_is_valid():
    validate_national_id(VALID_ID)


def test_the_known_good_example_id_passes_the_checksum():
    # 1-1017-00203-45-? — the check digit computed by hand from DOMAIN.md's formula.
    digits = "110170020345"
    total = sum(int(d) * (13 - i) for i, d in enumerate(digits))
    assert with_check_digit(digits)[-1] == str((11 - total % 11) % 10)


@pytest.mark.parametrize("wrong_last_digit", ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"])
def test_every_other_check_digit_is_refused(wrong_last_digit):
    if wrong_last_digit == VALID_ID[-1]:
        return
    with pytest.raises(ValidationError) as error:
        validate_national_id(VALID_ID[:-1] + wrong_last_digit)
    assert error.value.code == "national_id_checksum"


@pytest.mark.parametrize("value", ["", "123", "12345678901234", "31027000000ab"])
def test_ids_without_13_digits_are_refused(value):
    with pytest.raises(ValidationError) as error:
        validate_national_id(value)
    assert error.value.code == "national_id_length"


def test_thai_digits_dashes_and_spaces_are_normalised():
    thai = VALID_ID.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    typed = f"{thai[0]}-{thai[1:5]} {thai[5:10]}-{thai[10:12]}-{thai[12]}"
    assert normalize_national_id(typed) == VALID_ID
    assert NationalIDFormField().clean(typed) == VALID_ID


def test_ids_are_shown_formatted_and_masked():
    assert format_national_id("3102700000011") == "3-1027-00000-01-1"
    assert mask_national_id("3102700000011") == "3-1027-xxxxx-xx-1"


@pytest.mark.parametrize(
    "phone", ["0812345678", "081-234-5678", "๐๒๑๒๓๔๕๖๗", "0912345678", "021234567"]
)
def test_thai_phone_numbers_are_accepted(phone):
    validate_phone(phone)


@pytest.mark.parametrize("phone", ["081234567", "1812345678", "08123456789", "+66812345678", "abc"])
def test_malformed_phone_numbers_are_refused(phone):
    with pytest.raises(ValidationError):
        validate_phone(phone)
