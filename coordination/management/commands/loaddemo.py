"""The demo centre: Bueng Kum, as opened on 24 April 2019 (๒๔ เมษายน ๒๕๖๒).

Names and ID numbers are invented; the two cases are the anonymised home visits
of the ministry's news release of that day.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from cases.models import Case, CaseEvent, HomeVisit, HouseholdMember, IncomeSource
from coordination.models import Agency, Center, District, TargetGroup, User
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

    def load_agencies(self, center: Center) -> None:
        # National hotlines belong to no centre; every centre can refer to them.
        for name, kind, phone in [
            ("ศูนย์ช่วยเหลือสังคม สายด่วน 1300", Agency.Kind.HOTLINE, "1300"),
            ("สายด่วนคนพิการ 1479", Agency.Kind.HOTLINE, "1479"),
        ]:
            Agency.objects.get_or_create(
                center=None, name=name, defaults={"kind": kind, "phone": phone}
            )
        for name, kind in [
            ("ฝ่ายพัฒนาชุมชนและสวัสดิการสังคม สำนักงานเขตบึงกุ่ม", Agency.Kind.DISTRICT_OFFICE),
            ("ศูนย์บริการคนพิการ กรุงเทพมหานคร", Agency.Kind.GOVERNMENT),
            ("ศูนย์บริการสาธารณสุข คลองกุ่ม", Agency.Kind.HOSPITAL),
            ("ศูนย์ช่วยเหลือทางกฎหมาย", Agency.Kind.LEGAL_AID),
        ]:
            Agency.objects.create(center=center, name=name, kind=kind, area="เขตบึงกุ่ม")

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
                m.volunteer
                for m in team.memberships.filter(left_on__isnull=True).select_related("volunteer")
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
