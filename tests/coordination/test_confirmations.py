"""Changes one tap should not make ask first, without JavaScript: the first POST shows
what will change and changes nothing; the confirmation page's own form, submitted as
rendered, makes the change."""

from html.parser import HTMLParser

from django.urls import reverse

from cases.models import Case, CaseEvent
from tests.factories import CaseFactory, TeamFactory, VolunteerFactory
from volunteers.models import TeamMembership


class ConfirmForm(HTMLParser):
    """The fields of the confirmation page's form as a browser would send them when
    its confirm button is pressed (the form inside <main>, not the language switch)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.in_main = False
        self.action = None
        self.fields: list[tuple[str, str]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "main":
            self.in_main = True
        elif tag == "form" and self.in_main and self.action is None:
            self.action = attrs["action"]
        elif tag in ("input", "button") and self.in_main and attrs.get("name"):
            self.fields.append((attrs["name"], attrs.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "main":
            self.in_main = False

    def data(self) -> dict[str, list[str]]:
        data: dict[str, list[str]] = {}
        for name, value in self.fields:
            data.setdefault(name, []).append(value)
        return data


def confirm(client, response):
    """Presses the confirm button of the confirmation page as rendered."""
    form = ConfirmForm(response.content.decode())
    assert form.action, "the confirmation page has no form"
    return client.post(form.action, form.data())


def test_removing_a_member_asks_first_and_says_the_cases_stay(
    coordinator_client, center, team, volunteer_on_team
):
    CaseFactory.create_batch(3, center=center, team=team)
    membership = volunteer_on_team.memberships.get()
    url = reverse("volunteers:team-end-membership", args=[team.pk, membership.pk])

    response = coordinator_client.post(url)

    assert response.status_code == 200
    page = response.content.decode()
    assert "สมศรี" in page and "ทีมผู้สูงอายุ" in page
    assert "3" in page and "ยังอยู่กับทีม" in page
    membership.refresh_from_db()
    assert membership.left_on is None

    response = confirm(coordinator_client, response)

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.left_on is not None


def test_removing_the_leader_says_the_team_will_have_none(coordinator_client, center, team):
    leader = VolunteerFactory(center=center, first_name="ประเสริฐ")
    membership = leader.join_team(team, role=TeamMembership.Role.LEADER)
    response = coordinator_client.post(
        reverse("volunteers:team-end-membership", args=[team.pk, membership.pk])
    )
    assert "ทีมจะไม่มีหัวหน้า" in response.content.decode()


def test_a_volunteer_leaving_asks_first_and_names_their_teams(coordinator_client, center, team):
    volunteer = VolunteerFactory(center=center, first_name="สมศรี")
    volunteer.join_team(team)
    other = TeamFactory(center=center, name="ทีมคนพิการ")
    volunteer.join_team(other)
    CaseFactory.create_batch(2, center=center, team=other)
    url = reverse("volunteers:volunteer-status", args=[volunteer.pk])

    response = coordinator_client.post(url, {"status": "left"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "ทีมผู้สูงอายุ" in page and "ทีมคนพิการ" in page
    volunteer.refresh_from_db()
    assert volunteer.status == "active"
    assert volunteer.memberships.active().count() == 2

    response = confirm(coordinator_client, response)

    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.status == "left"
    assert not volunteer.memberships.active().exists()


def test_a_volunteer_becoming_inactive_needs_no_confirmation(coordinator_client, center):
    volunteer = VolunteerFactory(center=center)
    response = coordinator_client.post(
        reverse("volunteers:volunteer-status", args=[volunteer.pk]), {"status": "inactive"}
    )
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.status == "inactive"


def test_closing_a_case_asks_first_and_says_what_closing_does(coordinator_client, case):
    url = reverse("cases:case-close", args=[case.pk])

    response = coordinator_client.post(url, {"close-reason": "moved", "close-note": "ย้ายไปอยู่กับลูก"})

    assert response.status_code == 200
    page = response.content.decode()
    assert case.number in page and "บุญเรือน" in page
    case.refresh_from_db()
    assert case.status == "intake"
    assert not CaseEvent.objects.filter(case=case, kind="closed").exists()

    response = confirm(coordinator_client, response)

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.closure_reason) == ("closed", "moved")
    assert CaseEvent.objects.get(case=case, kind="closed").note == "ย้ายไปอยู่กับลูก"


def test_closing_without_a_reason_shows_no_confirmation_and_saves_nothing(coordinator_client, case):
    response = coordinator_client.post(
        reverse("cases:case-close", args=[case.pk]), {"close-reason": "", "close-note": "ปิด"}
    )
    # The close page again, with the reason asked for: no confirmation of an incomplete close.
    assert response.status_code == 200
    assert "กรุณาเลือกเหตุผลที่ปิดกรณี" in response.content.decode()
    assert 'name="confirmed"' not in response.content.decode()
    case.refresh_from_db()
    assert case.status == "intake"


def test_bulk_reassignment_asks_first_and_names_each_case(coordinator_client, center, team):
    target = TeamFactory(center=center, name="ทีมใหม่")
    cases = CaseFactory.create_batch(2, center=center, team=team)
    stays = CaseFactory(center=center, team=team)
    url = reverse("cases:case-bulk-assign")

    response = coordinator_client.post(url, {"team": target.pk, "cases": [c.pk for c in cases]})

    assert response.status_code == 200
    page = response.content.decode()
    assert all(case.number in page for case in cases) and stays.number not in page
    assert "ทีมใหม่" in page and "ทีมผู้สูงอายุ" in page
    assert not Case.objects.filter(team=target).exists()

    response = confirm(coordinator_client, response)

    assert response.status_code == 302
    assert set(Case.objects.filter(team=target)) == set(cases)
    assert Case.objects.get(pk=stays.pk).team == team


def test_the_confirmation_page_offers_a_way_back_that_changes_nothing(coordinator_client, case):
    response = coordinator_client.post(
        reverse("cases:case-close", args=[case.pk]),
        {"close-reason": "died", "close-note": "แจ้งโดยญาติ"},
    )
    assert reverse("cases:case-detail", args=[case.pk]) in response.content.decode()
    # Following the link back is a GET: nothing to undo.
    coordinator_client.get(reverse("cases:case-detail", args=[case.pk]))
    case.refresh_from_db()
    assert case.status == "intake"
