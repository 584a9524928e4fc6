"""Generated centres for load tests and benchmarks: `small` (tests, seconds), `district`
(a few large centres, for iterating on performance) and `national` (928 centres, about
a million cases), or `--centres N --cases-per-centre M`.

Deterministic: every table's rows come from random generators seeded by (seed, table,
centre), so the same options on the same `--today` give the same rows, whatever order
the tables run in. The data obeys every constraint and trigger of the schema (it goes
through them: nothing is disabled), and the cases' `last_visit_at`/`next_visit_due`
are set from their visits exactly as `Case.refresh_visit_dates` would.

Rows go in with COPY (psycopg2's copy_expert), one function per table in `TABLES`:
a new table (referrals, assistance, plans...) is one more function there, reading what
it needs of the centre's cases from the database.
"""

from __future__ import annotations

import datetime
import io
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone

from cases.models import (
    Case,
    CaseEvent,
    CaseNumberCounter,
    HomeVisit,
    HouseholdMember,
    IncomeSource,
)
from coordination.models import Center, District, TargetGroup, User
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
    centres: list[Centre] = field(default_factory=list)
    groups: list[TargetGroup] = field(default_factory=list)

    def rng(self, table: str, centre: Centre | None = None, extra: object = "") -> random.Random:
        # A string seed is hashed by SHA-512, not by Python's per-process hash: stable.
        key = f"{self.seed}:{table}:{centre.district_id if centre else ''}:{extra}"
        return random.Random(key)

    def reserve_ids(self, model: type[models.Model], count: int) -> Iterator[int]:
        """`count` ids from the table's own sequence, so that children can name their
        parents before the parents are copied in."""
        if count == 0:
            return iter(())
        self.cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [model._meta.db_table]
        )
        first = self.cursor.fetchone()[0]
        self.cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
            [model._meta.db_table, first + count - 1],
        )
        return iter(range(first, first + count))


@dataclass
class Centre:
    """A generated centre as the later tables need it."""

    pk: int
    district_id: str
    index: int
    case_count: int
    coordinator_id: int = 0
    subdistricts: list[str | None] = field(default_factory=list)
    # target group id -> team id; team id -> user ids and volunteer ids of active members
    teams: dict[int, int] = field(default_factory=dict)
    members: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    member_users: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))


def copy_text(value: object) -> str:
    """One value in COPY's text format."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return (
            value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "")
        )
    if isinstance(value, list):
        return "{" + ",".join(str(item) for item in value) + "}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


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

    def add(self, row: Iterable[object]) -> None:
        self.buffer.append("\t".join(map(copy_text, row)))
        if len(self.buffer) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.parent is not None:
            self.parent.flush()
        if not self.buffer:
            return
        data = io.StringIO("\n".join(self.buffer) + "\n")
        columns = ", ".join(f'"{column}"' for column in self.columns)
        self.run.cursor.copy_expert(f'COPY "{self.table}" ({columns}) FROM STDIN', data)
        self.count += len(self.buffer)
        self.buffer = []
        if time.monotonic() - self.reported > 10:
            self.reported = time.monotonic()
            self.run.write(f"  {self.table}: {self.count:,} rows so far")

    def close(self) -> int:
        self.flush()
        report(self.run, self.table, self.count, self.started)
        return self.count


def report(run: Run, table: str, count: int, started: float) -> None:
    seconds = time.monotonic() - started
    rate = count / seconds if seconds > 0 else 0
    run.write(f"{table:<42} {count:>11,} rows {seconds:7.1f} s {rate:>10,.0f} rows/s")


class Rows:
    """A model's columns in table order, with Django's defaults for what a row omits
    (a field's default lives in Python, not in the database, so COPY must say it)."""

    def __init__(self, model: type[models.Model], *, ids: bool = False):
        # Without ids, the table's sequence numbers the rows; with them, the caller has
        # reserved them (Run.reserve_ids) to name the rows in their children.
        pk = model._meta.pk
        self.fields = [f for f in model._meta.concrete_fields if ids or f is not pk]
        self.columns = [f.column for f in self.fields]
        self.defaults = {f.attname: f.get_default() for f in self.fields}

    def row(self, **values: object) -> list[object]:
        defaults = self.defaults
        return [values[a] if a in values else defaults[a] for a in map(attname, self.fields)]

    def copier(self, run: Run, model: type[models.Model], parent: Copier | None = None) -> Copier:
        return Copier(run, model, self.columns, parent)


def attname(f: models.Field) -> str:
    return f.attname


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
            rows.row(
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
    group = Group.objects.get(name="volunteer")
    password = make_password(PASSWORD)
    now = timezone.now()
    for centre in run.centres:
        rng = run.rng("volunteers", centre)
        count = max(10, centre.case_count // 10)
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
                    users.row(
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
                rows.row(
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
                    memberships.row(
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
                    memberships.row(
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
    start = run.today - datetime.timedelta(days=365 * YEARS_OF_HISTORY)
    span = (run.today - start).days
    group_codes = {group.code: group.pk for group in run.groups}
    for centre in run.centres:
        rng = run.rng("cases", centre)
        ids = run.reserve_ids(Case, centre.case_count)
        # Opened dates first, sorted, so that numbers run in opening order within a year.
        opened = sorted(
            start + datetime.timedelta(days=rng.randrange(span)) for _ in range(centre.case_count)
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
            groups = sorted(set(groups), key=lambda g: [x.pk for x in run.groups].index(g))
            status = rng.choices(STATUS_NAMES, STATUS_WEIGHTS)[0]
            # An older case is likelier to be closed; a case of last month, still at intake.
            if (run.today - opened_on).days < 30:
                status = rng.choice(("intake", "assessed"))
            team = centre.teams[groups[0]] if status != "intake" or rng.random() < 0.7 else None
            closed_on = reason = None
            if status == "closed":
                closed_on = opened_on + datetime.timedelta(
                    days=rng.randrange(0, max(1, (run.today - opened_on).days))
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
                rows.row(
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
                    reg_house_no=f"{rng.randint(1, 999)}/{rng.randint(1, 99)}",
                    reg_moo=str(rng.randint(1, 15)),
                    reg_subdistrict_id=rng.choice(centre.subdistricts),
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
            for group in groups:
                groups_copier.add([pk, group])
        for year_be, given in sequence.items():
            counters.add([centre.pk, year_be, given])
    copier.close()
    groups_copier.close()
    counters.close()


def centre_cases(run: Run, centre: Centre) -> list[tuple]:
    """What the child tables need of a centre's cases, in id order."""
    run.cursor.execute(
        "SELECT id, team_id, status, opened_on, closed_on FROM cases_case "
        "WHERE center_id = %s ORDER BY id",
        [centre.pk],
    )
    return run.cursor.fetchall()


def household_members(run: Run) -> None:
    rows = Rows(HouseholdMember)
    copier = rows.copier(run, HouseholdMember)
    for centre in run.centres:
        rng = run.rng("household", centre)
        for case_id, *_rest in centre_cases(run, centre):
            for _ in range(rng.choices((0, 1, 2, 3, 4), (10, 25, 30, 20, 15))[0]):
                _prefix, first, last, _sex = person(rng)
                copier.add(
                    rows.row(
                        center_id=centre.pk,
                        case_id=case_id,
                        relation=rng.choice(HouseholdMember.Relation.values),
                        name=f"{first} {last}",
                        age=rng.randint(1, 90),
                        occupation=rng.choice(OCCUPATIONS),
                        monthly_income=Decimal(rng.randrange(0, 12000, 500)),
                        condition=rng.choices(HouseholdMember.Condition.values, (80, 10, 10))[0],
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
                    rows.row(
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
    for centre in run.centres:
        rng = run.rng("visits", centre)
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
            copier.add(
                rows.row(
                    id=pk,
                    center_id=centre.pk,
                    case_id=case_id,
                    visited_at=visited,
                    author_id=rng.choice(users),
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
    copier.close()
    present.close()
    started = time.monotonic()
    run.cursor.execute(
        """
        UPDATE cases_case c SET last_visit_at = v.visited_at, next_visit_due = v.next_visit_due
        FROM (SELECT DISTINCT ON (case_id) case_id, visited_at, next_visit_due
              FROM cases_homevisit WHERE center_id = ANY(%s)
              ORDER BY case_id, visited_at DESC) v
        WHERE c.id = v.case_id
        """,
        [[centre.pk for centre in run.centres]],
    )
    report(run, "cases_case (visit dates)", run.cursor.rowcount, started)


def case_events(run: Run) -> None:
    """Opening, assignment, each status change, each visit logged, closing."""
    rows = Rows(CaseEvent)
    copier = rows.copier(run, CaseEvent)
    for centre in run.centres:
        rng = run.rng("events", centre)
        run.cursor.execute(
            "SELECT case_id, visited_at, author_id FROM cases_homevisit WHERE center_id = %s",
            [centre.pk],
        )
        logged = defaultdict(list)
        for case_id, visited_at, author_id in run.cursor.fetchall():
            logged[case_id].append((visited_at, author_id))
        for case_id, team_id, status, opened_on, closed_on in centre_cases(run, centre):
            coordinator = centre.coordinator_id
            opened = at(opened_on, rng)

            base = {"center_id": centre.pk, "case_id": case_id}

            def event(when: datetime.datetime, kind: str, by: int, base=base, **details) -> None:
                copier.add(rows.row(**base, at=when, kind=kind, by_id=by, **details))

            event(opened, "opened", coordinator, status_to="intake")
            if team_id:
                event(
                    opened + datetime.timedelta(hours=1), "assigned", coordinator, team_id=team_id
                )
            for visited_at, author_id in logged.get(case_id, ()):
                event(visited_at + datetime.timedelta(hours=2), "visit_logged", author_id)
            path = STATUS_PATH[: STATUS_PATH.index(status) + 1]
            for step, (old, new) in enumerate(zip(path, path[1:], strict=False)):
                when = opened + datetime.timedelta(days=step * 7 + 3)
                if new == "closed":
                    event(at(closed_on, rng), "closed", coordinator, status_from=old, status_to=new)
                else:
                    event(when, "status", coordinator, status_from=old, status_to=new)
    copier.close()


def history(run: Run) -> None:
    """One "created" row in the change history of each generated row, as
    django-simple-history writes when a row is saved through the ORM."""
    ids = [centre.pk for centre in run.centres]
    scoped = {
        Case: "center_id = ANY(%(ids)s)",
        HouseholdMember: "center_id = ANY(%(ids)s)",
        IncomeSource: "center_id = ANY(%(ids)s)",
        HomeVisit: "center_id = ANY(%(ids)s)",
        Volunteer: "center_id = ANY(%(ids)s)",
        Team: "center_id = ANY(%(ids)s)",
        TeamMembership: "team_id IN (SELECT id FROM volunteers_team WHERE center_id = ANY(%(ids)s))",
    }
    for model, where in scoped.items():
        started = time.monotonic()
        historical = model.history.model  # type: ignore[attr-defined]  # simple-history's
        columns = [
            f.column
            for f in model._meta.concrete_fields
            if f.column in {h.column for h in historical._meta.concrete_fields}
        ]
        stamp = "created_at" if "created_at" in columns else "now()"
        listed = ", ".join(f'"{c}"' for c in columns)
        run.cursor.execute(
            f"""
            INSERT INTO "{historical._meta.db_table}" ({listed}, history_date, history_type, history_change_reason)
            SELECT {listed}, {stamp}, '+', NULL FROM "{model._meta.db_table}" WHERE {where}
            """,
            {"ids": ids},
        )
        report(run, historical._meta.db_table, run.cursor.rowcount, started)


TABLES: list[Callable[[Run], None]] = [
    teams,
    coordinators,
    volunteers,
    cases,
    household_members,
    incomes,
    visits,
    case_events,
    history,
]


def generate(
    *,
    centre_count: int,
    cases_per_centre: int,
    large_centre_cases: int,
    seed: int = 2569,
    today: datetime.date | None = None,
    write: Callable[[str], None] = print,
) -> list[Centre]:
    """Generates the centres in one transaction: a failure leaves nothing behind."""
    with transaction.atomic(), connection.cursor() as cursor:
        run = Run(seed=seed, today=today or timezone.localdate(), cursor=cursor.cursor, write=write)
        run.groups = list(TargetGroup.objects.order_by("position"))
        centres(run, centre_count, cases_per_centre, large_centre_cases)
        for table in TABLES:
            table(run)
    with connection.cursor() as cursor:
        # Fresh statistics: the planner must not take a million rows for an empty table.
        started = time.monotonic()
        cursor.execute("ANALYZE")
        report(run, "ANALYZE", 0, started)
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
        today: datetime.date | None,
        **options,
    ) -> None:
        centre_count, per_centre, large = SCALES[scale]
        if centres is not None or cases_per_centre is not None:
            centre_count = centres or centre_count
            per_centre = cases_per_centre or per_centre
            large = per_centre
        if centre_count < 1 or per_centre < 1:
            raise CommandError("--centres and --cases-per-centre must be at least 1.")
        started = time.monotonic()
        made = generate(
            centre_count=centre_count,
            cases_per_centre=per_centre,
            large_centre_cases=large,
            seed=seed,
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
