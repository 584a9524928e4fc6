"""The Barthel ADL index as the Thai Ministry of Public Health uses it (ดัชนีบาร์เธลเอดีแอล).

Ten items scored 0–1, 0–2 or 0–3, 0–20 in all. The items come in the order of the
ministry's paper form, so a volunteer copying one onto the phone finds them where they
expect them; the choices are the form's wording (Thai) with the usual English of the
Collin–Wade 0–20 version. The department of health groups older persons by the total:
12 or more ติดสังคม, 5–11 ติดบ้าน, 0–4 ติดเตียง.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

MAX_TOTAL = 20
# Lowest total of each group, highest group first.
INDEPENDENT_FROM = 12
HOUSEBOUND_FROM = 5


@dataclass(frozen=True)
class Item:
    field: str
    label: Promise
    choices: tuple[tuple[int, Promise], ...]

    @property
    def maximum(self) -> int:
        return self.choices[-1][0]


ITEMS: tuple[Item, ...] = (
    Item(
        "adl_feeding",
        _("Feeding (when the meal is set out in front of the person)"),
        (
            (0, _("Cannot bring food to the mouth; must be fed")),
            (
                1,
                _(
                    "Feeds self but needs help, e.g. food put on the spoon or cut into small "
                    "pieces beforehand"
                ),
            ),
            (2, _("Feeds self normally")),
        ),
    ),
    Item(
        "adl_grooming",
        _("Grooming: washing the face, combing hair, brushing teeth, shaving (past 24–48 hours)"),
        (
            (0, _("Needs help")),
            (1, _("Does it alone (including when the things needed are set out)")),
        ),
    ),
    Item(
        "adl_transfer",
        _("Transfer: getting up from lying, from the bed to a chair"),
        (
            (0, _("Cannot sit (falls when sitting) or needs two people to lift")),
            (
                1,
                _(
                    "Needs a lot of help to sit: one strong or skilled person, or two ordinary "
                    "people to support or push"
                ),
            ),
            (
                2,
                _("Needs some help: told what to do, supported a little, or watched for safety"),
            ),
            (3, _("Does it alone")),
        ),
    ),
    Item(
        "adl_toilet",
        _("Toilet use"),
        (
            (0, _("Cannot help self")),
            (
                1,
                _(
                    "Does some alone (at least cleans self afterwards) but needs help with "
                    "some things"
                ),
            ),
            (
                2,
                _("Manages well: on and off the toilet, cleans self afterwards, dresses again"),
            ),
        ),
    ),
    Item(
        "adl_mobility",
        _("Mobility within the room or house"),
        (
            (0, _("Cannot move anywhere")),
            (
                1,
                _(
                    "Moves alone in a wheelchair (nobody pushing), including into corners and "
                    "through doors"
                ),
            ),
            (
                2,
                _("Walks or moves with help: supported, told what to do, or watched for safety"),
            ),
            (3, _("Walks or moves alone")),
        ),
    ),
    Item(
        "adl_dressing",
        _("Dressing"),
        (
            (0, _("Must be dressed by someone; does little or nothing")),
            (1, _("Does about half alone; needs help with the rest")),
            (
                2,
                _("Manages well, including buttons and zips, or with clothes adapted to suit"),
            ),
        ),
    ),
    Item(
        "adl_stairs",
        _("Stairs: up and down one floor"),
        (
            (0, _("Cannot")),
            (1, _("Needs someone's help")),
            (2, _("Up and down alone (carrying a walking aid such as a walker, if used)")),
        ),
    ),
    Item(
        "adl_bathing",
        _("Bathing"),
        (
            (0, _("Needs help, or is bathed by someone")),
            (1, _("Bathes alone")),
        ),
    ),
    Item(
        "adl_bowels",
        _("Bowels: continence over the past week"),
        (
            (0, _("Incontinent, or always needs an enema")),
            (1, _("Occasional accident (less than once a week)")),
            (2, _("Continent")),
        ),
    ),
    Item(
        "adl_bladder",
        _("Bladder: continence over the past week"),
        (
            (0, _("Incontinent, or has a catheter and cannot manage it")),
            (1, _("Occasional accident (less than once a day)")),
            (2, _("Continent")),
        ),
    ),
)

FIELDS: tuple[str, ...] = tuple(item.field for item in ITEMS)
assert sum(item.maximum for item in ITEMS) == MAX_TOTAL


def group(total: int | None) -> str:
    """The dependency group of a total, in words ("" without a total)."""
    if total is None:
        return ""
    if total >= INDEPENDENT_FROM:
        return str(_("independent"))
    if total >= HOUSEBOUND_FROM:
        return str(_("housebound"))
    return str(_("bed-bound"))
