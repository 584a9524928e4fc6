"""Official letters: dates written out as Thai government letters write them."""

import datetime

from django import template

from coordination.dates import BE_OFFSET

register = template.Library()

THAI_MONTHS = [
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
]  # fmt: skip


@register.filter
def letter_date(value: datetime.date | None) -> str:
    """`26 พฤศจิกายน 2569`: a letter is always Thai, whatever the reader's language."""
    if not value:
        return ""
    return f"{value.day} {THAI_MONTHS[value.month - 1]} {value.year + BE_OFFSET}"
