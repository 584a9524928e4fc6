"""In Chromium, the whole of issue 11 as a coordinator lives it with the seed case whose
house the bank will seize: she is referred to legal aid, the letter is printed, the
agency acknowledges and then reports the outcome, a home-modification grant meets its
cap, a case conference adds two plan actions, and once the plan is done the case closes."""

import re

import pytest
from django.urls import reverse

from cases.models import Assistance, Case, PlanAction, Referral, ReferralStatus
from coordination.models import AccessLog, Agency
from tests.browser.conftest import log_in, watch_csp
from tests.browser.test_phone import demo  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_case_is_referred_helped_planned_for_and_closed_once_the_plan_is_done(
    demo,  # noqa: F811
    live_server,
    page,
    assert_accessible,
):
    blocked: list[str] = []
    watch_csp(page, blocked)
    case = Case.objects.get(housing=Case.Housing.OWN_AT_RISK, reg_house_no="11")
    legal_aid = Agency.objects.get(center=case.center, kind=Agency.Kind.LEGAL_AID)
    log_in(page, live_server, "coordinator", "coordinator-demo-2562")
    case_url = live_server.url + reverse("cases:case-detail", args=[case.pk])

    # Referred to legal aid from the case page.
    page.goto(case_url)
    page.get_by_role("link", name="ส่งต่อหน่วยงาน").click()
    page.wait_for_url("**/referrals/new/")  # and its load: a click may return before either
    assert_accessible(page)
    page.select_option("#id_agency", str(legal_aid.pk))
    page.fill("#id_reason", "ธนาคารแจ้งว่าจะยึดบ้านที่พี่ชายนำไปจำนองและหยุดผ่อน")
    page.fill("#id_requested", "ขอคำปรึกษาทางกฎหมายเรื่องการบังคับจำนอง")
    page.fill("#id_documents", "สำเนาบัตรประชาชน สำเนาสัญญาจำนอง")
    page.fill("#id_agency_contact", "ผู้อำนวยการศูนย์")
    page.get_by_role("button", name="บันทึกการส่งต่อ").click()
    referral = Referral.objects.get(case=case)
    page.wait_for_url(live_server.url + reverse("cases:referral-detail", args=[referral.pk]))
    assert referral.agency == legal_aid and referral.status == ReferralStatus.SENT

    # The letter opens to print, and printing it is logged.
    page.get_by_role("link", name="พิมพ์หนังสือส่งต่อ").click()
    page.wait_for_url(live_server.url + reverse("cases:referral-letter", args=[referral.pk]))
    assert referral.letter_number in page.content()
    assert AccessLog.objects.filter(object_id=referral.pk).exists()
    page.go_back()

    # The agency acknowledges, then reports the outcome.
    for status, outcome in (("acknowledged", ""), ("done", "ทนายรับเป็นคดี เจรจาพักชำระหนี้ได้")):
        page.select_option("#id_status", status)
        if outcome:
            page.fill("#id_outcome", outcome)
        page.get_by_role("button", name="บันทึกการตอบกลับ").click()
        page.wait_for_load_state()
        referral.refresh_from_db()
        assert referral.status == status
    assert referral.outcome == "ทนายรับเป็นคดี เจรจาพักชำระหนี้ได้"

    # A home-modification grant over its cap is refused, then recorded within it.
    page.goto(case_url)
    page.get_by_role("link", name="บันทึกการช่วยเหลือ").click()
    page.select_option("#id_kind", "home_modification")
    page.fill("#id_amount", "45000")
    page.get_by_role("button", name="บันทึก", exact=True).click()
    assert "40,000" in page.locator("[data-over-cap]").inner_text()
    assert not Assistance.objects.filter(case=case).exists()
    page.fill("#id_amount", "40000")
    page.get_by_role("button", name="บันทึก", exact=True).click()
    page.wait_for_url(re.compile(re.escape(reverse("cases:case-detail", args=[case.pk]))))
    assert Assistance.objects.get(case=case).amount == 40000

    # A case conference decides two actions for her.
    page.goto(live_server.url + reverse("cases:conference-create"))
    page.fill("#id_place", "ศูนย์สุขภาพชุมชนคลองกุ่มนิเวศน์")
    page.select_option("#id_cases", str(case.pk))
    page.fill("#id_attendees-0-name", "นายสมชาย ใจงาม")
    page.fill("#id_attendees-0-organisation", "สภาทนายความ")
    for row, what in ((0, "ไปศาลพร้อมทนาย"), (1, "เยี่ยมบ้านติดตามทุกสัปดาห์")):
        page.select_option(f"#id_decisions-{row}-case", str(case.pk))
        page.fill(f"#id_decisions-{row}-what", what)
        page.fill(f"#id_decisions-{row}-due_on", "10/01/2570")
        page.select_option(f"#id_decisions-{row}-owner_team", index=1)
    page.get_by_role("button", name="บันทึกการประชุม").click()
    page.wait_for_url(re.compile(r"/cases/conferences/\d+/$"))
    assert PlanAction.objects.filter(case=case).count() == 2

    # The plan is done: both actions marked done on the plan page.
    page.goto(live_server.url + reverse("cases:case-plan", args=[case.pk]))
    assert_accessible(page)
    for row in (0, 1):
        page.select_option(f"#id_actions-{row}-status", "done")
    page.get_by_role("button", name="บันทึกแผน").click()
    page.wait_for_url(re.compile(re.escape(reverse("cases:case-detail", args=[case.pk]))))
    assert set(PlanAction.objects.filter(case=case).values_list("status", flat=True)) == {"done"}

    # And the case closes, with its reason and note, after the confirmation.
    page.get_by_text("ปิดกรณี", exact=True).first.click()
    page.select_option("#id_close-reason", "resolved")
    page.fill("#id_close-note", "ได้รับความช่วยเหลือทางกฎหมายและปรับปรุงบ้านแล้ว")
    page.get_by_role("button", name="ปิดกรณี", exact=True).click()
    page.get_by_role("button", name="ยืนยัน ปิดกรณี").click()
    page.wait_for_url(re.compile(re.escape(reverse("cases:case-detail", args=[case.pk]))))
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert_accessible(page)
    assert blocked == []
