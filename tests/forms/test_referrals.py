"""Referrals from the pages as a person fills them: referring a case (from the case page
or from a visit that asked for it), recording the agency's answers, reading the outcome,
dismissing a need — each form as rendered."""

import datetime

from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Referral, ReferralNeedDismissal, ReferralStatus
from coordination.models import AccessLog, Agency
from coordination.templatetags.thai import be_date
from tests.factories import CaseFactory, HomeVisitFactory, ReferralFactory, agency_of
from tests.forms.rendered import (
    assert_rendered_whole,
    form_posting_to,
    form_with_field,
    submit_and_follow,
)

S = ReferralStatus


def consenting(case):
    """The case's consent, as its edit page records it, covers referral to agencies."""
    case.consent_given_by = "ตนเอง"
    case.consent_method = Case.ConsentMethod.SIGNED
    case.consent_purposes = [Case.ConsentPurpose.ASSISTANCE, Case.ConsentPurpose.REFERRAL]
    case.save()
    return case


def test_a_coordinator_refers_a_case_from_its_page(app, case, coordinator):
    consenting(case)
    legal_aid = agency_of(case.center, "ศูนย์ช่วยเหลือทางกฎหมาย")
    national = agency_of(None, "สายด่วน 1300", "hotline")
    page = app.get(reverse("cases:case-detail", args=[case.pk]), user=coordinator)
    form_page = page.click(href=reverse("cases:referral-create", args=[case.pk]))
    assert_rendered_whole(form_page, "form")
    rendered = form_with_field(form_page, "requested")
    # National agencies and the centre's own are offered; the date is two weeks on.
    offered = {value for value, _selected, _text in rendered["agency"].options if value}
    nationals = Agency.objects.filter(center=None, active=True).values_list("pk", flat=True)
    assert str(national.pk) in offered
    assert offered == {str(legal_aid.pk)} | {str(pk) for pk in nationals}
    reply_by = timezone.localdate() + datetime.timedelta(days=14)
    assert rendered["reply_by"].value == f"{reply_by:%d/%m}/{reply_by.year + 543}"

    rendered["agency"] = str(legal_aid.pk)
    rendered["reason"] = "ธนาคารจะยึดบ้านที่พี่ชายนำไปจำนอง"
    rendered["requested"] = "ขอคำปรึกษาทางกฎหมายเรื่องการบังคับจำนอง"
    rendered["documents"] = "สำเนาบัตรประชาชน สัญญาจำนอง"
    rendered["agency_contact"] = "ทนายความประจำศูนย์ โทร 02 123 4567"
    detail = submit_and_follow(rendered)

    referral = Referral.objects.get()
    assert detail.request.path == reverse("cases:referral-detail", args=[referral.pk])
    assert (referral.case, referral.agency, referral.status, referral.reply_by) == (
        case,
        legal_aid,
        S.SENT,
        reply_by,
    )
    assert referral.documents == "สำเนาบัตรประชาชน สัญญาจำนอง"
    assert referral.created_by == coordinator and referral.visit is None
    assert referral.letter_number in detail.text


def test_a_visit_that_asked_for_a_referral_starts_one_and_leaves_the_list(app, case, coordinator):
    consenting(case)
    agency = agency_of(case.center)
    visit = HomeVisitFactory(case=case, referral_needed=True, needs="ต้องการทนายความ")
    page = app.get(reverse("cases:case-detail", args=[case.pk]), user=coordinator)
    start = f"{reverse('cases:referral-create', args=[case.pk])}?visit={visit.pk}"
    form_page = page.click(href=start.replace("?", r"\?"))
    rendered = form_with_field(form_page, "requested")
    assert rendered["visit"].value == str(visit.pk)
    assert rendered["reason"].value == "ต้องการทนายความ"
    rendered["agency"] = str(agency.pk)
    rendered["requested"] = "ขอคำปรึกษา"
    submit_and_follow(rendered)
    assert Referral.objects.get().visit == visit
    again = app.get(reverse("cases:case-detail", args=[case.pk]), user=coordinator)
    assert again.context["visits_needing_referral"] == []


def test_a_referral_made_from_the_case_page_says_which_visits_need_it_answers(
    app, case, coordinator
):
    """Referred with the case page's own button while a visit asks for a referral: the
    form asks which need it answers (or none), and the need then leaves the case page.
    Unlinked, it stayed there after the referral was made and done."""
    consenting(case)
    agency = agency_of(case.center)
    older = HomeVisitFactory(
        case=case,
        referral_needed=True,
        needs="ต้องการรถเข็น",
        visited_at=timezone.now() - datetime.timedelta(days=9),
    )
    newer = HomeVisitFactory(
        case=case,
        referral_needed=True,
        needs="ต้องการทนายความ",
        visited_at=timezone.now() - datetime.timedelta(days=1),
    )
    HomeVisitFactory(case=case, needs="ไม่ต้องส่งต่อ")  # asks for nothing: not offered
    page = app.get(reverse("cases:referral-create", args=[case.pk]), user=coordinator)
    rendered = form_with_field(page, "requested")
    assert [(value, text) for value, _selected, text in rendered["visit"].options] == [
        ("", "ไม่เกี่ยวกับการเยี่ยมครั้งใด"),
        (str(newer.pk), f"{be_date(newer.visited_at)}: ต้องการทนายความ"),
        (str(older.pk), f"{be_date(older.visited_at)}: ต้องการรถเข็น"),
    ]
    assert 'for="id_visit"' in page.text  # a labelled choice, not a hidden field

    rendered["visit"] = str(older.pk)
    rendered["agency"] = str(agency.pk)
    rendered["reason"] = "ยายเดินไม่ได้"
    rendered["requested"] = "ขอรถเข็น"
    submit_and_follow(rendered)

    assert Referral.objects.get().visit == older
    again = app.get(reverse("cases:case-detail", args=[case.pk]), user=coordinator)
    assert again.context["visits_needing_referral"] == [newer]


def test_a_coordinator_records_the_answers_until_done_and_the_team_reads_the_outcome(
    app, case, coordinator, volunteer_on_team
):
    referral = ReferralFactory(case=case)
    detail_url = reverse("cases:referral-detail", args=[referral.pk])
    status_url = reverse("cases:referral-status", args=[referral.pk])
    page = app.get(detail_url, user=coordinator)
    rendered = form_posting_to(page, status_url)
    assert_rendered_whole(page, "status_form")
    offered = [value for value, _selected, _text in rendered["status"].options]
    assert offered == [S.ACKNOWLEDGED, S.DECLINED, S.CANCELLED]
    rendered["status"] = S.ACKNOWLEDGED
    rendered["note"] = "รับเรื่องทางโทรศัพท์"
    page = submit_and_follow(rendered)
    referral.refresh_from_db()
    assert referral.status == S.ACKNOWLEDGED and referral.replied_on == timezone.localdate()
    # The status's own label ends in "แล้ว": the sentence must not say it again.
    assert "การส่งต่ออยู่ในสถานะ: รับเรื่องแล้ว" in page.text and "แล้ว แล้ว" not in page.text

    rendered = form_posting_to(page, status_url)
    rendered["status"] = S.DONE
    rendered["outcome"] = "ทนายความเจรจากับธนาคาร ขยายเวลาชำระหนี้ 12 เดือน"
    submit_and_follow(rendered)
    referral.refresh_from_db()
    assert referral.status == S.DONE and referral.outcome.startswith("ทนายความ")
    assert [u.status_to for u in referral.updates.all()] == [S.SENT, S.ACKNOWLEDGED, S.DONE]

    # The team's volunteer sees the outcome and says they have read it.
    page = app.get(detail_url, user=volunteer_on_team.user)
    assert status_url not in [form.action for form in page.forms.values()]
    rendered = form_posting_to(page, reverse("cases:referral-outcome-read", args=[referral.pk]))
    submit_and_follow(rendered)
    referral.refresh_from_db()
    assert referral.outcome_read_by == volunteer_on_team.user


def test_done_without_an_outcome_is_refused_on_the_page_and_nothing_changes(app, case, coordinator):
    referral = ReferralFactory(case=case)
    referral.change_status(S.ACKNOWLEDGED, by=None, on=referral.sent_on)
    page = app.get(reverse("cases:referral-detail", args=[referral.pk]), user=coordinator)
    rendered = form_posting_to(page, reverse("cases:referral-status", args=[referral.pk]))
    rendered["status"] = S.DONE
    answer = rendered.submit()
    assert answer.status_int == 200
    assert "บันทึกผลที่หน่วยงานแจ้ง" in answer.text  # "Record the outcome the agency reported."
    referral.refresh_from_db()
    assert referral.status == S.ACKNOWLEDGED and referral.updates.count() == 2


def test_an_acknowledgement_needs_no_outcome(app, case, coordinator):
    """Only done and declined carry an outcome: the agency's first answer is just that."""
    referral = ReferralFactory(case=case)
    page = app.get(reverse("cases:referral-detail", args=[referral.pk]), user=coordinator)
    rendered = form_posting_to(page, reverse("cases:referral-status", args=[referral.pk]))
    rendered["status"] = S.ACKNOWLEDGED
    rendered["note"] = "เจ้าหน้าที่รับเรื่องทางโทรศัพท์"
    submit_and_follow(rendered)
    referral.refresh_from_db()
    assert referral.status == S.ACKNOWLEDGED and referral.outcome == ""
    assert referral.updates.latest("pk").note == "เจ้าหน้าที่รับเรื่องทางโทรศัพท์"


def test_a_coordinator_dismisses_a_need_with_its_reason(app, case, coordinator):
    visit = HomeVisitFactory(case=case, referral_needed=True)
    page = app.get(reverse("cases:case-detail", args=[case.pk]), user=coordinator)
    assert_rendered_whole(page, "dismiss_form")
    rendered = form_posting_to(page, reverse("cases:visit-referral-dismiss", args=[visit.pk]))
    rendered["reason"] = "ลูกสาวรับไปดูแลที่บ้านแล้ว"
    page = submit_and_follow(rendered)
    dismissal = ReferralNeedDismissal.objects.get()
    assert (dismissal.visit, dismissal.reason, dismissal.by) == (
        visit,
        "ลูกสาวรับไปดูแลที่บ้านแล้ว",
        coordinator,
    )
    assert page.context["visits_needing_referral"] == []


def test_the_worklist_tab_dismisses_and_comes_back_to_itself(app, case, coordinator):
    visit = HomeVisitFactory(case=case, referral_needed=True)
    page = app.get(reverse("cases:followup-list") + "?show=referrals", user=coordinator)
    rendered = form_posting_to(page, reverse("cases:visit-referral-dismiss", args=[visit.pk]))
    rendered["reason"] = "ไม่ประสงค์รับความช่วยเหลือ"
    page = submit_and_follow(rendered)
    assert page.request.GET["show"] == "referrals"
    assert ReferralNeedDismissal.objects.filter(visit=visit).exists()


def test_the_letter_is_logged_when_opened(app, case, coordinator):
    referral = ReferralFactory(case=case)
    page = app.get(reverse("cases:referral-detail", args=[referral.pk]), user=coordinator)
    letter = page.click(href=reverse("cases:referral-letter", args=[referral.pk]))
    assert referral.letter_number in letter.text
    logged = AccessLog.objects.get(action=AccessLog.Action.PRINT)
    assert (logged.case_id, logged.object_type, logged.object_id) == (
        case.pk,
        "referral",
        referral.pk,
    )


def test_the_letter_is_addressed_to_the_agency_and_names_its_contact_apart(
    app, center, coordinator
):
    """The contact, "with their position and phone" as the form asks, was printed after
    เรียน; an unknown national ID as "เลขประจำตัวประชาชน –"."""
    case = CaseFactory(center=center, national_id="")
    referral = ReferralFactory(case=case, agency_contact="คุณสมปอง หัวหน้าฝ่าย 02-111-2222")
    letter = app.get(reverse("cases:referral-letter", args=[referral.pk]), user=coordinator)
    lines = [" ".join(p.text.split()) for p in letter.html.select("article p")]
    assert f"เรียน {referral.agency.name}" in lines
    assert "ผู้ติดต่อ คุณสมปอง หัวหน้าฝ่าย 02-111-2222" in lines
    assert "เลขประจำตัวประชาชน" not in letter.text
    assert f"กรณีเลขที่ {case.number} {case.full_name}" in letter.text


def rows_of(page, heading_id: str, viewname: str) -> list[str]:
    """The links of one of the referral tab's lists, as rendered, to `viewname`'s pages."""
    section = page.html.find("section", attrs={"aria-labelledby": heading_id})
    prefix = reverse(viewname, args=[1]).rsplit("1/", 1)[0]
    return [a["href"] for a in section.select("li > a") if a["href"].startswith(prefix)]


def test_the_worklist_referral_tab_pages_each_list_by_its_own_links(app, case, coordinator):
    """27 overdue referrals and 27 visits asking for one: a page of 25 of each, each list's
    own "next" link to the other 2, the other list keeping its page, the counts whole."""
    agency = agency_of(case.center, "ศูนย์ช่วยเหลือทางกฎหมาย")
    referrals = [ReferralFactory(case=case, agency=agency) for _ in range(27)]
    visits = [HomeVisitFactory(case=case, referral_needed=True) for _ in range(27)]
    page = app.get(reverse("cases:followup-list") + "?show=referrals", user=coordinator)
    tab = page.html.select_one('a[aria-current="page"] .badge')
    assert tab.text == "54"
    badges = [h.select_one(".badge").text for h in page.html.select("section h2.h5")]
    assert badges == ["27", "0", "27"]
    first_visits = rows_of(page, "needing-referral-heading", "cases:visit-detail")
    first_referrals = rows_of(page, "overdue-referrals-heading", "cases:referral-detail")
    assert len(first_visits) == len(first_referrals) == 25

    second = page.click(description="ถัดไป", href="needing_page=2")
    assert second.request.GET["show"] == "referrals"
    rest = rows_of(second, "needing-referral-heading", "cases:visit-detail")
    assert len(rest) == 2
    assert set(first_visits + rest) == {reverse("cases:visit-detail", args=[v.pk]) for v in visits}
    # The referrals' list stays on its first page, its own link to its second.
    assert rows_of(second, "overdue-referrals-heading", "cases:referral-detail") == first_referrals
    third = second.click(description="ถัดไป", href="overdue_page=2")
    assert rows_of(third, "needing-referral-heading", "cases:visit-detail") == rest
    last = rows_of(third, "overdue-referrals-heading", "cases:referral-detail")
    assert set(first_referrals + last) == {
        reverse("cases:referral-detail", args=[r.pk]) for r in referrals
    }
    assert "หน้า 2 จาก 2" in third.text


def test_a_page_past_the_end_of_a_referral_list_shows_its_last(app, case, coordinator):
    visits = [HomeVisitFactory(case=case, referral_needed=True) for _ in range(26)]
    url = reverse("cases:followup-list") + "?show=referrals&needing_page=9&overdue_page=x"
    page = app.get(url, user=coordinator)
    assert rows_of(page, "needing-referral-heading", "cases:visit-detail") == [
        reverse("cases:visit-detail", args=[visits[-1].pk])
    ]


def test_a_centres_branch_of_a_national_agency_reads_apart_from_it(app, case, coordinator):
    """A centre may enter its own branch under the national agency's name; the choice
    list says which is the national one."""
    Agency.objects.create(name="ศูนย์บริการคนพิการ", kind="government")
    Agency.objects.create(center=case.center, name="ศูนย์บริการคนพิการ", kind="government")
    page = app.get(reverse("cases:referral-create", args=[case.pk]), user=coordinator)
    labels = [option.text for option in page.html.select("select[name=agency] option")]
    assert "ศูนย์บริการคนพิการ" in labels and "ศูนย์บริการคนพิการ (ระดับประเทศ)" in labels


def test_a_referral_with_an_impossible_date_says_nothing_was_saved_and_links_the_field(
    app, case, coordinator
):
    """The referral form, as every form drawn by includes/_form.html, had no banner:
    after a wrong date a phone showed the same form again, the message out of sight."""
    agency = agency_of(case.center, "ศูนย์ช่วยเหลือทางกฎหมาย")
    page = app.get(reverse("cases:referral-create", args=[case.pk]), user=coordinator)
    rendered = form_with_field(page, "requested")
    rendered["agency"] = str(agency.pk)
    rendered["reason"] = "เหตุผล"
    rendered["requested"] = "สิ่งที่ขอ"
    rendered["reply_by"] = "31/02/2570"
    again = rendered.submit()
    assert again.status_int == 200 and not Referral.objects.exists()
    banner = again.html.select_one(".error-summary[role=alert]")
    assert "ยังไม่ได้บันทึกข้อมูล" in banner.text
    assert banner.select_one("a")["href"] == "#id_reply_by"
    assert again.html.select_one("#id_reply_by") is not None


def test_a_case_without_consent_to_referral_is_referred_only_on_a_stated_legal_basis(
    app, case, coordinator
):
    """Its health and disability data go to the agency: PDPA s. 26."""
    agency = agency_of(case.center)
    page = app.get(reverse("cases:referral-create", args=[case.pk]), user=coordinator)
    assert "ยังไม่มีการบันทึกความยินยอมให้ส่งต่อ" in page.text
    rendered = form_with_field(page, "requested")
    rendered["agency"] = str(agency.pk)
    rendered["reason"] = "ถูกทำร้ายร่างกายในบ้าน"
    rendered["requested"] = "ขอให้เข้าช่วยเหลือด่วน"
    refused = rendered.submit()
    assert refused.status_int == 200 and not Referral.objects.exists()
    assert "บันทึกความยินยอมในกรณีก่อน" in refused.text

    rendered = form_with_field(refused, "requested")
    rendered["legal_basis"] = Referral.LegalBasis.VITAL
    refused = rendered.submit()
    assert "ระบุว่าเป็นอันตรายใด" in refused.text and not Referral.objects.exists()

    rendered = form_with_field(refused, "requested")
    rendered["legal_basis_note"] = "ถูกทำร้ายซ้ำ มีบาดแผล"
    detail = submit_and_follow(rendered)
    referral = Referral.objects.get()
    assert (referral.legal_basis, referral.legal_basis_note) == ("vital", "ถูกทำร้ายซ้ำ มีบาดแผล")
    assert "เพื่อป้องกันหรือระงับอันตรายต่อชีวิต" in detail.text


def test_a_case_with_consent_to_referral_is_asked_no_basis_and_the_referral_says_consent(
    app, case, coordinator
):
    consenting(case)
    agency = agency_of(case.center)
    page = app.get(reverse("cases:referral-create", args=[case.pk]), user=coordinator)
    rendered = form_with_field(page, "requested")
    assert "legal_basis" not in rendered.fields
    rendered["agency"] = str(agency.pk)
    rendered["reason"] = "บ้านทรุด"
    rendered["requested"] = "ขอซ่อมบ้าน"
    submit_and_follow(rendered)
    assert Referral.objects.get().legal_basis == Referral.LegalBasis.CONSENT


def test_the_visit_page_says_what_became_of_its_referral_need(app, case, coordinator):
    """Dismissed from the worklist, the visit still read "referral needed: yes" alone."""
    coordinator.first_name, coordinator.last_name = "ผู้ประสานงาน", "บึงกุ่ม"
    coordinator.save()
    waiting, dismissed, referred, cancelled = (
        HomeVisitFactory(case=case, referral_needed=True) for _ in "abcd"
    )
    referral = ReferralFactory(case=case, visit=referred, by=coordinator)
    # A cancelled referral leaves its visit waiting, as the worklists count it.
    ReferralFactory(case=case, visit=cancelled, by=coordinator).change_status(
        Referral.Status.CANCELLED, by=coordinator, note="ส่งผิดหน่วยงาน"
    )
    page = app.get(reverse("cases:followup-list") + "?show=referrals", user=coordinator)
    rendered = form_posting_to(page, reverse("cases:visit-referral-dismiss", args=[dismissed.pk]))
    rendered["reason"] = "ญาติรับไปดูแลแล้ว"
    submit_and_follow(rendered)

    def said(visit) -> str:
        page = app.get(reverse("cases:visit-detail", args=[visit.pk]), user=coordinator)
        return " ".join(page.html.select_one("main").text.split())

    assert "รอการส่งต่อ" in said(waiting)
    assert "ไม่ส่งต่อ: ญาติรับไปดูแลแล้ว (ผู้ประสานงาน บึงกุ่ม," in said(dismissed)
    assert f"การส่งต่อ {referral.letter_number} · {referral.agency.name}" in said(referred)
    assert "รอการส่งต่อ" not in said(referred) + said(dismissed)
    assert "ยกเลิก" in said(cancelled) and "รอการส่งต่อ" in said(cancelled)
