"""A case's two addresses, written in one place (cases.models.Address): the page writes
every part, the PDPA copy lists them, anonymising blanks them all."""

import pytest
from django.urls import reverse
from django.utils import translation

from cases.models import Address, Case
from coordination.models import Subdistrict
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

PARTS = {
    "house_no": "11/2",
    "moo": "4",
    "village": "หมู่บ้านสุขใจ",
    "lane": "ตรอกข้าวสาร",
    "soi": "เสรีไทย 41",
    "road": "นวมินทร์",
    "postal_code": "10240",
}


def case_with_two_addresses(center) -> Case:
    return CaseFactory(
        center=center,
        **{f"reg_{part}": value for part, value in PARTS.items()},
        reg_subdistrict=Subdistrict.objects.get(code="102701"),
        current_same_as_registered=False,
        **{f"cur_{part}": f"{value}ก" for part, value in PARTS.items() if part != "postal_code"},
        cur_postal_code="50200",
        cur_subdistrict=Subdistrict.objects.get(code="500101"),
    )


def test_the_address_columns_are_the_parts_the_address_names():
    columns = {f.name for f in Case._meta.fields if f.name[:4] in ("reg_", "cur_")}
    assert columns == {*Address.typed_fields(), "reg_subdistrict", "cur_subdistrict"}


def test_the_case_page_writes_each_address_whole_in_writing_order(coordinator_client, center):
    case = case_with_two_addresses(center)
    html = coordinator_client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    registered = (
        "11/2 หมู่ 4 หมู่บ้านสุขใจ ตรอก ตรอกข้าวสาร ซอย เสรีไทย 41 ถนน นวมินทร์ "
        f"{Subdistrict.objects.get(code='102701').full_name()} 10240"
    )
    current = (
        "11/2ก หมู่ 4ก หมู่บ้านสุขใจก ตรอก ตรอกข้าวสารก ซอย เสรีไทย 41ก ถนน นวมินทร์ก "
        f"{Subdistrict.objects.get(code='500101').full_name()} 50200"
    )
    assert registered in html
    assert current in html


def test_a_place_is_written_with_its_parts_named_as_thai_addresses_are():
    """Bangkok has แขวง and เขต (its districts' names carry their เขต); elsewhere ตำบล,
    อำเภอ, จังหวัด. The page wrote "คลองกุ่ม เขตบึงกุ่ม": a แขวง without its name."""
    bangkok = Subdistrict.objects.get(code="102701")
    chiang_mai = Subdistrict.objects.get(code="500101")
    assert bangkok.full_name() == "แขวงคลองกุ่ม เขตบึงกุ่ม กรุงเทพมหานคร"
    assert chiang_mai.full_name() == "ตำบลศรีภูมิ อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่"
    with translation.override("en"):
        assert bangkok.full_name() == "Khlong Kum, Bueng Kum, Bangkok"


def test_anonymising_blanks_every_typed_part_of_both_addresses(center):
    case = case_with_two_addresses(center)
    case.anonymise()
    case.refresh_from_db()
    for address in (case.registered_address, case.current_address):
        assert [getattr(address, part) for part in (*Address.LINE, "postal_code")] == [""] * 7
    # The area stays for statistics.
    assert (case.reg_subdistrict_id, case.cur_subdistrict_id) == ("102701", "500101")


def test_the_pdpa_copy_holds_every_part_of_both_addresses(center):
    data = case_with_two_addresses(center).personal_data()
    assert {name: data[name] for name in ("reg_soi", "cur_soi", "cur_postal_code")} == {
        "reg_soi": "เสรีไทย 41",
        "cur_soi": "เสรีไทย 41ก",
        "cur_postal_code": "50200",
    }
    assert set(Address.typed_fields()) <= set(data)
