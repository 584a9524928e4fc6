"""Cases from a spreadsheet (a ministry list of people in hardship): the columns, how a
row is checked as the intake form checks it, and how the rows become cases exactly as
intake opens one (Case.open): a number from the yearly counter, a history row by the
user, the opened event, the consent stamped when it is given. Reading, the shared
checks and the hostile files are coordination/imports.py's."""

from __future__ import annotations

import datetime
import re
from typing import IO, Any

from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, CaseEvent, CaseNumberCounter
from cases.models.case import TEXT_LIMIT
from coordination.choices import Sex, prefix_sex_mismatch
from coordination.dates import BE_OFFSET
from coordination.imports import (
    EXAMPLE_NATIONAL_ID,
    ImportChanged,
    ImportChecker,
    ImportColumn,
    ImportRow,
    ImportTable,
    choice_lookup,
    prefix_lookup,
    read_table,
)
from coordination.models import Center, TargetGroup
from coordination.validators import format_national_id
from volunteers.models import Team

COLUMNS = [
    ImportColumn("national_id", "เลขประจำตัวประชาชน", "national ID number"),
    ImportColumn("prefix", "คำนำหน้า", "prefix", True),
    ImportColumn("first_name", "ชื่อ", "first name", True),
    ImportColumn("last_name", "นามสกุล", "surname"),
    ImportColumn("sex", "เพศ", "sex", True),
    ImportColumn("birth_date", "วันเกิด", "birth date"),
    ImportColumn("estimated_age", "อายุโดยประมาณ", "estimated age"),
    ImportColumn("phone", "โทรศัพท์", "phone"),
    ImportColumn("house_no", "บ้านเลขที่", "house number"),
    ImportColumn("moo", "หมู่ที่", "village number (moo)"),
    ImportColumn("subdistrict", "แขวง/ตำบล", "subdistrict"),
    ImportColumn("target_groups", "กลุ่มเป้าหมาย", "target groups", True),
    ImportColumn("team", "ทีม", "team"),
    ImportColumn("problems", "ปัญหา", "problems"),
    ImportColumn("consent_given_by", "ผู้ให้ความยินยอม", "consent given by"),
    ImportColumn("consent_method", "วิธีให้ความยินยอม", "how consent was given"),
    ImportColumn("consent_purposes", "วัตถุประสงค์ที่ยินยอม", "purposes consented to"),
]
EXAMPLE = [
    format_national_id(EXAMPLE_NATIONAL_ID),
    "นาง",
    "บุญมี",
    "ทองดี",
    "หญิง",
    "12/03/2483",
    "",
    "081-234-5678",
    "45/2",
    "",
    "คลองกุ่ม",
    "ผู้สูงอายุ, ผู้ยากไร้",
    "ทีมผู้สูงอายุ",
    "อยู่ลำพัง รายได้ไม่พอค่าใช้จ่าย",
    "นางบุญมี ทองดี",
    "ลงนามในแบบฟอร์ม",
    "การประเมินและให้ความช่วยเหลือ, การส่งต่อหน่วยงาน",
]
HEADING_ALIASES = {
    "แขวง": "subdistrict",
    "ตำบล": "subdistrict",
    "หมู่": "moo",
    "เลขที่": "house_no",
    "เบอร์โทรศัพท์": "phone",
    "เลขบัตรประชาชน": "national_id",
    "อายุ": "estimated_age",
    "ปัญหาที่พบ": "problems",
}
# Several target groups or purposes in one cell: a comma, a semicolon or a new line.
LIST_SEPARATORS = re.compile(r"\s*[,;\n]\s*")


def read_cases(file: IO[bytes], center: Center) -> ImportTable:
    """Reads and checks the whole file; saves nothing. ImportFileError for the file as a
    whole, SpreadsheetError for one that is not a spreadsheet."""
    return read_table(
        file,
        CaseChecker(center),
        no_rows_message=_("The file has headings but no cases."),
    )


class CaseChecker(ImportChecker):
    columns = COLUMNS
    aliases = HEADING_ALIASES

    def __init__(self, center: Center) -> None:
        super().__init__(center, teams=Team.objects.filter(center=center))
        self.taken = dict(
            Case.objects.filter(center=center)
            .exclude(national_id="")
            .values_list("national_id", "number")
        )
        self.taken_message = _("Case %(who)s of this centre has this national ID number.")
        self.prefixes = prefix_lookup()
        self.sexes = choice_lookup(Sex)
        self.methods = choice_lookup(
            Case.ConsentMethod, {"ลงนาม": "signed", "วาจา": "verbal", "ด้วยวาจา": "verbal"}
        )
        self.purposes = choice_lookup(Case.ConsentPurpose)
        self.groups: dict[str, TargetGroup] = {}
        groups = list(TargetGroup.objects.all())
        for group in groups:
            for name in (group.name_th, group.name_en.lower(), group.code):
                self.groups[name] = group
        self.group_names = ", ".join(group.name_th for group in groups)

    def check(self, row: ImportRow, record: dict[str, Any]) -> None:
        values = row.values
        self.national_id(row, record.get("national_id"), required=False)
        values["prefix"] = self.choice(
            row, record, "prefix", self.prefixes, "นาย, นาง, นางสาว, เด็กชาย, เด็กหญิง, อื่น ๆ"
        )
        values["first_name"] = self.name(row, record, "first_name", required=True)
        values["last_name"] = self.name(row, record, "last_name")
        values["sex"] = self.choice(row, record, "sex", self.sexes, "หญิง, ชาย, อื่น ๆ")
        if mismatch := prefix_sex_mismatch(values["prefix"] or "", values["sex"] or ""):
            row.errors.append(mismatch)
        self.birth(row, record)
        self.phone(row, record.get("phone"))
        values["reg_house_no"] = self.text(row, record, "house_no", 20)
        values["reg_moo"] = self.text(row, record, "moo", 10)
        values["reg_subdistrict"] = self.subdistrict(row, record, "subdistrict")
        values["target_groups"] = self.target_groups(row, record)
        self.team(row, record)
        values["problems"] = self.text(row, record, "problems", TEXT_LIMIT)
        self.consent(row, record)

    def birth(self, row: ImportRow, record: dict[str, Any]) -> None:
        """A birth date, or only its year (1 January, as the intake form's tick box), or
        an estimated age dated today (it ages from there, Case.age)."""
        values, cell = row.values, record.get("birth_date")
        values["birth_year_only"] = False
        year = re.fullmatch(r"\d{4}", str(cell).strip()) if isinstance(cell, str | int) else None
        if year:
            number = int(year[0])
            values["birth_year_only"] = True
            cell = f"01/01/{number}"
        values["birth_date"] = self.date(row, cell, "birth_date")
        if year and values["birth_date"] is None:
            values["birth_year_only"] = False
        age = shown_number(record.get("estimated_age"))
        values["estimated_age"] = values["estimated_age_on"] = None
        if age == "":
            return
        if not age.isdecimal() or int(age) > 130:
            row.errors.append(
                _("%(column)s “%(value)s”: write an age in years, 0 to 130.")
                % {"column": self.column_name("estimated_age"), "value": age}
            )
            return
        values["estimated_age"], values["estimated_age_on"] = int(age), self.today

    def target_groups(self, row: ImportRow, record: dict[str, Any]) -> list[TargetGroup]:
        cell = self.text(row, record, "target_groups", 300, required=True)
        found: list[TargetGroup] = []
        for name in filter(None, LIST_SEPARATORS.split(cell)):
            group = self.groups.get(name) or self.groups.get(name.lower())
            if group is None:
                row.errors.append(
                    _("Unknown target group “%(value)s”: use %(choices)s.")
                    % {"value": name, "choices": self.group_names}
                )
            elif group not in found:
                found.append(group)
        return found

    def consent(self, row: ImportRow, record: dict[str, Any]) -> None:
        """As the intake form: consent is optional, but a method recorded needs who gave
        it and for which purposes."""
        values = row.values
        values["consent_given_by"] = self.text(row, record, "consent_given_by", 200)
        method = self.choice(
            row, record, "consent_method", self.methods, "ลงนามในแบบฟอร์ม, ด้วยวาจา มีพยาน"
        )
        values["consent_method"] = method or ""
        purposes: list[str] = []
        cell = self.text(row, record, "consent_purposes", 300)
        for name in filter(None, LIST_SEPARATORS.split(cell)):
            purpose = self.purposes.get(name.lower().rstrip("."))
            if purpose is None:
                row.errors.append(_("Unknown purpose of consent “%(value)s”.") % {"value": name})
            elif purpose not in purposes:
                purposes.append(purpose)
        values["consent_purposes"] = purposes
        if method and not (values["consent_given_by"] and purposes):
            row.errors.append(_("Record who gave consent and for which purposes."))


def shown_number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


CASE_FIELDS = [
    "national_id", "prefix", "first_name", "last_name", "sex", "birth_date",
    "birth_year_only", "estimated_age", "estimated_age_on", "phone", "reg_house_no",
    "reg_moo", "reg_subdistrict", "problems", "consent_given_by", "consent_method",
    "consent_purposes",
]  # fmt: skip


def import_cases(table: ImportTable, center: Center, *, by) -> list[Case]:
    """Every row or none, in one transaction. Each case as Case.open makes it, in bulk
    (one case at a time is ~10 queries; 5,000 rows would take minutes):
    - its number from the yearly counter, the block of numbers taken in one upsert;
    - a history row by `by`, holding its target groups;
    - the opened event, and the assigned event where a team is given;
    - the consent stamped with `by` and now where a method is given."""
    if not table.ok:
        raise ValueError("a file with errors is not imported")
    today, now = timezone.localdate(), timezone.now()
    year_be = today.year + BE_OFFSET
    try:
        with transaction.atomic():
            last = CaseNumberCounter.take_next(center.pk, year_be, count=len(table.rows))
            first = last - len(table.rows) + 1
            cases = [
                Case(
                    center=center,
                    number=f"{center.district_id}-{year_be}-{first + index:04d}",
                    opened_on=today,
                    team=row.team,
                    consent_recorded_by=by if row.values["consent_method"] else None,
                    consent_recorded_at=now if row.values["consent_method"] else None,
                    **{name: row.values[name] for name in CASE_FIELDS},
                )
                for index, row in enumerate(table.rows)
            ]
            Case.objects.bulk_create(cases, batch_size=500)
            through = Case.target_groups.through
            through.objects.bulk_create(
                [
                    through(case_id=case.pk, targetgroup_id=group.pk)
                    for case, row in zip(cases, table.rows, strict=True)
                    for group in row.values["target_groups"]
                ],
                batch_size=2000,
            )
            record_history(cases, by=by, at=now)
            CaseEvent.objects.bulk_create(
                [
                    CaseEvent(
                        case=case,
                        center=center,
                        kind=kind,
                        status_to=case.status if kind == CaseEvent.Kind.OPENED else "",
                        team=case.team if kind == CaseEvent.Kind.ASSIGNED else None,
                        by=by,
                        at=now,
                    )
                    for case in cases
                    for kind in (CaseEvent.Kind.OPENED, CaseEvent.Kind.ASSIGNED)
                    if kind == CaseEvent.Kind.OPENED or case.team is not None
                ],
                batch_size=1000,
            )
    except IntegrityError:
        # A national ID registered by intake between the check and the save.
        raise ImportChanged from None
    return cases


def record_history(cases: list[Case], *, by, at: datetime.datetime) -> None:
    """The "created" history rows, each with the case's target groups as simple-history
    keeps them (its own table of the many-to-many). Copied by PostgreSQL from the rows
    just inserted: simple-history's bulk_history_create builds each row again in Python,
    more than half of a 5,000-row import's time."""
    history = Case.history.model
    table, own = history._meta.db_table, {f.column for f in Case._meta.concrete_fields}
    copied = [f.column for f in history._meta.concrete_fields if f.column in own]
    m2m_history = apps.get_model("cases", "HistoricalCase_target_groups")._meta.db_table
    through = Case.target_groups.through._meta.db_table
    columns = ", ".join(f'"{column}"' for column in copied)
    ids = [case.pk for case in cases]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} ({columns}, history_date, history_user_id, history_type)
            SELECT {", ".join(f'old."{column}"' for column in copied)}, %s, %s, '+'
            FROM unnest(%s::bigint[]) AS new (id) JOIN {Case._meta.db_table} old USING (id)
            """,
            [at, by.pk if by else None, ids],
        )
        cursor.execute(
            f"""
            INSERT INTO {m2m_history} (id, case_id, targetgroup_id, history_id)
            SELECT link.id, link.case_id, link.targetgroup_id, record.history_id
            FROM unnest(%s::bigint[]) AS new (id)
            JOIN {through} link ON link.case_id = new.id
            JOIN {table} record ON record.id = new.id
            """,
            [ids],
        )
