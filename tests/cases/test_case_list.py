"""The case list: filters, search, sort, masked IDs, bulk reassignment, constant queries."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case, CaseEvent
from coordination.models import TargetGroup
from tests.factories import CaseFactory, TeamFactory, national_id

pytestmark = pytest.mark.django_db
URL = reverse("cases:case-list")


def numbers(response) -> list[str]:
    return [case.number for case in response.context["page_obj"]]


def with_due(case: Case, due: datetime.date | None) -> Case:
    Case.objects.filter(pk=case.pk).update(next_visit_due=due)
    return case


def test_open_cases_are_listed_newest_first_and_closed_ones_on_request(coordinator_client, center):
    old = CaseFactory(center=center, opened_on=datetime.date(2025, 1, 1))
    new = CaseFactory(center=center, opened_on=datetime.date(2025, 6, 1))
    closed = CaseFactory(
        center=center, status="closed", closed_on=datetime.date(2025, 11, 2), closure_reason="moved"
    )
    assert numbers(coordinator_client.get(URL)) == [new.number, old.number]
    assert numbers(coordinator_client.get(URL, {"status": "closed"})) == [closed.number]
    assert len(numbers(coordinator_client.get(URL, {"status": "all"}))) == 3


@pytest.mark.parametrize(
    "typed",
    [
        "นางมาลัย",
        "นางมาลัย ใจงาม",
        "นางมา",
        "นาง มาลัย",
        "Mrs Malai",
        "mrs malai",
        "Mrs. Malai",
        "mrs.malai",
    ],
)
def test_a_name_typed_as_the_list_shows_it_finds_the_case(coordinator_client, center, typed):
    """The list writes นางมาลัย ใจงาม, the prefix against the name (Mrs Malai in English):
    typed so, it found nothing."""
    wanted = CaseFactory(center=center, prefix="mrs", first_name="มาลัย", last_name="ใจงาม")
    wanted_en = CaseFactory(center=center, prefix="mrs", first_name="Malai", last_name="Smith")
    CaseFactory(center=center, prefix="mr", first_name="มาลัย", last_name="ใจดี")  # นาย
    CaseFactory(center=center, prefix="miss", first_name="มาลี", last_name="ใจงาม")  # นางสาว
    found = numbers(coordinator_client.get(URL, {"q": typed}))
    assert found == ([wanted_en.number] if typed.isascii() else [wanted.number])


def test_a_partial_thai_name_finds_the_case(coordinator_client, center):
    wanted = CaseFactory(center=center, first_name="บุญเรือน", last_name="มีสุข")
    CaseFactory(center=center, first_name="สมใจ", last_name="รักดี")
    assert numbers(coordinator_client.get(URL, {"q": "เรือน"})) == [wanted.number]
    assert numbers(coordinator_client.get(URL, {"q": "บุญ มีสุ"})) == [wanted.number]


def test_a_case_is_found_by_number_or_national_id(coordinator_client, center):
    wanted = CaseFactory(center=center, national_id=national_id(4321))
    CaseFactory(center=center, national_id=national_id(9876))
    assert numbers(coordinator_client.get(URL, {"q": wanted.number})) == [wanted.number]
    assert numbers(coordinator_client.get(URL, {"q": wanted.national_id})) == [wanted.number]
    dashed = f"{wanted.national_id[0]}-{wanted.national_id[1:5]}-{wanted.national_id[5:10]}-{wanted.national_id[10:12]}-{wanted.national_id[12]}"
    assert numbers(coordinator_client.get(URL, {"q": dashed})) == [wanted.number]


def test_national_ids_are_masked_in_the_list(coordinator_client, center):
    case = CaseFactory(center=center, national_id=national_id(4321))
    html = coordinator_client.get(URL).content.decode()
    assert case.national_id not in html
    assert f"{case.national_id[:1]}-{case.national_id[1:5]}-xxxxx-xx-{case.national_id[-1]}" in html


def test_filters_combine(coordinator_client, center, team):
    disability = TargetGroup.objects.get(code="disability")
    other_team = TeamFactory(center=center)
    match = CaseFactory(
        center=center,
        team=team,
        priority=4,
        target_groups=[disability],
        reg_subdistrict_id="102704",
    )
    CaseFactory(center=center, team=other_team, priority=4, target_groups=[disability])
    CaseFactory(center=center, team=team, priority=2, target_groups=[disability])
    response = coordinator_client.get(
        URL,
        {"team": team.pk, "priority": 4, "target_group": disability.pk, "subdistrict": "102704"},
    )
    assert numbers(response) == [match.number]


def test_the_subdistrict_filter_reads_the_current_address(coordinator_client, center):
    moved = CaseFactory(
        center=center,
        reg_subdistrict_id="102701",
        current_same_as_registered=False,
        cur_subdistrict_id="102705",
    )
    CaseFactory(center=center, reg_subdistrict_id="102701")
    assert numbers(coordinator_client.get(URL, {"subdistrict": "102705"})) == [moved.number]
    assert moved.number not in numbers(coordinator_client.get(URL, {"subdistrict": "102701"}))


def test_unassigned_and_overdue_filters(coordinator_client, center, team):
    unassigned = CaseFactory(center=center, team=None)
    overdue = with_due(CaseFactory(center=center, team=team), datetime.date(2020, 1, 1))
    with_due(CaseFactory(center=center, team=team), datetime.date(2099, 1, 1))
    assert numbers(coordinator_client.get(URL, {"unassigned": "on"})) == [unassigned.number]
    assert numbers(coordinator_client.get(URL, {"overdue": "on"})) == [overdue.number]


def test_sorting_by_next_visit_due_puts_cases_without_one_last(coordinator_client, center):
    later = with_due(CaseFactory(center=center), datetime.date(2026, 3, 1))
    sooner = with_due(CaseFactory(center=center), datetime.date(2026, 1, 1))
    none = CaseFactory(center=center)
    response = coordinator_client.get(URL, {"sort": "next_visit_due"})
    assert numbers(response) == [sooner.number, later.number, none.number]


def test_the_list_never_shows_another_centre(coordinator_client, center, other_center):
    CaseFactory(center=other_center, first_name="ของเขา")
    assert numbers(coordinator_client.get(URL, {"q": "ของเขา", "status": "all"})) == []


def test_the_list_keeps_a_constant_number_of_queries_whatever_the_number_of_cases(
    coordinator_client, center, team, django_assert_max_num_queries
):
    # Three full pages: a query per row would show 25 times on page 3, over the budget.
    groups = list(TargetGroup.objects.all()[:2])
    CaseFactory.create_batch(75, center=center, team=team, target_groups=groups)
    # The session's four; the count and the page's rows; the filter's four selects,
    # whose teams the bulk reassignment's select shows too.
    with django_assert_max_num_queries(10):
        response = coordinator_client.get(URL, {"page": 3, "sort": "-last_visit_at"})
    assert response.context["page_obj"].paginator.count == 75
    assert len(response.context["page_obj"]) == 25


def test_selected_cases_are_reassigned_in_one_go_and_recorded(
    coordinator_client, center, team, coordinator
):
    target = TeamFactory(center=center, name="ทีมใหม่")
    cases = CaseFactory.create_batch(3, center=center, team=team)
    response = coordinator_client.post(
        reverse("cases:case-bulk-assign"),
        {"team": target.pk, "cases": [c.pk for c in cases[:2]], "confirmed": "yes"},
    )
    assert response.status_code == 302
    assert sorted(Case.objects.filter(team=target).values_list("pk", flat=True)) == sorted(
        c.pk for c in cases[:2]
    )
    assert Case.objects.get(pk=cases[2].pk).team == team
    assert CaseEvent.objects.filter(kind="assigned", team=target, by=coordinator).count() == 2


def bulk_team_options(response) -> list[str]:
    html = response.content.decode()
    select = html[html.index('id="bulk-team"') :]
    select = select[: select.index("</select>")]
    return [part.split('"')[0] for part in select.split('<option value="')[2:]]


@pytest.mark.parametrize("team_asked", ["", "ours", "theirs"])
def test_bulk_reassignment_offers_every_team_of_the_centre_and_no_other(
    coordinator_client, center, team, other_center, team_asked
):
    """Whatever the filter asks (a team, another centre's team): the filter's own team
    options, which the bulk select shows, are the centre's teams."""
    second = TeamFactory(center=center, name="ทีมสอง")
    theirs = TeamFactory(center=other_center, name="ทีมศูนย์อื่น")
    CaseFactory(center=center, team=team)
    asked = {"": "", "ours": team.pk, "theirs": theirs.pk}[team_asked]
    response = coordinator_client.get(URL, {"team": asked})
    assert sorted(bulk_team_options(response)) == sorted([str(team.pk), str(second.pk)])
    assert "ทีมศูนย์อื่น" not in response.content.decode()


def test_bulk_reassignment_with_another_centres_case_saves_nothing(
    coordinator_client, center, team, other_center
):
    target = TeamFactory(center=center)
    ours = CaseFactory(center=center, team=team)
    theirs = CaseFactory(center=other_center)
    response = coordinator_client.post(
        reverse("cases:case-bulk-assign"),
        {"team": target.pk, "cases": [ours.pk, theirs.pk], "confirmed": "yes"},
        follow=True,
    )
    assert "กรุณาเลือกกรณีจากรายการ" in response.content.decode()
    assert Case.objects.get(pk=ours.pk).team == team
    assert Case.objects.get(pk=theirs.pk).team is None


def test_bulk_reassignment_to_another_centres_team_saves_nothing(
    coordinator_client, center, team, other_center
):
    ours = CaseFactory(center=center, team=team)
    foreign_team = TeamFactory(center=other_center)
    coordinator_client.post(
        reverse("cases:case-bulk-assign"),
        {"team": foreign_team.pk, "cases": [ours.pk], "confirmed": "yes"},
    )
    assert Case.objects.get(pk=ours.pk).team == team


def test_bulk_reassignment_is_post_only(coordinator_client):
    assert coordinator_client.get(reverse("cases:case-bulk-assign")).status_code == 405


def test_a_filter_that_does_not_validate_filters_nothing_and_says_why(
    coordinator_client, center, other_center
):
    """The lists' one pattern (coordination/filters.py): a bad value — here another
    centre's team — never half-applies the other filters nor reveals anything."""
    mine = CaseFactory(center=center, first_name="บุญเรือน")
    other = CaseFactory(center=center, first_name="สมใจ")
    foreign_team = TeamFactory(center=other_center)
    response = coordinator_client.get(URL, {"q": "บุญเรือน", "team": foreign_team.pk})
    assert response.status_code == 200
    assert "team" in response.context["form"].errors
    assert sorted(numbers(response)) == sorted([mine.number, other.number])


@pytest.mark.parametrize("language", ["th", "en"])
def test_a_row_names_its_target_groups_in_order_in_the_page_language(
    coordinator_client, center, language
):
    groups = list(TargetGroup.objects.order_by("position")[:3])
    CaseFactory(center=center, target_groups=[groups[2], groups[0]])
    CaseFactory(center=center, target_groups=[])
    coordinator_client.cookies["django_language"] = language
    page = coordinator_client.get(URL).content.decode()
    name = "name_en" if language == "en" else "name_th"
    expected = f"{getattr(groups[0], name)}, {getattr(groups[2], name)}"
    assert (
        f'<td data-label="{"Target groups" if language == "en" else "กลุ่มเป้าหมาย"}">{expected}</td>'
        in page
    )


def subplan_loops(node: dict) -> list[int]:
    """How many times each subquery of an EXPLAIN ANALYZE plan ran."""
    own = [node["Actual Loops"]] if node.get("Parent Relationship") == "SubPlan" else []
    return own + [n for child in node.get("Plans", []) for n in subplan_loops(child)]


def test_a_deep_page_lists_its_own_cases_in_order_and_reads_their_groups_only(
    coordinator_client, center, team
):
    groups = list(TargetGroup.objects.all()[:2])
    for day in range(60):  # two cases a day: the number breaks the tie
        CaseFactory(
            center=center,
            team=team,
            target_groups=groups,
            opened_on=datetime.date(2025, 1, 1 + day // 2),
        )
    expected = list(
        Case.objects.filter(center=center)
        .order_by("-opened_on", "-number")
        .values_list("number", flat=True)
    )
    listed = []
    for number in (1, 2, 3):
        with CaptureQueriesContext(connection) as queries:
            listed += numbers(coordinator_client.get(URL, {"page": number}))
    assert listed == expected

    # Page 3 skips 50 cases: PostgreSQL names the target groups of its own 10 rows, not
    # of the 60 it passes on the way (the page's cases are chosen by their ids first).
    rows = next(
        q["sql"] for q in queries.captured_queries if "cases_case_target_groups" in q["sql"]
    )
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + rows)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    assert subplan_loops(plan[0]["Plan"]) == [10]


@pytest.mark.parametrize("posted", ["//evil.example/x", "https://evil.example/?a=1", "\r\nX: 1"])
def test_the_list_to_return_to_is_only_ever_the_case_list(coordinator_client, posted):
    response = coordinator_client.post(reverse("cases:case-bulk-assign"), {"list": posted})
    assert response.status_code == 302
    assert response["Location"].startswith(URL + "?") and "\n" not in response["Location"]


@pytest.mark.parametrize("page", ["0", "-1", "-99999"])
def test_a_page_number_below_one_shows_the_first_page(coordinator_client, center, page):
    """Django's paginator shows the last page for any number out of range."""
    CaseFactory.create_batch(30, center=center)
    response = coordinator_client.get(URL, {"page": page})
    assert response.context["page_obj"].number == 1
