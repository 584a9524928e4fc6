"""The referral pages in Chromium: the letter as it prints (one A4 page, in Sarabun, the
Thai text and the masked national ID in the PDF, never the full ID), and every referral
page on a phone."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from tests.browser.conftest import sign_in
from tests.browser.test_phone import check_page, phone  # noqa: F401 (a fixture)
from tests.factories import (
    CaseFactory,
    CenterFactory,
    HomeVisitFactory,
    ReferralFactory,
    UserFactory,
    agency_of,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def letter(transactional_db):
    center = CenterFactory(
        name="ศูนย์ประสานงาน อพม. เขตบึงกุ่ม",
        district_id="1027",
        address="อาคารศูนย์สุขภาพชุมชนคลองกุ่มนิเวศน์ ซ.เจริญกาญน์ 1 ถ.เสรีไทย 41 แขวงคลองกุ่ม เขตบึงกุ่ม กรุงเทพมหานคร",
        phone="021234567",
    )
    coordinator = UserFactory(
        username="coordinator", center=center, role="coordinator", first_name="สมหญิง",
        last_name="ประสานดี",
    )  # fmt: skip
    case = CaseFactory(
        center=center, first_name="บุญเรือน", last_name="ทดสอบ", national_id="3101200123453",
        birth_date=datetime.date(1946, 3, 1),
    )  # fmt: skip
    today = timezone.localdate()
    return ReferralFactory(
        case=case,
        by=coordinator,
        agency=agency_of(center, "ศูนย์ช่วยเหลือทางกฎหมาย สภาทนายความ"),
        agency_contact="ผู้อำนวยการศูนย์",
        sent_on=today,
        reply_by=today + datetime.timedelta(days=14),
        reason=(
            "หญิงอายุ 79 ปี พิการทางการเคลื่อนไหวแต่กำเนิด อาศัยอยู่กับพี่สาวซึ่งเข่าเสื่อม "
            "บ้านของตนถูกพี่ชายนำไปจำนองและหยุดผ่อนชำระ ธนาคารแจ้งว่าจะยึดบ้าน "
            "รายได้ต่อเดือน 2,500 บาท จากญาติ เบี้ยยังชีพผู้สูงอายุ และเบี้ยความพิการ"
        ),
        requested="ขอคำปรึกษาและความช่วยเหลือทางกฎหมายเรื่องการบังคับจำนอง เพื่อไม่ให้ถูกยึดบ้าน",
        documents="สำเนาบัตรประชาชน สำเนาทะเบียนบ้าน สำเนาสัญญาจำนอง",
    )


def test_the_letter_prints_on_one_a4_page_with_thai_text_and_the_masked_id(
    letter, live_server, browser, assert_accessible
):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, "coordinator")
    url = live_server.url + reverse("cases:referral-letter", args=[letter.pk])
    page.goto(url)
    assert_accessible(page)
    # Sarabun is `font-display: optional`: used when there at first paint, as it is
    # once cached; a later load is how a coordinator meets the letter after any page.
    # On a loaded machine the cached font can still miss the first paint (the letter
    # then printed on two pages in the fallback font): load again, a few times at most.
    for _ in range(4):
        page.goto(url)
        page.evaluate("document.fonts.ready")
        pdf = PdfReader(io.BytesIO(page.pdf(format="A4", prefer_css_page_size=True)))
        if "Sarabun" in str(fonts_of(pdf.pages[0])):
            break
    context.close()

    assert len(pdf.pages) == 1
    sheet = pdf.pages[0]
    assert (round(float(sheet.mediabox.width)), round(float(sheet.mediabox.height))) == (595, 842)
    text = sheet.extract_text()
    assert "3-1012-xxxxx-xx-3" in text
    assert "3101200123453" not in text.replace("-", "")
    assert f"{letter.letter_number}" in text
    for thai in ("ทดสอบ", "ศูนย์ช่วยเหลือทางกฎหมาย", "ขอแสดงความนับถือ", "แบบตอบรับการส่งต่อ"):
        assert thai in text, thai
    assert any("Sarabun" in name for name in fonts_of(sheet)), fonts_of(sheet)


def fonts_of(sheet) -> set[str]:
    fonts = sheet["/Resources"].get("/Font")  # none on a page of only tofu or nothing
    return {str(font["/BaseFont"]) for font in fonts.get_object().values()} if fonts else set()


def test_the_referral_pages_fit_a_phone(letter, live_server, phone, assert_accessible):  # noqa: F811
    """Axe, 360 px and 44 px targets on every referral page a coordinator opens, with a
    visit waiting for a referral and an unread outcome on the case."""
    case = letter.case
    HomeVisitFactory(case=case, referral_needed=True, needs="ต้องการทนายความ")
    answered = ReferralFactory(case=case, agency=letter.agency)
    answered.change_status("declined", by=None, on=answered.sent_on, outcome="ไม่อยู่ในเขต")
    page = phone.new_page()
    sign_in(page, live_server, "coordinator")
    problems = []
    for path in (
        reverse("cases:case-detail", args=[case.pk]),
        reverse("cases:referral-create", args=[case.pk]),
        reverse("cases:referral-detail", args=[letter.pk]),
        reverse("cases:referral-detail", args=[answered.pk]),
        reverse("cases:followup-list") + "?show=referrals",
        # The letter too: its reply slip's dotted lines made it 440 px wide.
        reverse("cases:referral-letter", args=[letter.pk]),
        reverse("cases:case-consent-form", args=[case.pk]),
    ):
        problems += check_page(page, live_server.url + path, assert_accessible)
    assert not problems, "\n".join(problems)


def test_the_worklist_referral_tab_pages_fit_a_phone(letter, live_server, phone, assert_accessible):  # noqa: F811
    """26 visits waiting for a referral: the tab's first and second pages of that list,
    each with its own page navigation, on a phone (axe, 360 px, 44 px targets)."""
    other = CaseFactory(center=letter.case.center, first_name="สมศรี", last_name="รอส่งต่อ")
    for _ in range(26):
        HomeVisitFactory(case=other, referral_needed=True, needs="ต้องการรถเข็น")
    page = phone.new_page()
    sign_in(page, live_server, "coordinator")
    worklist = live_server.url + reverse("cases:followup-list") + "?show=referrals"
    problems = check_page(page, worklist, assert_accessible)
    page.get_by_role("navigation", name="หน้า: การเยี่ยมบ้านที่ระบุว่าต้องส่งต่อ").get_by_role(
        "link", name="ถัดไป"
    ).click()
    page.wait_for_url("**needing_page=2**")
    problems += check_page(page, page.url, assert_accessible)
    assert page.locator("#needing-referral-heading ~ ul > li").count() == 1
    assert not problems, "\n".join(problems)
