"""Generated centres for load tests and benchmarks: `small` (tests, seconds), `district`
(a few large centres, for iterating on performance) and `national` (928 centres, about
a million cases), or `--centres N --cases-per-centre M`.

Deterministic: every table's rows come from random generators seeded by (seed, table,
centre), so the same options on the same `--today` give the same rows, whatever order
the tables run in. The data obeys every constraint and trigger of the schema: most rows
go through them; the foreign keys of the loaded tables and the same-centre guards of the
three largest are off during the load and checked after it over whole tables, in the
same transaction (LoadChecks). The cases' `last_visit_at`/`next_visit_due` are set from
their visits exactly as `Case.refresh_visit_dates` would.

Rows go in with COPY (psycopg2's copy_expert), each row encoded once as a line of COPY
text (Rows.line), the COPYs sent by a thread of their own (Writer) while the next rows
are made, so that Python and PostgreSQL each keep a core busy. One function per table
in `TABLES`: a new table is one more function there, reading what it needs of the
centre's cases from memory (centre_cases: a statement would wait for the COPY under
way), and naming in LAST_ROWS the tables it finishes (their indexes, history and
statistics are then made). Referrals, assistance, plans and case conferences are
generated with their letter counters, status histories, decisions and case events;
debts, merges and missed-allowance dismissals are not (no page measured at scale lists
them yet).
"""

from __future__ import annotations

import array
import datetime
import io
import json
import queue
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone, translation

from cases.models import (
    Assistance,
    AssistanceCap,
    Case,
    CaseConference,
    CaseEvent,
    CaseNumberCounter,
    ConferenceAttendee,
    HomeVisit,
    HouseholdMember,
    IncomeSource,
    PlanAction,
    PlanGoal,
    Referral,
    ReferralLetterCounter,
    ReferralUpdate,
)
from cases.models.assistance import AssistanceKind, CapUse, fiscal_year, house_key
from cases.models.referrals import REPLY_DAYS
from coordination.models import Agency, Center, District, TargetGroup, User
from coordination.validators import with_check_digit
from volunteers.models import Team, TeamMembership, Volunteer

# (centres, cases per centre, cases of the first centre — the "large centre" a
# benchmark logs into). National: 928 districts, about 1,000,000 cases.
SCALES: dict[str, tuple[int, int, int]] = {
    "small": (2, 40, 60),
    "district": (3, 1500, 3000),
    "national": (928, 1075, 3000),
}
# Every generated login has this password. Generated data is for tests and benchmarks
# on a machine of one's own: never load it where real people's data lives.
PASSWORD = "generated-data-2569"
BANGKOK = datetime.timezone(datetime.timedelta(hours=7))
YEARS_OF_HISTORY = 5
CHUNK = 20_000
# Ids taken from a table's sequence at a time (the unused rest of the last block is a
# gap in the numbering, as a rolled-back insert leaves).
ID_BLOCK = 100_000

FIRST_NAMES_F = [
    "สมศรี",
    "มาลี",
    "อรุณี",
    "บุญมี",
    "ละเอียด",
    "จันทร์เพ็ญ",
    "พิมพ์ใจ",
    "สุดา",
    "กัลยา",
    "ประภา",
    "วันเพ็ญ",
    "สมปอง",
    "ทองใบ",
    "บัวผัน",
    "คำปุน",
    "ดวงใจ",
    "นงลักษณ์",
    "ปราณี",
    "รัตนา",
    "ศิริพร",
    "สายสุนีย์",
    "อำไพ",
    "เยาวลักษณ์",
    "ลำดวน",
]
FIRST_NAMES_M = [
    "ประเสริฐ",
    "วิชัย",
    "สมชาย",
    "ธนากร",
    "บุญส่ง",
    "สมบัติ",
    "ประยูร",
    "ทองดี",
    "สุรชัย",
    "อนันต์",
    "เกรียงไกร",
    "ชาญ",
    "บุญเลิศ",
    "สมาน",
    "ณรงค์",
    "ไพโรจน์",
    "วีระ",
    "สุชาติ",
    "จำลอง",
    "มนตรี",
    "ศักดิ์ชัย",
    "อุดม",
    "คำแก้ว",
    "ถนอม",
]
LAST_NAMES = [
    "ใจดี",
    "รักษ์ถิ่น",
    "ศรีสุข",
    "มั่นคง",
    "แสงทอง",
    "พึ่งตน",
    "เกื้อกูล",
    "ทองดี",
    "อ่อนน้อม",
    "สายบุญ",
    "เรียบร้อย",
    "ใฝ่ดี",
    "ยิ้มแย้ม",
    "บุญมา",
    "แก้วมณี",
    "สุขเจริญ",
    "ศรีวงศ์",
    "พรหมมา",
    "จันทร์หอม",
    "ทองคำ",
    "อินทร์แก้ว",
    "บุญเรือง",
    "ศรีประเสริฐ",
    "วงศ์สวัสดิ์",
    "มีสุข",
    "ชัยมงคล",
    "นาคสวัสดิ์",
    "สิทธิโชค",
    "คงเจริญ",
    "พูลผล",
]
PROBLEMS = (
    "ไม่มีรายได้ ต้องการเบี้ยยังชีพ",
    "ช่วยเหลือตนเองไม่ได้ ไม่มีผู้ดูแลในเวลากลางวัน",
    "บ้านทรุดโทรม หลังคารั่ว",
    "มีหนี้สิน ถูกฟ้องยึดบ้าน",
    "ผู้ดูแลไม่มีงานทำ",
    "ต้องการกายอุปกรณ์ รถเข็น",
    "เด็กออกจากโรงเรียนกลางคัน",
    "ถูกกระทำความรุนแรงในครอบครัว",
)
OCCUPATIONS = ("รับจ้างทั่วไป", "ค้าขาย", "เกษตรกร", "นักเรียน", "ว่างงาน", "")


@dataclass
class Run:
    """What every table's function shares: the options, the centres and the cursor."""

    seed: int
    today: datetime.date
    cursor: Any
    write: Callable[[str], None]
    writer: Writer
    centres: list[Centre] = field(default_factory=list)
    groups: list[TargetGroup] = field(default_factory=list)
    national_agencies: list[int] = field(default_factory=list)
    # With N > 1 the last centre is the first one's size and N times as old (--history).
    history: int = 1
    # table -> the next id of its block and the end of the block (reserve_ids)
    id_blocks: dict[str, tuple[int, int]] = field(default_factory=dict)

    def rng(self, table: str, centre: Centre | None = None, extra: object = "") -> random.Random:
        # A string seed is hashed by SHA-512, not by Python's per-process hash: stable.
        key = f"{self.seed}:{table}:{centre.district_id if centre else ''}:{extra}"
        return random.Random(key)

    def reserve_ids(self, model: type[models.Model], count: int) -> Iterator[int]:
        """`count` ids from the table's own sequence, so that children can name their
        parents before the parents are copied in. Taken from the sequence a block at a
        time: a statement per centre would wait for the COPY under way (Writer)."""
        if count == 0:
            return iter(())
        table = model._meta.db_table
        first, end = self.id_blocks.get(table, (0, 0))
        if end - first < count:
            size = max(count, ID_BLOCK)
            self.cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
            first = self.cursor.fetchone()[0]
            end = first + size
            self.cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, end - 1]
            )
        self.id_blocks[table] = (first + count, end)
        return iter(range(first, first + count))


@dataclass
class CentreCases:
    """A centre's cases as centre_cases gives them, a column each (0 for none)."""

    ids: array.array = field(default_factory=lambda: array.array("q"))
    teams: array.array = field(default_factory=lambda: array.array("q"))
    statuses: array.array = field(default_factory=lambda: array.array("b"))
    opened: array.array = field(default_factory=lambda: array.array("l"))
    closed: array.array = field(default_factory=lambda: array.array("l"))
    # The registered address in one number (Centre.address): assistance counts help per
    # house, and the cases' indexes are not there to read them back during the load.
    addresses: array.array = field(default_factory=lambda: array.array("q"))

    def add(self, pk: int, team: int | None, status: str, opened: datetime.date,
            closed: datetime.date | None, address: int) -> None:  # fmt: skip
        self.addresses.append(address)
        self.ids.append(pk)
        self.teams.append(team or 0)
        self.statuses.append(STATUS_NAMES.index(status))
        self.opened.append(opened.toordinal())
        self.closed.append(closed.toordinal() if closed else 0)


def case_house_keys(centre: Centre) -> dict[int, str]:
    """Case id -> its house key (Assistance.house_key), from the address `cases` made:
    the model's own function on the case's address fields, the others at their
    defaults, as the row has them."""
    defaults = {
        field.attname: field.get_default()
        for field in Case._meta.concrete_fields
        if field.attname == "current_same_as_registered" or field.attname in HOUSE_FIELDS
    }
    keys = {}
    for pk, address in zip(centre.cases.ids, centre.cases.addresses, strict=True):
        address, moo = divmod(address, 16)
        address, unit = divmod(address, 100)
        subdistrict, house = divmod(address, 1000)
        case = SimpleNamespace(**defaults)
        case.reg_house_no = f"{house}/{unit}"
        case.reg_moo = str(moo)
        case.reg_subdistrict_id = centre.subdistricts[subdistrict]
        keys[pk] = house_key(case)  # type: ignore[arg-type]
    return keys


@dataclass
class Centre:
    """A generated centre as the later tables need it."""

    pk: int
    district_id: str
    index: int
    case_count: int
    # Years of cases and visits. A centre of --history N has N times the cases over up
    # to N times the years, those opened before the last five years all closed: the same
    # work in hand as a centre of its size, N times its visits and history.
    years: int = YEARS_OF_HISTORY
    # The cases it would have without --history: what its volunteers are counted on.
    in_hand: int = 0
    coordinator_id: int = 0
    subdistricts: list[str | None] = field(default_factory=list)
    # target group id -> team id; team id -> user ids and volunteer ids of active members
    teams: dict[int, int] = field(default_factory=dict)
    members: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    member_users: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    # The centre's own agencies; case id -> (referral id, agency id, date) of done referrals
    agencies: list[int] = field(default_factory=list)
    cases: CentreCases = field(default_factory=lambda: CentreCases())
    done_referrals: dict[int, list[tuple[int, int, datetime.date]]] = field(
        default_factory=lambda: defaultdict(list)
    )


def copy_text(value: object) -> str:
    """One value in COPY's text format."""
    return ENCODERS[type(value)](value)


def _text(value: str) -> str:
    # Nearly every string needs no escape: looking costs less than four replaces.
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return (
            value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "")
        )
    return value


def _other(value: object) -> str:
    """A type not in ENCODERS: a subclass (a choices enum member), by what it is."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, list):
        return "{" + ",".join(str(item) for item in value) + "}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


# By exact type, one look-up per value (millions of them): the generator's hot spot.
ENCODERS: defaultdict[type, Callable[[Any], str]] = defaultdict(
    lambda: _other,
    {
        str: _text,
        int: str,
        Decimal: str,
        type(None): lambda value: r"\N",
        bool: lambda value: "t" if value else "f",
        datetime.date: datetime.date.isoformat,
        datetime.datetime: datetime.datetime.isoformat,
        list: lambda value: "{" + ",".join(map(str, value)) + "}",
        # JSON columns (a case event's details): the text COPY reads, escaped as text.
        dict: lambda value: _text(json.dumps(value, ensure_ascii=False)),
    },
)


class Copier:
    """Rows of one table into PostgreSQL by COPY, in chunks, with a progress line."""

    def __init__(
        self,
        run: Run,
        model_or_table: type[models.Model] | str,
        columns: list[str],
        parent: Copier | None = None,
    ):
        self.run = run
        # Rows that name a parent's rows go in after them: the same-centre triggers read
        # the parent row (foreign keys, deferred, would wait; the triggers do not).
        self.parent = parent
        self.table = (
            model_or_table if isinstance(model_or_table, str) else model_or_table._meta.db_table
        )
        self.columns = columns
        self.buffer: list[str] = []
        self.count = 0
        self.started = time.monotonic()
        self.reported = self.started

    def add(self, row: str | Iterable[object]) -> None:
        """A row: its values, or its line already encoded (Rows.line)."""
        self.buffer.append(row if type(row) is str else "\t".join(map(copy_text, row)))
        if len(self.buffer) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.parent is not None:
            self.parent.flush()
        if not self.buffer:
            return
        columns = ", ".join(f'"{column}"' for column in self.columns)
        self.run.writer.put(
            f'COPY "{self.table}" ({columns}) FROM STDIN', "\n".join(self.buffer) + "\n"
        )
        self.count += len(self.buffer)
        self.buffer = []
        if time.monotonic() - self.reported > 10:
            self.reported = time.monotonic()
            seconds = self.reported - self.started
            self.run.write(
                f"  {self.table}: {self.count:,} rows so far, {self.count / seconds:,.0f} rows/s"
            )

    def close(self) -> int:
        """Its rows are sent; they are in once the writer reports the table."""
        self.flush()
        count = self.count
        self.run.writer.later(lambda cursor: report(self.run, self.table, count, self.started))
        return count


class LockedCursor:
    """The main thread's cursor: a statement at a time with the writer's COPYs."""

    def __init__(self, cursor: Any, lock: threading.Lock):
        self.cursor, self.lock = cursor, lock

    def execute(self, statement: str, params: object = None) -> None:
        with self.lock:
            self.cursor.execute(statement, params)

    def __getattr__(self, name: str) -> Any:
        # fetchone, fetchall, rowcount: the rows came with execute, no statement runs.
        return getattr(self.cursor, name)


class Writer:
    """COPYs and other statements in a thread of their own, in the order given, on the
    run's connection (its own cursor; psycopg2 lets one connection serve threads, a
    statement at a time) while the main thread makes the next rows: PostgreSQL's work
    and Python's overlap, one core each. A table's report line is written here when its
    last rows are in. The main thread's statements take the lock (LockedCursor); the
    ORM's must wait for the queue to empty first (`wait`): one in the middle of a COPY
    would break it, and the load fail."""

    def __init__(self, connection: Any):
        self.cursor = connection.cursor()
        # psycopg2 does not keep a COPY whole against another thread's statement: each
        # statement of the main thread takes this lock (LockedCursor), as does each COPY.
        self.lock = threading.Lock()
        # A few chunks ahead at most: memory stays bounded whatever the scale.
        self.queue: queue.Queue[Callable[[Any], object] | None] = queue.Queue(maxsize=4)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self.work, name="generatedata-copy", daemon=True)
        self.thread.start()

    def work(self) -> None:
        while (item := self.queue.get()) is not None:
            try:
                if self.error is None:  # after a failure the rest is only drained
                    with self.lock:
                        item(self.cursor)
            except BaseException as error:  # noqa: BLE001 - handed to the main thread
                self.error = error
            finally:
                self.queue.task_done()
        self.queue.task_done()

    def put(self, statement: str, text: str) -> None:
        """A COPY of `text`'s lines."""
        data = io.BytesIO(text.encode())
        self.later(lambda cursor: cursor.copy_expert(statement, data, size=1 << 20))

    def later(self, work: Callable[[Any], object]) -> None:
        """`work(cursor)` once what was given before is done."""
        self.raise_error()
        self.queue.put(work)

    def wait(self) -> None:
        self.queue.join()
        self.raise_error()

    def raise_error(self) -> None:
        if self.error is not None:
            raise self.error

    def stop(self) -> None:
        self.queue.put(None)
        self.thread.join()


def report(run: Run, table: str, count: int, started: float) -> None:
    seconds = time.monotonic() - started
    rate = count / seconds if seconds > 0 else 0
    run.write(f"{table:<42} {count:>11,} rows {seconds:7.1f} s {rate:>10,.0f} rows/s")


MISSING = object()


class Rows:
    """A model's columns in table order, with Django's defaults for what a row omits
    (a field's default lives in Python, not in the database, so COPY must say it)."""

    def __init__(self, model: type[models.Model], *, ids: bool = False):
        # Without ids, the table's sequence numbers the rows; with them, the caller has
        # reserved them (Run.reserve_ids) to name the rows in their children.
        pk = model._meta.pk
        self.fields = [f for f in model._meta.concrete_fields if ids or f is not pk]
        self.columns = [f.column for f in self.fields]
        # Each default encoded once: most rows leave most columns at their default.
        self.pairs = [(f.attname, copy_text(f.get_default())) for f in self.fields]

    def line(self, **values: object) -> str:
        """The row's line in COPY's text format. Inlined (no call per value): this is
        where the generator spends most of its time."""
        encoders, missing = ENCODERS, MISSING
        return "\t".join(
            [
                default
                if (value := values.get(name, missing)) is missing
                else encoders[type(value)](value)
                for name, default in self.pairs
            ]
        )

    def copier(self, run: Run, model: type[models.Model], parent: Copier | None = None) -> Copier:
        return Copier(run, model, self.columns, parent)


def at(day: datetime.date, rng: random.Random) -> datetime.datetime:
    """A working-hours moment of `day`, Bangkok time."""
    return datetime.datetime.combine(
        day, datetime.time(rng.randint(8, 16), rng.randrange(0, 60, 5)), BANGKOK
    )


def person(rng: random.Random, female: bool | None = None) -> tuple[str, str, str, str]:
    """prefix, first name, last name, sex."""
    female = rng.random() < 0.6 if female is None else female
    first = rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)
    prefix = rng.choice(("mrs", "miss")) if female else "mr"
    return prefix, first, rng.choice(LAST_NAMES), "female" if female else "male"


# --- one function per table, in dependency order -------------------------------------------


def centres(run: Run, count: int, cases_per_centre: int, large_centre_cases: int) -> None:
    started = time.monotonic()
    districts = list(
        District.objects.filter(center__isnull=True)
        .order_by("code")[:count]
        .values_list("code", flat=True)
    )
    if len(districts) < count:
        raise CommandError(
            f"Only {len(districts)} districts have no centre yet; {count} were asked for."
        )
    rng = run.rng("centres")
    opened = run.today - datetime.timedelta(days=365 * YEARS_OF_HISTORY + 30)
    created = Center.objects.bulk_create(
        Center(
            name=f"ศูนย์ประสานงาน อพม. {code}",
            district_id=code,
            address=f"ที่ว่าการอำเภอ รหัส {code}",
            opened_on=opened,
            phone=f"02{rng.randrange(10**7):07d}",
        )
        for code in districts
    )
    for index, made in enumerate(created):
        size = large_centre_cases if index == 0 else round(cases_per_centre * rng.uniform(0.5, 1.5))
        run.centres.append(Centre(made.pk, made.district_id, index, size))
    if run.history > 1 and len(run.centres) > 1:
        old = run.centres[-1]
        old.in_hand = run.centres[0].case_count
        old.case_count = old.in_hand * run.history
        # No record is older than 2000 (visits, assistance): N times the cases within
        # at most the years since 2001.
        old.years = min(YEARS_OF_HISTORY * run.history, run.today.year - 2001)
        Center.objects.filter(pk=old.pk).update(
            opened_on=run.today - datetime.timedelta(days=365 * old.years + 30)
        )
    for centre in run.centres:
        centre.subdistricts = list(
            District.objects.get(code=centre.district_id).subdistricts.values_list(
                "code", flat=True
            )
        ) or [None]
    report(run, Center._meta.db_table, len(created), started)


def teams(run: Run) -> None:
    """The five teams of every centre, one per target group."""
    started = time.monotonic()
    rows = [
        Team(center_id=centre.pk, target_group=group, name=f"ทีม{group.name_th}")
        for centre in run.centres
        for group in run.groups
    ]
    Team.objects.bulk_create(rows, batch_size=5000)
    by_centre = {centre.pk: centre for centre in run.centres}
    for team in rows:
        by_centre[team.center_id].teams[team.target_group_id] = team.pk
    report(run, Team._meta.db_table, len(rows), started)


def coordinators(run: Run) -> None:
    """One coordinator per centre (`c<district>`), password PASSWORD. Second-factor
    devices are not generated: a benchmark enrols its own (cases/bench.py)."""
    rows = Rows(User, ids=True)
    copier = rows.copier(run, User)
    password = make_password(PASSWORD)
    ids = run.reserve_ids(User, len(run.centres))
    joined = timezone.now()
    for centre in run.centres:
        centre.coordinator_id = next(ids)
        copier.add(
            rows.line(
                id=centre.coordinator_id,
                password=password,
                username=f"c{centre.district_id}",
                first_name="ผู้ประสานงาน",
                last_name=centre.district_id,
                center_id=centre.pk,
                date_joined=joined,
                is_active=True,
            )
        )
    copier.close()
    run.writer.wait()  # the ORM's statement below
    group = Group.objects.get(name="coordinator")
    groups = Copier(run, User.groups.through._meta.db_table, ["user_id", "group_id"])
    for centre in run.centres:
        groups.add([centre.coordinator_id, group.pk])
    groups.close()


def volunteers(run: Run) -> None:
    """About one volunteer per ten cases; most active with a login (`v<district>-<n>`),
    some inactive or gone. Memberships: one team each, a few two, some ended."""
    rows, users = Rows(Volunteer, ids=True), Rows(User, ids=True)
    memberships = Rows(TeamMembership)
    volunteer_copier = rows.copier(run, Volunteer)
    user_copier = users.copier(run, User)
    membership_copier = memberships.copier(run, TeamMembership, parent=volunteer_copier)
    user_groups = Copier(
        run, User.groups.through._meta.db_table, ["user_id", "group_id"], parent=user_copier
    )
    run.writer.wait()  # the ORM's statement below
    group = Group.objects.get(name="volunteer")
    password = make_password(PASSWORD)
    now = timezone.now()
    for centre in run.centres:
        rng = run.rng("volunteers", centre)
        # Of the cases in hand: an older centre has no more volunteers.
        count = max(10, (centre.in_hand or centre.case_count) // 10)
        volunteer_ids = run.reserve_ids(Volunteer, count)
        user_ids = run.reserve_ids(User, count)
        team_ids = list(centre.teams.values())
        led: set[int] = set()
        for number in range(1, count + 1):
            pk = next(volunteer_ids)
            prefix, first, last, _sex = person(rng)
            status = rng.choices(("active", "inactive", "left"), (90, 6, 4))[0]
            # The first five volunteers lead the five teams: every team has a leader.
            team = team_ids[(number - 1) % len(team_ids)]
            leads = number <= len(team_ids)
            if leads:
                status = "active"
            user_id = None
            if status != "left" and (leads or rng.random() < 0.6):
                user_id = next(user_ids)
                user_copier.add(
                    users.line(
                        id=user_id,
                        password=password,
                        username=f"v{centre.district_id}-{number:04d}",
                        first_name=first,
                        last_name=last,
                        center_id=centre.pk,
                        date_joined=now,
                        is_active=True,
                    )
                )
                user_groups.add([user_id, group.pk])
            appointed = run.today - datetime.timedelta(days=rng.randrange(30, 365 * 8))
            volunteer_copier.add(
                rows.line(
                    id=pk,
                    center_id=centre.pk,
                    prefix=prefix,
                    first_name=first,
                    last_name=last,
                    national_id=with_check_digit(f"1{centre.district_id}{number:07d}"),
                    birth_date=datetime.date(rng.randint(1950, 1995), rng.randint(1, 12), 1),
                    phone=f"08{rng.randrange(10**8):08d}",
                    subdistrict_id=rng.choice(centre.subdistricts),
                    appointed_on=appointed,
                    status=status,
                    user_id=user_id,
                    created_at=now,
                    updated_at=now,
                )
            )
            teams_joined = [team]
            if rng.random() < 0.1:
                teams_joined.append(rng.choice([t for t in team_ids if t != team]))
            for joined_team in teams_joined:
                ended = status == "left"
                left_on = (
                    run.today - datetime.timedelta(days=rng.randrange(1, 30)) if ended else None
                )
                role = (
                    "leader"
                    if leads and joined_team == team and joined_team not in led
                    else "member"
                )
                if role == "leader":
                    led.add(joined_team)
                membership_copier.add(
                    memberships.line(
                        volunteer_id=pk,
                        team_id=joined_team,
                        role=role,
                        joined_on=appointed,
                        left_on=left_on,
                    )
                )
                if not ended:
                    centre.members[joined_team].append(pk)
                    if user_id:
                        centre.member_users[joined_team].append(user_id)
            # An earlier membership, ended: the team history the pages show.
            if rng.random() < 0.15:
                earlier = rng.choice(team_ids)
                membership_copier.add(
                    memberships.line(
                        volunteer_id=pk,
                        team_id=earlier,
                        role="member",
                        joined_on=appointed,
                        left_on=appointed + datetime.timedelta(days=rng.randrange(0, 29)),
                    )
                )
    user_copier.close()
    user_groups.close()
    volunteer_copier.close()
    membership_copier.close()


STATUSES = (
    ("intake", 8),
    ("assessed", 10),
    ("in_assistance", 26),
    ("follow_up", 26),
    ("closed", 30),
)
STATUS_NAMES = [name for name, _weight in STATUSES]
STATUS_WEIGHTS = [weight for _name, weight in STATUSES]
STATUS_PATH = ["intake", "assessed", "in_assistance", "follow_up", "closed"]


def cases(run: Run) -> None:
    """Cases over five years in every target group and status, with their target groups
    and the case number counters the next case created by hand continues from."""
    rows = Rows(Case, ids=True)
    copier = rows.copier(run, Case)
    groups_copier = Copier(
        run, Case.target_groups.through._meta.db_table, ["case_id", "targetgroup_id"], parent=copier
    )
    counters = Copier(run, CaseNumberCounter, ["center_id", "year_be", "last"])
    recent = run.today - datetime.timedelta(days=365 * YEARS_OF_HISTORY)
    group_codes = {group.code: group.pk for group in run.groups}
    group_order = [group.pk for group in run.groups]
    for centre in run.centres:
        rng = run.rng("cases", centre)
        start = run.today - datetime.timedelta(days=365 * centre.years)
        ids = run.reserve_ids(Case, centre.case_count)
        # A centre of --history opens as many cases in the last five years as one of its
        # size; the others before.
        recent_count = centre.in_hand or centre.case_count
        # Opened dates first, sorted, so that numbers run in opening order within a year.
        opened = sorted(
            [
                recent + datetime.timedelta(days=rng.randrange((run.today - recent).days))
                for _ in range(recent_count)
            ]
            + [
                start + datetime.timedelta(days=rng.randrange((recent - start).days))
                for _ in range(centre.case_count - recent_count)
            ]
        )
        sequence: dict[int, int] = defaultdict(int)
        for number, opened_on in enumerate(opened):
            pk = next(ids)
            year_be = opened_on.year + 543
            sequence[year_be] += 1
            age = rng.randint(1, 99)
            groups = [group_codes["elderly"]] if age >= 60 else []
            if age < 25:
                groups.append(group_codes["children_youth"])
            roll = rng.random()
            if roll < 0.3:
                groups.append(group_codes["disability"])
            elif roll < 0.6 or not groups:
                groups.append(group_codes["destitute"])
            female = rng.random() < 0.6
            if female and 18 <= age < 60 and rng.random() < 0.3:
                groups.append(group_codes["women"])
            groups = sorted(set(groups), key=group_order.index)
            status = rng.choices(STATUS_NAMES, STATUS_WEIGHTS)[0]
            # An older case is likelier to be closed; a case of last month, still at intake.
            if (run.today - opened_on).days < 30:
                status = rng.choice(("intake", "assessed"))
            team = centre.teams[groups[0]] if status != "intake" or rng.random() < 0.7 else None
            closed_on = reason = None
            if opened_on < recent:
                # Older than the last five years (a centre of --history): closed within
                # at most three years, before those five began.
                status = "closed"
            if status == "closed":
                closed_on = opened_on + datetime.timedelta(
                    days=rng.randrange(0, max(1, (run.today - opened_on).days))
                )
                if opened_on < recent:
                    closed_on = min(
                        opened_on + datetime.timedelta(days=rng.randrange(0, 3 * 365)),
                        recent - datetime.timedelta(days=1),
                    )
                reason = rng.choice(("resolved", "moved", "died", "refused", "referred_out"))
            prefix, first, last, sex = person(rng, female)
            if age < 15:
                prefix = "girl" if female else "boy"
            birth = datetime.date(run.today.year - age, rng.randint(1, 12), rng.randint(1, 28))
            housing = rng.choice(
                ("own_secure", "own_at_risk", "others_land", "rented", "relatives", "")
            )
            created = at(opened_on, rng)
            copier.add(
                rows.line(
                    id=pk,
                    center_id=centre.pk,
                    number=f"{centre.district_id}-{year_be}-{sequence[year_be]:04d}",
                    prefix=prefix,
                    first_name=first,
                    last_name=last,
                    sex=sex,
                    birth_date=birth,
                    # Most have an ID; unique in the centre.
                    national_id=with_check_digit(f"3{centre.district_id}{number:07d}")
                    if rng.random() < 0.85
                    else "",
                    phone=f"08{rng.randrange(10**8):08d}" if rng.random() < 0.7 else "",
                    has_welfare_card=rng.random() < 0.4,
                    disability_types=sorted(rng.sample(range(1, 8), rng.randint(1, 2)))
                    if group_codes["disability"] in groups
                    else [],
                    reg_house_no=f"{(house := rng.randint(1, 999))}/{(unit := rng.randint(1, 99))}",
                    reg_moo=str(moo := rng.randint(1, 15)),
                    reg_subdistrict_id=(subdistrict := rng.choice(centre.subdistricts)),
                    problems=rng.choice(PROBLEMS),
                    housing=housing,
                    monthly_rent=Decimal(rng.randrange(1000, 4000, 500))
                    if housing == "rented"
                    else None,
                    status=status,
                    priority=rng.choices((1, 2, 3, 4), (15, 60, 18, 7))[0],
                    team_id=team,
                    opened_on=opened_on,
                    closed_on=closed_on,
                    closure_reason=reason or "",
                    consent_given_by=f"{first} {last}",
                    consent_method="signed",
                    consent_purposes=["assistance", "referral"],
                    consent_recorded_by_id=centre.coordinator_id,
                    consent_recorded_at=created,
                    created_at=created,
                    updated_at=created,
                )
            )
            address = ((centre.subdistricts.index(subdistrict) * 1000 + house) * 100 + unit) * 16
            centre.cases.add(pk, team, status, opened_on, closed_on, address + moo)
            for group in groups:
                groups_copier.add([pk, group])
        for year_be, given in sequence.items():
            counters.add([centre.pk, year_be, given])
    copier.close()
    groups_copier.close()
    counters.close()


def centre_cases(run: Run, centre: Centre) -> Iterator[tuple]:
    """What the child tables need of a centre's cases, in id order: (id, team id, status,
    opened on, closed on), as `cases` made them (they do not change afterwards). Kept in
    arrays of numbers (about 30 bytes a case): a query per centre and table would wait
    for the COPY under way, and a million cases as tuples would take hundreds of MB."""
    kept = centre.cases
    fromordinal = datetime.date.fromordinal
    for pk, team, status, opened, closed in zip(
        kept.ids, kept.teams, kept.statuses, kept.opened, kept.closed, strict=True
    ):
        yield (
            pk,
            team or None,
            STATUS_NAMES[status],
            fromordinal(opened),
            fromordinal(closed) if closed else None,
        )


# Once: an enum's `.values` builds its list at each call.
RELATIONS = HouseholdMember.Relation.values
CONDITIONS = HouseholdMember.Condition.values


def household_members(run: Run) -> None:
    rows = Rows(HouseholdMember)
    copier = rows.copier(run, HouseholdMember)
    for centre in run.centres:
        rng = run.rng("household", centre)
        for case_id, *_rest in centre_cases(run, centre):
            for _ in range(rng.choices((0, 1, 2, 3, 4), (10, 25, 30, 20, 15))[0]):
                _prefix, first, last, _sex = person(rng)
                copier.add(
                    rows.line(
                        center_id=centre.pk,
                        case_id=case_id,
                        relation=rng.choice(RELATIONS),
                        name=f"{first} {last}",
                        age=rng.randint(1, 90),
                        occupation=rng.choice(OCCUPATIONS),
                        monthly_income=Decimal(rng.randrange(0, 12000, 500)),
                        condition=rng.choices(CONDITIONS, (80, 10, 10))[0],
                        can_care_for_self=rng.random() < 0.85,
                    )
                )
    copier.close()


INCOME_AMOUNTS = {
    "elderly_allowance": (600, 700, 800, 1000),
    "disability_allowance": (800, 1000),
    "child_grant": (600,),
    "family_support": (500, 1000, 2000, 3000),
    "wages": (3000, 4500, 6000, 9000),
    "other": (200, 500),
}


def incomes(run: Run) -> None:
    rows = Rows(IncomeSource)
    copier = rows.copier(run, IncomeSource)
    for centre in run.centres:
        rng = run.rng("incomes", centre)
        for case_id, *_rest in centre_cases(run, centre):
            count = rng.choices((0, 1, 2, 3), (15, 25, 35, 25))[0]
            for kind in rng.sample(list(INCOME_AMOUNTS), count):
                copier.add(
                    rows.line(
                        center_id=centre.pk,
                        case_id=case_id,
                        kind=kind,
                        amount=Decimal(rng.choice(INCOME_AMOUNTS[kind])),
                    )
                )
    copier.close()


def visit_count(rng: random.Random, status: str) -> int:
    if status == "intake":
        return rng.choices((0, 1), (70, 30))[0]
    return max(1, round(rng.expovariate(1 / 5.5)))


def visits(run: Run) -> None:
    """Home visits over each case's life, with the volunteers present, ending near today
    for open cases; the first case of the large centre is visited fortnightly for five
    years (the "case with many visits" of a benchmark). Then each case's visit dates,
    from its latest visit, as HomeVisit.save keeps them."""
    rows = Rows(HomeVisit, ids=True)
    copier = rows.copier(run, HomeVisit)
    present = Copier(
        run,
        HomeVisit.volunteers.through._meta.db_table,
        ["homevisit_id", "volunteer_id"],
        parent=copier,
    )
    events = Rows(CaseEvent)
    events_copier = events.copier(run, CaseEvent)
    for centre in run.centres:
        rng = run.rng("visits", centre)
        logged: dict[int, list[tuple[datetime.datetime, int]]] = defaultdict(list)
        planned = []
        for number, (case_id, team_id, status, opened_on, closed_on) in enumerate(
            centre_cases(run, centre)
        ):
            # Up to yesterday: a visit at a working hour of today could lie in the future.
            end = closed_on or run.today - datetime.timedelta(
                days=rng.choices((1, 15, 45, 120), (40, 30, 20, 10))[0]
            )
            end = min(end, run.today - datetime.timedelta(days=1))
            end = max(end, opened_on)
            span = (end - opened_on).days
            count = visit_count(rng, status)
            if centre.index == 0 and number == 0:
                opened_on, span, count = run.today - datetime.timedelta(days=5 * 365), 5 * 365, 130
            days = sorted({rng.randint(0, span) for _ in range(count)}) if span else [0][:count]
            for position, offset in enumerate(days):
                planned.append(
                    (case_id, team_id, opened_on + datetime.timedelta(days=offset), position == 0)
                )
        ids = run.reserve_ids(HomeVisit, len(planned))
        for case_id, team_id, day, first in planned:
            pk = next(ids)
            visited = at(day, rng)
            users = centre.member_users.get(team_id) or [centre.coordinator_id]
            team_members = centre.members.get(team_id) or []
            next_due = day + datetime.timedelta(days=rng.choice((14, 30, 30, 30, 60, 90)))
            author = rng.choice(users)
            logged[case_id].append((visited, author))
            copier.add(
                rows.line(
                    id=pk,
                    center_id=centre.pk,
                    case_id=case_id,
                    visited_at=visited,
                    author_id=author,
                    purpose="assessment"
                    if first
                    else rng.choices(("follow_up", "emergency"), (95, 5))[0],
                    findings="ผู้สูงอายุช่วยเหลือตนเองได้บางส่วน บ้านต้องซ่อมแซม",
                    needs=rng.choice(PROBLEMS),
                    actions="ให้คำแนะนำ ประสานหน่วยงานที่เกี่ยวข้อง",
                    adl_score=rng.randint(0, 20) if rng.random() < 0.3 else None,
                    referral_needed=rng.random() < 0.1,
                    next_visit_due=next_due,
                    created_at=visited,
                    updated_at=visited,
                )
            )
            for volunteer in rng.sample(
                team_members, min(len(team_members), rng.choice((1, 2, 2, 3)))
            ):
                present.add([pk, volunteer])
        # The centre's case events here, with its visits at hand (not read back).
        centre_events(run, centre, logged, events, events_copier)
    copier.close()
    present.close()
    events_copier.close()
    centre_ids = [centre.pk for centre in run.centres]

    def visit_dates(cursor: Any) -> None:
        # After the visits' COPYs (the writer's order), while the next tables are made.
        started = time.monotonic()
        cursor.execute(
            """
            UPDATE cases_case c SET last_visit_at = v.visited_at, next_visit_due = v.next_visit_due
            FROM (SELECT DISTINCT ON (case_id) case_id, visited_at, next_visit_due
                  FROM cases_homevisit WHERE center_id = ANY(%s)
                  ORDER BY case_id, visited_at DESC) v
            WHERE c.id = v.case_id
            """,
            [centre_ids],
        )
        report(run, "cases_case (visit dates)", cursor.rowcount, started)

    run.writer.later(visit_dates)


def centre_events(
    run: Run,
    centre: Centre,
    logged: dict[int, list[tuple[datetime.datetime, int]]],
    rows: Rows,
    copier: Copier,
) -> None:
    """A centre's case events: opening, assignment, each status change, each visit
    logged (`logged`: case id -> its visits' times and authors, in order), closing."""
    rng = run.rng("events", centre)
    for case_id, team_id, status, opened_on, closed_on in centre_cases(run, centre):
        coordinator = centre.coordinator_id
        opened = at(opened_on, rng)

        base = {"center_id": centre.pk, "case_id": case_id}

        def event(when: datetime.datetime, kind: str, by: int, base=base, **details) -> None:
            copier.add(rows.line(**base, at=when, kind=kind, by_id=by, **details))

        event(opened, "opened", coordinator, status_to="intake")
        if team_id:
            event(opened + datetime.timedelta(hours=1), "assigned", coordinator, team_id=team_id)
        for visited_at, author_id in logged.get(case_id, ()):
            event(visited_at + datetime.timedelta(hours=2), "visit_logged", author_id)
        path = STATUS_PATH[: STATUS_PATH.index(status) + 1]
        for step, (old, new) in enumerate(zip(path, path[1:], strict=False)):
            when = opened + datetime.timedelta(days=step * 7 + 3)
            if new == "closed":
                event(at(closed_on, rng), "closed", coordinator, status_from=old, status_to=new)
            else:
                event(when, "status", coordinator, status_from=old, status_to=new)


LOCAL_AGENCIES = (
    ("โรงพยาบาลส่งเสริมสุขภาพตำบล อำเภอ {code}", "hospital", "บริการสุขภาพ เยี่ยมบ้านผู้ป่วยติดเตียง"),
    ("สถานีตำรวจภูธร อำเภอ {code}", "police", "รับแจ้งความ คุ้มครองผู้ถูกกระทำความรุนแรง"),
    ("มูลนิธิเพื่อนบ้าน อำเภอ {code}", "ngo", "ถุงยังชีพ ซ่อมบ้าน ทุนการศึกษา"),
)


def agencies(run: Run) -> None:
    """A few local agencies per centre (a health centre, the police, a foundation), next
    to the national ones every centre refers to (seeded by a migration)."""
    run.writer.wait()  # the ORM's statement below
    run.national_agencies = list(
        Agency.objects.filter(center__isnull=True, active=True)
        .order_by("name")
        .values_list("pk", flat=True)
    )
    rows = Rows(Agency, ids=True)
    copier = rows.copier(run, Agency)
    for centre in run.centres:
        rng = run.rng("agencies", centre)
        for pk, (name, kind, services) in zip(
            run.reserve_ids(Agency, len(LOCAL_AGENCIES)), LOCAL_AGENCIES, strict=True
        ):
            centre.agencies.append(pk)
            copier.add(
                rows.line(
                    id=pk,
                    center_id=centre.pk,
                    name=name.format(code=centre.district_id),
                    kind=kind,
                    phone=f"0{rng.randrange(2, 8)}{rng.randrange(10**7):07d}",
                    area=f"อำเภอ {centre.district_id}",
                    services=services,
                    active=True,
                )
            )
    copier.close()


def agency_for(run: Run, centre: Centre, rng: random.Random) -> int:
    """Mostly a national agency (the district office, the 1300 hotline), else a local one."""
    if run.national_agencies and rng.random() < 0.7:
        return rng.choice(run.national_agencies)
    return rng.choice(centre.agencies)


REFERRAL_REASONS = (
    ("ผู้สูงอายุอยู่ลำพัง ไม่มีรายได้", "ขอรับการสงเคราะห์เงินอุดหนุนกรณีฉุกเฉิน"),
    ("ผู้ป่วยติดเตียง ผู้ดูแลไม่มีความรู้", "ขอให้ออกเยี่ยมบ้านและสอนการดูแล"),
    ("คนพิการยังไม่มีบัตรประจำตัวคนพิการ", "ขอให้ประเมินและออกบัตรประจำตัวคนพิการ"),
    ("ถูกฟ้องยึดบ้านจากหนี้นอกระบบ", "ขอคำปรึกษาทางกฎหมาย"),
    ("บ้านทรุดโทรม หลังคารั่ว", "ขอรับการปรับสภาพที่อยู่อาศัย"),
)
# Weights of each final status: recent referrals are mostly still waiting, older ones
# have mostly come back.
RECENT_STATUSES = (("sent", 50), ("acknowledged", 30), ("in_progress", 10),
                   ("done", 5), ("declined", 3), ("cancelled", 2))  # fmt: skip
OLDER_STATUSES = (("sent", 4), ("acknowledged", 4), ("in_progress", 8), ("done", 60),
                  ("declined", 14), ("cancelled", 10))  # fmt: skip
ENDED_STATUSES: tuple[tuple[str, int], ...] = (("done", 70), ("declined", 15), ("cancelled", 15))


def referral_path(status: str, rng: random.Random) -> list[str]:
    """The statuses a referral went through to reach `status`, allowed by TRANSITIONS."""
    if status == "sent":
        return ["sent"]
    if status in ("acknowledged", "in_progress"):
        return ["sent", "acknowledged", "in_progress"][: 2 if status == "acknowledged" else 3]
    if status == "done":
        return ["sent", "acknowledged", *(["in_progress"] if rng.random() < 0.6 else []), "done"]
    return ["sent", *(["acknowledged"] if rng.random() < 0.5 else []), status]


def referrals(run: Run) -> None:
    """About a third of the worked cases referred once or more, to national and local
    agencies, with letter numbers in sending order per centre and year (and the counters
    the next referral sent by hand continues from), each status change a row of its
    history in order of date, outcomes recorded and mostly read. A closed case's
    referrals have ended."""
    rows, updates = Rows(Referral, ids=True), Rows(ReferralUpdate)
    copier = rows.copier(run, Referral)
    update_copier = updates.copier(run, ReferralUpdate, parent=copier)
    counters = Copier(run, ReferralLetterCounter, ["center_id", "year_be", "last"])
    yesterday = run.today - datetime.timedelta(days=1)
    for centre in run.centres:
        rng = run.rng("referrals", centre)
        planned = []
        for case_id, _team, status, opened_on, closed_on in centre_cases(run, centre):
            if status == "intake" or rng.random() > 0.35:
                continue
            last = min(closed_on or yesterday, yesterday)
            for _ in range(rng.choices((1, 2, 3), (70, 22, 8))[0]):
                sent_on = opened_on + datetime.timedelta(
                    days=rng.randint(0, max(0, (last - opened_on).days))
                )
                planned.append((sent_on, case_id, closed_on is not None))
        planned.sort()
        ids = run.reserve_ids(Referral, len(planned))
        sequence: dict[int, int] = defaultdict(int)
        coordinator = centre.coordinator_id
        for sent_on, case_id, ended in planned:
            pk = next(ids)
            year_be = sent_on.year + 543
            sequence[year_be] += 1
            if ended:
                choices = ENDED_STATUSES
            else:
                choices = OLDER_STATUSES if (run.today - sent_on).days > 14 else RECENT_STATUSES
            status = rng.choices([s for s, _w in choices], [w for _s, w in choices])[0]
            path = referral_path(status, rng)
            days = [sent_on]
            for _step in path[1:]:
                days.append(min(days[-1] + datetime.timedelta(days=rng.randint(1, 20)), run.today))
            replied_on = days[1] if len(path) > 1 and path[1] != "cancelled" else None
            reason, requested = rng.choice(REFERRAL_REASONS)
            agency = agency_for(run, centre, rng)
            outcome = ""
            read_at = read_by = None
            if status in ("done", "declined"):
                outcome = (
                    "ได้รับความช่วยเหลือตามที่ขอ"
                    if status == "done"
                    else "ไม่เข้าหลักเกณฑ์ แนะนำให้ติดต่อหน่วยงานอื่น"
                )
                if rng.random() < 0.8:
                    read_day = min(days[-1] + datetime.timedelta(days=rng.randint(0, 5)), run.today)
                    read_at, read_by = at(read_day, rng), coordinator
            if status == "done":
                centre.done_referrals[case_id].append((pk, agency, days[-1]))
            copier.add(
                rows.line(
                    id=pk,
                    center_id=centre.pk,
                    case_id=case_id,
                    agency_id=agency,
                    reason=reason,
                    requested=requested,
                    documents="สำเนาบัตรประชาชน สำเนาทะเบียนบ้าน",
                    sent_on=sent_on,
                    reply_by=sent_on + datetime.timedelta(days=REPLY_DAYS),
                    letter_year_be=year_be,
                    letter_seq=sequence[year_be],
                    status=status,
                    replied_on=replied_on,
                    outcome=outcome,
                    outcome_read_at=read_at,
                    outcome_read_by_id=read_by,
                    created_by_id=coordinator,
                    created_at=at(sent_on, rng),
                    updated_at=at(days[-1], rng),
                )
            )
            previous = ""
            for step, day in zip(path, days, strict=True):
                update_copier.add(
                    updates.line(
                        center_id=centre.pk,
                        referral_id=pk,
                        status_from=previous,
                        status_to=step,
                        on=day,
                        note="ความต้องการเปลี่ยนไป" if step == "cancelled" else "",
                        by_id=coordinator,
                        at=at(day, rng),
                    )
                )
                previous = step
        for year_be, given in sequence.items():
            counters.add([centre.pk, year_be, given])
    copier.close()
    update_copier.close()
    counters.close()


# Kind → (weight, amounts in baht to choose from).
ASSISTANCE_KINDS: dict[str, tuple[int, tuple[int, ...]]] = {
    "goods": (25, (300, 500, 800, 1000)),
    "emergency_grant": (15, (1000, 1500, 2000, 3000)),
    "registration": (15, (0,)),
    "elderly_hardship": (10, (1000, 2000, 3000)),
    "disability_relief": (8, (1000, 2000, 3000)),
    "assistive_device": (8, (0, 2500, 4500)),
    "other": (8, (0, 500)),
    "legal_advice": (6, (0,)),
    "home_modification": (5, (10000, 20000, 30000, 40000)),
}
HOUSE_FIELDS = [
    f"{prefix}_{part}"
    for prefix in ("reg", "cur")
    for part in ("house_no", "moo", "village", "soi", "road", "subdistrict_id")
]


def assistance(run: Run) -> None:
    """Help given to about a third of the worked cases, within the caps in force on its
    date (AssistanceCap, counted per case or per house and fiscal year as
    Assistance.record counts them: what would pass a cap is not given), some of it after
    a referral came back done, each with its "assistance recorded" case event."""
    rows, events = Rows(Assistance), Rows(CaseEvent)
    copier = rows.copier(run, Assistance)
    event_copier = Copier(run, "cases_caseevent", events.columns)
    run.writer.wait()  # the ORM's statement below
    caps = list(AssistanceCap.objects.order_by("kind", "effective_from"))
    kinds = list(ASSISTANCE_KINDS)
    weights = [ASSISTANCE_KINDS[kind][0] for kind in kinds]
    yesterday = run.today - datetime.timedelta(days=1)

    def cap_for(kind: str, day: datetime.date) -> AssistanceCap | None:
        for cap in caps:
            if (
                cap.kind == kind
                and cap.effective_from <= day
                and (cap.effective_to is None or day <= cap.effective_to)
            ):
                return cap
        return None

    with translation.override("th"):
        labels = {kind: str(AssistanceKind(kind).label) for kind in kinds}
    for centre in run.centres:
        rng = run.rng("assistance", centre)
        houses = case_house_keys(centre)
        used: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0)])
        coordinator = centre.coordinator_id
        for case_id, _team, status, opened_on, closed_on in centre_cases(run, centre):
            if status == "intake" or rng.random() > 0.35:
                continue
            last = min(closed_on or yesterday, yesterday)
            given: list[tuple[datetime.date, str, int | None, int | None]] = []
            for referral, agency, finished in centre.done_referrals.get(case_id, ()):
                # Help the agency gave once it came back done (not after the case closed).
                if rng.random() < 0.4 and finished <= last:
                    day = min(finished + datetime.timedelta(days=rng.randint(0, 14)), last)
                    given.append((day, rng.choices(kinds, weights)[0], agency, referral))
            for _ in range(rng.choices((1, 2, 3, 4), (55, 25, 12, 8))[0]):
                day = opened_on + datetime.timedelta(
                    days=rng.randint(0, max(0, (last - opened_on).days))
                )
                by_agency = agency_for(run, centre, rng) if rng.random() < 0.3 else None
                given.append((day, rng.choices(kinds, weights)[0], by_agency, None))
            for day, kind, provider, after in sorted(given, key=lambda g: (g[0], g[1])):
                amount = Decimal(rng.choice(ASSISTANCE_KINDS[kind][1]))
                year = fiscal_year(day)
                cap = cap_for(kind, day)
                key = houses[case_id]
                if cap is not None:
                    scope = ("house", key) if cap.scope == "house" and key else ("case", case_id)
                    counted = used[(scope, kind, year)]
                    use = CapUse(cap, year, counted[0], counted[1])
                    if use.refuses(amount):
                        continue
                    counted[0] += 1
                    counted[1] += amount
                recorded = at(day, rng)
                copier.add(
                    rows.line(
                        center_id=centre.pk,
                        case_id=case_id,
                        kind=kind,
                        amount=amount,
                        provider_id=provider,
                        referral_id=after,
                        given_on=day,
                        fiscal_year=year,
                        house_key=key,
                        description=labels[kind],
                        by_id=coordinator,
                        recorded_at=recorded,
                    )
                )
                event_copier.add(
                    events.line(
                        center_id=centre.pk,
                        case_id=case_id,
                        at=recorded,
                        kind="assistance",
                        by_id=coordinator,
                        details={"help": kind, "amount": f"{amount:.2f}"},
                    )
                )
    copier.close()
    event_copier.close()


GOALS = (
    "มีรายได้พอใช้จ่ายในแต่ละเดือน",
    "ได้รับเบี้ยยังชีพครบตามสิทธิ",
    "มีผู้ดูแลในเวลากลางวัน",
    "บ้านปลอดภัย หลังคาไม่รั่ว",
    "กลับเข้าเรียนได้ตามปกติ",
    "ไม่ถูกยึดบ้าน",
)
ACTIONS = (
    "พาไปลงทะเบียนรับเบี้ยความพิการ",
    "ประสานโรงพยาบาลส่งเสริมสุขภาพตำบลเยี่ยมบ้าน",
    "ยื่นขอเงินสงเคราะห์กรณีฉุกเฉิน",
    "ติดตามผลการซ่อมบ้าน",
    "ประสานโรงเรียนเรื่องการกลับเข้าเรียน",
    "พาไปพบนิติกรเพื่อปรึกษาเรื่องหนี้",
)


CONFERENCE_PLACES = ("ห้องประชุมที่ว่าการอำเภอ {code}", "ศูนย์ประสานงาน อพม. {code}",
                     "โรงพยาบาลส่งเสริมสุขภาพตำบล อำเภอ {code}")  # fmt: skip
CONFERENCE_SUMMARIES = (
    "ทบทวนแผนช่วยเหลือรายกรณี มอบหมายผู้รับผิดชอบและกำหนดติดตามผล",
    "หารือกรณีซับซ้อนร่วมกับหน่วยงานสาธารณสุขและท้องถิ่น",
    "ประเมินความเสี่ยงและวางแผนส่งต่อหน่วยงานที่เกี่ยวข้อง",
)
ATTENDEES = (
    ("นางสาวพัชรี ใจงาม", "โรงพยาบาลส่งเสริมสุขภาพตำบล", "พยาบาลวิชาชีพ"),
    ("นายสมศักดิ์ มีชัย", "องค์การบริหารส่วนตำบล", "นักพัฒนาชุมชน"),
    ("นางวิไล ศรีสวัสดิ์", "ที่ว่าการอำเภอ", "ปลัดอำเภอ"),
    ("นายประสิทธิ์ ทองมา", "สถานีตำรวจภูธร", "รองสารวัตร"),
    ("นางสาวกนกวรรณ แสงดี", "โรงเรียนประจำตำบล", "ครูแนะแนว"),
)
DECISIONS = (
    "ส่งต่อโรงพยาบาลเพื่อประเมินภาวะสุขภาพ",
    "ประสาน อบต. เรื่องการปรับสภาพที่อยู่อาศัย",
    "เยี่ยมบ้านร่วมกับเจ้าหน้าที่สาธารณสุขทุกสองสัปดาห์",
    "ยื่นขอเงินสงเคราะห์ครอบครัวที่มีภาวะยากลำบาก",
    "หาผู้ดูแลในเวลากลางวันจากเครือข่ายในชุมชน",
)


def action_owner(rng: random.Random, members: list[int], weights: tuple[int, ...]) -> str:
    """Who a planned action falls to: its team, one of the team's volunteers (if it has
    any) or an agency."""
    owner = rng.choices(("team", "volunteer", "agency"), weights)[0]
    return "team" if owner == "volunteer" and not members else owner


def owner_columns(
    run: Run, centre, rng: random.Random, owner: str, team: int, members: list[int]
) -> dict:
    return {
        "owner_team_id": team if owner == "team" else None,
        "owner_volunteer_id": rng.choice(members) if owner == "volunteer" else None,
        "owner_agency_id": agency_for(run, centre, rng) if owner == "agency" else None,
    }


def action_outcome(
    run: Run,
    rng: random.Random,
    due_on: datetime.date,
    closed_on: datetime.date | None,
    start: datetime.date,
    last: datetime.date,
) -> tuple[str, datetime.date | None]:
    """A planned action's status and the day it was finished: done or not on a closed
    case, mostly done once due on an open one, planned before; finished around its due
    day, between its start and `last`."""
    state = "planned"
    if closed_on is not None:
        state = rng.choices(("done", "not_done"), (80, 20))[0]
    elif due_on < run.today:
        state = rng.choices(("done", "not_done", "planned"), (65, 15, 20))[0]
    if state == "planned":
        return state, None
    finished = due_on + datetime.timedelta(days=rng.randint(-5, 10))
    return state, max(start, min(finished, last))


def conferences(run: Run) -> None:
    """Case conferences (ประชุมทีมสหวิชาชีพ): about one every six weeks per centre over
    the five years, each discussing one to five of the cases worked and open on its
    day (about one case in ten is discussed at least once), with a few of the centre's
    volunteers and two or three people of other agencies present, the decisions as
    planned actions of their cases, and a "discussed at a case conference" event for
    each case discussed (as CaseConference.record does)."""
    conference_rows = Rows(CaseConference, ids=True)
    copier = conference_rows.copier(run, CaseConference)
    discussed_copier = Copier(
        run,
        CaseConference.cases.through._meta.db_table,
        ["caseconference_id", "case_id"],
        parent=copier,
    )
    present_copier = Copier(
        run,
        CaseConference.volunteers.through._meta.db_table,
        ["caseconference_id", "volunteer_id"],
        parent=copier,
    )
    attendee_rows = Rows(ConferenceAttendee)
    attendees = attendee_rows.copier(run, ConferenceAttendee, parent=copier)
    action_rows, events = Rows(PlanAction), Rows(CaseEvent)
    actions = action_rows.copier(run, PlanAction, parent=copier)
    event_copier = Copier(run, "cases_caseevent", events.columns)
    start = run.today - datetime.timedelta(days=365 * YEARS_OF_HISTORY)
    yesterday = run.today - datetime.timedelta(days=1)
    for centre in run.centres:
        rng = run.rng("conferences", centre)
        worked = [row for row in centre_cases(run, centre) if row[2] != "intake"]
        team_ids = list(centre.teams.values())
        everyone = sorted({pk for members in centre.members.values() for pk in members})
        days = sorted({start + datetime.timedelta(days=rng.randrange(365 * YEARS_OF_HISTORY))
                       for _ in range(round(YEARS_OF_HISTORY * 365 / 42 * len(worked) / 1000))})  # fmt: skip
        ids = run.reserve_ids(CaseConference, len(days))
        for held_on in days:
            pk = next(ids)
            place = rng.choice(CONFERENCE_PLACES).format(code=centre.district_id)
            created = at(held_on, rng)
            # Worked on that day: opened before it, not yet closed.
            open_then = [
                row for row in worked if row[3] <= held_on and (row[4] is None or row[4] >= held_on)
            ]
            if not open_then:
                continue
            chosen = rng.sample(open_then, min(len(open_then), rng.choice((1, 2, 2, 3, 4, 5))))
            copier.add(
                conference_rows.line(
                    id=pk,
                    center_id=centre.pk,
                    held_on=held_on,
                    place=place,
                    summary=rng.choice(CONFERENCE_SUMMARIES),
                    created_by_id=centre.coordinator_id,
                    created_at=created,
                )
            )
            for volunteer in rng.sample(everyone, min(len(everyone), rng.randint(2, 5))):
                present_copier.add([pk, volunteer])
            for name, organisation, position in rng.sample(ATTENDEES, rng.randint(2, 3)):
                attendees.add(
                    attendee_rows.line(
                        conference_id=pk,
                        name=name,
                        organisation=f"{organisation} อำเภอ {centre.district_id}",
                        position=position,
                    )
                )
            for case_id, team_id, _status, _opened_on, closed_on in sorted(chosen):
                discussed_copier.add([pk, case_id])
                event_copier.add(
                    events.line(
                        center_id=centre.pk,
                        case_id=case_id,
                        at=created,
                        kind="conference",
                        by_id=centre.coordinator_id,
                        details={"held_on": held_on.isoformat(), "place": place},
                    )
                )
                if rng.random() < 0.3:
                    continue  # discussed, nothing new decided
                team = team_id or rng.choice(team_ids)
                members = centre.members.get(team) or []
                owner = action_owner(rng, members, (50, 25, 25))
                due_on = held_on + datetime.timedelta(days=rng.randint(7, 60))
                last = min(closed_on or yesterday, yesterday)
                state, finished = action_outcome(run, rng, due_on, closed_on, held_on, last)
                actions.add(
                    action_rows.line(
                        center_id=centre.pk,
                        case_id=case_id,
                        what=rng.choice(DECISIONS),
                        **owner_columns(run, centre, rng, owner, team, members),
                        due_on=due_on,
                        status=state,
                        finished_on=finished,
                        conference_id=pk,
                        created_by_id=centre.coordinator_id,
                        created_at=created,
                    )
                )
    copier.close()
    discussed_copier.close()
    present_copier.close()
    attendees.close()
    actions.close()
    event_copier.close()


def plans(run: Run) -> None:
    """A plan for about two in five worked cases: a goal or two (achieved on some closed
    cases) and a few dated steps, each owned by exactly one of the case's team, one of
    its volunteers or an agency; steps past their date are mostly done, a closed case
    has none still planned. Each plan logs its "case plan changed" event."""
    goal_rows, action_rows, events = Rows(PlanGoal), Rows(PlanAction), Rows(CaseEvent)
    goals = goal_rows.copier(run, PlanGoal)
    actions = action_rows.copier(run, PlanAction)
    event_copier = Copier(run, "cases_caseevent", events.columns)
    yesterday = run.today - datetime.timedelta(days=1)
    for centre in run.centres:
        rng = run.rng("plans", centre)
        coordinator = centre.coordinator_id
        team_ids = list(centre.teams.values())
        for case_id, team_id, status, opened_on, closed_on in centre_cases(run, centre):
            if status == "intake" or rng.random() > 0.4:
                continue
            planned_on = min(opened_on + datetime.timedelta(days=rng.randint(1, 14)), yesterday)
            created = at(planned_on, rng)
            last = min(closed_on or yesterday, yesterday)
            for text in rng.sample(GOALS, rng.choice((1, 1, 2))):
                achieved = closed_on is not None and rng.random() < 0.7
                goals.add(
                    goal_rows.line(
                        center_id=centre.pk,
                        case_id=case_id,
                        text=text,
                        achieved=achieved,
                        achieved_on=last if achieved else None,
                    )
                )
            team = team_id or rng.choice(team_ids)
            for what in rng.sample(ACTIONS, rng.randint(1, 4)):
                members = centre.members.get(team) or []
                owner = action_owner(rng, members, (40, 35, 25))
                due_on = planned_on + datetime.timedelta(days=rng.randint(7, 120))
                state, finished = action_outcome(run, rng, due_on, closed_on, planned_on, last)
                actions.add(
                    action_rows.line(
                        center_id=centre.pk,
                        case_id=case_id,
                        what=what,
                        **owner_columns(run, centre, rng, owner, team, members),
                        due_on=due_on,
                        status=state,
                        finished_on=finished,
                        created_by_id=coordinator,
                        created_at=created,
                    )
                )
            event_copier.add(
                events.line(
                    center_id=centre.pk,
                    case_id=case_id,
                    at=created,
                    kind="plan_changed",
                    by_id=coordinator,
                )
            )
    goals.close()
    actions.close()
    event_copier.close()


# Tables with a change history -> their model and which of their rows are generated.
HISTORY_OF: dict[str, tuple[type[models.Model], str]] = {
    "cases_case": (Case, "center_id = ANY(%(ids)s)"),
    "cases_householdmember": (HouseholdMember, "center_id = ANY(%(ids)s)"),
    "cases_incomesource": (IncomeSource, "center_id = ANY(%(ids)s)"),
    "cases_homevisit": (HomeVisit, "center_id = ANY(%(ids)s)"),
    "volunteers_volunteer": (Volunteer, "center_id = ANY(%(ids)s)"),
    "volunteers_team": (Team, "center_id = ANY(%(ids)s)"),
    "volunteers_teammembership": (
        TeamMembership,
        "team_id IN (SELECT id FROM volunteers_team WHERE center_id = ANY(%(ids)s))",
    ),
}


def history(run: Run, table: str) -> str | None:
    """One "created" row in the change history of each generated row of `table`, as
    django-simple-history writes when a row is saved through the ORM, inserted by the
    writer once the table's last rows are in; the history table's name, if it has one."""
    if table not in HISTORY_OF:
        return None
    model, where = HISTORY_OF[table]
    ids = [centre.pk for centre in run.centres]
    historical = model.history.model  # type: ignore[attr-defined]  # simple-history's
    columns = [
        f.column
        for f in model._meta.concrete_fields
        if f.column in {h.column for h in historical._meta.concrete_fields}
    ]
    stamp = "created_at" if "created_at" in columns else "now()"
    listed = ", ".join(f'"{c}"' for c in columns)
    statement = f"""
        INSERT INTO "{historical._meta.db_table}" ({listed}, history_date, history_type, history_change_reason)
        SELECT {listed}, {stamp}, '+', NULL FROM "{table}" WHERE {where}
        """

    def insert(cursor: Any) -> None:
        started = time.monotonic()
        cursor.execute(statement, {"ids": ids})
        report(run, historical._meta.db_table, cursor.rowcount, started)

    run.writer.later(insert)
    return historical._meta.db_table


# The tables the generator fills row by row, by volume: their foreign keys are dropped
# for the load and added back after it (PostgreSQL then checks each key over the whole
# table in one join, instead of one lookup per row queued until the commit).
LOADED_TABLES = [
    "coordination_user_groups", "volunteers_volunteer", "volunteers_teammembership",
    "cases_case", "cases_case_target_groups", "cases_householdmember", "cases_incomesource",
    "cases_homevisit", "cases_homevisit_volunteers", "cases_caseevent", "cases_referral",
    "cases_referralupdate", "cases_assistance", "cases_plangoal", "cases_planaction",
    "cases_historicalcase", "cases_historicalhouseholdmember", "cases_historicalincomesource",
    "cases_historicalhomevisit", "volunteers_historicalvolunteer", "cases_caseconference",
    "cases_caseconference_cases", "cases_caseconference_volunteers", "cases_conferenceattendee",
    "volunteers_historicalteammembership",
]  # fmt: skip
# The same-centre guards of the largest tables (a query per row), off for the load; then
# what each guards is checked in one query over the whole table, which must find no row
# (the same condition as the trigger's; their other half, that the rows named exist, is
# the foreign keys' check). The guards of smaller tables stay on.
BYPASSED_GUARDS: dict[str, tuple[str, str]] = {
    "same_centre_guard_case_team": (
        "cases_case",
        """SELECT c.id FROM cases_case c JOIN volunteers_team t ON t.id = c.team_id
           WHERE t.center_id <> c.center_id LIMIT 1""",
    ),
    "same_centre_guard_visit_volunteer": (
        "cases_homevisit_volunteers",
        """SELECT hv.id FROM cases_homevisit_volunteers hv
           JOIN cases_homevisit h ON h.id = hv.homevisit_id
           JOIN volunteers_volunteer v ON v.id = hv.volunteer_id
           WHERE v.center_id <> h.center_id LIMIT 1""",
    ),
    "same_centre_guard_referral_update": (
        "cases_referralupdate",
        """SELECT u.id FROM cases_referralupdate u JOIN cases_referral r ON r.id = u.referral_id
           WHERE r.center_id <> u.center_id LIMIT 1""",
    ),
    "same_centre_guard_case_event_team": (
        "cases_caseevent",
        """SELECT e.id FROM cases_caseevent e JOIN volunteers_team t ON t.id = e.team_id
           JOIN cases_case c ON c.id = e.case_id WHERE t.center_id <> c.center_id LIMIT 1""",
    ),
}


# Indexes kept through the load. The cases' visit dates are an UPDATE after their COPY: with
# no index on a column it sets, PostgreSQL may write a row's new version beside the old
# (a HOT update), and an index then built in the same transaction is one that transaction
# may not use (pg_index.indcheckxmin): the tests' plans of generated data, taken in their
# own transaction, would read whole tables. An index on last_visit_at makes every such
# update a plain one.
KEPT = {"case_center_last_visit"}


class LoadChecks:
    """Foreign keys and the largest tables' guards off for the load and checked after it,
    in the load's transaction: if a check fails, nothing of the load stays, and if the
    load fails, the rollback puts the keys and triggers back as they were. While it runs,
    the tables are locked (ALTER TABLE): generate into a database nobody is using."""

    def __init__(self, run: Run):
        self.run = run
        run.cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) "
            "ORDER BY 1, 2",
            [LOADED_TABLES],
        )
        self.foreign_keys = run.cursor.fetchall()
        # Their indexes but those of a constraint (primary keys, unique constraints, and
        # any index a foreign key names): built once after the load, by sorting, instead
        # of row by row. A unique index rebuilt checks its rows as it is built. Nothing
        # reads these tables by them during the load (centre_cases, case_house_keys).
        run.cursor.execute(
            "SELECT c.relname, i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = ANY(%s::regclass[]) AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid) ORDER BY 1, 2",
            [LOADED_TABLES],
        )
        self.indexes = [index for index in run.cursor.fetchall() if index[1] not in KEPT]

    def __enter__(self) -> LoadChecks:
        cursor = self.run.cursor
        # The rows the ORM wrote before (centres, logins, teams) have their checks and
        # data stamps queued; ALTER TABLE and CREATE INDEX refuse a table with any.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        # The data stamps' triggers (a queued event a row: millions) are off for the
        # load; the load moves every stamp on once, at the end (check()).
        cursor.execute(
            "SELECT tgrelid::regclass::text FROM pg_trigger "
            "WHERE tgname = 'data_stamp' AND tgrelid = ANY(%s::regclass[]) ORDER BY 1",
            [LOADED_TABLES],
        )
        self.stamped = [table for (table,) in cursor.fetchall()]
        for table in self.stamped:
            cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER data_stamp')
        for table, name, _definition in self.foreign_keys:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for trigger, (table, _check) in BYPASSED_GUARDS.items():
            cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER "{trigger}"')
        for _table, name, _definition in self.indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        # Sorting for the builds in memory (the default 64 MB spills at national scale).
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        return self

    def build(self, tables: Iterable[str]) -> None:
        """For `tables`, which take no more rows: their history rows, and their indexes
        and their history's, built by the writer after their last rows while the next
        tables are made."""
        for table in tables:
            self.build_indexes(table)
            if (historical := history(self.run, table)) is not None:
                self.build_indexes(historical)

    def build_indexes(self, table: str) -> None:
        """And fresh statistics (ANALYZE counts the rows of its own transaction): the
        planner must not take a million rows for an empty table."""
        definitions = [d for t, _name, d in self.indexes if t == table]
        self.indexes = [index for index in self.indexes if index[0] != table]

        def build(cursor: Any) -> None:
            started = time.monotonic()
            for definition in definitions:
                cursor.execute(definition)
            cursor.execute(f'ANALYZE "{table}"')
            report(self.run, f"{table} (indexes, ANALYZE)", len(definitions), started)

        self.run.writer.later(build)

    def check(self) -> None:
        """Guards back on and their invariants checked; foreign keys back and checked."""
        self.run.writer.wait()
        started = time.monotonic()
        cursor = self.run.cursor
        # ALTER TABLE refuses a table with checks still queued (the rows the ORM wrote).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for trigger, (table, check) in BYPASSED_GUARDS.items():
            cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER "{trigger}"')
            cursor.execute(check)
            if (bad := cursor.fetchone()) is not None:
                raise CommandError(f"{table} row {bad[0]} breaks {trigger}: nothing was saved.")
        report(self.run, "(same-centre guards checked)", len(BYPASSED_GUARDS), started)
        for table in sorted({table for table, _name, _definition in self.indexes}):
            self.build_indexes(table)
        self.run.writer.wait()
        started = time.monotonic()
        for table, name, definition in self.foreign_keys:
            cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        report(self.run, "(foreign keys checked)", len(self.foreign_keys), started)
        for table in self.stamped:
            cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER data_stamp')
        # What every process kept of the centres' pages is of data that is gone.
        cursor.execute(
            "INSERT INTO coordination_datastamp (scope, version) "
            "SELECT id, 1 FROM coordination_center UNION ALL SELECT 0, 1 "
            "ON CONFLICT (scope) DO UPDATE SET version = coordination_datastamp.version + 1"
        )

    def __exit__(self, kind, error, traceback) -> None:
        if kind is None:
            self.check()


# Tables that take no more rows once a table's function has run: their indexes are
# built then (LoadChecks.build), the others' at the end.
LAST_ROWS: dict[str, list[str]] = {
    "volunteers": [
        "coordination_user_groups",
        "volunteers_volunteer",
        "volunteers_teammembership",
        "volunteers_team",
    ],
    "cases": ["cases_case_target_groups"],
    "household_members": ["cases_householdmember"],
    "incomes": ["cases_incomesource"],
    # The cases after their visit dates (an UPDATE queued by visits).
    "visits": ["cases_homevisit", "cases_homevisit_volunteers", "cases_case"],
    "referrals": ["cases_referral", "cases_referralupdate"],
    "assistance": ["cases_assistance"],
    "conferences": [
        "cases_caseconference",
        "cases_caseconference_cases",
        "cases_caseconference_volunteers",
        "cases_conferenceattendee",
    ],
    "plans": ["cases_plangoal", "cases_planaction", "cases_caseevent"],
}


ANALYZED_AT_THE_END = [
    "coordination_center", "coordination_user", "volunteers_team", "coordination_agency",
    "cases_casenumbercounter", "cases_referrallettercounter", "volunteers_historicalteam",
]  # fmt: skip


TABLES: list[Callable[[Run], None]] = [
    teams,
    coordinators,
    volunteers,
    cases,
    household_members,
    incomes,
    visits,
    agencies,
    referrals,
    assistance,
    conferences,
    plans,
]


def generate(
    *,
    centre_count: int,
    cases_per_centre: int,
    large_centre_cases: int,
    seed: int = 2569,
    history: int = 1,
    today: datetime.date | None = None,
    write: Callable[[str], None] = print,
) -> list[Centre]:
    """Generates the centres in one transaction: a failure leaves nothing behind."""
    with transaction.atomic(), connection.cursor() as cursor:
        writer = Writer(cursor.cursor.connection)
        run = Run(
            seed=seed,
            today=today or timezone.localdate(),
            cursor=LockedCursor(cursor.cursor, writer.lock),
            write=write,
            writer=writer,
            history=history,
        )
        run.groups = list(TargetGroup.objects.order_by("position"))
        # One transaction that writes a lot: no need to wait for its WAL at each flush.
        cursor.execute("SET LOCAL synchronous_commit = off")
        try:
            with LoadChecks(run) as checks:
                centres(run, centre_count, cases_per_centre, large_centre_cases)
                for table in TABLES:
                    table(run)
                    checks.build(LAST_ROWS.get(table.__name__, ()))
        finally:
            writer.stop()
    with connection.cursor() as cursor:
        # The other tables' statistics (LoadChecks.build_indexes did the large ones').
        started = time.monotonic()
        cursor.execute(f"ANALYZE {', '.join(ANALYZED_AT_THE_END)}")
        report(run, "ANALYZE", len(ANALYZED_AT_THE_END), started)
    return run.centres


class Command(BaseCommand):
    help = "Generates centres, volunteers, cases and visits for tests and benchmarks."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--centres", type=int, help="Overrides the scale's centres.")
        parser.add_argument(
            "--cases-per-centre", type=int, help="Overrides the scale's cases per centre."
        )
        parser.add_argument("--seed", type=int, default=2569)
        parser.add_argument(
            "--history",
            type=int,
            default=1,
            help="With N > 1, the last centre is the first one's size with N times its cases "
            "over up to N times the years (since 2001; those before the last five years "
            "closed): a centre whose history, not its work in hand, is N times as large.",
        )
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            help="The day the data ends (default: today); with the seed it fixes every row.",
        )

    def handle(
        self,
        *args,
        scale: str,
        centres: int | None,
        cases_per_centre: int | None,
        seed: int,
        history: int,
        today: datetime.date | None,
        **options,
    ) -> None:
        centre_count, per_centre, large = SCALES[scale]
        if centres is not None or cases_per_centre is not None:
            centre_count = centres or centre_count
            per_centre = cases_per_centre or per_centre
            large = per_centre
        if history < 1 or (history > 1 and centre_count < 2):
            raise CommandError("--history needs at least 2 centres and a factor of at least 1.")
        if centre_count < 1 or per_centre < 1:
            raise CommandError("--centres and --cases-per-centre must be at least 1.")
        started = time.monotonic()
        made = generate(
            centre_count=centre_count,
            cases_per_centre=per_centre,
            large_centre_cases=large,
            seed=seed,
            history=history,
            today=today,
            write=self.stdout.write,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {len(made)} centres in {time.monotonic() - started:.0f} s. "
                f"Largest: coordinator c{made[0].district_id}, volunteer "
                f"v{made[0].district_id}-0001, password {PASSWORD}."
            )
        )
