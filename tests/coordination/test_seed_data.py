"""What the data migrations put in every database."""

import datetime
from decimal import Decimal

from django.contrib.auth.models import Group

from coordination.models import AllowanceRate, District, Province, Subdistrict, TargetGroup


def test_the_five_target_groups_are_seeded_with_stable_codes_and_both_names(db):
    groups = list(TargetGroup.objects.values_list("code", "name_th", "name_en"))
    assert groups == [
        ("destitute", "ผู้ยากไร้", "The destitute"),
        ("disability", "ผู้พิการ", "Persons with disabilities"),
        ("elderly", "ผู้สูงอายุ", "Older persons"),
        ("women", "สตรี", "Women"),
        ("children_youth", "เด็กและเยาวชน", "Children and youth"),
    ]


def test_every_province_district_and_subdistrict_is_seeded(db):
    assert Province.objects.count() == 77
    assert District.objects.count() == 928
    assert Subdistrict.objects.count() == 7436
    bueng_kum = District.objects.get(code="1027")
    assert (bueng_kum.name_th, bueng_kum.province.name_th) == ("เขตบึงกุ่ม", "กรุงเทพมหานคร")
    assert sorted(bueng_kum.subdistricts.values_list("name_th", flat=True)) == [
        "คลองกุ่ม",
        "นวมินทร์",
        "นวลจันทร์",
    ]
    assert Subdistrict.objects.get(code="102701").postal_codes == ["10230", "10240"]


def test_the_roles_are_groups_without_model_permissions(db):
    """Roles are checked by group name, never by model permission (0012 dropped those
    0005 had seeded): one source of truth for who may do what."""
    roles = Group.objects.filter(name__in=["coordinator", "volunteer"])
    assert sorted(roles.values_list("name", flat=True)) == ["coordinator", "volunteer"]
    assert not roles.filter(permissions__isnull=False).exists()


def rate(kind: str, age: int, on: datetime.date, card: bool = False) -> Decimal:
    rates = AllowanceRate.objects.in_force(on).filter(kind=kind, welfare_card_holders=card)
    matching = [
        r
        for r in rates
        if (r.age_from is None or r.age_from <= age) and (r.age_to is None or age <= r.age_to)
    ]
    return max(r.monthly_amount for r in matching)


def test_the_allowance_rates_are_seeded_with_effective_dates(db):
    today = datetime.date(2025, 2, 1)
    assert [rate("elderly", age, today) for age in (60, 69, 70, 79, 80, 89, 90, 101)] == [
        600,
        600,
        700,
        700,
        800,
        800,
        1000,
        1000,
    ]
    assert rate("disability", 45, today) == 800
    assert rate("disability", 12, today) == 1000
    assert rate("disability", 45, today, card=True) == 1000
    assert rate("child", 3, today) == 600
    # Before 1 October 2020 there was no 1,000-baht tier for children with disabilities.
    assert (
        not AllowanceRate.objects.in_force(datetime.date(2020, 9, 30))
        .filter(kind="disability", monthly_amount=1000)
        .exists()
    )
