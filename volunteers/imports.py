"""The volunteer roster import: a file read (coordination/tabular.py refuses hostile
ones), every row checked and shown before anything is saved, then all rows saved in one
transaction or none."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from coordination import dates
from coordination.choices import Prefix
from coordination.models import Center, Subdistrict
from coordination.tabular import read_rows
from coordination.validators import (
    normalize_national_id,
    normalize_phone,
    validate_national_id,
    validate_phone,
)
from volunteers.models import Team, TeamMembership, Volunteer

# A district's roster is tens of volunteers; 5,000 leaves room for a province's.
MAX_ROWS = 5000

# (key, Thai heading, English heading, required). The template's headings are the Thai
# ones; English ones are accepted too, as is the volunteer list's own export.
COLUMNS = [
    ("prefix", "คำนำหน้า", "prefix", True),
    ("first_name", "ชื่อ", "first name", True),
    ("last_name", "นามสกุล", "surname", True),
    ("national_id", "เลขประจำตัวประชาชน", "national ID number", True),
    ("birth_date", "วันเกิด", "birth date", False),
    ("phone", "โทรศัพท์", "phone", False),
    ("address", "ที่อยู่", "address", False),
    ("subdistrict", "แขวง/ตำบล", "subdistrict", False),
    ("appointed_on", "วันที่แต่งตั้ง", "appointed on", False),
    ("team", "ทีม", "team", False),
]
EXAMPLE = [
    "นาง",
    "สมศรี",
    "ใจดี",
    "3-1012-00123-45-3",
    "15/08/2510",
    "081-234-5678",
    "99 ซ.เสรีไทย 41 ถ.เสรีไทย",
    "คลองกุ่ม",
    "24/04/2562",
    "ทีมผู้สูงอายุ",
]
HEADING_ALIASES = {
    "แขวง": "subdistrict",
    "ตำบล": "subdistrict",
    "เบอร์โทรศัพท์": "phone",
    "เลขบัตรประชาชน": "national_id",
    "teams": "team",
}


class RosterError(ValueError):
    """The file as a whole cannot be imported (not its rows): the message says why."""


@dataclass
class RosterRow:
    line: int  # as the spreadsheet numbers it, the heading being line 1
    shown: list[str]  # the cells as read, for the preview
    errors: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    team: Team | None = None


@dataclass
class Roster:
    rows: list[RosterRow]
    sha256: str

    @property
    def errors(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors


def sha256_of(file: IO[bytes]) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    while chunk := file.read(1024 * 1024):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def prefix_lookup() -> dict[str, str]:
    """นาง, Mrs, mrs → "mrs": Thai and English labels and the stored values."""
    found = {value: value for value in Prefix.values}
    for language in ("th", "en"):
        with translation.override(language):
            found.update({str(label).lower().rstrip("."): value for value, label in Prefix.choices})
    return found


def heading_keys(headings: list[Any]) -> list[str | None]:
    names: dict[str, str] = dict(HEADING_ALIASES)
    for key, thai, english, _required in COLUMNS:
        names.update({thai: key, english.lower(): key, key: key})
        with translation.override("th"):
            names[str(_(english)).lower()] = key
    return [names.get(str(h or "").strip().lower()) for h in headings]


def shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_roster(file: IO[bytes], center: Center) -> Roster:
    """Reads and checks the whole file; saves nothing. RosterError for the file as a
    whole (SpreadsheetError, no known headings, no rows)."""
    digest = sha256_of(file)
    cells = read_rows(file, max_rows=MAX_ROWS, max_columns=40)
    if not cells:
        raise RosterError(_("The file has no rows."))
    keys = heading_keys(cells[0])
    missing = [thai for key, thai, _e, required in COLUMNS if required and key not in keys]
    if missing:
        raise RosterError(
            _("The first row must hold the template's headings; missing: %(names)s.")
            % {"names": ", ".join(missing)}
        )
    checker = RowChecker(center)
    rows = []
    for index, values in enumerate(cells[1:], start=2):
        record = {key: value for key, value in zip(keys, values, strict=False) if key}
        row = RosterRow(line=index, shown=[shown(record.get(key)) for key, *_r in COLUMNS])
        checker.check(row, record)
        rows.append(row)
    if not rows:
        raise RosterError(_("The file has headings but no volunteers."))
    return Roster(rows=rows, sha256=digest)


class RowChecker:
    """Checks rows one by one against the centre (read once) and the rows before them."""

    def __init__(self, center: Center) -> None:
        self.center = center
        self.today = timezone.localdate()
        self.prefixes = prefix_lookup()
        self.taken = set(
            Volunteer.objects.filter(center=center).values_list("national_id", flat=True)
        )
        self.seen: dict[str, int] = {}
        places = Subdistrict.objects.filter(district_id=center.district_id)
        self.places: dict[str, Subdistrict] = {}
        for place in places:
            for name in (place.name_th, place.name_en.lower(), place.code):
                self.places[name] = place
            for head in ("แขวง", "ตำบล"):
                self.places[f"{head}{place.name_th}"] = place
        self.teams = {team.name: team for team in Team.objects.filter(center=center)}

    def check(self, row: RosterRow, record: dict[str, Any]) -> None:
        values, errors = row.values, row.errors

        def text(key: str, limit: int, required: bool = False) -> str:
            value = shown(record.get(key)).strip()
            if required and not value:
                errors.append(_("%(column)s is empty.") % {"column": column_name(key)})
            elif len(value) > limit:
                errors.append(
                    _("%(column)s is longer than %(limit)d characters.")
                    % {"column": column_name(key), "limit": limit}
                )
            return value

        prefix = text("prefix", 20, required=True)
        if prefix:
            values["prefix"] = self.prefixes.get(prefix.lower().rstrip("."))
            if values["prefix"] is None:
                errors.append(
                    _("Unknown prefix “%(value)s”: use นาย, นาง, นางสาว or อื่น ๆ.")
                    % {"value": prefix}
                )
        values["first_name"] = text("first_name", 100, required=True)
        values["last_name"] = text("last_name", 100, required=True)
        values["address"] = text("address", 300)
        self.check_id(row, record.get("national_id"))
        values["birth_date"] = self.date(row, record.get("birth_date"), "birth_date")
        values["appointed_on"] = self.date(row, record.get("appointed_on"), "appointed_on")
        self.check_phone(row, record.get("phone"))
        place = text("subdistrict", 150)
        values["subdistrict"] = None
        if place:
            values["subdistrict"] = self.places.get(place) or self.places.get(place.lower())
            if values["subdistrict"] is None:
                errors.append(
                    _("Unknown subdistrict “%(value)s”: it is not in this centre's district.")
                    % {"value": place}
                )
        team = text("team", 150)
        if team:
            row.team = self.teams.get(team)
            if row.team is None:
                errors.append(
                    _("Unknown team “%(value)s”: create it first, or leave the cell empty.")
                    % {"value": team}
                )

    def check_id(self, row: RosterRow, value: Any) -> None:
        if isinstance(value, int | float):  # Excel keeps a 13-digit ID as a number
            value = str(int(value))
        number = normalize_national_id(shown(value))
        row.values["national_id"] = number
        if not number:
            row.errors.append(_("%(column)s is empty.") % {"column": column_name("national_id")})
            return
        try:
            validate_national_id(number)
        except ValidationError as error:
            row.errors.extend(str(message) for message in error.messages)
            return
        if number in self.taken:
            row.errors.append(_("A volunteer with this national ID is already in this centre."))
        elif number in self.seen:
            row.errors.append(
                _("The same national ID as row %(line)d of this file.")
                % {"line": self.seen[number]}
            )
        else:
            self.seen[number] = row.line

    def check_phone(self, row: RosterRow, value: Any) -> None:
        if isinstance(value, int | float):
            # Excel drops a phone number's leading zero when the cell is a number.
            value = f"0{int(value)}"
        phone = normalize_phone(shown(value))
        row.values["phone"] = phone
        if phone:
            try:
                validate_phone(phone)
            except ValidationError as error:
                row.errors.extend(str(message) for message in error.messages)

    def date(self, row: RosterRow, value: Any, key: str) -> datetime.date | None:
        if value in (None, ""):
            return None
        try:
            if isinstance(value, datetime.datetime | datetime.date):
                day = value.date() if isinstance(value, datetime.datetime) else value
                # A Thai Excel date typed with a BE year is stored as that year.
                if day.year >= 2400:
                    day = day.replace(year=day.year - dates.BE_OFFSET)
            else:
                day = dates.parse_date(shown(value))
        except dates.AmbiguousDate:
            row.errors.append(
                _("%(column)s “%(value)s”: write the year in full (2562 or 2019).")
                % {"column": column_name(key), "value": shown(value)}
            )
            return None
        except ValueError:
            row.errors.append(
                _("%(column)s “%(value)s” is not a real date (day/month/year, BE or CE).")
                % {"column": column_name(key), "value": shown(value)}
            )
            return None
        if not datetime.date(1900, 1, 1) <= day <= self.today:
            row.errors.append(
                _("%(column)s “%(value)s” is not possible: it must be between 1900 and today.")
                % {"column": column_name(key), "value": shown(value)}
            )
            return None
        return day


def column_name(key: str) -> str:
    return next(thai for k, thai, _e, _r in COLUMNS if k == key)


class RosterChanged(Exception):
    """Someone registered one of the IDs between the check and the save."""


def import_roster(roster: Roster, center: Center) -> list[Volunteer]:
    """Every row or none: one transaction, with the history rows."""
    if not roster.ok:
        raise ValueError("a roster with errors is not imported")
    today = timezone.localdate()
    fields = [
        "prefix", "first_name", "last_name", "national_id", "birth_date", "phone",
        "address", "subdistrict", "appointed_on",
    ]  # fmt: skip
    try:
        with transaction.atomic():
            volunteers = bulk_create_with_history(
                [
                    Volunteer(center=center, **{name: row.values[name] for name in fields})
                    for row in roster.rows
                ],
                Volunteer,
                batch_size=500,
            )
            memberships = [
                TeamMembership(
                    volunteer=volunteer,
                    team=row.team,
                    joined_on=row.values["appointed_on"] or today,
                )
                for volunteer, row in zip(volunteers, roster.rows, strict=True)
                if row.team is not None
            ]
            bulk_create_with_history(memberships, TeamMembership, batch_size=500)
    except IntegrityError:
        raise RosterChanged from None
    return volunteers
