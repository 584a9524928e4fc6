"""Display filters: Buddhist-era dates, masked national IDs, baht, yes and no."""

import datetime
import re
from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from coordination import dates
from coordination.amounts import baht, money
from coordination.validators import format_national_id, mask_national_id

register = template.Library()


@register.filter
def be_date(value: datetime.date | datetime.datetime | None) -> str:
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return dates.format_date(value)


@register.filter
def be_years(title: str) -> str:
    """A title Django wrote with Common-Era years ("พฤศจิกายน 2026", the admin's date
    drill-down), its years in the Buddhist Era when the page is in Thai."""
    if not dates.is_thai():
        return title
    return re.sub(
        r"\b(1[89]|2[01])\d\d\b", lambda year: str(int(year[0]) + dates.BE_OFFSET), str(title)
    )


@register.filter
def year_of(value: datetime.date) -> int:
    """A date's year as the page writes years: the Buddhist Era in Thai (a birth date
    known only by its year)."""
    return dates.display_year(value)


@register.filter
def be_datetime(value: datetime.datetime | None) -> str:
    if not value:
        return ""
    local = timezone.localtime(value)
    time = f"{local:%H:%M}"
    if dates.is_thai():
        return f"{dates.format_date(local.date())} {time} น."
    return f"{dates.format_date(local.date())}, {time}"


def question_of(field_name: str) -> str:
    """What a yes/no field asks: `has_…` fields whether there is something ("has"),
    all others whether something is so ("is")."""
    return "has" if field_name.startswith("has_") else "is"


@register.filter
def yes_no(value: bool | None, question: str = "is") -> str:
    """Yes or no in the words the question takes. Thai answers "is it so?" with
    ใช่/ไม่ใช่ and "is there / does one have?" with มี/ไม่มี; ได้ ("can") is no answer
    to either."""
    if value is None:
        return "–"
    if question == "has":
        return pgettext("there is", "yes") if value else pgettext("there is", "no")
    return pgettext("it is so", "yes") if value else pgettext("it is so", "no")


@register.filter
def masked_id(value: str) -> str:
    return mask_national_id(value) if value else ""


@register.filter
def full_id(value: str) -> str:
    return format_national_id(value) if value else ""


register.filter(baht)


@register.filter
def figure(value: object) -> object:
    """A report's figure as the pages write numbers: 1,250 and 2,000 or 2,000.50 baht
    (the report showed "2000.00"); anything else as it is."""
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, int):
        return f"{value:,}"
    return value


register.filter(money)


@register.filter
def days_since(value: datetime.datetime | datetime.date | None) -> int | None:
    if not value:
        return None
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return (timezone.localdate() - value).days


def last_visit_words(days: int) -> str:
    """How long since the last visit, in words: "today", not "0 days ago"."""
    if days == 0:
        return _("last visit today")
    return ngettext("last visit %(days)s day ago", "last visit %(days)s days ago", days) % {
        "days": days
    }


def days_or_years(days: int) -> str:
    """A period in days as a person reads it: "1,825 days (about 5 years)". About: the
    days are what is counted (leap days make five years 1,826 or 1,827)."""
    counted = ngettext("%(count)s day", "%(count)s days", days) % {"count": f"{days:,}"}
    if days >= 365 and days % 365 == 0:
        years = days // 365
        return ngettext(
            "%(days)s (about %(count)d year)", "%(days)s (about %(count)d years)", years
        ) % {"days": counted, "count": years}
    return counted
