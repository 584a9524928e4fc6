"""Enumerations shared by volunteers and cases."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Prefix(models.TextChoices):
    MR = "mr", pgettext_lazy("name prefix", "Mr")
    MRS = "mrs", pgettext_lazy("name prefix", "Mrs")
    MISS = "miss", pgettext_lazy("name prefix", "Miss")
    BOY = "boy", pgettext_lazy("name prefix", "Master")
    GIRL = "girl", pgettext_lazy("name prefix", "Miss (girl)")
    OTHER = "other", pgettext_lazy("name prefix", "other")


class Sex(models.TextChoices):
    FEMALE = "female", _("female")
    MALE = "male", _("male")
    OTHER = "other", _("other")


# Django's get_prefix_display() hashes every choice's lazy label, translating each one:
# a select of 160 volunteers translated 960 labels (a fifth of the case list's time).
PREFIX_LABELS = dict(Prefix.choices)


def prefix_label(prefix: str) -> str:
    """What get_prefix_display() says, translating one label."""
    return str(PREFIX_LABELS.get(prefix, prefix))


def person_name(prefix_label: str, first_name: str, last_name: str) -> str:
    """Thai writes the prefix against the name (นายสมชาย); English puts a space."""
    prefix = str(prefix_label)
    separator = "" if prefix and "\u0e00" <= prefix[-1] <= "\u0e7f" else " "
    return f"{prefix}{separator}{first_name} {last_name}".strip()
