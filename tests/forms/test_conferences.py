"""Case conferences as a coordinator records them: who came, the cases discussed and the
decisions, which become planned actions of their cases in the same submission; the
printable record; the list's query budget; hostile input saves nothing."""

import datetime

import pytest
from django.urls import reverse

from cases.models import CaseConference, CaseEvent, ConferenceAttendee, PlanAction
from coordination.models import Agency
from tests.factories import CaseFactory, CenterFactory, VolunteerFactory, national_id
from tests.forms.rendered import form_with_field, submit_and_follow

pytestmark = pytest.mark.django_db


def tick(form, name: str, value: object) -> None:
    """Ticks the checkbox of `name` whose value is `value`, as a person clicks it."""
    boxes = [f for f in form.fields[name] if f._value == str(value)]
    assert len(boxes) == 1, f"no checkbox {name}={value} on the page"
    boxes[0].checked = True


@pytest.fixture
def conference_form(app, coordinator):
    def open_form():
        page = app.get(reverse("cases:conference-create"), user=coordinator)
        return form_with_field(page, "decisions-TOTAL_FORMS")

    return open_form


@pytest.fixture
def legal_aid(db):
    return Agency.objects.create(name="สภาทนายความ", kind="legal_aid")


def fill(form, case, team, volunteer, legal_aid) -> None:
    form["held_on"] = "05/01/2569"
    form["place"] = "ศูนย์สุขภาพชุมชนคลองกุ่มนิเวศน์"
    tick(form, "volunteers", volunteer.pk)
    form["cases"] = [str(case.pk)]
    form["attendees-0-name"] = "นางสาวสมใจ รักดี"
    form["attendees-0-organisation"] = "สำนักงานเขตบึงกุ่ม"
    form["attendees-0-position"] = "นักพัฒนาสังคม"
    form["decisions-0-case"] = str(case.pk)
    form["decisions-0-what"] = "ส่งต่อสภาทนายความเรื่องบ้านถูกยึด"
    form["decisions-0-owner_agency"] = str(legal_aid.pk)
    form["decisions-0-due_on"] = "20/01/2569"
    form["decisions-1-case"] = str(case.pk)
    form["decisions-1-what"] = "เยี่ยมบ้านติดตามทุกสัปดาห์"
    form["decisions-1-owner_team"] = str(team.pk)
    form["decisions-1-due_on"] = "12/01/2569"


def test_a_conference_is_recorded_and_its_decisions_become_the_cases_plan_actions(
    conference_form, case, team, volunteer_on_team, legal_aid, coordinator
):
    case.national_id = national_id(42)
    case.save()
    form = conference_form()
    fill(form, case, team, volunteer_on_team, legal_aid)
    record = submit_and_follow(form)
    conference = CaseConference.objects.get()
    assert (conference.held_on, conference.center, conference.created_by) == (
        datetime.date(2026, 1, 5),
        case.center,
        coordinator,
    )
    assert list(conference.volunteers.all()) == [volunteer_on_team]
    assert list(conference.cases.all()) == [case]
    assert ConferenceAttendee.objects.get().organisation == "สำนักงานเขตบึงกุ่ม"
    actions = PlanAction.objects.filter(case=case).order_by("due_on")
    assert [(a.what, a.owner, a.conference) for a in actions] == [
        ("เยี่ยมบ้านติดตามทุกสัปดาห์", team, conference),
        ("ส่งต่อสภาทนายความเรื่องบ้านถูกยึด", legal_aid, conference),
    ]
    assert case.has_plan()
    # The case's history says the day in the Buddhist Era, as the rest of it does.
    (event,) = case.events.filter(kind=CaseEvent.Kind.CONFERENCE)
    assert event.text.startswith("5 ม.ค. 2569 ") and "2026" not in event.text
    # The printable record, in Thai, with the national ID masked.
    text = record.html.select_one("article.conference-record").text
    assert "5 ม.ค. 2569" in text
    assert "นางสาวสมใจ รักดี" in text and volunteer_on_team.full_name in text
    assert "ส่งต่อสภาทนายความ" in text and "สภาทนายความ" in text
    assert case.national_id not in record.text
    assert case.national_id[-1] in text and "xxxxx" in text.lower()
    assert record.html.select_one("article[lang=th]")


def test_a_decision_about_a_case_not_named_adds_that_case_to_those_discussed(
    conference_form, case, team, volunteer_on_team, legal_aid
):
    second = CaseFactory(center=case.center)
    form = conference_form()
    fill(form, case, team, volunteer_on_team, legal_aid)
    form["decisions-2-case"] = str(second.pk)
    form["decisions-2-what"] = "ประสานสำนักงานเขตเรื่องเบี้ยความพิการ"
    form["decisions-2-owner_team"] = str(team.pk)
    form["decisions-2-due_on"] = "30/01/2569"
    submit_and_follow(form)
    assert set(CaseConference.objects.get().cases.all()) == {case, second}


def test_a_conference_about_no_case_is_refused_and_its_volunteers_are_those_at_the_meeting(
    conference_form,
):
    form = conference_form()
    response = form.submit()  # as the page opens: a date and a place, nothing else

    assert response.status_int == 200
    assert "เลือกกรณีที่ประชุมพิจารณา หรือบันทึกมติของที่ประชุม" in response.text
    assert CaseConference.objects.count() == 0
    # Not "the volunteers on the visit", the words of the visit form.
    assert "อพม. ที่เข้าร่วมประชุม" in response.text and "อพม. ที่ร่วมเยี่ยม" not in response.text


def test_a_decision_without_an_owner_saves_nothing_at_all(
    conference_form, case, team, volunteer_on_team, legal_aid
):
    form = conference_form()
    fill(form, case, team, volunteer_on_team, legal_aid)
    form["decisions-1-owner_team"] = ""
    response = form.submit()
    assert response.status_int == 200
    # Said at the top, as on the other forms, with a link to the row to correct.
    banner = response.html.select_one(".error-summary")
    assert banner and "ยังไม่ได้บันทึกข้อมูล" in banner.text
    assert banner.select_one("a")["href"].startswith("#id_decisions-1-")
    assert CaseConference.objects.count() == 0
    assert PlanAction.objects.count() == 0 and ConferenceAttendee.objects.count() == 0


@pytest.mark.parametrize("posted", ["case", "volunteer", "decision_case", "agency"])
def test_another_centres_ids_posted_are_refused_and_nothing_is_saved(
    conference_form, case, team, volunteer_on_team, legal_aid, posted
):
    other = CenterFactory()
    form = conference_form()
    fill(form, case, team, volunteer_on_team, legal_aid)
    if posted == "case":
        form["cases"].force_value([str(CaseFactory(center=other).pk)])
    elif posted == "volunteer":
        box = form.fields["volunteers"][0]
        box.force_value(str(VolunteerFactory(center=other).pk))
        box.checked = True
    elif posted == "decision_case":
        form["decisions-0-case"].force_value(str(CaseFactory(center=other).pk))
    else:
        theirs = Agency.objects.create(center=other, name="ของศูนย์อื่น", kind="ngo")
        form["decisions-0-owner_agency"].force_value(str(theirs.pk))
    assert form.submit().status_int == 200
    assert CaseConference.objects.count() == 0 and PlanAction.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [("held_on", "01/01/2999"), ("held_on", "99/99/2569"), ("decisions-0-due_on", "ไม่รู้")],
)
def test_bad_dates_are_refused_with_a_message(
    conference_form, case, team, volunteer_on_team, legal_aid, field, value
):
    form = conference_form()
    fill(form, case, team, volunteer_on_team, legal_aid)
    form[field] = value
    response = form.submit()
    assert response.status_int == 200 and response.html.select(".invalid-feedback")
    assert CaseConference.objects.count() == 0


def test_markup_in_the_record_is_shown_as_text(
    conference_form, case, team, volunteer_on_team, legal_aid
):
    form = conference_form()
    fill(form, case, team, volunteer_on_team, legal_aid)
    form["place"] = '<script>alert("x")</script>ห้องประชุม'
    form["attendees-1-name"] = "<img src=x onerror=alert(1)>"
    record = submit_and_follow(form)
    assert "<script>alert" not in record.text and "<img src=x" not in record.text
    assert "ห้องประชุม" in record.text


def test_the_list_pages_through_many_conferences_in_a_fixed_number_of_queries(
    client, coordinator, case, team, other_coordinator, django_assert_max_num_queries
):
    for n in range(30):
        conference = CaseConference.objects.create(
            center=case.center,
            held_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=n),
            place=f"ห้อง {n}",
            created_by=coordinator,
        )
        conference.cases.add(case)
        PlanAction.objects.create(
            case=case, what="x", owner_team=team, due_on=datetime.date(2026, 1, 1),
            conference=conference,
        )  # fmt: skip
    CaseConference.objects.create(
        center=other_coordinator.center,
        held_on=datetime.date(2025, 6, 1),
        place="ของศูนย์อื่น",
        created_by=other_coordinator,
    )
    client.force_login(coordinator)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("cases:conference-list"))
    page = response.content.decode()
    assert "ห้อง 29" in page and "ของศูนย์อื่น" not in page
    assert response.context["page_obj"].paginator.count == 30
    assert [c.case_count for c in response.context["page_obj"]] == [1] * 20
    assert [c.decision_count for c in response.context["page_obj"]] == [1] * 20
    with django_assert_max_num_queries(12):
        second = client.get(reverse("cases:conference-list") + "?page=2")
    assert len(second.context["page_obj"]) == 10


def test_volunteers_do_not_reach_conferences(app, volunteer_on_team):
    app.get(reverse("cases:conference-list"), user=volunteer_on_team.user, status=403)
    app.get(reverse("cases:conference-create"), user=volunteer_on_team.user, status=403)


def test_an_attendees_position_is_asked_as_their_job_title(app, coordinator):
    """Not as ลำดับ (an order), the word of the target groups' "position"."""
    page = app.get(reverse("cases:conference-create"), user=coordinator)
    label = page.html.select_one("label[for=id_attendees-0-position]").text
    assert "ตำแหน่ง" in label and "ลำดับ" not in label


def test_a_national_administrator_is_not_offered_a_conference_they_cannot_record(
    app, db, coordinator
):
    """Recording needs a centre (403 without one): the list offered the button anyway."""
    from tests.factories import UserFactory

    national = UserFactory(username="national-admin", is_staff=True, is_superuser=True)
    create = reverse("cases:conference-create")
    assert create not in app.get(reverse("cases:conference-list"), user=national).text
    assert app.get(create, user=national, expect_errors=True).status_code == 403
    assert create in app.get(reverse("cases:conference-list"), user=coordinator).text
