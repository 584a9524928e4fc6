"""Dates as Thai people write them: Buddhist Era on screen (BE = CE + 543), and
input in BE or CE, with Thai or Arabic digits."""

import datetime
import re

from django.utils.translation import get_language

from coordination.validators import arabic_digits

BE_OFFSET = 543
THAI_MONTHS_SHORT = [
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
]  # fmt: skip
ENGLISH_MONTHS_SHORT = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
]  # fmt: skip
THAI_MONTHS = [
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
]  # fmt: skip
ENGLISH_MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip


class AmbiguousDate(ValueError):
    pass


def is_thai() -> bool:
    return not (get_language() or "th").startswith("en")


def format_date(value: datetime.date) -> str:
    """`24 เม.ย. 2562` in Thai, `24 Apr 2019` in English."""
    if is_thai():
        return f"{value.day} {THAI_MONTHS_SHORT[value.month - 1]} {value.year + BE_OFFSET}"
    return f"{value.day} {ENGLISH_MONTHS_SHORT[value.month - 1]} {value.year}"


def years_between(born: datetime.date, on: datetime.date) -> int:
    """Full years from `born` to `on`: one's age that day (born on 29 February: a year
    older on 1 March in a common year)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def display_year(value: datetime.date) -> int:
    """The year as the page's language writes it: the Buddhist Era in Thai."""
    return value.year + BE_OFFSET if is_thai() else value.year


def format_month(value: datetime.date) -> str:
    """`เมษายน 2562` in Thai, `April 2019` in English."""
    months = THAI_MONTHS if is_thai() else ENGLISH_MONTHS
    return f"{months[value.month - 1]} {display_year(value)}"


def file_stamp(value: datetime.datetime) -> str:
    """A downloaded file's date and time: `25690424-0930` in Thai (the Buddhist Era, as
    the file's dates inside), `20190424-0930` in English."""
    return f"{display_year(value)}{value:%m%d-%H%M}"


def format_date_input(value: datetime.date) -> str:
    """What a date input shows: `24/04/2562` in Thai, `24/04/2019` in English."""
    return f"{value.day:02d}/{value.month:02d}/{display_year(value)}"


def parse_date(text: str) -> datetime.date:
    """`24/04/2562`, `24/04/2019`, `๒๔/๐๔/๒๕๖๒`, `2019-04-24` or `2562-04-24`.

    Years of 2400 and more are Buddhist Era. A two-digit year is ambiguous (62: 2562
    or 1962?) and refused, as is anything that is not a real calendar day.
    """
    text = arabic_digits(text.strip())
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    dmy = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})", text)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    elif dmy:
        day, month, year_text = int(dmy[1]), int(dmy[2]), dmy[3]
        if len(year_text) != 4:
            raise AmbiguousDate(text)
        year = int(year_text)
    else:
        raise ValueError(text)
    if year >= 2400:
        year -= BE_OFFSET
    if not 1800 <= year <= 2200:
        raise ValueError(text)
    return datetime.date(year, month, day)  # ValueError for 31/02 and the like
