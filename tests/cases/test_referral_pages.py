"""The referral pages' answers to the wrong people and to hostile input, what the case
page and the worklist's referral tab show, and their query budgets."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Referral, ReferralNeedDismissal, ReferralStatus, ReferralUpdate
from cases.referrals import agency_referrals
from tests.factories import (
    CaseFactory,
    HomeVisitFactory,
    ReferralFactory,
    agency_of,
)

pytestmark = pytest.mark.django_db
S = ReferralStatus
SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
HUGE = "ก" * 100_000


def referral_data(to, **changes) -> dict:
    reply_by = timezone.localdate() + datetime.timedelta(days=14)
    data = {
        "agency": to.pk,
        "reason": "บ้านจะถูกยึด",
        "requested": "ขอคำปรึกษากฎหมาย",
        "documents": "",
        "agency_contact": "",
        "reply_by": f"{reply_by:%d/%m}/{reply_by.year + 543}",
        "visit": "",
    }
    return data | changes


def rows() -> tuple[int, int]:
    return Referral.objects.count(), ReferralUpdate.objects.count()


def test_another_centres_agency_in_the_post_is_refused_and_nothing_saved(
    coordinator_client, case, other_center
):
    foreign = agency_of(other_center, "ศูนย์ของเขตอื่น")
    response = coordinator_client.post(
        reverse("cases:referral-create", args=[case.pk]), referral_data(foreign)
    )
    assert response.status_code == 200
    assert "เลือกหน่วยงานของศูนย์นี้หรือหน่วยงานระดับประเทศ" in response.content.decode()
    assert rows() == (0, 0)


def test_a_visit_of_another_case_in_the_post_is_refused(coordinator_client, case, center):
    stranger_visit = HomeVisitFactory(case=CaseFactory(center=center), referral_needed=True)
    response = coordinator_client.post(
        reverse("cases:referral-create", args=[case.pk]),
        referral_data(agency_of(center), visit=stranger_visit.pk),
    )
    assert response.status_code == 200 and response.context["form"].errors["visit"]
    assert rows() == (0, 0)


@pytest.mark.parametrize(
    ("field", "value"),
    [("reason", HUGE), ("requested", HUGE), ("documents", HUGE), ("agency_contact", HUGE),
     ("reason", "ab\x00cd"), ("reply_by", "31/02/2569"), ("reply_by", "01/01/2500"),
     ("reason", ""), ("agency", "999999"), ("agency", "not-a-number")],
)  # fmt: skip
def test_hostile_or_wrong_input_is_a_form_error_and_saves_nothing(
    coordinator_client, case, center, field, value
):
    response = coordinator_client.post(
        reverse("cases:referral-create", args=[case.pk]),
        referral_data(agency_of(center), **{field: value}),
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert rows() == (0, 0)


def test_markup_is_kept_as_text_and_shown_escaped_everywhere(coordinator_client, case, center):
    response = coordinator_client.post(
        reverse("cases:referral-create", args=[case.pk]),
        referral_data(
            agency_of(center),
            reason=SCRIPT,
            requested=SCRIPT,
            agency_contact=SCRIPT,
            legal_basis="vital",
            legal_basis_note=SCRIPT,
        ),
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.reason == SCRIPT == referral.legal_basis_note
    for url in (
        reverse("cases:referral-detail", args=[referral.pk]),
        reverse("cases:referral-letter", args=[referral.pk]),
        reverse("cases:case-detail", args=[case.pk]),
    ):
        html = coordinator_client.get(url).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html, url


def test_hostile_status_answers_change_nothing(coordinator_client, case):
    referral = ReferralFactory(case=case)
    url = reverse("cases:referral-status", args=[referral.pk])
    for data in (
        {"status": "done", "on": "26/11/2569", "outcome": "x"},  # not a step from sent
        {"status": "bogus", "on": "26/11/2569"},
        {"status": "acknowledged", "on": "26/11/2569", "note": HUGE},
        {"status": "acknowledged", "on": "99/99/9999"},
    ):
        response = coordinator_client.post(url, data)
        assert response.status_code == 200, data
    referral.refresh_from_db()
    assert referral.status == S.SENT and referral.updates.count() == 1


def test_a_dismissal_needs_a_reason_and_a_second_one_adds_nothing(
    coordinator_client, case, coordinator
):
    visit = HomeVisitFactory(case=case, referral_needed=True)
    url = reverse("cases:visit-referral-dismiss", args=[visit.pk])
    for reason in ("", "   ", HUGE):
        coordinator_client.post(url, {"reason": reason})
    assert not ReferralNeedDismissal.objects.exists()
    coordinator_client.post(url, {"reason": "ย้ายไปอยู่ต่างจังหวัด"})
    coordinator_client.post(url, {"reason": "ซ้ำ"})
    assert list(ReferralNeedDismissal.objects.values_list("reason", flat=True)) == [
        "ย้ายไปอยู่ต่างจังหวัด"
    ]


def test_another_centres_referral_and_visit_answer_404(coordinator_client, other_center):
    theirs = ReferralFactory(case=CaseFactory(center=other_center))
    visit = HomeVisitFactory(case=theirs.case, referral_needed=True)
    for name in ("cases:referral-detail", "cases:referral-letter"):
        assert coordinator_client.get(reverse(name, args=[theirs.pk])).status_code == 404
    for name in ("cases:referral-status", "cases:referral-outcome-read"):
        assert coordinator_client.post(reverse(name, args=[theirs.pk])).status_code == 404
    response = coordinator_client.post(
        reverse("cases:visit-referral-dismiss", args=[visit.pk]), {"reason": "x"}
    )
    assert response.status_code == 404
    assert (
        coordinator_client.get(reverse("cases:referral-create", args=[theirs.case.pk])).status_code
        == 404
    )
    assert not ReferralNeedDismissal.objects.exists()


def test_the_team_sees_a_referral_but_neither_refers_nor_prints(volunteer_client, case):
    referral = ReferralFactory(case=case)
    assert (
        volunteer_client.get(reverse("cases:referral-detail", args=[referral.pk])).status_code
        == 200
    )
    assert (
        volunteer_client.get(reverse("cases:referral-letter", args=[referral.pk])).status_code
        == 403
    )
    assert volunteer_client.get(reverse("cases:referral-create", args=[case.pk])).status_code == 403
    response = volunteer_client.post(
        reverse("cases:referral-status", args=[referral.pk]), {"status": "acknowledged"}
    )
    assert response.status_code == 403
    assert Referral.objects.get().status == S.SENT


def test_posting_pages_refuse_get(coordinator_client, case):
    referral = ReferralFactory(case=case)
    for name, pk in (
        ("cases:referral-status", referral.pk),
        ("cases:referral-outcome-read", referral.pk),
        ("cases:visit-referral-dismiss", HomeVisitFactory(case=case).pk),
    ):
        assert coordinator_client.get(reverse(name, args=[pk])).status_code == 405


def test_a_closed_case_is_not_referred(coordinator_client, case, coordinator):
    case.close("resolved", by=coordinator, note="ปิดเรื่องแล้ว")
    response = coordinator_client.get(reverse("cases:referral-create", args=[case.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case-detail", args=[case.pk])


def test_the_letter_masks_the_id_and_is_thai_in_either_language(coordinator_client, case):
    case.national_id = "3101200123453"
    case.save()
    referral = ReferralFactory(case=case, agency_contact="คุณสมชาย ทนายความ")
    coordinator_client.post(reverse("set_language"), {"language": "en"})
    html = coordinator_client.get(
        reverse("cases:referral-letter", args=[referral.pk])
    ).content.decode()
    assert "3-1012-xxxxx-xx-3" in html and "3101200123453" not in html
    assert f"ที่ {referral.letter_number}" in html
    assert "3 พฤศจิกายน 2568" in html  # the date sent, written out in BE
    assert "ขอแสดงความนับถือ" in html and "แบบตอบรับการส่งต่อ" in html


def test_the_case_page_flags_overdue_referrals_unread_outcomes_and_waiting_visits(
    coordinator_client, case
):
    overdue = ReferralFactory(case=case)  # reply by 17 Nov 2025: long past
    done = ReferralFactory(case=case, reply_by=timezone.localdate())
    done.change_status(S.ACKNOWLEDGED, by=None, on=done.sent_on)
    done.change_status(S.DONE, by=None, on=done.sent_on, outcome="ได้รับเงินสงเคราะห์")
    visit = HomeVisitFactory(case=case, referral_needed=True)
    response = coordinator_client.get(reverse("cases:case-detail", args=[case.pk]))
    assert response.context["referrals_overdue"] == [overdue]
    assert response.context["referrals_unread"] == [done]
    assert response.context["visits_needing_referral"] == [visit]
    html = response.content.decode()
    assert "ยังไม่ได้อ่านผล" in html and "เกินกำหนด" in html
    assert f"?visit={visit.pk}" in html


def test_the_worklist_tab_lists_what_waits_on_referrals(coordinator_client, case, other_center):
    overdue = ReferralFactory(case=case)
    unread = ReferralFactory(case=case, reply_by=timezone.localdate())
    unread.change_status(S.DECLINED, by=None, on=unread.sent_on, outcome="ไม่อยู่ในเขตบริการ")
    ReferralFactory(case=case, reply_by=timezone.localdate())  # on time: not listed
    visit = HomeVisitFactory(case=case, referral_needed=True)
    ReferralFactory(case=CaseFactory(center=other_center))  # another centre's, overdue
    response = coordinator_client.get(reverse("cases:followup-list"), {"show": "referrals"})
    assert list(response.context["overdue_referrals"]) == [overdue]
    assert list(response.context["unread_outcomes"]) == [unread]
    assert list(response.context["visits_needing_referral"]) == [visit]
    tabs = {key: count for key, _label, count in response.context["tabs"]}
    assert tabs["referrals"] == 3


def queries(client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


def many_referrals(case, count: int) -> None:
    for n in range(count):
        referral = ReferralFactory(
            case=case, agency=agency_of(case.center, f"หน่วยงาน {case.pk}-{n}")
        )
        if n % 2:
            referral.change_status(S.DECLINED, by=None, on=referral.sent_on, outcome="ผล")
        HomeVisitFactory(case=case, referral_needed=True)


def test_the_worklist_tab_and_the_case_page_cost_the_same_queries_with_more_rows(
    coordinator_client, center, team
):
    small, large = CaseFactory(center=center, team=team), CaseFactory(center=center, team=team)
    many_referrals(small, 2)
    worklist = reverse("cases:followup-list")
    before = queries(coordinator_client, worklist, {"show": "referrals"})
    small_case = queries(coordinator_client, reverse("cases:case-detail", args=[small.pk]))
    many_referrals(large, 20)
    assert queries(coordinator_client, worklist, {"show": "referrals"}) == before
    assert queries(coordinator_client, reverse("cases:case-detail", args=[large.pk])) == small_case


def test_an_agencys_referrals_cost_the_same_queries_with_more_rows(case, coordinator):
    agency = agency_of(None, "สายด่วน 1300", "hotline")

    def render_count() -> int:
        from django.template.loader import render_to_string

        with CaptureQueriesContext(connection) as captured:
            render_to_string("cases/_agency_referrals.html", agency_referrals(agency, coordinator))
        return len(captured)

    ReferralFactory(case=case, agency=agency)
    render_count()  # once, for what a first render of any template reads
    few = render_count()
    for _n in range(15):
        ReferralFactory(case=case, agency=agency)
    assert render_count() == few <= 3


def test_an_agencys_referrals_are_only_the_viewers_centres(
    case, coordinator, other_coordinator, other_center
):
    national = agency_of(None, "สายด่วน 1479", "hotline")
    ours = ReferralFactory(case=case, agency=national)
    ReferralFactory(case=CaseFactory(center=other_center), agency=national)
    seen = agency_referrals(national, coordinator)
    assert list(seen["agency_referrals"]) == [ours]
    assert seen["agency_referral_stats"]["total"] == 1
    assert agency_referrals(national, other_coordinator)["agency_referral_stats"]["total"] == 1


def test_an_agency_page_template_includes_the_section_for_its_reader(
    rf, case, coordinator, other_coordinator, other_center
):
    """How the agency page (coordination, below cases) shows its referrals: a tag."""
    from django.template import Context, Template

    national = agency_of(None, "สายด่วน 1300", "hotline")
    ours = ReferralFactory(case=case, agency=national)
    theirs = ReferralFactory(case=CaseFactory(center=other_center), agency=national)
    page = Template("{% load referral_sections %}{% agency_referrals_section agency %}")

    def shown_to(user) -> str:
        request = rf.get("/")
        request.user = user
        return page.render(Context({"request": request, "agency": national}))

    html = shown_to(coordinator)
    assert ours.case.number in html and theirs.case.number not in html
    assert "การส่งต่อมายังหน่วยงานนี้" in html
    assert reverse("cases:referral-detail", args=[ours.pk]) in html


def test_the_agency_page_lists_its_referrals_with_their_state_and_the_time_to_reply(
    case, coordinator, other_center
):
    agency = agency_of(case.center, "ศูนย์ช่วยเหลือทางกฎหมาย", "legal_aid")
    answered = ReferralFactory(case=case, agency=agency, sent_on=datetime.date(2025, 11, 3))
    answered.change_status(
        "acknowledged", by=coordinator, on=datetime.date(2025, 11, 7), note="รับเรื่องแล้ว"
    )
    waiting = ReferralFactory(case=case, agency=agency)
    client = Client()
    client.force_login(coordinator)
    page = client.get(reverse("coordination:agency-detail", args=[agency.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "การส่งต่อมายังหน่วยงานนี้" in html
    for referral in (answered, waiting):
        assert reverse("cases:referral-detail", args=[referral.pk]) in html
    assert "ส่งแล้ว 1 · รับเรื่องแล้ว 1" in html
    assert "ตอบกลับครั้งแรก: 4.0 วัน" in html  # sent on the 3rd, first reply on the 7th


def test_the_referral_list_shows_those_awaiting_an_answer_and_the_dashboard_counts_the_same(
    case, coordinator, other_center, django_assert_max_num_queries
):
    waiting = [ReferralFactory(case=case) for _ in range(3)]
    answered = ReferralFactory(case=case)
    answered.change_status("declined", by=coordinator, on=answered.sent_on, outcome="นอกเขต")
    ReferralFactory(case=CaseFactory(center=other_center))  # not ours: never listed
    client = Client()
    client.force_login(coordinator)

    listed = client.get(reverse("cases:referral-list"), {"status": "open"})
    assert [r.pk for r in listed.context["page_obj"]] == sorted(
        (r.pk for r in waiting), reverse=True
    )
    declined = client.get(reverse("cases:referral-list"), {"status": "declined"})
    assert [r.pk for r in declined.context["page_obj"]] == [answered.pk]
    assert client.get(reverse("cases:referral-list")).context["page_obj"].paginator.count == 4

    dashboard = client.get(reverse("coordination:dashboard"))
    figure = next(f for f in dashboard.context["figures"] if f.key == "referrals_waiting")
    assert figure.value == 3
    assert figure.url == reverse("cases:referral-list") + "?status=open"
    chart = next(c for c in dashboard.context["charts"] if c.key == "referrals")
    assert {bar.url.split("=")[-1]: bar.value for bar in chart.data}["declined"] == 1

    # A page of the list costs the same whatever the number of referrals.
    for _ in range(30):
        ReferralFactory(case=case)
    with django_assert_max_num_queries(12):
        client.get(reverse("cases:referral-list"), {"status": "open"})


def test_a_volunteer_may_not_open_the_referral_list(volunteer_client):
    assert volunteer_client.get(reverse("cases:referral-list")).status_code == 403


def test_the_worklist_tab_keeps_to_the_chosen_team_and_to_open_cases(
    coordinator_client, center, team
):
    from tests.factories import TeamFactory

    ours = HomeVisitFactory(case=CaseFactory(center=center, team=team), referral_needed=True)
    other_team = TeamFactory(center=center, name="ทีมอื่น")
    theirs = HomeVisitFactory(
        case=CaseFactory(center=center, team=other_team), referral_needed=True
    )
    closed = CaseFactory(center=center, team=team)
    HomeVisitFactory(case=closed, referral_needed=True)
    Case.objects.filter(pk=closed.pk).update(
        status=Case.Status.CLOSED,
        closure_reason=Case.ClosureReason.MOVED,
        closed_on=timezone.localdate(),
    )
    url = reverse("cases:followup-list")
    everyone = coordinator_client.get(url, {"show": "referrals"}).context
    assert {v.pk for v in everyone["visits_needing_referral"]} == {ours.pk, theirs.pk}
    one_team = coordinator_client.get(url, {"show": "referrals", "team": team.pk}).context
    assert [v.pk for v in one_team["visits_needing_referral"]] == [ours.pk]
    tabs = {key: count for key, _label, count in one_team["tabs"]}
    assert tabs["referrals"] == one_team["visits_needing_referral"].paginator.count == 1
