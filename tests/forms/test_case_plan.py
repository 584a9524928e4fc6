"""The case plan as a coordinator edits it (goals and actions, formsets as rendered), the
one-owner rule, and the actions due on their owners' worklists."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseEvent, PlanAction, PlanGoal
from coordination.models import Agency
from tests.factories import CaseFactory, CenterFactory, TeamFactory, VolunteerFactory
from tests.forms.rendered import add_row, form_with_field, submit_and_follow

pytestmark = pytest.mark.django_db


def be(day: datetime.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year + 543}"


@pytest.fixture
def plan_form(app, coordinator, case):
    def open_form():
        page = app.get(reverse("cases:case-plan", args=[case.pk]), user=coordinator)
        return form_with_field(page, "goals-TOTAL_FORMS")

    return open_form


def test_a_coordinator_sets_a_goal_and_an_action_of_the_team_and_the_case_has_a_plan(
    plan_form, case, team, coordinator
):
    assert not case.has_plan()
    form = plan_form()
    form["goals-0-text"] = "ยายยังมีบ้านอยู่"
    form["actions-0-what"] = "พาไปพบทนายความอาสา"
    form["actions-0-owner_team"] = str(team.pk)
    due = timezone.localdate() + datetime.timedelta(days=3)
    form["actions-0-due_on"] = be(due)
    case_page = submit_and_follow(form)
    goal = PlanGoal.objects.get(case=case)
    action = PlanAction.objects.get(case=case)
    assert (goal.text, goal.achieved) == ("ยายยังมีบ้านอยู่", False)
    assert (action.owner_team, action.due_on, action.status) == (team, due, "planned")
    assert action.created_by == coordinator and action.center_id == case.center_id
    assert case.has_plan()
    assert case.events.filter(kind=CaseEvent.Kind.PLAN_CHANGED).count() == 1
    section = case_page.html.select_one("#plan-heading").parent.text
    assert "ยายยังมีบ้านอยู่" in section and "พาไปพบทนายความอาสา" in section


def test_the_plan_page_words_its_goals_and_actions_in_plain_thai(app, coordinator, case):
    page = app.get(reverse("cases:case-plan", args=[case.pk]), user=coordinator).text
    assert "เป้าหมาย: ผลที่แสดงว่าปัญหาได้รับการแก้ไขแล้ว" in page
    assert "สิ่งที่ต้องทำ" in page and "การกระทำ" not in page  # "a deed", the log's word


def test_marking_an_action_done_and_a_goal_achieved_dates_them_today(plan_form, case, team):
    PlanGoal.objects.create(case=case, text="มีรายได้พอ")
    action = PlanAction.objects.create(
        case=case, what="ลงทะเบียนบัตรสวัสดิการ", owner_team=team, due_on=datetime.date(2026, 1, 9)
    )
    form = plan_form()
    form["goals-0-achieved"] = True
    form["actions-0-status"] = "done"
    form["actions-0-note"] = "ได้บัตรแล้ว"
    submit_and_follow(form)
    action.refresh_from_db()
    assert (action.status, action.finished_on, action.note) == (
        "done",
        timezone.localdate(),
        "ได้บัตรแล้ว",
    )
    assert PlanGoal.objects.get().achieved_on == timezone.localdate()


def test_a_second_row_added_as_the_page_adds_it_is_saved(plan_form, case, team):
    agency = Agency.objects.create(name="สภาทนายความ", kind="legal_aid")
    form = plan_form()
    form["actions-0-what"] = "ติดต่อธนาคาร"
    form["actions-0-owner_team"] = str(team.pk)
    form["actions-0-due_on"] = "01/12/2569"
    row = add_row(form, "actions")
    form[f"actions-{row}-what"] = "ขอคำปรึกษากฎหมาย"
    form[f"actions-{row}-owner_agency"] = str(agency.pk)
    form[f"actions-{row}-due_on"] = "15/12/2569"
    submit_and_follow(form)
    assert sorted(PlanAction.objects.values_list("what", "owner_agency")) == [
        ("ขอคำปรึกษากฎหมาย", agency.pk),
        ("ติดต่อธนาคาร", None),
    ]


@pytest.mark.parametrize("owners", [(), ("team", "agency")], ids=["no owner", "two owners"])
def test_an_action_needs_exactly_one_owner(plan_form, team, owners):
    agency = Agency.objects.create(name="1300", kind="hotline")
    form = plan_form()
    form["actions-0-what"] = "โทรติดตาม"
    form["actions-0-due_on"] = "01/12/2569"
    if "team" in owners:
        form["actions-0-owner_team"] = str(team.pk)
    if "agency" in owners:
        form["actions-0-owner_agency"] = str(agency.pk)
    response = form.submit()
    assert response.status_int == 200
    said = "เลือกผู้รับผิดชอบเพียงรายเดียว" if owners else "เลือกผู้รับผิดชอบ: ทีม อาสาสมัคร หรือหน่วยงาน"
    assert said in response.text
    # Said at the top too, as every form of the app says it.
    assert "ยังไม่ได้บันทึกข้อมูล กรุณาแก้ไขช่องที่มีเครื่องหมายด้านล่าง" in response.text
    assert PlanAction.objects.count() == 0


def test_the_database_refuses_an_action_with_two_owners(case, team):
    agency = Agency.objects.create(name="1479", kind="hotline")
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanAction.objects.create(
            case=case,
            what="x",
            owner_team=team,
            owner_agency=agency,
            due_on=datetime.date(2026, 1, 1),
        )


@pytest.mark.parametrize("owner", ["owner_team", "owner_volunteer", "owner_agency"])
def test_another_centres_owner_posted_is_refused_and_nothing_is_saved(plan_form, owner):
    other = CenterFactory()
    theirs = {
        "owner_team": lambda: TeamFactory(center=other),
        "owner_volunteer": lambda: VolunteerFactory(center=other),
        "owner_agency": lambda: Agency.objects.create(center=other, name="อื่น", kind="ngo"),
    }[owner]()
    form = plan_form()
    form["goals-0-text"] = "เป้าหมาย"
    form["actions-0-what"] = "งาน"
    form["actions-0-due_on"] = "01/12/2569"
    form[f"actions-0-{owner}"].force_value(str(theirs.pk))
    assert form.submit().status_int == 200
    assert PlanAction.objects.count() == 0 and PlanGoal.objects.count() == 0


def test_another_cases_action_posted_as_a_row_is_refused(plan_form, case, team):
    elsewhere = CaseFactory(center=case.center)
    foreign = PlanAction.objects.create(
        case=elsewhere, what="ของกรณีอื่น", owner_team=team, due_on=datetime.date(2026, 1, 9)
    )
    form = plan_form()
    form["actions-0-id"].force_value(str(foreign.pk))
    form["actions-0-what"] = "เปลี่ยน"
    form["actions-0-owner_team"] = str(team.pk)
    form["actions-0-due_on"] = "01/12/2569"
    assert form.submit().status_int == 200
    foreign.refresh_from_db()
    assert foreign.what == "ของกรณีอื่น" and foreign.case == elsewhere


def test_markup_in_a_goal_is_shown_as_text(plan_form):
    form = plan_form()
    form["goals-0-text"] = '<script>alert("x")</script>'
    case_page = submit_and_follow(form)
    assert '<script>alert("x")</script>' not in case_page.text


def test_actions_due_appear_on_the_volunteers_my_cases_and_the_coordinators_follow_ups(
    app, case, team, coordinator, volunteer_on_team, volunteer_off_team
):
    today = timezone.localdate()
    own = PlanAction.objects.create(
        case=case, what="งานของฉัน", owner_volunteer=volunteer_on_team, due_on=today
    )
    teams = PlanAction.objects.create(
        case=case, what="งานของทีม", owner_team=team, due_on=today - datetime.timedelta(days=2)
    )
    other_team = TeamFactory(center=case.center)
    others = PlanAction.objects.create(
        case=case, what="งานทีมอื่น", owner_team=other_team, due_on=today
    )
    later = PlanAction.objects.create(
        case=case, what="อีกนาน", owner_team=team, due_on=today + datetime.timedelta(days=30)
    )
    PlanAction.objects.create(
        case=case, what="เสร็จแล้ว", owner_team=team, due_on=today, status="done", finished_on=today
    )
    mine = app.get(reverse("cases:my-cases"), user=volunteer_on_team.user)
    shown = {int(li["data-plan-action"]) for li in mine.html.select("[data-plan-action]")}
    assert shown == {own.pk, teams.pk}
    worklist = app.get(reverse("cases:followup-list"), user=coordinator)
    shown = {int(li["data-plan-action"]) for li in worklist.html.select("[data-plan-action]")}
    assert shown == {own.pk, teams.pk, others.pk}
    assert later.pk not in shown
    # A volunteer on no team of the case sees none of its actions.
    theirs = app.get(reverse("cases:my-cases"), user=volunteer_off_team.user)
    assert not theirs.html.select("[data-plan-action]")


def test_the_case_page_reads_the_plan_and_assistance_in_the_same_queries_however_long(
    client, coordinator, case, team, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(coordinator)
    url = reverse("cases:case-detail", args=[case.pk])
    PlanGoal.objects.create(case=case, text="หนึ่ง")
    PlanAction.objects.create(
        case=case, what="หนึ่ง", owner_team=team, due_on=datetime.date(2026, 1, 1)
    )
    client.get(url)  # warm the per-process caches (content types, translations)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    agency = Agency.objects.create(name="หน่วยงาน", kind="ngo")
    volunteer = VolunteerFactory(center=case.center)
    for n in range(20):
        PlanGoal.objects.create(case=case, text=f"เป้าหมาย {n}")
        PlanAction.objects.create(
            case=case, what=f"งาน {n}", owner_agency=agency, due_on=datetime.date(2026, 1, 1)
        )
        PlanAction.objects.create(
            case=case,
            what=f"งานอาสา {n}",
            owner_volunteer=volunteer,
            due_on=datetime.date(2026, 1, 1),
        )
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("who", ["coordinator", "volunteer"])
def test_the_worklists_read_the_actions_due_in_the_same_queries_however_many(
    client, coordinator, case, team, volunteer_on_team, who
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user, url = {
        "coordinator": (coordinator, reverse("cases:followup-list")),
        "volunteer": (volunteer_on_team.user, reverse("cases:my-cases")),
    }[who]
    client.force_login(user)
    today = timezone.localdate()
    PlanAction.objects.create(case=case, what="หนึ่ง", owner_team=team, due_on=today)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    agency = Agency.objects.create(name="หน่วยงาน", kind="ngo")
    for n in range(15):
        other = CaseFactory(center=case.center, team=team)
        PlanAction.objects.create(case=other, what=f"ทีม {n}", owner_team=team, due_on=today)
        PlanAction.objects.create(
            case=other, what=f"ตัวเอง {n}", owner_volunteer=volunteer_on_team, due_on=today
        )
        PlanAction.objects.create(
            case=other, what=f"หน่วยงาน {n}", owner_agency=agency, due_on=today
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["plan_actions"]["rows"]) == (46 if who == "coordinator" else 31)
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.parametrize("due", ["01/01/2542", "01/01/2620", "31/02/2569"])
def test_an_implausible_due_date_is_refused(plan_form, team, due):
    form = plan_form()
    form["actions-0-what"] = "งาน"
    form["actions-0-owner_team"] = str(team.pk)
    form["actions-0-due_on"] = due
    response = form.submit()
    assert response.status_int == 200 and response.html.select(".invalid-feedback")
    assert PlanAction.objects.count() == 0


@pytest.mark.parametrize("owner", ["volunteer", "agency"])
def test_a_plan_whose_owner_has_gone_still_saves_and_no_new_action_is_given_them(
    plan_form, case, team, owner
):
    """A volunteer who left, an agency deactivated: no longer offered for new actions,
    but an action they already own is their history and the plan still saves."""
    if owner == "volunteer":
        gone = VolunteerFactory(center=case.center)
        gone.set_status("left")
        action = PlanAction.objects.create(
            case=case, what="เยี่ยมบ้าน", owner_volunteer=gone, due_on=datetime.date(2026, 1, 9)
        )
    else:
        gone = Agency.objects.create(name="มูลนิธิที่ปิดไปแล้ว", kind="foundation", active=False)
        action = PlanAction.objects.create(
            case=case, what="ขอทุน", owner_agency=gone, due_on=datetime.date(2026, 1, 9)
        )
    form = plan_form()
    field = f"actions-0-owner_{owner}"
    assert form[field].value == str(gone.pk)
    form["goals-0-text"] = "มีรายได้พอ"
    form["actions-0-note"] = "ยังรออยู่"
    submit_and_follow(form)
    action.refresh_from_db()
    assert action.note == "ยังรออยู่" and PlanGoal.objects.get(case=case).text == "มีรายได้พอ"

    form = plan_form()
    new_row = add_row(form, "actions")
    offered = {value for value, _, _ in form[f"actions-{new_row}-owner_{owner}"].options}
    assert str(gone.pk) not in offered
