"""Words and dates as a Thai reader expects them: yes/no in the words the question
takes (never ได้, "can"), dates of the change history in the Buddhist Era, plain words
for what a button does, and the consent form Thai inside a menu in the reader's language."""

import datetime
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from cases.models.assistance import fiscal_year
from tests.factories import CaseFactory, HomeVisitFactory, HouseholdMemberFactory

pytestmark = pytest.mark.django_db


def in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def answer_after(html: str, label: str) -> str:
    """The <dd> (or the print page's <td>) that follows a label."""
    match = re.search(re.escape(label) + r"</(?:dt|th)><(?:dd|td)[^>]*>([^<]*)<", html)
    assert match, label
    return match.group(1)


@pytest.mark.parametrize("needed, thai", [(True, "ใช่"), (False, "ไม่ใช่")])
def test_a_visit_says_whether_a_referral_is_needed_with_chai(
    coordinator_client, case, needed, thai
):
    visit = HomeVisitFactory(case=case, referral_needed=needed)
    html = coordinator_client.get(reverse("cases:visit-detail", args=[visit.pk])).content.decode()
    assert answer_after(html, "ต้องส่งต่อ") == thai


def test_the_visit_page_says_yes_in_english(coordinator_client, case):
    visit = HomeVisitFactory(case=case, referral_needed=True)
    html = in_english(coordinator_client).get(reverse("cases:visit-detail", args=[visit.pk]))
    assert answer_after(html.content.decode(), "Referral needed") == "yes"


def test_the_household_table_never_answers_with_dai(coordinator_client, case):
    HouseholdMemberFactory(case=case, name="บุตรคนโต", can_care_for_self=True)
    HouseholdMemberFactory(case=case, name="บุตรคนเล็ก", can_care_for_self=False)
    html = coordinator_client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    assert '<th scope="col">ช่วยเหลือตนเองได้</th>' in html
    rows = re.findall(r"<tr><td[^>]*>(บุตรคน[^<]+)</td>.*?<td[^>]*>([^<]*)</td></tr>", html)
    assert dict(rows) == {"บุตรคนโต": "ใช่", "บุตรคนเล็ก": "ไม่ใช่"}
    assert not re.search(r"<td[^>]*>(ไม่)?ได้</td>", html)


def test_the_printed_data_answers_has_with_mii_and_is_with_chai(coordinator_client, center):
    case = CaseFactory(center=center, has_welfare_card=True, has_disability_card=False)
    html = coordinator_client.get(reverse("cases:case-print", args=[case.pk])).content.decode()
    assert answer_after(html, "มีบัตรสวัสดิการแห่งรัฐ") == "มี"
    assert answer_after(html, "มีบัตรประจำตัวคนพิการ") == "ไม่มี"
    assert "ได้</td>" not in html


def change_birth_date_and_card(case) -> None:
    case.birth_date = datetime.date(1950, 4, 24)
    case.has_welfare_card = not case.has_welfare_card
    case.save()


def test_the_change_history_writes_dates_in_the_buddhist_era(coordinator_client, center):
    case = CaseFactory(center=center, birth_date=datetime.date(1949, 1, 2), has_welfare_card=False)
    change_birth_date_and_card(case)
    html = coordinator_client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    history = html[html.index('id="changes-heading"') :]
    assert "2 ม.ค. 2492 → 24 เม.ย. 2493" in history
    assert "ไม่มี → มี" in history
    assert "1950-04-24" not in history and "False" not in history


def test_the_change_history_writes_common_era_dates_in_english(coordinator_client, center):
    case = CaseFactory(center=center, birth_date=datetime.date(1949, 1, 2), has_welfare_card=True)
    change_birth_date_and_card(case)
    html = in_english(coordinator_client).get(reverse("cases:case-detail", args=[case.pk]))
    history = html.content.decode()[html.content.decode().index('id="changes-heading"') :]
    assert "2 Jan 1949 → 24 Apr 1950" in history
    assert "yes → no" in history


def test_the_case_page_says_what_the_download_is_for(coordinator_client, case):
    html = coordinator_client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    assert "ดาวน์โหลดข้อมูลของบุคคลนี้ (ตามคำขอใช้สิทธิ PDPA)" in html
    assert "พิมพ์ข้อมูลของบุคคลนี้ที่ศูนย์เก็บไว้" in html
    assert "JSON" not in html
    english = in_english(coordinator_client).get(reverse("cases:case-detail", args=[case.pk]))
    assert "Download this person's data (for a PDPA request)" in english.content.decode()


def test_the_consent_form_stays_thai_inside_an_english_menu(coordinator_client, case):
    response = in_english(coordinator_client).get(
        reverse("cases:case-consent-form", args=[case.pk])
    )
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Log out" in html and "Back to the case" in html  # the menu: the reader's
    assert '<article class="consent-form" lang="th">' in html
    form = html[html.index("<article") : html.index("</article>")]
    assert "หนังสือให้ความยินยอม" in form and "ลงชื่อ" in form and "พยาน" in form
    assert "Signed" not in form and "Witness" not in form


def test_the_consent_form_in_a_thai_menu(coordinator_client, case):
    html = coordinator_client.get(reverse("cases:case-consent-form", args=[case.pk]))
    html = html.content.decode()
    assert '<html lang="th">' in html and "กลับไปที่กรณี" in html and "หนังสือให้ความยินยอม" in html


def test_a_birth_year_alone_is_in_the_pages_era(coordinator_client, center):
    case = CaseFactory(center=center, birth_date=datetime.date(1940, 1, 1), birth_year_only=True)
    url = reverse("cases:case-detail", args=[case.pk])
    assert "ปี 2483" in coordinator_client.get(url).content.decode()
    english = in_english(coordinator_client).get(url).content.decode()
    assert "year 1940" in english and "2483" not in english


def test_english_pages_say_a_fiscal_year_is_in_the_buddhist_era(coordinator_client, case):
    """Fiscal years are named and typed in the Buddhist Era in both languages (the
    assistance list's filter asks for one): said so on English pages."""
    english = in_english(coordinator_client).get(reverse("cases:case-detail", args=[case.pk]))
    year = fiscal_year(timezone.localdate())
    assert f"This fiscal year (FY{year} BE)" in english.content.decode()
