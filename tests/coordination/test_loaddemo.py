import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseEvent, HomeVisit, HouseholdMember, IncomeSource
from coordination.models import Center, User
from tests.conftest import FAST_HASHERS
from tests.module_data import assert_in_own_savepoint, built_once
from volunteers.models import Team, TeamMembership, Volunteer

SEED_NUMBERS = {"1027-2562-0001", "1027-2562-0002"}
GROUPS = ["destitute", "disability", "elderly", "women", "children_youth"]


def load_demo() -> None:
    # Passwords hashed as every test's are (`fast_password_hasher` is not on yet here).
    with override_settings(DEBUG=True, PASSWORD_HASHERS=FAST_HASHERS):
        call_command("loaddemo", stdout=StringIO())


@pytest.fixture(scope="class")
def class_demo(django_db_setup, django_db_blocker):
    """Loaded once for the tests that only read it; each in a savepoint of its own."""
    with built_once(django_db_blocker, load_demo):
        yield


@pytest.fixture
def demo(db, class_demo):
    assert_in_own_savepoint()


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Center,
            Volunteer,
            Team,
            TeamMembership,
            Case,
            HouseholdMember,
            IncomeSource,
            HomeVisit,
            User,
        )
    }


def test_the_demo_centre_loads_once_and_a_second_run_changes_nothing(db, settings):
    settings.DEBUG = True
    call_command("loaddemo", stdout=StringIO())
    first = counts()
    call_command("loaddemo", stdout=StringIO())
    assert counts() == first
    assert {
        name: n for name, n in first.items() if name not in ("HouseholdMember", "IncomeSource")
    } == {
        "Center": 1,
        "Volunteer": 13,
        "Team": 5,
        "TeamMembership": 14,
        "Case": 62,  # the two seed cases and sixty of the last year
        "HomeVisit": first["HomeVisit"],
        "User": 3,
    }
    assert first["HomeVisit"] > 100 and first["HouseholdMember"] > 50
    assert first["IncomeSource"] > 60


def test_the_demo_is_bueng_kum_with_five_led_teams_and_the_two_seed_cases(db, settings):
    settings.DEBUG = True
    call_command("loaddemo", stdout=StringIO())
    center = Center.objects.get()
    assert (center.district_id, center.opened_on.isoformat()) == ("1027", "2019-04-24")
    teams = Team.objects.prefetch_related("memberships__volunteer")
    assert sorted(t.target_group.code for t in teams) == [
        "children_youth",
        "destitute",
        "disability",
        "elderly",
        "women",
    ]
    assert all(team.leader is not None for team in teams)

    cases = {c.number: c for c in Case.objects.filter(number__startswith="1027-2562-")}
    assert set(cases) == SEED_NUMBERS
    first, second = cases["1027-2562-0001"], cases["1027-2562-0002"]
    assert first.age(on=first.opened_on) == 79
    assert second.age(on=second.opened_on) == 91
    assert first.monthly_income() == Decimal("2500.00")
    assert second.monthly_income() == Decimal("1800.00")
    assert first.team.target_group.code == "disability"
    assert second.team.target_group.code == "elderly"
    # Their first visits were that day; they are still worked, visited within the year.
    today = timezone.localdate()
    for case in (first, second):
        visits = list(case.visits.order_by("visited_at"))
        assert timezone.localtime(visits[0].visited_at).date().isoformat() == "2019-04-24"
        assert visits[0].adl_score == (13 if case == first else 3)
        assert (today - timezone.localtime(visits[1].visited_at).date()).days <= 365
        assert case.status == Case.Status.FOLLOW_UP and not case.is_overdue()
    assert HomeVisit.objects.filter(visited_at__date="2019-04-24").count() == 2
    # The change history of that day is dated that day, not the day the demo loaded.
    first_records = [*first.history.all(), *HouseholdMember.history.filter(case_id=first.pk)]
    assert {timezone.localtime(r.history_date).date().isoformat() for r in first_records} == {
        "2019-04-24"
    }


def test_the_three_demo_logins_work_and_have_their_roles(db, settings):
    settings.DEBUG = True
    call_command("loaddemo", stdout=StringIO())
    request = RequestFactory().post("/login/")  # the login protection needs the request
    admin = authenticate(request, username="admin", password="admin-demo-2562")
    coordinator = authenticate(request, username="coordinator", password="coordinator-demo-2562")
    volunteer = authenticate(request, username="volunteer", password="volunteer-demo-2562")
    assert admin.is_superuser and admin.is_staff
    assert coordinator.is_coordinator and not coordinator.is_staff
    assert volunteer.is_volunteer and volunteer.volunteer.memberships.active().count() == 2


def test_the_demo_refuses_to_load_in_production(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("loaddemo")
    assert not Center.objects.exists()


class TestTheDemoCentre:
    """What the demo holds, read by each test; loaded once for the class (see
    `class_demo`), so the module's other tests, which load it themselves, start empty."""

    def test_sixty_cases_of_the_last_year_cover_every_group_and_status(self, demo):
        living = Case.objects.exclude(number__in=SEED_NUMBERS)
        assert living.count() == 60
        assert len({(case.first_name, case.last_name) for case in living}) == 60
        statuses = [value for value, _label in Case.Status.choices]
        for code in GROUPS:
            in_group = living.filter(target_groups__code=code)
            assert set(in_group.values_list("status", flat=True)) == set(statuses), code
        by_status = {s: living.filter(status=s).count() for s in statuses}
        assert by_status == {
            "intake": 10,
            "assessed": 10,
            "in_assistance": 15,
            "follow_up": 15,
            "closed": 10,
        }
        # The story of each case ends in the status it has.
        for case in living:
            last = case.events.exclude(status_to="").first()
            assert last.status_to == case.status, case.number
            assert last.at <= timezone.now()
        closed = living.filter(status=Case.Status.CLOSED)
        assert set(closed.values_list("closure_reason", flat=True)) == set(
            Case.ClosureReason.values
        )
        assert all(CaseEvent.objects.filter(case=c, kind="closed").exists() for c in closed)
        # Every case as a person would have entered it: the model's checks pass.
        for case in living.select_related("reg_subdistrict"):
            case.full_clean()
            assert case.reg_subdistrict.district_id == "1027"
            assert case.target_groups.exists()
        assert {c.reg_subdistrict_id for c in living} == {"102701", "102704", "102705"}
        assert living.filter(household_members__isnull=False).distinct().count() >= 40
        assert living.filter(incomes__isnull=False).distinct().count() >= 50
        # Never visited: the intake cases, some waiting for a team.
        assert set(living.filter(last_visit_at__isnull=True).values_list("status", flat=True)) == {
            "intake"
        }
        assert living.filter(team__isnull=True).exists()

    def test_the_visits_are_of_the_last_year_by_the_teams_volunteers(self, demo):
        today = timezone.localdate()
        visits = HomeVisit.objects.filter(visited_at__year__gt=2019).select_related("case")
        dates = [timezone.localtime(v.visited_at).date() for v in visits]
        assert min(dates) >= today - datetime.timedelta(days=366) and max(dates) < today
        assert visits.filter(referral_needed=True).exists()
        for visit in visits.prefetch_related("volunteers"):
            visit.full_clean()
            team_members = set(
                visit.case.team.memberships.filter(left_on__isnull=True).values_list(
                    "volunteer", flat=True
                )
            )
            present = {v.pk for v in visit.volunteers.all()}
            assert present and present <= team_members
        # Each visit's history says who was there (a met correction compares with it).
        for visit in visits.prefetch_related("volunteers")[:40]:
            record = visit.history.order_by("-history_date", "-history_id").first()
            recorded = set(record.volunteers.values_list("volunteer_id", flat=True))
            assert recorded == {v.pk for v in visit.volunteers.all()}, visit
        # What HomeVisit.save keeps on the case matches its latest visit.
        for case in Case.objects.filter(last_visit_at__isnull=False):
            latest = case.visits.order_by("-visited_at").first()
            assert (case.last_visit_at, case.next_visit_due) == (
                latest.visited_at,
                latest.next_visit_due,
            )

    def test_every_followup_tab_of_the_demo_coordinator_has_cases(self, demo, client):
        client.force_login(User.objects.get(username="coordinator"))
        url = reverse("cases:followup-list")
        # The referral tab lists referrals, not cases (tests/cases/test_referral_pages.py).
        tabs = [tab for tab in client.get(url).context["tabs"] if tab[0] != "referrals"]
        assert all(count > 0 for _key, _label, count in tabs), tabs
        today = timezone.localdate()
        for key, _label, count in tabs:
            page = client.get(url, {"show": key}).context["page_obj"]
            assert len(page) == min(count, page.paginator.per_page)
            if key == "overdue":
                assert all(case.next_visit_due < today for case in page)
            if key == "week":
                assert all(0 <= (case.next_visit_due - today).days <= 7 for case in page)
        assert client.get(url).context["by_team"]

    def test_the_demo_volunteer_sees_her_teams_cases_with_some_overdue(self, demo, client):
        client.force_login(User.objects.get(username="volunteer"))
        response = client.get(reverse("cases:my-cases"))
        cases = list(response.context["page_obj"])
        assert len(cases) >= 10
        assert {case.team.target_group.code for case in cases} == {"elderly", "disability"}
        assert any(case.is_overdue() for case in cases)
        assert cases[0].number in response.content.decode()
        # She went on visits of her own: her name is on them.
        assert HomeVisit.objects.filter(volunteers__user__username="volunteer").count() >= 10

    def test_the_dashboard_and_team_pages_show_a_working_centre(self, demo, client):
        client.force_login(User.objects.get(username="coordinator"))
        response = client.get(reverse("coordination:dashboard"))
        figures = {figure.key: figure.value for figure in response.context["figures"]}
        visits_this_month = figures.pop("visits_this_month")
        assert all(n > 0 for n in figures.values()), figures
        groups = response.context["charts"][0].data
        assert all(bar.value > 0 for bar in groups)
        assert all(n > 0 for _value, _label, n, _url in response.context["statuses"])
        if timezone.localdate().day > 20:  # visits of the last days fall in this month
            assert visits_this_month > 0
        # Every team and active volunteer has work, and the visits of the last 30 days show.
        assert all(row.open_cases > 0 for row in response.context["teams"])
        assert sum(row.recent_visits for row in response.context["volunteers"]) > 0
        for team in Team.objects.all():
            page = client.get(reverse("volunteers:team-detail", args=[team.pk]))
            assert page.status_code == 200 and list(page.context["cases"]), team.name
        case_list = client.get(reverse("cases:case-list"))
        assert case_list.context["page_obj"].paginator.count == Case.objects.open().count()


def snapshot() -> list:
    """What a person reads of the demo: numbers, names, dates, teams, visits."""
    cases = list(
        Case.objects.order_by("number").values_list(
            "number", "first_name", "last_name", "national_id", "status", "team__name",
            "opened_on", "closed_on", "next_visit_due", "reg_soi",
        )
    )  # fmt: skip
    visits = [
        (v.case.number, v.visited_at, v.next_visit_due, sorted(x.pk for x in v.volunteers.all()))
        for v in HomeVisit.objects.select_related("case").prefetch_related("volunteers")
    ]
    members = list(HouseholdMember.objects.values_list("case__number", "name", "age"))
    incomes = list(IncomeSource.objects.values_list("case__number", "kind", "amount"))
    return [cases, sorted(visits), sorted(members), sorted(incomes)]


class Discard(Exception):
    pass


def test_two_loads_on_a_fresh_database_give_the_same_centre(db, settings):
    settings.DEBUG = True
    loads = []
    for _ in range(2):
        # Each load in a transaction rolled back afterwards: the second starts empty.
        with pytest.raises(Discard), transaction.atomic():
            call_command("loaddemo", stdout=StringIO())
            volunteers = {v.pk: v.national_id for v in Volunteer.objects.all()}
            data = snapshot()
            # Volunteer ids differ between loads; their national IDs do not.
            data[1] = [(*row[:3], [volunteers[pk] for pk in row[3]]) for row in data[1]]
            loads.append(data)
            raise Discard
        assert not Case.objects.exists()
    assert loads[0] == loads[1]
    assert len(loads[0][0]) == 62
