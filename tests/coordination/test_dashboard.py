"""The dashboard: the centre's figures, caseload balance and charts, its own only, each
number equal to a count taken straight from the database and linked to a list that
shows the same count."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.dashboard import add_months, fiscal_year_start, month_label
from cases.filters import local_midnight
from cases.models import Assistance, Case, HomeVisit, Referral, fiscal_year
from coordination.models import TargetGroup
from tests.factories import (
    CaseFactory,
    HomeVisitFactory,
    TeamFactory,
    UserFactory,
    VolunteerFactory,
)
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db

URL = "coordination:dashboard"


def group(code: str) -> TargetGroup:
    return TargetGroup.objects.get(code=code)


def visit(case, at: datetime.datetime, *volunteers) -> HomeVisit:
    made = HomeVisitFactory(case=case, visited_at=at)
    made.volunteers.set(volunteers)
    return made


@pytest.fixture
def known(center, team, other_center):
    """A centre with a little of everything, dated around today: two teams, three active
    volunteers (one on no team) and one who left, cases of every kind, visits this month,
    last month, a year ago and more; and another centre's work that must not count."""
    today = timezone.localdate()
    month = today.replace(day=1)
    last_month = add_months(month, -1)
    disabled = TeamFactory(center=center, name="ทีมผู้พิการ", target_group=group("disability"))
    somsri = VolunteerFactory(center=center, first_name="สมศรี")
    somsri.join_team(team)
    somchai = VolunteerFactory(center=center, first_name="สมชาย")
    somchai.join_team(team)
    somchai.join_team(disabled)
    VolunteerFactory(center=center, first_name="มานี")  # active, on no team
    VolunteerFactory(center=center, first_name="ชูใจ", status=Volunteer.Status.LEFT)

    old = CaseFactory(center=center, team=team, opened_on=add_months(month, -14))
    both = CaseFactory(
        center=center,
        team=team,
        opened_on=month,
        priority=Case.Priority.URGENT,
        target_groups=[group("elderly"), group("disability")],
    )
    CaseFactory(center=center, team=disabled, opened_on=month, target_groups=[group("disability")])
    CaseFactory(center=center, team=None, opened_on=last_month, status="assessed")
    closed = CaseFactory(center=center, team=team, opened_on=last_month)
    closed.close(Case.ClosureReason.RESOLVED, by=None, on=month, note="ปิดเรื่องแล้ว")
    closed_earlier = CaseFactory(center=center, team=disabled, opened_on=add_months(month, -3))
    closed_earlier.close(Case.ClosureReason.MOVED, by=None, on=last_month, note="ปิดเรื่องแล้ว")

    noon = local_midnight(month) + datetime.timedelta(hours=12)
    visit(both, min(noon, timezone.now()), somsri, somchai)
    visit(old, local_midnight(last_month) + datetime.timedelta(hours=9), somsri)
    # The last minute of last month: last month's, not this month's.
    visit(old, local_midnight(month) - datetime.timedelta(minutes=1), somchai)
    visit(old, local_midnight(add_months(month, -13)), somsri)  # before the chart's year
    # The old case's next visit was due yesterday: overdue.
    Case.objects.filter(pk=old.pk).update(next_visit_due=today - datetime.timedelta(days=1))

    elsewhere = CaseFactory(center=other_center, opened_on=month, priority=Case.Priority.URGENT)
    visit(elsewhere, min(noon, timezone.now()))
    VolunteerFactory(center=other_center)
    return {"today": today, "month": month, "team": team, "disabled": disabled}


def straight_from_the_database(center, today: datetime.date) -> dict[str, int]:
    """The same figures counted the plain way: every row read, counted in Python."""
    month = today.replace(day=1)
    cases = list(Case.objects.filter(center=center))
    open_cases = [c for c in cases if c.status != "closed"]
    visits = list(HomeVisit.objects.filter(case__center=center))
    return {
        "open": len(open_cases),
        "opened_this_month": sum(c.opened_on >= month for c in cases),
        "closed_this_month": sum(bool(c.closed_on and c.closed_on >= month) for c in cases),
        "visits_this_month": sum(timezone.localtime(v.visited_at).date() >= month for v in visits),
        "overdue": sum(bool(c.next_visit_due and c.next_visit_due < today) for c in open_cases),
        "unassigned": sum(c.team_id is None for c in open_cases),
        "never_visited": sum(c.last_visit_at is None for c in open_cases),
        "urgent": sum(c.priority == Case.Priority.URGENT for c in open_cases),
        "active_volunteers": Volunteer.objects.filter(center=center, status="active").count(),
        "assistance_fy": sum(
            (
                a.amount
                for a in Assistance.objects.filter(case__center=center)
                if a.fiscal_year == fiscal_year(today)
            ),
            Decimal(0),
        ),  # fmt: skip
        "referrals_waiting": sum(
            r.status in ("sent", "acknowledged", "in_progress")
            for r in Referral.objects.filter(case__center=center)
        ),
    }


def figures_of(response) -> dict:
    return {figure.key: figure.value for figure in response.context["figures"]}


def test_the_figures_equal_the_counts_taken_straight_from_the_database(
    coordinator_client, center, known
):
    response = coordinator_client.get(reverse(URL))
    expected = straight_from_the_database(center, known["today"])
    assert figures_of(response) == expected
    # And what they are, so that the plain count above cannot be wrong the same way.
    assert expected == {
        "open": 4, "opened_this_month": 2, "closed_this_month": 1, "visits_this_month": 1,
        "overdue": 1, "unassigned": 1, "never_visited": 2, "urgent": 1, "active_volunteers": 3,
        "referrals_waiting": 0, "assistance_fy": 0,
    }  # fmt: skip
    assert [(value, n) for value, _label, n, _url in response.context["statuses"]] == [
        ("intake", 3), ("assessed", 1), ("in_assistance", 0), ("follow_up", 0),
    ]  # fmt: skip
    groups = {bar.label: bar.value for bar in response.context["charts"][0].data}
    assert groups == {
        group("destitute").name: 0, group("disability").name: 2, group("elderly").name: 3,
        group("women").name: 0, group("children_youth").name: 0,
    }  # fmt: skip


def test_the_caseload_balance_counts_open_cases_and_recent_visits_and_marks_the_extremes(
    coordinator_client, center, known
):
    response = coordinator_client.get(reverse(URL))
    teams = {row.name: (row.open_cases, row.recent_visits, row.most, row.least) for row in
             response.context["teams"]}  # fmt: skip
    # The elderly team: the old case, the two-group case (closed ones do not count);
    # visits on its cases in the last 30 days: this month's and, when this month began
    # less than 30 days ago, the two of last month's end.
    recent = HomeVisit.objects.filter(
        case__team=known["team"], visited_at__gte=local_midnight(known["today"]) - datetime.timedelta(days=30)
    ).count()  # fmt: skip
    assert teams == {"ทีมผู้สูงอายุ": (2, recent, True, False), "ทีมผู้พิการ": (1, 0, False, True)}
    volunteers = [(row.name, row.open_cases, row.most, row.least) for row in
                  response.context["volunteers"]]  # fmt: skip
    names = {v.first_name: v.full_name for v in Volunteer.objects.filter(center=center)}
    # Most loaded first; the one who left is not listed, the other centre's neither.
    assert volunteers == [
        (names["สมชาย"], 3, True, False),
        (names["สมศรี"], 2, False, False),
        (names["มานี"], 0, False, True),
    ]
    page = response.content.decode()
    assert "most loaded" in page or "ภาระงานมากที่สุด" in page
    # The way to rebalance: the case list, where cases are ticked and moved in bulk.
    assert reverse("cases:case-list") + f"?team={known['team'].pk}" in page


def count_on_the_list(client, url: str) -> int:
    """What the linked list says it holds."""
    response = client.get(url)
    assert response.status_code == 200, url
    if "page_obj" in response.context:
        return response.context["page_obj"].paginator.count
    tabs = {key: n for key, _label, n in response.context["tabs"]}  # the follow-up worklist
    return tabs[response.context["shown"]]


def test_every_number_links_to_a_list_showing_the_same_count(coordinator_client, known):
    response = coordinator_client.get(reverse(URL))
    context = response.context
    numbers = [(f.url, f.value) for f in context["figures"]]
    numbers += [(url, n) for _v, _l, n, url in context["statuses"]]
    for row in [*context["teams"], *context["volunteers"]]:
        numbers += [(row.cases_url, row.open_cases), (row.visits_url, row.recent_visits)]
    for chart in context["charts"]:
        numbers += [(bar.url, bar.value) for bar in chart.data]
    page = response.content.decode().replace("&amp;", "&")
    for url, value in numbers:
        assert f'href="{url}"' in page, url
        assert count_on_the_list(coordinator_client, url) == value, url


def test_a_month_without_activity_reads_zeros(coordinator_client, center, team):
    month = timezone.localdate().replace(day=1)
    long_ago = add_months(month, -5)
    case = CaseFactory(center=center, team=team, opened_on=long_ago)
    visit(case, local_midnight(long_ago) + datetime.timedelta(hours=10))
    response = coordinator_client.get(reverse(URL))
    figures = figures_of(response)
    assert (figures["opened_this_month"], figures["closed_this_month"]) == (0, 0)
    assert figures["visits_this_month"] == 0
    per_month = response.context["charts"][1].data
    assert len(per_month) == 12
    assert [bar.value for bar in per_month] == [0] * 6 + [1] + [0] * 5
    assert count_on_the_list(coordinator_client, per_month[-1].url) == 0


def test_the_month_labels_are_in_the_buddhist_era(coordinator_client, center):
    response = coordinator_client.get(reverse(URL))
    labels = [bar.label for bar in response.context["charts"][1].data]
    month = timezone.localdate().replace(day=1)
    assert labels[-1] == month_label(month)
    months = ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.",
              "พ.ย.", "ธ.ค."]  # fmt: skip
    assert labels[-1] == f"{months[month.month - 1]} {(month.year + 543) % 100:02d}"
    assert month_label(datetime.date(2019, 4, 1)) == "เม.ย. 62"


def test_each_chart_is_an_svg_with_its_text_alternative_and_its_data_table(
    coordinator_client, known
):
    page = coordinator_client.get(reverse(URL)).content.decode()
    charts = re.findall(r"<svg[^>]*>.*?</svg>", page, re.S)
    assert len(charts) == 4  # target groups, visits per month, teams, referrals
    for svg in charts:
        assert 'role="img"' in svg
        labelled = re.search(r'aria-labelledby="([^"]+)"', svg)[1].split()
        title, desc = labelled
        assert re.search(rf'<title id="{title}">[^<]+</title>', svg)
        assert re.search(rf'<desc id="{desc}">[^<]+</desc>', svg)
        assert "<script" not in svg and "style=" not in svg  # the CSP allows neither
    assert page.count('<details class="chart-data">') == 4
    assert page.count("<figcaption") == 4


def test_the_dashboard_keeps_its_queries_whatever_the_data(coordinator_client, center, team):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            coordinator_client.get(reverse(URL))
        return len(captured)

    volunteer = VolunteerFactory(center=center)
    volunteer.join_team(team)
    visit(CaseFactory(center=center, team=team), timezone.now(), volunteer)
    few = queries()
    teams = [TeamFactory(center=center) for _ in range(4)]
    for i in range(30):
        helper = VolunteerFactory(center=center)
        helper.join_team(teams[i % 4])
        case = CaseFactory(center=center, team=teams[i % 4], target_groups=[group("women")])
        visit(case, timezone.now() - datetime.timedelta(days=i * 12), helper, volunteer)
    assert queries() == few


def test_other_centres_work_is_not_counted(coordinator_client, other_center):
    CaseFactory(center=other_center, priority=Case.Priority.URGENT)
    VolunteerFactory(center=other_center)
    TeamFactory(center=other_center)
    response = coordinator_client.get(reverse(URL))
    assert set(figures_of(response).values()) == {0}
    assert response.context["teams"] == []


def test_volunteers_get_403_on_the_dashboard(volunteer_client):
    assert volunteer_client.get(reverse(URL)).status_code == 403


def test_the_fiscal_year_starts_on_the_first_of_october():
    assert fiscal_year_start(datetime.date(2026, 9, 30)) == datetime.date(2025, 10, 1)
    assert fiscal_year_start(datetime.date(2026, 10, 1)) == datetime.date(2026, 10, 1)


def test_a_national_administrator_sees_every_centres_figures_without_a_caseload_list(
    client, center, other_center, team
):
    CaseFactory(center=center, team=team)
    CaseFactory(center=other_center)
    VolunteerFactory(center=other_center)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(reverse(URL))
    assert response.status_code == 200
    assert figures_of(response)["open"] == 2
    assert response.context["balance"] is False
    assert response.context["volunteers"] == [] and response.context["teams"] == []
    assert 'id="balance"' not in response.content.decode()


def test_each_caseload_row_links_its_page_and_names_its_counts_for_screen_readers(
    coordinator_client, known, center
):
    response = coordinator_client.get(reverse(URL))
    page = response.content.decode()
    volunteers = response.context["volunteers"]
    assert {row.url for row in volunteers} == {
        reverse("volunteers:volunteer-detail", args=[pk])
        for pk in Volunteer.objects.filter(center=center).active().values_list("pk", flat=True)
    }
    assert {row.url for row in response.context["teams"]} == {
        reverse("volunteers:team-detail", args=[pk])
        for pk in center.teams.values_list("pk", flat=True)
    }
    for row in [*response.context["teams"], *volunteers]:
        for label, counted in (
            (row.cases_label, row.open_cases),
            (row.visits_label, row.recent_visits),
        ):
            assert row.name in label and str(counted) in label
            assert f'aria-label="{label}"' in page
    # In Thai, as the catalogue says it.
    assert any("กรณีที่เปิดอยู่" in row.cases_label for row in volunteers)


def test_a_caseload_row_escapes_the_name_it_shows(coordinator_client, center):
    """The rows are written in Python (cases.dashboard.load_rows_html), not by the
    template's autoescaping: a name is text, never markup, in the cell and the labels."""
    VolunteerFactory(center=center, first_name='<b class="x">สม&ศรี</b>', status="active")

    page = coordinator_client.get(reverse(URL)).content.decode()

    assert '<b class="x">' not in page
    assert "&lt;b class=&quot;x&quot;&gt;สม&amp;ศรี&lt;/b&gt;" in page
    # The link's text and both counts' labels.
    assert page.count("&lt;b class=&quot;x&quot;&gt;สม&amp;ศรี&lt;/b&gt;") >= 3


def test_a_large_centres_balance_shows_the_most_and_least_loaded_and_all_on_asking(
    coordinator_client, center
):
    """Who is overloaded and who has room: a centre of more than 30 active volunteers
    shows the 10 most and the 10 least loaded, and every one behind a link."""
    teams = [TeamFactory(center=center) for _ in range(4)]
    for i, team in enumerate(teams):
        for _ in range(i * 3):  # 0, 3, 6 and 9 open cases
            CaseFactory(center=center, team=team)
    volunteers = []
    for i in range(36):
        volunteer = VolunteerFactory(center=center, first_name=f"อพม{i:02d}")
        volunteer.join_team(teams[i % 4])
        volunteers.append(volunteer)

    response = coordinator_client.get(reverse(URL))

    shown = response.context["volunteers"]
    loads = [row.open_cases for row in shown]
    assert len(shown) == 20 and loads == [9] * 9 + [6] + [3] + [0] * 9
    assert (shown[0].most, shown[-1].least) == (True, True)
    assert response.context["volunteers_not_shown"] == 16
    page = response.content.decode()
    assert "จาก อพม. ที่ปฏิบัติงานอยู่ 36 คน" in page
    everyone = reverse(URL) + "?volunteers=all#load-volunteer"
    assert f'href="{everyone}"' in page
    # A volunteer not among the extremes is not on the page.
    middle = next(v for v in volunteers if v.full_name not in {r.name for r in shown})
    assert middle.full_name not in page

    response = coordinator_client.get(everyone)

    assert len(response.context["volunteers"]) == 36
    assert response.context["volunteers_not_shown"] == 0
    page = response.content.decode()
    assert middle.full_name in page and 'href="/dashboard/?volunteers=all' not in page
    assert f'href="{reverse(URL)}#balance"' in page


def test_a_small_centres_balance_shows_every_volunteer(coordinator_client, center, team):
    for _ in range(30):
        VolunteerFactory(center=center).join_team(team)
    response = coordinator_client.get(reverse(URL))
    assert len(response.context["volunteers"]) == 30
    assert "?volunteers=all" not in response.content.decode()


def test_the_target_group_chart_says_a_case_of_two_groups_counts_in_both(
    coordinator_client, center, team
):
    """Found by a trial: 58 open cases above, "total 70" under the chart, unexplained."""
    groups = list(TargetGroup.objects.order_by("position")[:2])
    case = CaseFactory(center=center, team=team)
    case.target_groups.set(groups)
    page = coordinator_client.get(reverse(URL)).content.decode()
    caption = re.search(
        r'<figure class="chart mb-0" id="chart-groups">.*?<figcaption[^>]*>(.*?)</figcaption>',
        page,
        re.S,
    )[1]
    assert "กรณีที่อยู่ในหลายกลุ่มนับในทุกกลุ่มที่อยู่" in caption and "รวม 2" in caption
