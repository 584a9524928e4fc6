"""The lifecycle on the pages, as a coordinator uses them: the status form offers only
where the case may go and refuses a step whose rule is unmet with the reason; closing as
a duplicate merges into the kept case on confirmation, and the merge is undone from the
duplicate's history."""

import datetime

from django.urls import reverse
from django.utils import timezone

from cases.models import Assistance, Case, CaseEvent, CaseMerge, HomeVisit, PlanGoal
from tests.cases.test_assistance import give
from tests.factories import CaseFactory, HomeVisitFactory, national_id
from tests.forms.rendered import (
    assert_renders_every_field,
    confirm_and_follow,
    form_posting_to,
    form_with_field,
    submit_and_follow,
)

S = Case.Status


def case_page(app, case, user):
    return app.get(reverse("cases:case-detail", args=[case.pk]), user=user)


def test_a_step_whose_rule_is_unmet_comes_back_with_the_reason_and_saves_nothing(
    app, case, coordinator
):
    rendered = form_with_field(case_page(app, case, coordinator), "note")
    rendered["status"] = S.ASSESSED  # offered, but no visit is recorded yet
    response = rendered.submit()

    assert response.status_int == 200
    assert "บันทึกการเยี่ยมบ้านก่อนเปลี่ยนเป็นประเมินแล้ว" in response.text
    assert response.context["form"].errors["status"]
    case.refresh_from_db()
    assert (case.status, case.version) == (S.INTAKE, 1)
    assert not case.events.exists()
    # The page it came back on offers the form again, whole.
    again = form_posting_to(response, reverse("cases:case-status", args=[case.pk]))
    assert_renders_every_field(again, response.context["form"])


def test_in_assistance_is_refused_without_a_plan_or_a_referral(app, center, coordinator):
    case = CaseFactory(center=center, status=S.ASSESSED)
    rendered = form_with_field(case_page(app, case, coordinator), "note")
    assert [value for value, _s, _t in rendered["status"].options] == [S.IN_ASSISTANCE]
    response = rendered.submit()
    assert "แผนการช่วยเหลือหรือการส่งต่อ" in response.text
    case.refresh_from_db()
    assert case.status == S.ASSESSED


def test_a_status_the_page_does_not_offer_is_refused(app, center, coordinator):
    case = CaseFactory(center=center, status=S.IN_ASSISTANCE)
    rendered = form_with_field(case_page(app, case, coordinator), "note")
    rendered["status"].force_value(S.INTAKE)  # the jump the issue reports, posted by hand
    response = rendered.submit()
    assert response.status_int == 200
    assert response.context["form"].errors["status"]
    case.refresh_from_db()
    assert case.status == S.IN_ASSISTANCE and not case.events.exists()


def test_the_first_visit_proposes_assessed_on_the_case_page(app, case, coordinator):
    page = case_page(app, case, coordinator)
    assert "ทำเครื่องหมายว่าประเมินแล้ว" not in page.text
    HomeVisitFactory(case=case)
    page = case_page(app, case, coordinator)
    suggestion = next(
        form
        for form in page.forms.values()
        if form.action == reverse("cases:case-status", args=[case.pk]) and "note" not in form.fields
    )
    submit_and_follow(suggestion)
    case.refresh_from_db()
    assert case.status == S.ASSESSED
    history = case_page(app, case, coordinator).html.find(id="status-history-heading").parent
    assert "ประเมินแล้ว" in history.text


def test_a_duplicate_is_closed_and_merged_into_the_kept_case_on_confirmation(
    app, center, coordinator
):
    kept = CaseFactory(center=center, status=S.ASSESSED)
    duplicate = CaseFactory(center=center)
    visit = HomeVisitFactory(case=duplicate)
    rendered = form_posting_to(
        case_page(app, duplicate, coordinator), reverse("cases:case-close", args=[duplicate.pk])
    )
    rendered["close-reason"] = Case.ClosureReason.DUPLICATE
    rendered["close-kept_case"] = kept.number
    rendered["close-note"] = "รับเรื่องซ้ำจากสายด่วน 1300"

    asking = rendered.submit()
    assert asking.status_int == 200 and kept.number in asking.text
    assert HomeVisit.objects.get().case == duplicate  # nothing moved before the confirmation
    page = confirm_and_follow(rendered)

    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.closure_reason, duplicate.duplicate_of) == (
        S.CLOSED,
        Case.ClosureReason.DUPLICATE,
        kept,
    )
    visit.refresh_from_db()
    assert visit.case == kept
    assert reverse("cases:case-detail", args=[kept.pk]) in page.text  # the link to the kept case
    assert kept.events.filter(kind=CaseEvent.Kind.MERGED).exists()


def test_the_merge_is_undone_from_the_duplicates_history(app, center, coordinator):
    kept = CaseFactory(center=center, status=S.ASSESSED)
    duplicate = CaseFactory(center=center)
    visit = HomeVisitFactory(case=duplicate)
    duplicate.close(Case.ClosureReason.DUPLICATE, by=coordinator, note="ซ้ำ", kept=kept)

    rendered = form_posting_to(
        case_page(app, duplicate, coordinator),
        reverse("cases:case-merge-undo", args=[duplicate.pk]),
    )
    confirm_and_follow(rendered)

    visit.refresh_from_db()
    duplicate.refresh_from_db()
    assert visit.case == duplicate
    assert (duplicate.status, duplicate.duplicate_of) == (S.ASSESSED, None)
    assert CaseMerge.objects.get().undone_by == coordinator
    # Nothing left to undo: the page offers it no more, and a second post changes nothing.
    page = case_page(app, duplicate, coordinator)
    assert reverse("cases:case-merge-undo", args=[duplicate.pk]) not in [
        form.action for form in page.forms.values()
    ]


def test_another_centres_case_number_as_the_kept_case_is_refused(
    app, case, other_center, coordinator
):
    foreign = CaseFactory(center=other_center)
    HomeVisitFactory(case=case)
    rendered = form_posting_to(
        case_page(app, case, coordinator), reverse("cases:case-close", args=[case.pk])
    )
    rendered["close-reason"] = Case.ClosureReason.DUPLICATE
    rendered["close-kept_case"] = foreign.number
    rendered["close-note"] = "ซ้ำ"
    response = rendered.submit()

    assert response.status_int == 200
    assert "ไม่พบกรณีเลขที่นี้ในศูนย์นี้" in response.text
    assert foreign.full_name not in response.text
    case.refresh_from_db()
    assert case.status == S.INTAKE and case.visits.count() == 1
    assert not CaseMerge.objects.exists()


def test_closing_without_a_note_comes_back_on_the_close_page(app, case, coordinator):
    rendered = form_posting_to(
        case_page(app, case, coordinator), reverse("cases:case-close", args=[case.pk])
    )
    rendered["close-reason"] = Case.ClosureReason.RESOLVED
    response = rendered.submit()
    assert response.status_int == 200
    assert response.context["form"].errors["note"]
    again = form_posting_to(response, reverse("cases:case-close", args=[case.pk]))
    assert_renders_every_field(again, response.context["form"])
    again["close-note"] = "<script>alert(1)</script> แก้ไขปัญหาได้แล้ว"
    page = confirm_and_follow(again)
    case.refresh_from_db()
    assert case.status == S.CLOSED
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_a_volunteer_cannot_undo_a_merge(app, center, coordinator, volunteer_on_team, team):
    kept = CaseFactory(center=center, team=team, status=S.ASSESSED)
    duplicate = CaseFactory(center=center, team=team)
    duplicate.close(Case.ClosureReason.DUPLICATE, by=coordinator, note="ซ้ำ", kept=kept)
    page = case_page(app, duplicate, volunteer_on_team.user)
    assert reverse("cases:case-merge-undo", args=[duplicate.pk]) not in [
        form.action for form in page.forms.values()
    ]
    response = app.post(
        reverse("cases:case-merge-undo", args=[duplicate.pk]),
        {"confirmed": "yes"},
        user=volunteer_on_team.user,
        expect_errors=True,
    )
    assert response.status_int == 403
    assert CaseMerge.objects.get().undone_at is None


def test_an_old_estimate_shows_aged_and_an_unchanged_save_keeps_its_day(app, center, coordinator):
    day = timezone.localdate() - datetime.timedelta(days=2 * 366)
    case = CaseFactory(center=center, birth_date=None, estimated_age=79, estimated_age_on=day)
    rendered = form_with_field(
        app.get(reverse("cases:case-edit", args=[case.pk]), user=coordinator), "first_name"
    )
    assert rendered["estimated_age"].value == "81"
    submit_and_follow(rendered)
    case.refresh_from_db()
    assert (case.estimated_age, case.estimated_age_on) == (79, day)

    rendered = form_with_field(
        app.get(reverse("cases:case-edit", args=[case.pk]), user=coordinator), "first_name"
    )
    rendered["estimated_age"] = "85"
    submit_and_follow(rendered)
    case.refresh_from_db()
    assert (case.estimated_age, case.age()) == (85, 85)
    assert case.estimated_age_on is not None and case.estimated_age_on != day


def close_form(app, case, coordinator, reason, kept_number):
    rendered = form_posting_to(
        case_page(app, case, coordinator), reverse("cases:case-close", args=[case.pk])
    )
    rendered["close-reason"] = reason
    rendered["close-kept_case"] = kept_number
    rendered["close-note"] = "ปิดกรณี"
    return rendered


def test_the_merge_confirmation_says_what_moves_and_the_undo_the_status_it_reopens_in(
    app, center, coordinator
):
    kept = CaseFactory(center=center, status=S.ASSESSED)
    duplicate = CaseFactory(center=center)
    PlanGoal.objects.create(case=duplicate, text="มีรายได้พอ")
    PlanGoal.objects.create(case=duplicate, text="มีบ้านอยู่")
    asking = close_form(app, duplicate, coordinator, Case.ClosureReason.DUPLICATE, kept.number)
    said = asking.submit().html.select_one("main").text
    assert "ข้อมูลที่ย้ายไป: เป้าหมาย 2 รายการ ส่วนสมาชิกครัวเรือน" in said
    # Its own phone and address stay too (a trial found the phone left behind, unsaid).
    assert "รวมทั้งข้อมูลของกรณีนี้เอง (ที่อยู่ โทรศัพท์)" in said
    duplicate.close(Case.ClosureReason.DUPLICATE, by=coordinator, note="ซ้ำ", kept=kept)

    undo = form_posting_to(
        case_page(app, duplicate, coordinator),
        reverse("cases:case-merge-undo", args=[duplicate.pk]),
    )
    asking = undo.submit()
    assert "กรณีนี้จะเปิดอีกครั้งในสถานะรับเรื่อง" in asking.text  # never visited
    confirm_and_follow(undo)
    duplicate.refresh_from_db()
    assert duplicate.status == S.INTAKE and PlanGoal.objects.filter(case=duplicate).count() == 2


def test_a_kept_case_of_another_person_is_refused_and_nothing_moves(app, center, coordinator):
    """Merged, a woman's referral letter and her help were the boy's."""
    kept = CaseFactory(center=center, status=S.ASSESSED, national_id=national_id(7))
    duplicate = CaseFactory(center=center, national_id=national_id(8))
    visit = HomeVisitFactory(case=duplicate)
    refused = close_form(
        app, duplicate, coordinator, Case.ClosureReason.DUPLICATE, kept.number
    ).submit()
    assert refused.status_int == 200
    assert "เลขประจำตัวประชาชนต่างกัน จึงเป็นคนละคน" in refused.text
    visit.refresh_from_db()
    duplicate.refresh_from_db()
    assert visit.case == duplicate and duplicate.status != S.CLOSED
    assert not CaseMerge.objects.exists()


def test_a_kept_case_given_with_another_reason_is_refused_not_promised_a_merge(
    app, center, coordinator
):
    kept = CaseFactory(center=center, status=S.ASSESSED)
    case = CaseFactory(center=center)
    HomeVisitFactory(case=case)
    refused = close_form(app, case, coordinator, Case.ClosureReason.RESOLVED, kept.number).submit()
    assert refused.status_int == 200
    assert "เฉพาะเมื่อปิดกรณีเพราะซ้ำ" in refused.text and "จะรวมเข้ากับกรณี" not in refused.text
    case.refresh_from_db()
    assert case.status != S.CLOSED and not CaseMerge.objects.exists()


def test_an_open_referral_blocks_closing_but_not_as_a_duplicate_and_the_pages_say_so(
    app, center, coordinator
):
    from tests.factories import ReferralFactory

    kept = CaseFactory(center=center, status=S.ASSESSED)
    case = CaseFactory(center=center)
    referral = ReferralFactory(case=case)
    page = case_page(app, case, coordinator)
    assert referral.letter_number in page.text
    assert "การส่งต่อที่ยังไม่สิ้นสุดจะย้ายไปยังกรณีนั้นแทน" in page.text
    rendered = close_form(app, case, coordinator, Case.ClosureReason.DUPLICATE, kept.number)
    rendered["close-note"] = ""  # refused for the note alone
    refused = rendered.submit()
    assert refused.status_int == 200 and "ก่อนปิดกรณี" not in refused.text
    assert referral.letter_number not in refused.html.select_one("main").text


def test_a_merge_that_takes_the_kept_case_over_a_cap_says_so_before_and_in_its_history(
    app, center, coordinator
):
    """The kept case had its three hardship grants of the year; the duplicate one more.
    Merged, it had four, and nothing said so until the next grant was refused."""
    kept = CaseFactory(center=center, status=S.ASSESSED)
    duplicate = CaseFactory(center=center)
    hardship = Assistance.Kind.ELDERLY_HARDSHIP
    for on in (datetime.date(2025, 10, 6), datetime.date(2025, 11, 3), datetime.date(2026, 1, 5)):
        give(kept, hardship, "1000", on, coordinator)
    give(duplicate, hardship, "3000", datetime.date(2026, 2, 2), coordinator)
    # Help of a kind the merge keeps under its cap is not mentioned.
    give(duplicate, Assistance.Kind.EMERGENCY_GRANT, "500", datetime.date(2026, 2, 2), coordinator)

    asking = close_form(app, duplicate, coordinator, Case.ClosureReason.DUPLICATE, kept.number)
    said = " ".join(asking.submit().html.select_one("main").text.split())
    assert f"ความช่วยเหลือของกรณีนี้จะนับรวมกับกรณี {kept.number}" in said
    assert "ได้รับไปแล้วในปีงบประมาณ 2569: 4 ครั้ง รวม 6,000 บาท" in said
    assert said.count("เกินเพดาน") == 1
    confirm_and_follow(asking)

    assert Assistance.objects.filter(case=kept).count() == 5  # the merge happened
    merged = kept.events.get(kind=CaseEvent.Kind.MERGED)
    assert "2569: 4 ครั้ง รวม 6,000 บาท" in merged.text
    history = case_page(app, kept, coordinator).text
    assert "2569: 4 ครั้ง รวม 6,000 บาท" in history
