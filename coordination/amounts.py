"""Amounts of baht as the app writes them, in pages, messages and the history alike."""

from decimal import Decimal

from django.utils.translation import gettext as _


def money(value: Decimal | int | None) -> str:
    """An amount without its unit, for text that names the unit itself ("… baht") and
    columns headed "Baht": 2,000 or 2,000.50."""
    if value is None:
        return ""
    return f"{value:,.2f}".removesuffix(".00")


def baht(value: Decimal | int | None) -> str:
    """An amount with its unit: 2,000 บาท."""
    if value is None:
        return ""
    return _("%(amount)s baht") % {"amount": money(value)}
