"""The demo centre: Bueng Kum, as opened on 24 April 2019 (๒๔ เมษายน ๒๕๖๒), and
as it works today.

Names and ID numbers are invented; the two seed cases are the anonymised home
visits of the ministry's news release of that day. Around them, a living centre:
some sixty cases of the last year, dated from the day the demo is loaded, so that
the worklists, the dashboard and a volunteer's cases show what they are for.
Everything comes from one seeded random generator: two loads on the same day give
the same names, numbers and dates.
"""

import datetime
import random
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import DateTimeField, F, ManyToManyField, Model
from django.db.models.functions import Cast
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from cases.history import backdate
from cases.models import (
    Assistance,
    Case,
    CaseEvent,
    Debt,
    HomeVisit,
    HouseholdMember,
    IncomeSource,
    Referral,
)
from coordination.models import Agency, Center, District, Subdistrict, TargetGroup, User
from coordination.validators import with_check_digit
from volunteers.models import Team, TeamMembership, Volunteer

OPENED_ON = datetime.date(2019, 4, 24)

# (prefix, first name, surname, team code, leads the team)
VOLUNTEERS = [
    ("mrs", "สมศรี", "ใจดี", "elderly", True),
    ("mr", "ประเสริฐ", "รักษ์ถิ่น", "elderly", False),
    ("mrs", "มาลี", "ศรีสุข", "elderly", False),
    ("mr", "วิชัย", "มั่นคง", "disability", True),
    ("miss", "อรุณี", "แสงทอง", "disability", False),
    ("mrs", "บุญมี", "พึ่งตน", "disability", False),
    ("mr", "สมชาย", "เกื้อกูล", "destitute", True),
    ("mrs", "ละเอียด", "ทองดี", "destitute", False),
    ("miss", "จันทร์เพ็ญ", "อ่อนน้อม", "destitute", False),
    ("mrs", "พิมพ์ใจ", "สายบุญ", "women", True),
    ("mrs", "สุดา", "เรียบร้อย", "women", False),
    ("mr", "ธนากร", "ใฝ่ดี", "children_youth", True),
    ("miss", "กัลยา", "ยิ้มแย้ม", "children_youth", False),
]

TEAM_NAMES = {
    "destitute": "ทีมผู้ยากไร้",
    "disability": "ทีมผู้พิการ",
    "elderly": "ทีมผู้สูงอายุ",
    "women": "ทีมสตรี",
    "children_youth": "ทีมเด็กและเยาวชน",
}

# username, password, role: printed by `make run`.
LOGINS = [
    ("admin", "admin-demo-2562", "administrator"),
    ("coordinator", "coordinator-demo-2562", "coordinator"),
    ("volunteer", "volunteer-demo-2562", "volunteer"),
]


class Command(BaseCommand):
    help = "Loads the demo centre of เขตบึงกุ่ม once; running it again changes nothing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true", help="Load even with DJANGO_DEBUG off.")

    def handle(self, *args, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("The demo has known passwords: it loads only with DJANGO_DEBUG on.")
        with transaction.atomic():
            center, created = Center.objects.get_or_create(
                district=District.objects.get(code="1027"),
                defaults={
                    "name": "ศูนย์ประสานงาน อพม. เขตบึงกุ่ม",
                    "address": (
                        "อาคารศูนย์สุขภาพชุมชนคลองกุ่มนิเวศน์ ซ.เจริญกาญน์ 1 ถ.เสรีไทย 41 "
                        "แขวงคลองกุ่ม เขตบึงกุ่ม กรุงเทพมหานคร 10240"
                    ),
                    "opened_on": OPENED_ON,
                },
            )
            if created:
                self.load(center)
                self.stdout.write(self.style.SUCCESS(f"Loaded the demo centre: {center}."))
            else:
                self.stdout.write(f"The demo centre is already loaded: {center}.")
        self.stdout.write("Demo logins (username / password):")
        for username, password, role in LOGINS:
            self.stdout.write(f"  {role:<14} {username} / {password}")

    def load(self, center: Center) -> None:
        groups = {g.code: g for g in TargetGroup.objects.all()}
        teams = {
            code: Team.objects.create(center=center, target_group=groups[code], name=name)
            for code, name in TEAM_NAMES.items()
        }
        volunteers = []
        for number, (prefix, first, last, team_code, leads) in enumerate(VOLUNTEERS, start=1):
            volunteer = Volunteer.objects.create(
                center=center,
                prefix=prefix,
                first_name=first,
                last_name=last,
                national_id=with_check_digit(f"3102700{number:05d}"),
                birth_date=datetime.date(1960 + number, number % 12 + 1, 10 + number),
                phone=f"08{number:08d}",
                subdistrict_id="102701",
                appointed_on=OPENED_ON,
            )
            role = TeamMembership.Role.LEADER if leads else TeamMembership.Role.MEMBER
            volunteer.join_team(teams[team_code], role=role, on=OPENED_ON)
            volunteers.append(volunteer)
        # The demo volunteer also helps the disability team: both seed cases are hers.
        volunteers[0].join_team(teams["disability"], on=OPENED_ON)

        User.objects.create_superuser("admin", password=LOGINS[0][1], first_name="ผู้ดูแลระบบ")
        coordinator = User.objects.create_user(
            "coordinator",
            password=LOGINS[1][1],
            first_name="ผู้ประสานงาน",
            last_name="บึงกุ่ม",
            center=center,
        )
        coordinator.groups.add(Group.objects.get(name="coordinator"))
        volunteer_user = User.objects.create_user(
            "volunteer", password=LOGINS[2][1], first_name="สมศรี", last_name="ใจดี", center=center
        )
        volunteer_user.groups.add(Group.objects.get(name="volunteer"))
        volunteers[0].user = volunteer_user
        volunteers[0].save(update_fields=["user"])

        self.load_agencies(center)
        self.load_cases(center, groups, teams, volunteers, coordinator)
        members: dict[str, list[Volunteer]] = {code: [] for code in TEAM_NAMES}
        for volunteer, (*_person, team_code, _leads) in zip(volunteers, VOLUNTEERS, strict=True):
            members[team_code].append(volunteer)
        members["disability"].append(volunteers[0])
        LivingCentre(center, groups, teams, members, coordinator, volunteer_user).load()
        self.load_help(center, coordinator)
        # The record says when each case and visit was written, not when the demo loaded.
        Case.objects.filter(center=center).update(
            created_at=Cast(F("opened_on"), DateTimeField()),
            updated_at=Cast(F("opened_on"), DateTimeField()),
        )
        HomeVisit.objects.filter(center=center).update(
            created_at=F("visited_at"), updated_at=F("visited_at")
        )

    def load_help(self, center: Center, coordinator: User) -> None:
        """A referral awaiting the district office's answer and help given today, on two
        open cases other than the founding one (whose referral the journeys make)."""
        others = (
            Case.objects.filter(center=center, team__isnull=False)
            .open()
            .exclude(housing=Case.Housing.OWN_AT_RISK)
            .order_by("number")
        )
        referred, helped = others[0], others[1]
        today = timezone.localdate()
        sent = today - datetime.timedelta(days=5)
        Referral(
            case=referred,
            agency=Agency.objects.get(center=center, kind=Agency.Kind.DISTRICT_OFFICE),
            reason="ผู้พิการทางการเคลื่อนไหว มีบัตรคนพิการแล้วแต่ยังไม่ได้รับเบี้ยความพิการ",
            requested="ขอลงทะเบียนรับเบี้ยความพิการ",
            documents="สำเนาบัตรประจำตัวคนพิการ สำเนาทะเบียนบ้าน",
            agency_contact="เจ้าหน้าที่ฝ่ายพัฒนาชุมชนฯ",
            sent_on=sent,
            reply_by=sent + datetime.timedelta(days=14),
        ).send(by=coordinator)
        Assistance(
            case=helped,
            kind=Assistance.Kind.GOODS,
            amount=Decimal(500),
            given_on=today,
            description="ถุงยังชีพ ข้าวสาร อาหารแห้ง",
        ).record(by=coordinator)

    def load_agencies(self, center: Center) -> None:
        # The national ones (1300, 1479, the Bangkok disability service centre) are
        # seeded by coordination's migration 0017: every centre has them already.
        for name, kind, services in [
            (
                "ฝ่ายพัฒนาชุมชนและสวัสดิการสังคม สำนักงานเขตบึงกุ่ม",
                Agency.Kind.DISTRICT_OFFICE,
                "ลงทะเบียนเบี้ยยังชีพผู้สูงอายุและเบี้ยความพิการ",
            ),
            ("ศูนย์บริการสาธารณสุข คลองกุ่ม", Agency.Kind.HOSPITAL, "ตรวจรักษา เยี่ยมบ้านผู้ป่วยติดเตียง"),
            ("ศูนย์ช่วยเหลือทางกฎหมาย", Agency.Kind.LEGAL_AID, "คำปรึกษาทางกฎหมาย หนี้สิน การยึดทรัพย์"),
        ]:
            Agency.objects.create(
                center=center, name=name, kind=kind, area="เขตบึงกุ่ม", services=services
            )

    def load_cases(self, center, groups, teams, volunteers, coordinator) -> None:
        visited_at = timezone.make_aware(datetime.datetime(2019, 4, 24, 10, 0))
        consent = {
            "consent_method": Case.ConsentMethod.VERBAL,
            "consent_purposes": [Case.ConsentPurpose.ASSISTANCE, Case.ConsentPurpose.REFERRAL],
            "consent_recorded_by": coordinator,
            "consent_recorded_at": visited_at,
        }
        address = {
            "reg_soi": "เจริญกาญน์ 1",
            "reg_road": "เสรีไทย",
            "reg_subdistrict_id": "102701",
            "reg_postal_code": "10240",
        }
        first = Case.objects.create(
            center=center,
            prefix="mrs",
            first_name="บุญเรือน",
            last_name="(นามสมมุติ)",
            sex="female",
            birth_date=datetime.date(1940, 1, 1),
            birth_year_only=True,
            reg_house_no="11",
            disability_types=[3],
            problems=(
                "พิการทางการเคลื่อนไหวแต่กำเนิด อาศัยอยู่กับพี่สาวซึ่งสูงอายุ เดินช้า ข้อเข่าเสื่อม "
                "บ้านของตนถูกน้องชายนำไปจำนองแล้วไม่ผ่อนชำระ ธนาคารกำลังจะยึดบ้าน"
            ),
            housing=Case.Housing.OWN_AT_RISK,
            legal_problem=("น้องชายนำบ้านไปจำนองกับธนาคารแล้วไม่ผ่อนชำระ ธนาคารจะฟ้องบังคับจำนองและยึดบ้าน"),
            status=Case.Status.ASSESSED,
            priority=Case.Priority.HIGH,
            team=teams["disability"],
            opened_on=OPENED_ON,
            consent_given_by="ผู้ประสบปัญหา",
            **consent,
            **address,
        )
        first.target_groups.set([groups["elderly"], groups["disability"]])
        HouseholdMember.objects.create(
            case=first,
            relation="sibling",
            name="พี่สาว",
            age=82,
            condition=HouseholdMember.Condition.CHRONICALLY_ILL,
            can_care_for_self=True,
            occupation="ไม่ได้ทำงาน",
        )
        for kind, amount, note in [
            ("family_support", 1000, "ญาติที่ทำงานต่างจังหวัดส่งให้"),
            ("elderly_allowance", 700, ""),
            ("disability_allowance", 800, ""),
        ]:
            IncomeSource.objects.create(case=first, kind=kind, amount=Decimal(amount), note=note)
        Debt.objects.create(
            case=first,
            creditor="ธนาคาร (นามสมมุติ)",
            kind=Debt.Kind.MORTGAGE,
            amount=Decimal(350000),
            note="จำนองโดยน้องชาย ค้างชำระ ธนาคารจะยึดบ้าน",
        )

        second = Case.objects.create(
            center=center,
            prefix="mrs",
            first_name="ทองใบ",
            last_name="(นามสมมุติ)",
            sex="female",
            birth_date=datetime.date(1928, 1, 1),
            birth_year_only=True,
            reg_house_no="27",
            disability_types=[3],
            problems=(
                "พิการทางการเคลื่อนไหว ช่วยเหลือตนเองไม่ได้ บุตรชายต้องดูแลตลอดเวลาจึงไม่มีงาน "
                "และไม่มีรายได้ อาศัยอยู่กับญาติ"
            ),
            housing=Case.Housing.RELATIVES,
            status=Case.Status.ASSESSED,
            priority=Case.Priority.HIGH,
            team=teams["elderly"],
            opened_on=OPENED_ON,
            consent_given_by="บุตรชาย (ผู้ดูแล)",
            **consent,
            **address,
        )
        second.target_groups.set([groups["elderly"], groups["disability"]])
        HouseholdMember.objects.create(
            case=second,
            relation="child",
            name="บุตรชาย",
            age=58,
            occupation="ดูแลมารดาเต็มเวลา",
            monthly_income=Decimal(0),
            is_carer=True,
            caring_stops_work=True,
        )
        HouseholdMember.objects.create(case=second, relation="relative", name="หลานสาว", age=30)
        for kind, amount in [("elderly_allowance", 1000), ("disability_allowance", 800)]:
            IncomeSource.objects.create(case=second, kind=kind, amount=Decimal(amount))

        for case, team, adl in [(first, teams["disability"], 13), (second, teams["elderly"], 3)]:
            visit = HomeVisit.objects.create(
                case=case,
                visited_at=visited_at,
                author=coordinator,
                other_participants="เจ้าหน้าที่กรมพัฒนาสังคมและสวัสดิการ",
                purpose=HomeVisit.Purpose.ASSESSMENT,
                findings=case.problems,
                adl_score=adl,
                needs="ประสานหน่วยงานที่เกี่ยวข้องเพื่อยกระดับคุณภาพชีวิต",
                actions="เยี่ยมบ้าน ให้กำลังใจ และรับเรื่องเพื่อประสานความช่วยเหลือ",
                referral_needed=True,
                next_visit_due=datetime.date(2019, 5, 24),
            )
            visit.volunteers.set(
                m.volunteer for m in team.memberships.active().select_related("volunteer")
            )
            # What happened that day, as the case page's history tells it.
            case.log(
                CaseEvent.Kind.OPENED, by=coordinator, status_to=Case.Status.INTAKE, at=visited_at
            )
            case.log(CaseEvent.Kind.ASSIGNED, by=coordinator, team=team, at=visited_at)
            case.log(CaseEvent.Kind.VISIT_LOGGED, by=coordinator, at=visited_at)
            case.log(
                CaseEvent.Kind.STATUS,
                by=coordinator,
                status_from=Case.Status.INTAKE,
                status_to=Case.Status.ASSESSED,
                at=visited_at,
            )
        # The change history tells the same day, not the day the demo was loaded.
        seeds = [first.pk, second.pk]
        Case.history.filter(id__in=seeds).update(history_date=visited_at, history_user=coordinator)
        for model in (HouseholdMember, IncomeSource, HomeVisit, Debt):
            model.history.filter(case_id__in=seeds).update(
                history_date=visited_at, history_user=coordinator
            )


# ---------------------------------------------------------------------------
# The living centre around the seed story.

SEED = 2562

# Twelve cases per target group, in every status. The two intake cases of each group
# are the ones never visited yet.
STATUS_PLAN = (
    [Case.Status.INTAKE] * 2
    + [Case.Status.ASSESSED] * 2
    + [Case.Status.IN_ASSISTANCE] * 3
    + [Case.Status.FOLLOW_UP] * 3
    + [Case.Status.CLOSED] * 2
)

# How visited open cases stand today, in turn: when the next visit falls due.
DUE_CYCLE = ["overdue", "later", "week", "later", "overdue"]

# (subdistrict code, postal code, roads with their sois)
STREETS = [
    ("102701", "10240", [("เสรีไทย", ["เสรีไทย 7", "เสรีไทย 17", "เสรีไทย 41", "เสรีไทย 43"]),
                         ("นวมินทร์", ["นวมินทร์ 42", "นวมินทร์ 70", "นวมินทร์ 74"])]),
    ("102704", "10240", [("นวมินทร์", ["นวมินทร์ 86", "นวมินทร์ 111", "นวมินทร์ 163"]),
                         ("เสรีไทย", ["เสรีไทย 57", "เสรีไทย 65"])]),
    ("102705", "10230", [("นวลจันทร์", ["นวลจันทร์ 12", "นวลจันทร์ 36", "นวลจันทร์ 56"]),
                         ("ประเสริฐมนูกิจ", ["ประเสริฐมนูกิจ 27", "ประเสริฐมนูกิจ 29"])]),
]  # fmt: skip
VILLAGES = ["", "", "", "ชุมชนริมคลองกุ่ม", "ชุมชนนวลจันทร์", "ชุมชนหลังวัดนวลจันทร์"]
LANDMARKS = [
    "", "", "ใกล้ตลาดนวลจันทร์", "ตรงข้ามร้านขายของชำปากซอย", "ริมคลอง หลังที่สองจากสะพาน",
    "ใกล้ป้ายรถเมล์ปากซอย", "บ้านไม้สองชั้น ประตูสีเขียว",
]  # fmt: skip

WOMEN = [
    "สมพร", "ประไพ", "บุญมา", "ทองสุข", "จำปี", "ลำดวน", "สมจิตร", "ราตรี", "วันเพ็ญ",
    "นงลักษณ์", "สุภาพ", "อำไพ", "เพ็ญศรี", "กาญจนา", "ศิริพร", "นิตยา", "วราภรณ์", "อรทัย",
]  # fmt: skip
YOUNG_WOMEN = ["ณัฐธิดา", "ปิยะนุช", "สุนิสา", "กมลชนก", "พรทิพย์", "จิราพร", "ธิดารัตน์", "ชลธิชา"]
MEN = [
    "สมบัติ", "บุญชู", "ประยูร", "สมหมาย", "ทองดี", "เฉลิม", "สุวิทย์", "มานพ", "ประสิทธิ์",
    "สำราญ", "ชูชาติ", "วิรัช",
]  # fmt: skip
YOUNG_MEN = ["ณัฐพล", "ธีรวัฒน์", "กิตติศักดิ์", "อนุชา", "ศุภชัย", "วีรพงษ์", "จักรพันธ์"]
BOYS = ["ภูมิ", "ธนกฤต", "กฤษดา", "ณภัทร", "ศุภกร", "ปัณณวิชญ์"]
GIRLS = ["ณิชา", "พิชญา", "ชนิดา", "อริสา", "กัญญาณัฐ", "ปุณยวีร์"]
SURNAMES = [
    "แก้วประเสริฐ", "ศรีวงศ์", "บุญประเสริฐ", "ทองคำ", "จันทร์หอม", "สุขสวัสดิ์", "พุ่มพวง",
    "นิลสุวรรณ", "มีสุข", "อินทร์แก้ว", "เพชรรัตน์", "ปานทอง", "สมบูรณ์ชัย", "วงศ์สวัสดิ์",
    "ชื่นใจ", "ดวงแก้ว", "ศรีสะอาด", "รุ่งเรือง", "เย็นใจ", "บัวขาว", "หอมจันทร์", "กลิ่นสุคนธ์",
]  # fmt: skip

PROBLEMS = {
    "destitute": [
        "ตกงานจากโรงงาน ค้างค่าเช่าห้อง 3 เดือน เจ้าของห้องให้ย้ายออกสิ้นเดือน",
        "เก็บของเก่าขาย รายได้ไม่แน่นอน อาศัยเพิงพักริมคลอง",
        "เป็นหนี้นอกระบบ ถูกทวงถามทุกวัน ไม่มีเงินซื้ออาหาร",
        "ไม่มีบัตรประจำตัวประชาชน ตกหล่นทางทะเบียนราษฎร จึงเข้าไม่ถึงสวัสดิการ",
        "ขายของริมทาง ถูกยึดแผง ขาดรายได้ มีภาระเลี้ยงดูมารดา",
    ],
    "disability": [
        "พิการทางการเคลื่อนไหวหลังอุบัติเหตุรถจักรยานยนต์ ใช้รถเข็น บ้านไม่มีทางลาด",
        "พิการทางการเห็น ต้องการฝึกอาชีพและหางานทำ",
        "เป็นออทิสติก มารดาต้องหยุดงานเพื่อดูแล รายได้ครอบครัวลดลง",
        "บัตรประจำตัวคนพิการหมดอายุ ยังไม่ได้ต่ออายุ เบี้ยความพิการจึงหยุดจ่าย",
        "ต้องการอุปกรณ์ช่วยความพิการ (รถเข็นและที่นอนลม)",
    ],
    "elderly": [
        "อยู่ลำพัง ลูกหลานทำงานต่างจังหวัด มีโรคความดันโลหิตสูงและเบาหวาน",
        "ติดเตียงหลังเป็นอัมพฤกษ์ คู่สมรสซึ่งสูงอายุเป็นผู้ดูแลหลัก",
        "หกล้มในห้องน้ำเมื่อต้นปี เดินต้องใช้ไม้เท้า บ้านไม่มีราวจับ",
        "ยังไม่ได้ลงทะเบียนรับเบี้ยยังชีพผู้สูงอายุ",
        "ความจำเริ่มเสื่อม หลงลืมการกินยา อยู่กับหลานซึ่งออกไปทำงานทั้งวัน",
    ],
    "women": [
        "เลี้ยงบุตรเพียงลำพัง สามีทิ้ง ไม่ส่งค่าเลี้ยงดูบุตร",
        "ถูกสามีทำร้ายร่างกาย ต้องการคำปรึกษาและที่พักชั่วคราว",
        "ตั้งครรภ์ไม่พร้อม ครอบครัวไม่ยอมรับ ไม่มีรายได้",
        "ตกงานหลังคลอดบุตร ต้องการอาชีพที่ทำที่บ้านได้",
    ],
    "children_youth": [
        "อาศัยอยู่กับยายซึ่งสูงอายุ บิดามารดาแยกทาง ขาดทุนการศึกษา",
        "ออกจากโรงเรียนกลางคัน ใช้เวลากับกลุ่มเพื่อนที่เสี่ยงยาเสพติด",
        "พัฒนาการล่าช้า ผู้ปกครองไม่มีเวลาพาไปตรวจตามนัด",
        "ไม่ยอมไปโรงเรียนเพราะถูกกลั่นแกล้ง ผู้ปกครองไม่ทราบวิธีช่วย",
    ],
}
NEEDS = {
    "destitute": ["เงินสงเคราะห์ครอบครัวผู้มีรายได้น้อย", "ถุงยังชีพ", "อาชีพที่มีรายได้สม่ำเสมอ",
                  "ที่พักอาศัยชั่วคราว"],
    "disability": ["รถเข็นและที่นอนลม", "ปรับปรุงบ้านให้เหมาะกับคนพิการ", "ต่ออายุบัตรคนพิการ",
                   "ฝึกอาชีพสำหรับคนพิการ"],
    "elderly": ["ราวจับในห้องน้ำ", "ผ้าอ้อมผู้ใหญ่", "ลงทะเบียนเบี้ยยังชีพผู้สูงอายุ",
                "ผู้ดูแลช่วงกลางวัน"],
    "women": ["คำปรึกษาทางกฎหมาย", "ที่พักพิงชั่วคราวสำหรับแม่และเด็ก", "ฝึกอาชีพ",
              "เงินอุดหนุนเพื่อการเลี้ยงดูเด็กแรกเกิด"],
    "children_youth": ["ทุนการศึกษา", "อุปกรณ์การเรียนและชุดนักเรียน", "พาไปตรวจพัฒนาการ",
                       "กิจกรรมเยาวชนหลังเลิกเรียน"],
}  # fmt: skip
ACTIONS = {
    "destitute": ["ประสานฝ่ายพัฒนาชุมชนฯ สำนักงานเขตขอเงินสงเคราะห์", "มอบถุงยังชีพ",
                  "แนะนำแหล่งงานในชุมชนและลงทะเบียนหางาน"],
    "disability": ["ประสานศูนย์บริการคนพิการเรื่องอุปกรณ์", "พาไปต่ออายุบัตรคนพิการ",
                   "สอนผู้ดูแลเรื่องการพลิกตัวป้องกันแผลกดทับ"],
    "elderly": ["แนะนำการกินยาให้ตรงเวลา จัดกล่องยาแยกมื้อ", "ประสานศูนย์บริการสาธารณสุขเยี่ยมบ้าน",
                "พาไปลงทะเบียนเบี้ยยังชีพที่สำนักงานเขต"],
    "women": ["ให้คำปรึกษาเบื้องต้นและแจ้งสายด่วน 1300", "ประสานศูนย์ช่วยเหลือทางกฎหมาย",
              "แนะนำกลุ่มอาชีพสตรีในชุมชน"],
    "children_youth": ["ประสานโรงเรียนเรื่องทุนการศึกษา", "พูดคุยกับผู้ปกครองเรื่องการดูแลเด็ก",
                       "ชวนเข้าร่วมกิจกรรมเยาวชนของชุมชน"],
}  # fmt: skip
FOLLOW_UP_FINDINGS = [
    "สภาพทั่วไปดีขึ้น ครอบครัวให้ความร่วมมือ",
    "ยังรอผลการประสานจากหน่วยงาน",
    "ได้รับความช่วยเหลือแล้วบางส่วน",
    "สภาพเหมือนเดิม ต้องติดตามต่อเนื่อง",
    "สุขภาพทรุดลงเล็กน้อย ญาติดูแลใกล้ชิดขึ้น",
]
OTHER_PARTICIPANTS = ["", "", "", "ผู้นำชุมชน", "เจ้าหน้าที่ศูนย์บริการสาธารณสุข คลองกุ่ม"]

# Older persons' allowance by age band (baht a month).
ELDERLY_ALLOWANCE = [(90, 1000), (80, 800), (70, 700), (60, 600)]


def record_links_in_history(model: type[Model], field_name: str, links: list) -> None:
    """Each record's history record lists the rows of its many-to-many `field_name`, as
    django-simple-history writes them for a save through the ORM: `links`, the through
    rows just bulk-created (which writes none)."""
    field = model._meta.get_field(field_name)
    assert isinstance(field, ManyToManyField)
    own, other = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
    records = dict(
        model.history.filter(  # type: ignore[attr-defined]
            id__in={getattr(link, own) for link in links}
        ).values_list("id", "history_id")
    )
    historical = apps.get_model(model._meta.app_label, f"Historical{model.__name__}_{field_name}")
    historical.objects.bulk_create(
        historical(
            id=link.pk,
            history_id=records[getattr(link, own)],
            **{own: getattr(link, own), other: getattr(link, other)},
        )
        for link in links
    )


class LivingCentre:
    """Sixty cases of the last year: who they are, their households and incomes, their
    visits, and where each stands today."""

    def __init__(self, center, groups, teams, members, coordinator, volunteer_user) -> None:
        self.rng = random.Random(SEED)
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.center, self.groups, self.teams, self.members = center, groups, teams, members
        self.coordinator, self.volunteer_user = coordinator, volunteer_user
        self.subdistricts = {s.code: s for s in Subdistrict.objects.filter(district_id="1027")}
        self.due_turn = 0
        self.names: set[tuple[str, str]] = set()
        self.cases: list[Case] = []
        self.plans: dict[int, dict] = {}  # by position in self.cases

    def load(self) -> None:
        for code in TEAM_NAMES:
            for position, status in enumerate(STATUS_PLAN):
                self.plan_case(code, status, position)
        # Numbers follow the order cases were opened in, as they would have been given.
        order = sorted(range(len(self.cases)), key=lambda i: self.cases[i].opened_on)
        for index in order:
            case = self.cases[index]
            # The change history says the coordinator opened it on the day, not today.
            backdate(case, self.at(case.opened_on, 8, 30), by=self.coordinator)
            case.save()  # allocates the case number
        # Target groups in two inserts rather than a set() per case: each set() writes
        # a further history record, which made up half the load time.
        groups = [
            (self.cases[index], self.groups[code])
            for index in order
            for code in self.plans[index]["groups"]
        ]
        Through = Case.target_groups.through
        links = Through.objects.bulk_create(
            Through(case=case, targetgroup=group) for case, group in groups
        )
        record_links_in_history(Case, "target_groups", links)
        self.load_rows(order)

    def at(self, day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))
        # A case opened or closed today, loaded early in the morning, is not in the future.
        return min(moment, self.now)

    def days_ago(self, days: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days)

    def plan_case(self, code: str, status: str, position: int) -> None:
        rng = self.rng
        person = self.person(code)
        visit_days, next_due = self.schedule(status)
        if visit_days:
            opened_on = visit_days[0] - datetime.timedelta(days=rng.randint(0, 14))
        else:
            # Opened in the last weeks, the first two this month: the dashboard counts them.
            opened_on = self.days_ago(rng.randint(0, 25))
            if position < 2:
                opened_on = max(opened_on, self.today.replace(day=1))
        subdistrict, postal_code, roads = rng.choice(STREETS)
        road, sois = rng.choice(roads)
        housing = person.pop("housing")
        urgent = code in ("women", "destitute") and position in (3, 5)
        # Two intake cases wait for a team: the dashboard's "unassigned".
        waits_for_team = (
            status == Case.Status.INTAKE
            and position == 0
            and code
            in (
                "destitute",
                "women",
            )
        )
        case = Case(
            center=self.center,
            **person,
            reg_house_no=f"{rng.randint(1, 299)}/{rng.randint(1, 40)}"
            if rng.random() < 0.5
            else str(rng.randint(1, 450)),
            reg_village=rng.choice(VILLAGES),
            reg_soi=rng.choice(sois),
            reg_road=road,
            reg_subdistrict=self.subdistricts[subdistrict],
            reg_postal_code=postal_code,
            landmark=rng.choice(LANDMARKS),
            problems=rng.choice(PROBLEMS[code]),
            housing=housing,
            monthly_rent=Decimal(rng.choice([1500, 2000, 2500, 3000]))
            if housing == Case.Housing.RENTED
            else None,
            status=status,
            priority=Case.Priority.URGENT
            if urgent
            else rng.choice([Case.Priority.NORMAL] * 3 + [Case.Priority.HIGH, Case.Priority.LOW]),
            team=None if waits_for_team else self.teams[code],
            opened_on=opened_on,
            consent_given_by="ผู้ประสบปัญหา" if code != "children_youth" else "ผู้ปกครอง",
            consent_method=rng.choice(list(Case.ConsentMethod)),
            consent_purposes=[Case.ConsentPurpose.ASSISTANCE, Case.ConsentPurpose.REFERRAL]
            + ([Case.ConsentPurpose.PHOTOS] if rng.random() < 0.5 else []),
            consent_recorded_by=self.coordinator,
            consent_recorded_at=self.at(opened_on),
        )  # fmt: skip
        if status == Case.Status.CLOSED:
            closed_before = sum(c.status == Case.Status.CLOSED for c in self.cases)
            # The first closed today (the dashboard's "closed this month"), the others
            # some days after their last visit; every reason in turn.
            case.closed_on = (
                self.today
                if not closed_before
                else min(self.today, visit_days[-1] + datetime.timedelta(days=rng.randint(0, 10)))
            )
            reasons = list(Case.ClosureReason)
            case.closure_reason = reasons[closed_before % len(reasons)]
        groups = [code]
        age = case.age(on=self.today)
        if code == "elderly" and rng.random() < 0.4:
            groups.append("disability")
            case.disability_types = [rng.choice([1, 2, 3])]
        if code == "disability":
            case.disability_types = sorted({rng.randint(1, 7) for _ in range(rng.randint(1, 2))})
            if age is not None and age >= 60:
                groups.append("elderly")
            elif age is not None and age < 18:
                groups.append("children_youth")
        case.has_disability_card = bool(case.disability_types)
        self.plans[len(self.cases)] = {
            "code": code,
            "groups": groups,
            "visit_days": visit_days,
            "next_due": next_due,
            "urgent": urgent,
        }
        self.cases.append(case)

    def person(self, code: str) -> dict:
        """Who the case is: name, sex, age, and how they live."""
        rng = self.rng
        surname = rng.choice(SURNAMES)
        if code == "elderly":
            age = rng.randint(62, 94)
            female = rng.random() < 0.6
            first = rng.choice(WOMEN if female else MEN)
        elif code == "children_youth":
            age = rng.randint(3, 17)
            female = rng.random() < 0.5
            first = rng.choice(GIRLS if female else BOYS)
        elif code == "women":
            age = rng.randint(19, 48)
            female = True
            first = rng.choice(YOUNG_WOMEN)
        else:
            age = rng.randint(8, 70) if code == "disability" else rng.randint(30, 68)
            female = rng.random() < 0.5
            if age < 15:
                first = rng.choice(GIRLS if female else BOYS)
            elif age < 45:
                first = rng.choice(YOUNG_WOMEN if female else YOUNG_MEN)
            else:
                first = rng.choice(WOMEN if female else MEN)
        # No two people of the centre share a name: a worklist must tell them apart.
        while (first, surname) in self.names:
            surname = rng.choice(SURNAMES)
        self.names.add((first, surname))
        if age < 15:
            prefix = "girl" if female else "boy"
        else:
            prefix = ("mrs" if age >= 30 and rng.random() < 0.7 else "miss") if female else "mr"
        born = self.today.year - age
        details: dict = {
            "prefix": prefix,
            "first_name": first,
            "last_name": surname,
            "sex": "female" if female else "male",
            "phone": f"08{rng.randint(10000000, 99999999)}" if age >= 15 else "",
            "has_welfare_card": code == "destitute" or rng.random() < 0.3,
        }
        homeless = code == "destitute" and rng.random() < 0.15
        if homeless:
            # No papers, no birth date: what the volunteers could see.
            details.update(estimated_age=age, housing=Case.Housing.NONE)
            return details
        if age >= 60 and rng.random() < 0.4:
            details.update(birth_date=datetime.date(born, 1, 1), birth_year_only=True)
        else:
            details["birth_date"] = datetime.date(born, rng.randint(1, 12), rng.randint(1, 28))
        first_digit = "1" if born >= 1984 else "3"
        details["national_id"] = with_check_digit(
            f"{first_digit}1027{len(self.cases):03d}{rng.randint(0, 9999):04d}"
        )
        H = Case.Housing
        details["housing"] = rng.choice(
            {
                "destitute": [H.RENTED, H.OTHERS_LAND],
                "women": [H.RENTED, H.RELATIVES],
                "children_youth": [H.RELATIVES],
            }.get(code, [H.OWN_SECURE, H.RELATIVES, H.RENTED])
        )
        details["marital_status"] = (
            ""
            if age < 18
            else rng.choice(
                {
                    "elderly": ["married", "widowed", "widowed"],
                    "women": ["single", "divorced", "separated", "married"],
                }.get(code, ["single", "married"])
            )
        )
        return details

    def schedule(self, status: str) -> tuple[list[datetime.date], datetime.date | None]:
        """The days of a case's visits, oldest first, and when the next one falls due."""
        rng = self.rng
        if status == Case.Status.INTAKE:
            return [], None
        # Enough visits to have reached the status: assessed at the first, in
        # assistance at the second, follow-up at the third.
        fewest, most = {
            Case.Status.ASSESSED: (1, 1),
            Case.Status.IN_ASSISTANCE: (2, 4),
            Case.Status.FOLLOW_UP: (3, 6),
            Case.Status.CLOSED: (2, 4),
        }[Case.Status(status)]
        count = rng.randint(fewest, most)
        if status == Case.Status.CLOSED:
            last = self.days_ago(rng.randint(10, 300))
            next_due = last + datetime.timedelta(days=30)
        else:
            due = DUE_CYCLE[self.due_turn % len(DUE_CYCLE)]
            self.due_turn += 1
            if due == "overdue":
                last = self.days_ago(rng.randint(35, 100))
                next_due = last + datetime.timedelta(days=30)
            elif due == "week":
                next_due = self.today + datetime.timedelta(days=rng.randint(0, 6))
                last = next_due - datetime.timedelta(days=rng.choice([14, 30]))
            else:
                last = self.days_ago(rng.randint(1, 20))
                next_due = last + datetime.timedelta(days=rng.choice([30, 45, 60]))
        days = [last]
        for _ in range(count - 1):
            earlier = days[0] - datetime.timedelta(days=rng.randint(25, 60))
            # Within the year; the fewest visits always fit (the latest is at most 300
            # days ago and a visit at most 60 days before the next).
            if earlier < self.days_ago(365) and len(days) >= fewest:
                break
            days.insert(0, earlier)
        return days, next_due

    def load_rows(self, order: list[int]) -> None:
        """Households, incomes, visits and events, a few queries for all of them."""
        rng = self.rng
        members, incomes, visits, events = [], [], [], []
        present: list[tuple[HomeVisit, list[Volunteer]]] = []
        demo_volunteer = self.volunteer_user.volunteer
        for index in order:
            case, plan = self.cases[index], self.plans[index]
            code = plan["code"]
            opened = self.at(case.opened_on, 8, 30)
            rows: list[HouseholdMember | IncomeSource] = [
                HouseholdMember(case=case, center=self.center, **row)
                for row in self.household(case, code)
            ]
            case_incomes = self.incomes(case, code)
            rows += [IncomeSource(case=case, center=self.center, **row) for row in case_incomes]
            for row in rows:
                backdate(row, opened)
            members += [row for row in rows if isinstance(row, HouseholdMember)]
            incomes += [row for row in rows if isinstance(row, IncomeSource)]
            total = sum((row["amount"] for row in case_incomes), Decimal(0))

            event = {"case": case, "center": self.center, "by": self.coordinator}
            events.append(
                CaseEvent(kind=CaseEvent.Kind.OPENED, status_to=Case.Status.INTAKE, at=opened,
                          **event)
            )  # fmt: skip
            if case.team:
                events.append(CaseEvent(kind=CaseEvent.Kind.ASSIGNED, team=case.team, at=opened,
                                        **event))  # fmt: skip
            status = Case.Status.INTAKE
            steps = [Case.Status.ASSESSED, Case.Status.IN_ASSISTANCE, Case.Status.FOLLOW_UP]
            adl = rng.randint(3, 20) if code in ("elderly", "disability") else None
            team_members = self.members[code]
            for number, day in enumerate(plan["visit_days"]):
                last = number == len(plan["visit_days"]) - 1
                with_them = rng.sample(team_members, rng.randint(1, min(3, len(team_members))))
                # The demo volunteer goes on many of her teams' visits: her cases show them.
                if (
                    demo_volunteer in team_members
                    and demo_volunteer not in with_them
                    and rng.random() < 0.5
                ):
                    with_them.append(demo_volunteer)
                author = self.volunteer_user if demo_volunteer in with_them else self.coordinator
                visited_at = self.at(day, rng.randint(9, 15), rng.choice([0, 15, 30, 45]))
                if adl is not None:
                    adl = max(0, min(20, adl + rng.randint(-2, 1)))
                first = number == 0
                visit = HomeVisit(
                    case=case,
                    center=self.center,
                    visited_at=visited_at,
                    author=author,
                    other_participants=rng.choice(OTHER_PARTICIPANTS),
                    purpose=HomeVisit.Purpose.ASSESSMENT
                    if first
                    else HomeVisit.Purpose.EMERGENCY
                    if plan["urgent"] and number == 1
                    else HomeVisit.Purpose.FOLLOW_UP,
                    findings=case.problems if first else rng.choice(FOLLOW_UP_FINDINGS),
                    adl_score=adl,
                    needs=rng.choice(NEEDS[code]),
                    actions=rng.choice(ACTIONS[code]),
                    referral_needed=(first and plan["urgent"]) or rng.random() < 0.12,
                    income_checked=first,
                    monthly_income=total if first else None,
                    next_visit_due=plan["next_due"]
                    if last
                    else plan["visit_days"][number + 1] + datetime.timedelta(days=rng.randint(-5, 5)),
                    latitude=Decimal(f"{rng.uniform(13.790, 13.835):.6f}"),
                    longitude=Decimal(f"{rng.uniform(100.640, 100.675):.6f}"),
                )  # fmt: skip
                if visit.next_visit_due < day:
                    visit.next_visit_due = day
                backdate(visit, visited_at, by=author)
                visits.append(visit)
                present.append((visit, with_them))
                events.append(CaseEvent(kind=CaseEvent.Kind.VISIT_LOGGED, at=visited_at,
                                        case=case, center=self.center, by=author))  # fmt: skip
                if number < len(steps) and case.status != status:
                    events.append(CaseEvent(kind=CaseEvent.Kind.STATUS, status_from=status,
                                            status_to=steps[number], at=visited_at, **event))  # fmt: skip
                    status = steps[number]
            if case.status == Case.Status.CLOSED and case.closed_on:
                events.append(
                    CaseEvent(kind=CaseEvent.Kind.CLOSED, status_from=status,
                              status_to=Case.Status.CLOSED, at=self.at(case.closed_on, 16), **event)
                )  # fmt: skip

        seeds = self.continue_seed_cases(visits, present, events)
        bulk_create_with_history(members, HouseholdMember, default_user=self.coordinator)
        bulk_create_with_history(incomes, IncomeSource, default_user=self.coordinator)
        bulk_create_with_history(visits, HomeVisit, default_user=self.coordinator)
        # Who was there, in each visit's history too: a correction that meets another's
        # save reads it (cases.forms.edit_over), and without it took them for a change.
        record_links_in_history(
            HomeVisit,
            "volunteers",
            HomeVisit.volunteers.through.objects.bulk_create(
                HomeVisit.volunteers.through(homevisit=visit, volunteer=volunteer)
                for visit, volunteers in present
                for volunteer in volunteers
            ),
        )
        CaseEvent.objects.bulk_create(events)
        # What HomeVisit.save keeps on the case: the worklists read these.
        for index in order:
            if self.plans[index]["visit_days"]:
                self.cases[index].refresh_visit_dates()
        for case in seeds:
            case.refresh_visit_dates()

    def continue_seed_cases(self, visits: list, present: list, events: list) -> list[Case]:
        """The two cases of 24 April 2019 are still worked: their visits of the last year.
        Written out, not drawn at random, so that the story reads true."""
        seeds = list(Case.objects.filter(center=self.center, number__endswith="-2562-0001"))
        seeds += Case.objects.filter(center=self.center, number__endswith="-2562-0002")
        demo_volunteer = self.volunteer_user.volunteer
        stories = [
            # (days ago, findings, needs, actions, ADL, referral needed, next visit in days)
            [
                (330, "ศูนย์ช่วยเหลือทางกฎหมายรับเรื่องบ้านที่ถูกนำไปจำนองแล้ว นัดไกล่เกลี่ยกับธนาคาร",
                 "คำปรึกษาทางกฎหมาย", "พาไปพบนิติกรของศูนย์ช่วยเหลือทางกฎหมาย", 13, True, 60),
                (200, "ธนาคารยอมพักชำระหนี้และปรับโครงสร้างหนี้ บ้านยังไม่ถูกยึด",
                 "ญาติช่วยผ่อนชำระหนี้", "ประสานน้องชายและญาติร่วมกันผ่อนชำระ", 12, False, 90),
                (90, "พี่สาวเข่าเสื่อมมากขึ้น ช่วยดูแลได้น้อยลง", "รถเข็นและราวจับในห้องน้ำ",
                 "ประสานศูนย์บริการคนพิการ กรุงเทพมหานคร ขอรถเข็น", 12, True, 60),
                (27, "ได้รับรถเข็นแล้ว ออกไปทำบุญที่วัดได้ บ้านยังอยู่ระหว่างผ่อนชำระ",
                 "ราวจับในห้องน้ำ", "ติดตามการผ่อนชำระและให้กำลังใจ", 12, False, 30),
            ],
            [
                (300, "ติดเตียง บุตรชายดูแลตลอดเวลา ได้รับเงินสงเคราะห์ครอบครัวผู้มีรายได้น้อยแล้ว",
                 "ผ้าอ้อมผู้ใหญ่และที่นอนลม", "มอบผ้าอ้อมผู้ใหญ่ ยื่นขอที่นอนลม", 3, False, 90),
                (150, "มีแผลกดทับที่ก้นกบ", "พยาบาลเยี่ยมบ้านทำแผล",
                 "ประสานศูนย์บริการสาธารณสุข คลองกุ่ม ส่งพยาบาลเยี่ยมบ้าน", 2, True, 45),
                (70, "แผลกดทับหายดี บุตรชายได้งานรับจ้างทำที่บ้าน", "",
                 "สอนบุตรชายเรื่องการพลิกตัวทุกสองชั่วโมง", 2, False, 60),
                (12, "สุขภาพทรงตัว ญาติดูแลดี", "", "ให้กำลังใจผู้ดูแล", 2, False, 30),
            ],
        ]  # fmt: skip
        steps = [Case.Status.IN_ASSISTANCE, None, Case.Status.FOLLOW_UP, None]
        for case, story in zip(seeds, stories, strict=True):
            team_members = self.members[case.team.target_group.code]
            with_them = list(dict.fromkeys([team_members[0], demo_volunteer]))
            status = case.status
            for (days, findings, needs, actions, adl, referral, next_in), step in zip(
                story, steps, strict=True
            ):
                day = self.days_ago(days)
                visited_at = self.at(day, 10)
                visit = HomeVisit(
                    case=case,
                    center=self.center,
                    visited_at=visited_at,
                    author=self.volunteer_user,
                    purpose=HomeVisit.Purpose.FOLLOW_UP,
                    findings=findings,
                    adl_score=adl,
                    needs=needs,
                    actions=actions,
                    referral_needed=referral,
                    income_checked=days == story[0][0],
                    monthly_income=case.monthly_income() if days == story[0][0] else None,
                    next_visit_due=day + datetime.timedelta(days=next_in),
                )
                backdate(visit, visited_at, by=self.volunteer_user)
                visits.append(visit)
                present.append((visit, with_them))
                events.append(CaseEvent(case=case, center=self.center, by=self.volunteer_user,
                                        kind=CaseEvent.Kind.VISIT_LOGGED, at=visited_at))  # fmt: skip
                if step:
                    events.append(CaseEvent(case=case, center=self.center, by=self.coordinator,
                                            kind=CaseEvent.Kind.STATUS, status_from=status,
                                            status_to=step, at=visited_at))  # fmt: skip
                    status = step
            Case.objects.filter(pk=case.pk).update(status=status)
        return seeds

    def household(self, case: Case, code: str) -> list[dict]:
        rng = self.rng
        age = case.age(on=self.today) or 40
        surname = case.last_name

        def member(relation, first, member_age, **extra) -> dict:
            return {"relation": relation, "name": f"{first} {surname}", "age": member_age, **extra}

        rows = []
        if code == "elderly":
            if rng.random() < 0.5:
                spouse = rng.choice(MEN if case.sex == "female" else WOMEN)
                rows.append(member("spouse", spouse, age + rng.randint(-4, 4),
                                   condition=rng.choice(["normal", "chronically_ill"])))  # fmt: skip
            if rng.random() < 0.7:
                rows.append(member("child", rng.choice(YOUNG_MEN + YOUNG_WOMEN), age - 30,
                                   occupation="รับจ้างทั่วไป",
                                   monthly_income=Decimal(rng.choice([6000, 9000, 12000]))))  # fmt: skip
            if rng.random() < 0.4:
                rows.append(member("grandchild", rng.choice(BOYS + GIRLS), rng.randint(6, 16),
                                   occupation="นักเรียน"))  # fmt: skip
        elif code == "disability":
            if age < 40:
                rows.append(member("parent", rng.choice(WOMEN), age + rng.randint(22, 32),
                                   occupation="ค้าขาย",
                                   monthly_income=Decimal(rng.choice([4000, 7000]))))  # fmt: skip
            else:
                rows.append(member("sibling", rng.choice(WOMEN + MEN), age + rng.randint(-5, 5),
                                   occupation="รับจ้างทั่วไป",
                                   monthly_income=Decimal(rng.choice([5000, 8000]))))  # fmt: skip
        elif code in ("women", "destitute"):
            for _ in range(rng.randint(0 if code == "destitute" else 1, 3)):
                child_age = rng.randint(1, min(15, max(1, age - 18)))
                rows.append(member("child", rng.choice(BOYS + GIRLS), child_age,
                                   occupation="นักเรียน" if child_age >= 6 else ""))  # fmt: skip
        else:
            rows.append(member("grandparent", rng.choice(WOMEN), rng.randint(60, 78),
                               occupation="ขายของหน้าบ้าน", monthly_income=Decimal(3000),
                               condition=rng.choice(["normal", "chronically_ill"])))  # fmt: skip
            if rng.random() < 0.5:
                rows.append(member("sibling", rng.choice(BOYS + GIRLS), rng.randint(2, 16)))
        for row in rows:
            row["can_care_for_self"] = row["age"] >= 6 and row.get("condition") != "disabled"
        return rows

    def incomes(self, case: Case, code: str) -> list[dict]:
        rng = self.rng
        age = case.age(on=self.today) or 40
        rows = []
        for from_age, amount in ELDERLY_ALLOWANCE:
            if age >= from_age:
                rows.append({"kind": "elderly_allowance", "amount": Decimal(amount)})
                break
        if case.disability_types:
            amount = 1000 if age < 18 or case.has_welfare_card else 800
            rows.append({"kind": "disability_allowance", "amount": Decimal(amount)})
        if code in ("women", "children_youth") and (age < 6 or rng.random() < 0.3):
            rows.append({"kind": "child_grant", "amount": Decimal(600), "note": "บุตรอายุต่ำกว่า 6 ปี"})
        if code in ("destitute", "women") and rng.random() < 0.7:
            rows.append({"kind": "wages", "amount": Decimal(rng.choice([3000, 4500, 6000, 7500])),
                         "note": "รับจ้างรายวัน ไม่แน่นอน"})  # fmt: skip
        if code == "elderly" and rng.random() < 0.5:
            rows.append({"kind": "family_support", "amount": Decimal(rng.choice([1000, 2000, 3000])),
                         "note": "บุตรส่งให้ทุกเดือน"})  # fmt: skip
        if case.has_welfare_card:
            rows.append({"kind": "other", "amount": Decimal(300),
                         "note": "วงเงินบัตรสวัสดิการแห่งรัฐ"})  # fmt: skip
        return rows
