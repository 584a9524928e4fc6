"""Missed allowances: each rule at its boundaries, against the effective-dated rates
seeded by the migrations (and one rate change made here), the worklist and its cost,
and dismissing a flag as a coordinator does it."""

import datetime
from dataclasses import replace
from decimal import Decimal
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import allowances
from cases.models import AllowanceDismissal, AllowanceRule, Case
from coordination.models import AllowanceRate
from tests.factories import CaseFactory, HouseholdMemberFactory, IncomeSourceFactory, UserFactory

Rule = AllowanceRule


def flags(case: Case, on: datetime.date) -> dict[str, tuple[Decimal, Decimal]]:
    """{rule: (expected, missed)} for the case on that day. Every rule's test checks too
    that the case page's way (facts_of_case, from the rows it has read) gathers the same
    facts as the worklist's (facts_of, summed by PostgreSQL)."""
    rates = allowances.Rates(on)
    facts = allowances.facts_of(Case.objects.filter(pk=case.pk), rates)
    case = Case.objects.get(pk=case.pk)
    loaded = allowances.facts_of_case(
        case, case.incomes.all(), case.household_members.all(), facts[0].dismissed, rates
    )
    assert sorted(loaded.child_ages) == sorted(facts[0].child_ages)
    assert replace(loaded, child_ages=facts[0].child_ages) == facts[0]
    return {f.rule.value: (f.expected, f.missed) for f in allowances.findings(facts[0], rates)}


def person(center, born: datetime.date, **fields) -> Case:
    return CaseFactory(center=center, birth_date=born, **fields)


def receives(case: Case, kind: str, amount: int) -> None:
    IncomeSourceFactory(case=case, kind=kind, amount=Decimal(amount))


# Older persons


def test_turning_60_without_the_older_persons_allowance_is_flagged_from_the_birthday(center):
    case = person(center, datetime.date(1966, 3, 10))
    assert flags(case, datetime.date(2026, 3, 9)) == {}
    assert flags(case, datetime.date(2026, 3, 10)) == {"elderly_missing": (600, 600)}


def test_a_new_age_band_flags_the_difference_from_the_80th_birthday(center):
    case = person(center, datetime.date(1940, 5, 1))
    receives(case, "elderly_allowance", 700)
    assert flags(case, datetime.date(2020, 4, 30)) == {}
    assert flags(case, datetime.date(2020, 5, 1)) == {"elderly_rate": (800, 100)}


def test_the_founding_example_woman_79_at_700_in_2019_misses_100_baht_a_month_now(
    db, settings, client
):
    settings.DEBUG = True
    call_command("loaddemo", stdout=StringIO())
    woman = Case.objects.get(number="1027-2562-0001")
    assert woman.age(datetime.date(2019, 4, 24)) == 79
    assert flags(woman, datetime.date(2019, 4, 24)).get("elderly_rate") is None
    today = timezone.localdate()
    assert woman.age(today) >= 80  # 86 in 2026
    assert flags(woman, today)["elderly_rate"] == (800, 100)

    client.force_login(UserFactory(center=woman.center, role="coordinator"))
    page = client.get(reverse("cases:missed-allowance-list"))
    row = next(r for r in page.context["page_obj"] if r.pk == woman.pk)
    assert [(f.rule, f.missed) for f in row.found if f.missed] == [("elderly_rate", 100)]
    assert "บุญเรือน" in page.content.decode()


def test_a_rate_raised_by_regulation_flags_the_difference_from_its_first_day(center):
    case = person(center, datetime.date(1962, 1, 15))
    receives(case, "elderly_allowance", 600)
    change = datetime.date(2027, 1, 1)
    AllowanceRate.objects.filter(kind="elderly", age_from=60).update(
        effective_to=change - datetime.timedelta(days=1)
    )
    AllowanceRate.objects.create(
        kind="elderly", age_from=60, age_to=69, monthly_amount=Decimal(700), effective_from=change
    )
    assert flags(case, datetime.date(2026, 12, 31)) == {}
    # 64 on both days: the 60–69 band's new rate against the 600 recorded.
    assert flags(case, change) == {"elderly_rate": (700, 100)}


# Disability


def test_a_disability_card_without_the_allowance_is_flagged_at_the_adult_rate(center):
    case = person(center, datetime.date(1980, 1, 1), has_disability_card=True)
    assert flags(case, datetime.date(2026, 1, 1)) == {"disability_missing": (800, 800)}


def test_a_welfare_card_holder_at_800_is_owed_the_1000_rate(center):
    case = person(
        center, datetime.date(1980, 1, 1), has_disability_card=True, has_welfare_card=True
    )
    receives(case, "disability_allowance", 800)
    assert flags(case, datetime.date(2026, 1, 1)) == {"disability_rate": (1000, 200)}


def test_an_under_18_at_800_is_owed_1000_until_the_18th_birthday(center):
    case = person(center, datetime.date(2008, 6, 1), has_disability_card=True)
    receives(case, "disability_allowance", 800)
    assert flags(case, datetime.date(2026, 5, 31)) == {"disability_rate": (1000, 200)}
    assert flags(case, datetime.date(2026, 6, 1)) == {}


def test_the_under_18_rate_counts_from_the_day_it_came_into_force(center):
    case = person(center, datetime.date(2010, 1, 1), has_disability_card=True)
    receives(case, "disability_allowance", 800)
    assert flags(case, datetime.date(2020, 9, 30)) == {}
    assert flags(case, datetime.date(2020, 10, 1)) == {"disability_rate": (1000, 200)}


def test_a_disability_allowance_without_a_card_is_a_hint_without_money(center):
    case = person(center, datetime.date(1980, 1, 1), disability_types=[3])
    receives(case, "disability_allowance", 800)
    assert flags(case, datetime.date(2026, 1, 1)) == {"no_card": (800, 0)}


def test_a_disability_without_card_or_allowance_points_to_the_card_first(center):
    case = person(center, datetime.date(1980, 1, 1), disability_types=[1])
    assert flags(case, datetime.date(2026, 1, 1)) == {"disability_card": (800, 800)}


# Children


def test_a_young_child_in_a_poor_household_without_the_grant_is_flagged_to_the_band_end(center):
    child = person(center, datetime.date(2020, 7, 1))
    HouseholdMemberFactory(case=child, relation="parent", age=30, monthly_income=Decimal(5000))
    # Band 0–6 as the rates say: still on the day before the 7th birthday, not on it.
    assert flags(child, datetime.date(2027, 6, 30)) == {"child_grant": (600, 600)}
    assert flags(child, datetime.date(2027, 7, 1)) == {}


def test_a_household_above_the_means_test_is_not_flagged(center):
    child = person(center, datetime.date(2023, 7, 1))
    # 2 people, 9,000 a month each: 108,000 a person a year, above 100,000.
    HouseholdMemberFactory(case=child, relation="parent", age=30, monthly_income=Decimal(18000))
    assert flags(child, datetime.date(2026, 1, 1)) == {}


def test_a_mother_with_two_young_children_and_one_grant_misses_one(center):
    mother = person(center, datetime.date(1995, 1, 1))
    HouseholdMemberFactory(case=mother, relation="child", age=2)
    HouseholdMemberFactory(case=mother, relation="child", age=4)
    HouseholdMemberFactory(case=mother, relation="child", age=9)
    receives(mother, "wages", 6000)
    receives(mother, "child_grant", 600)
    assert flags(mother, datetime.date(2026, 1, 1)) == {"child_grant": (1200, 600)}


# The worklist


def flagged_case(center, team, missed_band: int) -> Case:
    """In 2026: 75 at 600 (100 missed), or 65 with nothing (600 missed)."""
    born = {100: datetime.date(1951, 1, 1), 600: datetime.date(1961, 1, 1)}[missed_band]
    case = person(center, born, team=team)
    if missed_band == 100:
        receives(case, "elderly_allowance", 600)
    return case


def test_the_worklist_lists_the_most_money_missed_first_and_only_its_centre(
    coordinator_client, center, other_center, team
):
    small = flagged_case(center, team, 100)
    big = flagged_case(center, team, 600)
    CaseFactory(center=other_center, birth_date=datetime.date(1950, 1, 1))
    fine = person(center, datetime.date(1990, 1, 1))
    closed = flagged_case(center, team, 600)
    closed.close(Case.ClosureReason.DIED, by=None, note="ปิดเรื่องแล้ว")
    page = coordinator_client.get(reverse("cases:missed-allowance-list"))
    rows = list(page.context["page_obj"])
    assert [(row.pk, row.missed) for row in rows] == [(big.pk, 600), (small.pk, 100)]
    assert fine.pk not in {row.pk for row in rows}
    assert page.context["total_missed"] == 700
    assert "เบี้ยที่อาจตกหล่น" in page.content.decode()
    # Nor on the closed case's own page: applying for help is work on an open case.
    closed_page = coordinator_client.get(reverse("cases:case-detail", args=[closed.pk]))
    assert 'id="allowances"' not in closed_page.content.decode()
    small_page = coordinator_client.get(reverse("cases:case-detail", args=[small.pk]))
    assert 'id="allowances"' in small_page.content.decode()


def test_the_worklist_costs_the_same_queries_at_any_size(coordinator_client, center, team):
    url = reverse("cases:missed-allowance-list")

    def queries_for_a_page() -> tuple[int, int]:
        """The first view of the data as it is (the rules run), and the next (the answer
        kept for it: cases/allowances.py, Worklist)."""
        counted = []
        for _view in range(2):
            with CaptureQueriesContext(connection) as queries:
                coordinator_client.get(url, {"page": 2})
            counted.append(len(queries))
        return counted[0], counted[1]

    coordinator_client.get(url)  # the session's first reads
    for n in range(30):
        flagged_case(center, team, 600 if n % 2 else 100)
        HouseholdMemberFactory(case=Case.objects.latest("pk"), age=3 + n % 3)
    small = queries_for_a_page()
    for n in range(60):
        flagged_case(center, team, 600 if n % 2 else 100)
    assert queries_for_a_page() == small
    first, kept = small
    # The session, the user with their roles, and the second factor every page reads;
    # the rates; the key (the centre's cases, its dismissals); the page's cases. The
    # first view adds the cases' own fields, their incomes, households and dismissals.
    assert (first, kept) == (kept + 4, 7), small


def test_a_national_administrator_chooses_a_centre_first(client, center, team):
    flagged_case(center, team, 600)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("cases:missed-allowance-list")
    choosing = client.get(url)
    assert list(choosing.context["page"]["page_obj"]) == []
    # Only the choice: no "0 people" nor an export of nothing before a centre is chosen.
    text = choosing.content.decode()
    assert center.name in text and "<table" not in text and "export-format" not in text
    chosen = client.get(url, {"center": center.pk})
    assert chosen.context["flagged_count"] == 1
    assert "<table" in chosen.content.decode()


# Dismissing


def test_a_dismissed_flag_leaves_the_case_page_and_the_worklist_and_is_kept(
    coordinator_client, coordinator, center, team
):
    case = flagged_case(center, team, 600)
    response = coordinator_client.post(
        reverse("cases:case-allowance-dismiss", args=[case.pk]),
        {"rule": "elderly_missing", "reason": "ไม่มีสิทธิ์: รับบำนาญ"},
    )
    assert response.status_code == 302
    dismissal = AllowanceDismissal.objects.get(case=case)
    assert (dismissal.rule, dismissal.reason, dismissal.by, dismissal.center) == (
        "elderly_missing",
        "ไม่มีสิทธิ์: รับบำนาญ",
        coordinator,
        center,
    )
    assert flags(case, timezone.localdate()) == {}
    page = coordinator_client.get(reverse("cases:missed-allowance-list"))
    assert list(page.context["page_obj"]) == []
    detail = coordinator_client.get(reverse("cases:case-detail", args=[case.pk]))
    assert "ไม่มีสิทธิ์: รับบำนาญ" in detail.content.decode()


def test_a_flag_not_raised_or_a_blank_reason_is_refused_and_nothing_saved(
    coordinator_client, center, team
):
    case = flagged_case(center, team, 600)
    url = reverse("cases:case-allowance-dismiss", args=[case.pk])
    not_raised = coordinator_client.post(url, {"rule": "child_grant", "reason": "x"})
    blank = coordinator_client.post(url, {"rule": "elderly_missing", "reason": "   "})
    assert not_raised.status_code == blank.status_code == 200
    assert not_raised.context["form"].errors["rule"]
    assert blank.context["form"].errors["reason"]
    assert not AllowanceDismissal.objects.exists()


def test_dismissing_is_for_the_centres_coordinators(
    client, volunteer_on_team, other_coordinator, center, team
):
    case = flagged_case(center, team, 600)
    url = reverse("cases:case-allowance-dismiss", args=[case.pk])
    data = {"rule": "elderly_missing", "reason": "x"}
    client.force_login(volunteer_on_team.user)
    assert client.post(url, data).status_code == 403
    client.force_login(other_coordinator)
    assert client.post(url, data).status_code == 404
    assert not AllowanceDismissal.objects.exists()


def test_the_case_page_shows_each_flag_with_what_to_do(coordinator_client, center, team):
    case = flagged_case(center, team, 100)
    page = coordinator_client.get(reverse("cases:case-detail", args=[case.pk]))
    found, _dismissed = page.context["allowances"]
    assert [(f.rule, f.expected, f.missed) for f in found] == [("elderly_rate", 700, 100)]
    text = page.content.decode()
    assert "สำนักงานเขต" in text
    assert reverse("cases:case-allowance-dismiss", args=[case.pk]) + "?rule=elderly_rate" in text
