"""The case page, editing with optimistic locking, assignment, status, closing and reopening."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from cases.models import Case, CaseEvent
from coordination.models import TargetGroup
from tests.cases.helpers import formset, intake_data
from tests.factories import (
    CaseFactory,
    HomeVisitFactory,
    HouseholdMemberFactory,
    IncomeSourceFactory,
    TeamFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db


def test_the_case_page_shows_the_whole_picture(coordinator_client, center, team, case):
    leader = VolunteerFactory(center=center, first_name="หัวหน้าทีม", phone="0811111111")
    leader.join_team(team, role="leader")
    HouseholdMemberFactory(
        case=case, name="พี่สาว", relation="sibling", monthly_income=Decimal("6000")
    )
    HouseholdMemberFactory(case=case, name="หลาน", relation="grandchild", monthly_income=0)
    IncomeSourceFactory(case=case, kind="elderly_allowance", amount=Decimal("700"))
    IncomeSourceFactory(case=case, kind="disability_allowance", amount=Decimal("800"))
    visit = HomeVisitFactory(case=case, findings="บ้านทรุดโทรม", adl_score=3)
    visit.volunteers.add(leader)
    case.log(CaseEvent.Kind.OPENED, by=None, status_to="intake")
    response = coordinator_client.get(reverse("cases:case-detail", args=[case.pk]))
    html = response.content.decode()
    assert response.context["income_total"] == Decimal("1500.00")
    assert "1,500 บาท" in html
    # The person's total is named as theirs; the household's counts the members' too.
    assert "รายได้ของผู้ประสบปัญหาต่อเดือน" in html
    assert "รายได้ของครัวเรือนต่อเดือน รวมรายได้ของสมาชิก" in html
    assert '<td class="text-end fw-bold" data-household-income>7,500 บาท</td>' in html
    assert "พี่สาว" in html and "บ้านทรุดโทรม" in html and "ติดเตียง" in html
    assert reverse("volunteers:team-detail", args=[team.pk]) in html
    assert "หัวหน้าทีม" in html and "0811111111" in html
    assert "รับเรื่อง" in html  # the history
    assert case.national_id == "" or case.national_id in html


def test_the_full_national_id_shows_only_on_the_case_page(coordinator_client, center):
    case = CaseFactory(center=center, national_id="3102700000011")
    html = coordinator_client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    assert "3-1027-00000-01-1" in html


def test_a_volunteer_sees_the_national_id_masked_on_the_case_page(volunteer_client, case):
    """Enough to check the card at the door; the whole number is the coordinators' (and
    a volunteer's phone keeps the pages it opened for use without a signal)."""
    Case.objects.filter(pk=case.pk).update(national_id="3102700000011")
    html = volunteer_client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    assert "3-1027-xxxxx-xx-1" in html
    assert "3102700000011" not in html and "3-1027-00000-01-1" not in html


def edit_data(case: Case, **changes) -> dict:
    data = intake_data(version=str(case.version), **changes)
    data.update(formset("household", [], initial=0))
    data.update(formset("incomes", [], initial=0))
    return data


def test_a_coordinator_edits_a_case_and_the_version_moves_on(coordinator_client, center, case):
    response = coordinator_client.post(
        reverse("cases:case-edit", args=[case.pk]), edit_data(case, problems="ถูกฟ้องขับไล่")
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.problems, case.version) == ("ถูกฟ้องขับไล่", 2)
    assert case.events.filter(kind="edited").count() == 1


def test_a_stale_edit_is_refused_and_keeps_what_was_typed(coordinator_client, center, case):
    stale = edit_data(case, problems="สิ่งที่ฉันพิมพ์")
    # Someone else saves first.
    case.problems = "ของอีกคน"
    case.save_checked(case.version, by=None)
    response = coordinator_client.post(reverse("cases:case-edit", args=[case.pk]), stale)
    assert response.status_code == 409
    html = response.content.decode()
    assert "มีผู้อื่นบันทึกข้อมูลนี้" in html
    assert "สิ่งที่ฉันพิมพ์" in html
    case.refresh_from_db()
    assert (case.problems, case.version) == ("ของอีกคน", 2)
    # The form now carries the current version: saving again, knowingly, works.
    assert response.context["form"]["version"].value() == 2
    again = coordinator_client.post(
        reverse("cases:case-edit", args=[case.pk]), {**stale, "version": "2"}
    )
    assert again.status_code == 302
    case.refresh_from_db()
    assert (case.problems, case.version) == ("สิ่งที่ฉันพิมพ์", 3)


def test_a_stale_edit_saves_none_of_its_household_rows(coordinator_client, center, case):
    stale = edit_data(case)
    stale.update(
        formset(
            "household",
            [
                {
                    "relation": "child",
                    "name": "ลูก",
                    "age": "40",
                    "monthly_income": "0",
                    "condition": "normal",
                }
            ],
        )
    )
    case.save_checked(case.version, by=None)
    coordinator_client.post(reverse("cases:case-edit", args=[case.pk]), stale)
    assert not case.household_members.exists()


def test_assigning_proposes_the_team_of_the_first_target_group(coordinator_client, center):
    disability = TargetGroup.objects.get(code="disability")
    elderly = TargetGroup.objects.get(code="elderly")
    TeamFactory(center=center, target_group=elderly, name="ทีมผู้สูงอายุ")
    disability_team = TeamFactory(center=center, target_group=disability, name="ทีมผู้พิการ")
    case = CaseFactory(center=center, target_groups=[elderly, disability])
    response = coordinator_client.get(reverse("cases:case-assign", args=[case.pk]))
    # The ministry's order puts persons with disabilities before older persons.
    assert response.context["proposed"] == disability_team
    assert response.context["form"]["team"].value() == disability_team.pk


def test_assigning_records_who_and_when(coordinator_client, coordinator, center, case):
    new_team = TeamFactory(center=center, name="ทีมใหม่")
    response = coordinator_client.post(
        reverse("cases:case-assign", args=[case.pk]), {"team": new_team.pk}
    )
    assert response["Location"] == reverse("cases:case-detail", args=[case.pk])
    case.refresh_from_db()
    assert case.team == new_team
    event = case.events.get(kind="assigned")
    assert (event.team, event.by) == (new_team, coordinator)


def test_another_centres_team_cannot_be_assigned(coordinator_client, case, other_center, team):
    foreign = TeamFactory(center=other_center)
    response = coordinator_client.post(
        reverse("cases:case-assign", args=[case.pk]), {"team": foreign.pk}
    )
    assert response.status_code == 200
    assert "team" in response.context["form"].errors
    case.refresh_from_db()
    assert case.team == team


def test_the_status_moves_and_is_recorded(coordinator_client, case):
    HomeVisitFactory(case=case)  # assessed needs a visit
    coordinator_client.post(
        reverse("cases:case-status", args=[case.pk]), {"status": "assessed", "note": "ประเมินแล้ว"}
    )
    case.refresh_from_db()
    assert case.status == "assessed"
    event = case.events.get(kind="status")
    assert (event.status_from, event.status_to, event.note) == ("intake", "assessed", "ประเมินแล้ว")


def test_closed_is_not_a_status_one_can_pick(coordinator_client, case):
    coordinator_client.post(reverse("cases:case-status", args=[case.pk]), {"status": "closed"})
    case.refresh_from_db()
    assert case.status == "intake" and case.closed_on is None


def test_closing_needs_a_reason_and_reopening_brings_it_back(coordinator_client, case):
    coordinator_client.post(reverse("cases:case-close", args=[case.pk]), {"close-reason": ""})
    case.refresh_from_db()
    assert case.status == "intake"

    coordinator_client.post(
        reverse("cases:case-close", args=[case.pk]),
        {"close-reason": "died", "close-note": "แจ้งโดยญาติ", "confirmed": "yes"},
    )
    case.refresh_from_db()
    assert (case.status, case.closure_reason, case.closed_on) == (
        "closed",
        "died",
        datetime.date.today(),
    )

    coordinator_client.post(reverse("cases:case-reopen", args=[case.pk]), {"note": "ได้รับแจ้งผิด"})
    case.refresh_from_db()
    # Never visited: back to intake (assessed needs a visit).
    assert (case.status, case.closure_reason, case.closed_on) == ("intake", "", None)
    assert list(case.events.order_by("at", "id").values_list("kind", flat=True)) == [
        "closed",
        "reopened",
    ]


def test_a_closed_case_cannot_be_closed_again(coordinator_client, case):
    case.close("resolved", by=None, note="ได้รับความช่วยเหลือแล้ว")
    response = coordinator_client.post(
        reverse("cases:case-close", args=[case.pk]),
        {"close-reason": "moved", "confirmed": "yes"},
        follow=True,
    )
    assert "กรณีนี้ปิดแล้ว" in response.content.decode()
    case.refresh_from_db()
    assert case.closure_reason == "resolved"


@pytest.mark.parametrize(
    "name, method",
    [
        ("case-detail", "get"),
        ("case-edit", "get"),
        ("case-assign", "get"),
        ("case-status", "post"),
        ("case-close", "post"),
        ("case-reopen", "post"),
    ],
)
def test_another_centres_case_answers_404(coordinator_client, other_center, name, method):
    foreign = CaseFactory(center=other_center)
    response = getattr(coordinator_client, method)(
        reverse(f"cases:{name}", args=[foreign.pk]),
        {"status": "assessed", "close-reason": "died", "confirmed": "yes"},
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert (foreign.status, foreign.version) == ("intake", 1)


@pytest.mark.parametrize("name", ["case-status", "case-close", "case-reopen"])
def test_case_changes_are_post_only(coordinator_client, case, name):
    response = coordinator_client.get(reverse(f"cases:{name}", args=[case.pk]))
    assert response.status_code == 405 and response["Allow"] == "POST"
    # Opened by its address (a reload, a bookmark): a page that says what happened, in
    # the app's frame, not an empty answer.
    page = response.content.decode()
    assert "ลิงก์นี้เป็นของปุ่มบันทึก ไม่ใช่หน้าที่เปิดดูได้" in page
    assert page.count("<h1>") == 1 and reverse("home") in page
    case.refresh_from_db()
    assert (case.status, case.version) == ("intake", 1)


@pytest.mark.parametrize("name", ["case-list", "case-edit", "case-assign", "followup-list"])
def test_volunteers_get_403_on_the_coordinators_case_pages(volunteer_client, case, name):
    args = [] if name in ("case-list", "followup-list") else [case.pk]
    assert volunteer_client.get(reverse(f"cases:{name}", args=args)).status_code == 403


def test_a_volunteer_reads_their_teams_case_without_the_coordinators_actions(
    volunteer_client, case
):
    response = volunteer_client.get(reverse("cases:case-detail", args=[case.pk]))
    assert response.status_code == 200
    assert reverse("cases:case-edit", args=[case.pk]) not in response.content.decode()


def test_a_volunteer_off_the_team_gets_404(client, volunteer_off_team, case):
    client.force_login(volunteer_off_team.user)
    assert client.get(reverse("cases:case-detail", args=[case.pk])).status_code == 404


def test_anonymous_users_are_sent_to_login(client, case):
    response = client.get(reverse("cases:case-detail", args=[case.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_name_search_can_be_served_by_the_trigram_index(db):
    # Across all centres (an administrator's search), nothing but the trigram index fits
    # the match. (Unordered: in the list's order, the index of the national admin's list,
    # case_opened_on, read in order and filtered, is as cheap for an empty table. At
    # national scale, EXPLAIN ANALYZE: a rare name still takes the trigram index, 3.8 ms;
    # "สม", in a tenth of the names, walks case_opened_on to its first 50, 107 ms.)
    query = Case.objects.search("เรือน").order_by().query
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "case_name_trgm" in plan


def test_the_history_writes_each_event_with_its_text_escaped(coordinator_client, coordinator, case):
    """The history's rows are written in Python (cases/templatetags/case_rows.py), not by
    the template's autoescaping: every part of an event as the template wrote it."""
    HomeVisitFactory(case=case)  # assessed needs a visit
    case.change_status("assessed", by=coordinator, note='<b class="x">ด่วน & สำคัญ</b>')

    html = coordinator_client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()

    history = html[html.index('id="history-heading"') :]
    assert '<b class="x">' not in history
    assert "ประเมินแล้ว — &lt;b class=&quot;x&quot;&gt;ด่วน &amp; สำคัญ&lt;/b&gt;" in history, history[
        :2000
    ]
    assert "รับเรื่อง → ประเมินแล้ว" in history
    who = coordinator.get_full_name() or coordinator.username
    assert f'<span class="text-muted">· {who}</span></li>' in history
