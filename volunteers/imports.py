"""The volunteer roster import: the columns of a roster and how a row becomes a volunteer
and a team membership. Reading, checking and the hostile files are shared with the case
import (coordination/imports.py)."""

from __future__ import annotations

from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from coordination.imports import (
    EXAMPLE_NATIONAL_ID,
    ImportChanged,
    ImportChecker,
    ImportColumn,
    ImportRow,
    ImportTable,
    prefix_lookup,
    read_table,
)
from coordination.models import Center
from coordination.validators import format_national_id
from volunteers.models import Team, TeamMembership, Volunteer

# The template's headings are the Thai ones; English ones are accepted too, as is the
# volunteer list's own export.
COLUMNS = [
    ImportColumn("prefix", "คำนำหน้า", "prefix", True),
    ImportColumn("first_name", "ชื่อ", "first name", True),
    ImportColumn("last_name", "นามสกุล", "surname", True),
    ImportColumn("national_id", "เลขประจำตัวประชาชน", "national ID number", True),
    ImportColumn("birth_date", "วันเกิด", "birth date"),
    ImportColumn("phone", "โทรศัพท์", "phone"),
    ImportColumn("address", "ที่อยู่", "address"),
    ImportColumn("subdistrict", "แขวง/ตำบล", "subdistrict"),
    ImportColumn("appointed_on", "วันที่แต่งตั้ง", "appointed on"),
    ImportColumn("team", "ทีม", "team"),
]

EXAMPLE = [
    "นาง",
    "สมศรี",
    "ใจดี",
    format_national_id(EXAMPLE_NATIONAL_ID),
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


def read_roster(file: IO[bytes], center: Center) -> ImportTable:
    """Reads and checks the whole file; saves nothing. ImportFileError for the file as a
    whole (no known headings, no rows), SpreadsheetError for one that is not a spreadsheet."""
    return read_table(
        file, RowChecker(center), no_rows_message=_("The file has headings but no volunteers.")
    )


class RowChecker(ImportChecker):
    columns = COLUMNS
    aliases = HEADING_ALIASES

    def __init__(self, center: Center) -> None:
        super().__init__(center, teams=Team.objects.filter(center=center))
        self.prefixes = prefix_lookup()
        volunteers = Volunteer.objects.filter(center=center)
        ids = dict(volunteers.values_list("pk", "national_id"))
        self.taken = {ids[pk]: name for pk, name in volunteers.names()}
        self.taken_message = _("%(who)s, a volunteer of this centre, has this national ID.")

    def check(self, row: ImportRow, record: dict[str, Any]) -> None:
        values = row.values
        values["prefix"] = self.choice(
            row, record, "prefix", self.prefixes, "นาย, นาง, นางสาว, อื่น ๆ"
        )
        values["first_name"] = self.name(row, record, "first_name", required=True)
        values["last_name"] = self.name(row, record, "last_name", required=True)
        values["address"] = self.text(row, record, "address", 300)
        self.national_id(row, record.get("national_id"), required=True)
        values["birth_date"] = self.date(row, record.get("birth_date"), "birth_date")
        values["appointed_on"] = self.date(row, record.get("appointed_on"), "appointed_on")
        self.phone(row, record.get("phone"))
        values["subdistrict"] = self.subdistrict(row, record, "subdistrict")
        self.team(row, record)
        if not row.errors:  # the model's own rules, as the form applies them
            try:
                Volunteer(center=self.center, **values).clean()
            except ValidationError as error:
                row.errors.extend(str(message) for message in error.messages)


def import_roster(roster: ImportTable, center: Center, *, by=None) -> list[Volunteer]:
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
                default_user=by,
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
            bulk_create_with_history(memberships, TeamMembership, batch_size=500, default_user=by)
    except IntegrityError:
        raise ImportChanged from None
    return volunteers
