"""Factories: deterministic values for what tests read, sequences for unique fields."""

import datetime
import itertools
from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from cases.models import Case, Debt, HomeVisit, HouseholdMember, IncomeSource, Referral
from coordination.models import Agency, Center, District, TargetGroup, User
from coordination.validators import with_check_digit
from volunteers.models import Team, Volunteer


def national_id(n: int) -> str:
    """A valid (checksummed) 13-digit national ID, different for each n."""
    return with_check_digit(f"1{n:011d}")


def free_district() -> District:
    return District.objects.filter(center__isnull=True).order_by("code").first()


class CenterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Center

    name = factory.Sequence(lambda n: f"ศูนย์ประสานงาน อพม. {n}")
    district = factory.LazyFunction(free_district)
    address = "ถนนทดสอบ"
    opened_on = datetime.date(2019, 4, 24)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("password")

    @factory.post_generation
    def role(self, create: bool, extracted: str | None, **kwargs) -> None:
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer

    center = factory.SubFactory(CenterFactory)
    prefix = "mrs"
    first_name = factory.Sequence(lambda n: f"อาสา{n}")
    last_name = "ใจดี"
    national_id = factory.Sequence(lambda n: national_id(1000 + n))
    phone = "0812345678"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    center = factory.SubFactory(CenterFactory)
    target_group = factory.LazyFunction(lambda: TargetGroup.objects.get(code="elderly"))
    name = factory.Sequence(lambda n: f"ทีม {n}")


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case
        skip_postgeneration_save = True

    center = factory.SubFactory(CenterFactory)
    prefix = "mrs"
    first_name = factory.Sequence(lambda n: f"ผู้ประสบปัญหา{n}")
    last_name = "ทดสอบ"
    sex = "female"
    birth_date = datetime.date(1945, 5, 1)
    opened_on = datetime.date(2025, 11, 1)

    @factory.post_generation
    def target_groups(self, create: bool, extracted, **kwargs) -> None:
        if create:
            self.target_groups.set(extracted or [TargetGroup.objects.get(code="elderly")])


class HouseholdMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseholdMember

    case = factory.SubFactory(CaseFactory)
    relation = "child"
    name = "บุตร"
    age = 40


class DebtFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Debt

    case = factory.SubFactory(CaseFactory)
    creditor = "ธนาคารอาคารสงเคราะห์"
    kind = "mortgage"
    amount = Decimal("350000.00")


class IncomeSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncomeSource

    case = factory.SubFactory(CaseFactory)
    kind = "elderly_allowance"
    amount = Decimal("700.00")


class HomeVisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HomeVisit

    case = factory.SubFactory(CaseFactory)
    visited_at = factory.LazyFunction(
        lambda: datetime.datetime(2025, 11, 2, 10, 0, tzinfo=datetime.UTC)
    )
    purpose = "assessment"


REFERRAL_AGENCY_NUMBERS = itertools.count(1)


def agency_of(center, name: str = "", kind: str = "legal_aid") -> Agency:
    """An agency of `center`, or a national one (None). Agencies are n2's; this makes one
    the way a referral test needs it, without a factory of its own to keep in step."""
    # Numbered apart from AgencyFactory's "หน่วยงาน n": counting the rows gave the same
    # name as the factory's next one in the same centre, depending on the tests before.
    name = name or f"หน่วยงานรับส่งต่อ {next(REFERRAL_AGENCY_NUMBERS)}"
    return Agency.objects.create(center=center, name=name, kind=kind, phone="1300")


class ReferralFactory(factory.django.DjangoModelFactory):
    """A referral as the page makes it: sent, numbered, with the first row of its history."""

    class Meta:
        model = Referral

    case = factory.SubFactory(CaseFactory)
    agency = factory.LazyAttribute(lambda o: agency_of(o.case.center))
    reason = "บ้านจะถูกธนาคารยึด ผู้สูงอายุพิการไม่มีรายได้พอผ่อนชำระ"
    requested = "ขอคำปรึกษาและความช่วยเหลือทางกฎหมาย"
    sent_on = datetime.date(2025, 11, 3)
    reply_by = datetime.date(2025, 11, 17)
    # Its case's consent to referral when there is one (Referral.clean); else this.
    legal_basis = "vital"
    legal_basis_note = "เสี่ยงถูกไล่ออกจากบ้านโดยไม่มีที่อยู่"

    @classmethod
    def _create(cls, model_class, *args, by=None, **kwargs):
        referral = model_class(*args, **kwargs)
        referral.send(by=by)
        return referral


class AgencyFactory(factory.django.DjangoModelFactory):
    """A centre's own agency (pass center=None for a national one)."""

    class Meta:
        model = Agency

    center = factory.SubFactory(CenterFactory)
    name = factory.Sequence(lambda n: f"หน่วยงาน {n}")
    kind = Agency.Kind.HOSPITAL
    phone = "022345678"
