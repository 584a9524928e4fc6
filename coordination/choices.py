"""Enumerations shared by volunteers and cases."""

import functools
from collections.abc import Callable
from typing import cast

from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Prefix(models.TextChoices):
    MR = "mr", pgettext_lazy("name prefix", "Mr")
    MRS = "mrs", pgettext_lazy("name prefix", "Mrs")
    MISS = "miss", pgettext_lazy("name prefix", "Miss")
    BOY = "boy", pgettext_lazy("name prefix", "Master")
    GIRL = "girl", pgettext_lazy("name prefix", "Miss (girl)")
    OTHER = "other", pgettext_lazy("name prefix", "other")


# A child's prefixes: never a volunteer's (Volunteer.clean).
CHILD_PREFIXES = frozenset({Prefix.BOY.value, Prefix.GIRL.value})


class Sex(models.TextChoices):
    FEMALE = "female", _("female")
    MALE = "male", _("male")
    OTHER = "other", _("other")


# The sex a prefix says (นาย is a man's, เด็กหญิง a girl's); "other" and the other sex
# say nothing against any prefix.
PREFIX_SEX = {
    Prefix.MR: Sex.MALE, Prefix.BOY: Sex.MALE,
    Prefix.MRS: Sex.FEMALE, Prefix.MISS: Sex.FEMALE, Prefix.GIRL: Sex.FEMALE,
}  # fmt: skip


def prefix_sex_mismatch(prefix: str, sex: str) -> str | None:
    """What to say when a prefix says the other sex (นาย with หญิง: one of the two was
    chosen wrongly); None when they agree. The forms, the admin and the imports say it."""
    said = PREFIX_SEX.get(prefix)  # type: ignore[call-overload]  # a TextChoices key
    if said is None or sex not in (Sex.MALE, Sex.FEMALE) or sex == said:
        return None
    return _("The prefix %(prefix)s does not go with the sex %(sex)s: check which is right.") % {
        "prefix": prefix_text(prefix),
        "sex": Sex(sex).label,
    }


# Prefix value -> its (lazy) label. A model's get_prefix_display() builds a dict of the
# field's choices on every call: a name on every row of a list, that was most of its cost.
PREFIX_LABELS = dict(Prefix.choices)


def prefix_text(value: str) -> str:
    """What get_prefix_display() gives, in the active language."""
    return str(PREFIX_LABELS.get(value, value))


def person_namer() -> Callable[[str, str, str], str]:
    """person_name for a list's rows from their prefix codes: each prefix translated once
    for the list, not once a row (a model's full_name, ~0.1 ms a row on a list of 300)."""
    labels = {value: str(label) for value, label in PREFIX_LABELS.items()}

    def name(prefix: str, first_name: str, last_name: str) -> str:
        return person_name(labels.get(prefix, prefix), first_name, last_name)

    return name


# How prefixes are also written, as people type them: น.ส.มาลี, Mrs. Malai.
PREFIX_ABBREVIATIONS = {
    "น.ส.": Prefix.MISS, "ด.ช.": Prefix.BOY, "ด.ญ.": Prefix.GIRL,
    "Mr.": Prefix.MR, "Mrs.": Prefix.MRS, "Ms.": Prefix.MISS, "Ms": Prefix.MISS,
    "Miss.": Prefix.MISS,
}  # fmt: skip


@functools.cache
def prefix_labels() -> list[tuple[str, str]]:
    """Every prefix's label in Thai and in English and its usual abbreviations, with its
    value, longest first (นางสาว before นาง)."""
    labels = {(label, str(value)) for label, value in PREFIX_ABBREVIATIONS.items()}
    for language in ("th", "en"):
        with translation.override(language):
            labels |= {(str(label), str(value)) for value, label in Prefix.choices}
    return sorted(labels, key=lambda item: -len(item[0]))


def name_word_query(word: str) -> Q:
    """A word of a name search: in the first or last name; or a name as the lists write
    it, its prefix against it in Thai (นางมาลัย) or apart (Mrs, then Malai)."""
    query = Q(first_name__icontains=word) | Q(last_name__icontains=word)
    for label, value in prefix_labels():
        if word.casefold() == label.casefold():
            query |= Q(prefix=value)
        elif word.casefold().startswith(label.casefold()) and (
            "\u0e00" <= label[0] <= "\u0e7f" or label.endswith(".")
        ):
            query |= Q(prefix=value, first_name__istartswith=word[len(label) :])
    return query


def person_name(prefix_label: str, first_name: str, last_name: str) -> str:
    """Thai writes the prefix against the name (นายสมชาย); English puts a space."""
    prefix = str(prefix_label)
    separator = "" if prefix and "\u0e00" <= prefix[-1] <= "\u0e7f" else " "
    return f"{prefix}{separator}{first_name} {last_name}".strip()


def choice_labels(model: type[models.Model], field_name: str) -> dict[str, str]:
    """A choice field's labels in the active language, each translated once, by the
    value as text: a row's get_FOO_display() translates every label of its field to
    find one (the rows of a list written in Python read them from here)."""
    field = cast(models.Field, model._meta.get_field(field_name))
    return {str(value): str(label) for value, label in field.flatchoices}
