"""What every import from a spreadsheet shares (the volunteer roster, cases): a file read
(coordination/tabular.py refuses hostile ones), its headings matched to columns, every
row checked and shown before anything is saved, then saved all or none by the caller.

The checks that mean the same in every import live on ImportChecker (a national ID, a
phone, a BE/CE date, a subdistrict of the centre's district, a team of the centre), so
that a roster and a case sheet refuse the same cell with the same words."""

from __future__ import annotations

import contextlib
import datetime
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from coordination import dates
from coordination.choices import Prefix
from coordination.models import Center, Subdistrict
from coordination.tabular import read_rows
from coordination.validators import (
    mask_national_id,
    normalize_national_id,
    normalize_phone,
    plain_name,
    validate_national_id,
    validate_phone,
    visible,
)

# A district's roster is tens of volunteers, its cases hundreds; 5,000 leaves room for a
# province's.
MAX_ROWS = 5000


@dataclass(frozen=True)
class ImportColumn:
    key: str
    thai: str  # the template's heading
    english: str  # accepted too (and its Thai translation)
    required: bool = False  # the heading must be there (its cells may still be optional)


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (not its rows): the message says why."""


class ImportChanged(Exception):
    """The centre changed between the check and the save (a unique key was taken)."""


@dataclass
class ImportRow:
    line: int  # as the spreadsheet numbers it, the heading being line 1
    shown: list[str]  # the cells as read, for the preview
    errors: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    team: Any = None  # a Team of the centre (volunteers.models: an app above this one)


@dataclass
class ImportTable:
    rows: list[ImportRow]
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


def shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# A preview's cell is cut after this many characters: a cell of 32,767 (a spreadsheet's
# most) took the phone's browser some 40 seconds to lay out. The row's error says the
# field is too long; the import never takes a cut value.
PREVIEW_CHARS = 200


def cell_date(value: datetime.date | datetime.datetime) -> datetime.date:
    """A spreadsheet's date cell as the day it means: a Thai Excel date typed with a BE
    year is stored as that year (ValueError for a 29 February that year does not have)."""
    day = value.date() if isinstance(value, datetime.datetime) else value
    if day.year >= 2400:
        day = day.replace(year=day.year - dates.BE_OFFSET)
    return day


def preview(value: Any) -> str:
    """A cell as the preview shows it: a date as the pages write them (in the Buddhist
    Era on a Thai page; a spreadsheet's date cell is a date, not text; a BE year in it
    read as the import reads it: it showed 12/03/3026 for 2483), a long text cut."""
    if isinstance(value, datetime.datetime | datetime.date):
        day = value.date() if isinstance(value, datetime.datetime) else value
        with contextlib.suppress(ValueError):  # a 29 February its BE year lacks: as it is
            day = cell_date(day)
        return dates.format_date_input(day)
    return Truncator(shown(value)).chars(PREVIEW_CHARS)


def choice_lookup(
    choices: type[models.Choices], aliases: dict[str, Any] | None = None
) -> dict[str, Any]:
    """นาง, Mrs, mrs → "mrs": Thai and English labels and the stored values, lowercased
    and without a final full stop."""
    found = {str(value): value for value in choices.values}
    for language in ("th", "en"):
        with translation.override(language):
            found.update(
                {str(label).lower().rstrip("."): value for value, label in choices.choices}
            )
    return found | (aliases or {})


def prefix_lookup() -> dict[str, Any]:
    """The prefixes as written in full and as abbreviated on Thai lists (น.ส., ด.ช., ด.ญ.)."""
    return choice_lookup(Prefix, {"น.ส": "miss", "ด.ช": "boy", "ด.ญ": "girl"})


def heading_keys(
    headings: list[Any], columns: Sequence[ImportColumn], aliases: dict[str, str]
) -> list[str | None]:
    names: dict[str, str] = dict(aliases)
    for column in columns:
        names.update({column.thai: column.key, column.english.lower(): column.key})
        names[column.key] = column.key
        with translation.override("th"):
            names[str(_(column.english)).lower()] = column.key
    return [names.get(str(h or "").strip().lower()) for h in headings]


# The made-up person of the templates' example row (cases, volunteers): a row left in a
# filled template would import them as a real person.
EXAMPLE_NATIONAL_ID = "3101200123453"


class ImportChecker:
    """Checks rows one by one against the centre (read once) and the rows before them.
    A subclass says its columns and checks a row in `check`."""

    columns: Sequence[ImportColumn] = ()
    aliases: dict[str, str] = {}
    # The national IDs of the centre's records, each with who has it (its `taken_message`
    # names them), checked by `national_id`.
    taken_message = ""

    def __init__(self, center: Center, teams: Iterable[Any] = ()) -> None:
        """`teams`: the centre's teams, by name in the `team` column."""
        self.center = center
        self.today = timezone.localdate()
        self.taken: dict[str, str] = {}
        self.seen: dict[str, int] = {}
        self.places: dict[str, Subdistrict] = {}
        for place in Subdistrict.objects.filter(district_id=center.district_id):
            for name in (place.name_th, place.name_en.lower(), place.code):
                self.places[name] = place
            for head in ("แขวง", "ตำบล"):
                self.places[f"{head}{place.name_th}"] = place
        self.teams = {team.name: team for team in teams}

    def check(self, row: ImportRow, record: dict[str, Any]) -> None:
        raise NotImplementedError

    def column_name(self, key: str) -> str:
        return next(column.thai for column in self.columns if column.key == key)

    def name(self, row: ImportRow, record: dict[str, Any], key: str, required: bool = False) -> str:
        """A person's name, as the forms read it (NameFormField)."""
        return plain_name(self.text(row, record, key, 100, required))

    def text(
        self, row: ImportRow, record: dict[str, Any], key: str, limit: int, required: bool = False
    ) -> str:
        value = visible(shown(record.get(key))).strip()
        if required and not value:
            row.errors.append(_("%(column)s is empty.") % {"column": self.column_name(key)})
        elif len(value) > limit:
            # 5,000, as the pages write numbers.
            row.errors.append(
                _("%(column)s is longer than %(limit)s characters.")
                % {"column": self.column_name(key), "limit": f"{limit:,}"}
            )
        return value

    def choice(
        self, row: ImportRow, record: dict[str, Any], key: str, lookup: dict[str, Any], hint: str
    ) -> Any:
        """A cell naming one of `lookup`'s choices; None (and an error) for another text."""
        value = self.text(row, record, key, 50, required=self.required(key))
        if not value:
            return None
        found = lookup.get(value.lower().rstrip("."))
        if found is None:
            row.errors.append(
                _("Unknown %(column)s “%(value)s”: use %(choices)s.")
                % {"column": self.column_name(key), "value": value, "choices": hint}
            )
        return found

    def required(self, key: str) -> bool:
        return any(column.required for column in self.columns if column.key == key)

    def national_id(self, row: ImportRow, value: Any, *, required: bool) -> str:
        if isinstance(value, int | float):  # Excel keeps a 13-digit ID as a number
            value = str(int(value))
        number = normalize_national_id(shown(value))
        row.values["national_id"] = number
        if not number:
            if required:
                row.errors.append(
                    _("%(column)s is empty.") % {"column": self.column_name("national_id")}
                )
            return number
        try:
            validate_national_id(number)
        except ValidationError as error:
            row.errors.extend(str(message) for message in error.messages)
            return number
        if number == EXAMPLE_NATIONAL_ID:
            row.errors.append(
                _("This is the template's example row: delete it before importing the file.")
            )
        elif number in self.taken:
            row.errors.append(self.taken_message % {"who": self.taken[number]})
        elif number in self.seen:
            row.errors.append(
                _("The same national ID as row %(line)d of this file.")
                % {"line": self.seen[number]}
            )
        else:
            self.seen[number] = row.line
        return number

    def phone(self, row: ImportRow, value: Any) -> None:
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

    def date(self, row: ImportRow, value: Any, key: str) -> datetime.date | None:
        """A day typed (as typed in the messages) or a date cell (in the page's era)."""
        if value in (None, ""):
            return None
        try:
            if isinstance(value, datetime.datetime | datetime.date):
                day = cell_date(value)
            else:
                day = dates.parse_date(shown(value))
        except dates.AmbiguousDate:
            row.errors.append(
                _("%(column)s “%(value)s”: write the year in full (2562 or 2019).")
                % {"column": self.column_name(key), "value": preview(value)}
            )
            return None
        except ValueError:
            row.errors.append(
                _("%(column)s “%(value)s” is not a real date (day/month/year, BE or CE).")
                % {"column": self.column_name(key), "value": preview(value)}
            )
            return None
        if not datetime.date(1900, 1, 1) <= day <= self.today:
            row.errors.append(
                _("%(column)s “%(value)s” is not possible: it must be between 1900 and today.")
                % {"column": self.column_name(key), "value": preview(value)}
            )
            return None
        return day

    def subdistrict(self, row: ImportRow, record: dict[str, Any], key: str) -> Subdistrict | None:
        """By its Thai or English name or its code, in the centre's district (as the
        intake form's list offers them)."""
        place = self.text(row, record, key, 150)
        if not place:
            return None
        found = self.places.get(place) or self.places.get(place.lower())
        if found is None:
            row.errors.append(
                _("Unknown subdistrict “%(value)s”: it is not in this centre's district.")
                % {"value": place}
            )
        return found

    def team(self, row: ImportRow, record: dict[str, Any], key: str = "team") -> None:
        name = self.text(row, record, key, 150)
        if name:
            row.team = self.teams.get(name)
            if row.team is None:
                row.errors.append(
                    _("Unknown team “%(value)s”: create it first, or leave the cell empty.")
                    % {"value": name}
                )


def read_table(
    file: IO[bytes],
    checker: ImportChecker,
    *,
    no_rows_message: str,
) -> ImportTable:
    """Reads and checks the whole file; saves nothing. ImportFileError for the file as a
    whole (SpreadsheetError is left to the caller: not a spreadsheet, too large). National
    IDs are shown as a list shows them, masked (PDPA): every file's (the roster's were
    shown whole)."""
    digest = sha256_of(file)
    columns = checker.columns
    cells = read_rows(file, max_rows=MAX_ROWS, max_columns=40)
    if not cells:
        raise ImportFileError(_("The file has no rows."))
    keys = heading_keys(cells[0][1], columns, checker.aliases)
    # Two columns read as one: which of their cells would count was a guess.
    doubled = [column.thai for column in columns if keys.count(column.key) > 1]
    if doubled:
        raise ImportFileError(
            _("A column's heading appears twice: %(names)s. Keep one of each.")
            % {"names": ", ".join(doubled)}
        )
    missing = [column.thai for column in columns if column.required and column.key not in keys]
    if missing:
        raise ImportFileError(
            _("The first row must hold the template's headings; missing: %(names)s.")
            % {"names": ", ".join(missing)}
        )
    rows = []
    for line, values in cells[1:]:
        record = {key: value for key, value in zip(keys, values, strict=False) if key}
        row = ImportRow(line=line, shown=[preview(record.get(column.key)) for column in columns])
        checker.check(row, record)
        for position, column in enumerate(columns):
            if column.key == "national_id" and row.values.get(column.key):
                row.shown[position] = mask_national_id(row.values[column.key])
        rows.append(row)
    if not rows:
        raise ImportFileError(no_rows_message)
    return ImportTable(rows=rows, sha256=digest)
