"""A centre's data stamp moves on when its data changes, and what a page keeps at a stamp
(coordination/stamps.py) is served only while nothing changed, to the same user.

Transactional tests: the stamp moves when a transaction commits, so these commit."""

from __future__ import annotations

import datetime
import re
import urllib.parse

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case, HomeVisit
from cases.views import FOLLOWUP_SECTIONS as SECTIONS
from coordination.models import TargetGroup, User
from coordination.stamps import stamps_of
from tests.conftest import load_demo
from tests.factories import (
    CaseFactory,
    HomeVisitFactory,
    HouseholdMemberFactory,
    TeamFactory,
    UserFactory,
    VolunteerFactory,
)
from volunteers.models import Team

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def nothing_kept():
    cache.clear()
    yield
    cache.clear()


def stamp(center) -> int:
    return stamps_of(center.pk)[0]


def global_stamp() -> int:
    return stamps_of(0)[1]


def test_a_transaction_moves_its_centres_stamp_once_when_it_commits(center, other_center, team):
    before, elsewhere = stamp(center), stamp(other_center)
    with transaction.atomic():
        case = CaseFactory(center=center, team=team)
        for _ in range(3):
            HouseholdMemberFactory(case=case, center=center)
        HomeVisitFactory(case=case, center=center)
        # Not before the commit: a page that read the stamp now would keep figures
        # that miss this transaction's rows under the stamp they will have.
        assert stamp(center) == before
    assert stamp(center) == before + 1
    assert stamp(other_center) == elsewhere


def test_a_transaction_rolled_back_moves_nothing(center, team):
    before = stamp(center)
    with pytest.raises(RuntimeError), transaction.atomic():
        CaseFactory(center=center, team=team)
        raise RuntimeError
    assert stamp(center) == before and not Case.objects.exists()


def test_changes_of_every_kind_move_it(center, team):
    case = CaseFactory(center=center, team=team)
    visit = HomeVisitFactory(case=case, center=center)
    volunteer = VolunteerFactory(center=center)
    login = UserFactory(center=center, role="volunteer")
    steps = [
        ("an update", lambda: Case.objects.filter(pk=case.pk).update(phone="0899999999")),
        ("a delete", lambda: HomeVisit.objects.filter(pk=visit.pk).delete()),
        # Rows without a centre of their own: through the row they belong to.
        ("a membership", lambda: volunteer.join_team(team)),
        ("a target group of a case", lambda: case.target_groups.clear()),
        ("a role", lambda: login.groups.add(Group.objects.get(name="coordinator"))),
    ]
    for what, step in steps:
        before = stamp(center)
        step()
        assert stamp(center) == before + 1, what


def test_what_every_centre_reads_moves_the_global_stamp(center):
    before, centre_before = global_stamp(), stamp(center)
    TargetGroup.objects.filter(code="elderly").update(name_en="Older people")
    assert global_stamp() == before + 1
    assert stamp(center) == centre_before


def test_a_case_moved_to_another_centre_moves_both(center, other_center, team):
    case = CaseFactory(center=center, team=team)
    before, elsewhere = stamp(center), stamp(other_center)
    Case.objects.filter(pk=case.pk).update(center=other_center, team=None)
    assert (stamp(center), stamp(other_center)) == (before + 1, elsewhere + 1)


def test_every_table_with_a_centre_is_stamped_but_logs_and_counters():
    """A table added later with a centre column gets the trigger too, or is named here."""
    not_stamped = {
        "coordination_accesslog",  # the log of who looked, shown on no centre page
        "cases_casenumbercounter",  # moved with a case, which is stamped
        "cases_referrallettercounter",  # moved with a referral, likewise
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, EXISTS (SELECT FROM pg_trigger t WHERE t.tgrelid = c.oid "
            "AND t.tgname = 'data_stamp') FROM pg_class c JOIN pg_attribute a "
            "ON a.attrelid = c.oid AND a.attname = 'center_id' AND NOT a.attisdropped "
            "WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace"
        )
        rows = dict(cursor.fetchall())
    missing = sorted(
        table
        for table, stamped in rows.items()
        if not stamped and table not in not_stamped and "historical" not in table
    )
    assert missing == []


# What pages keep ------------------------------------------------------------------


def case_queries(queries: CaptureQueriesContext) -> int:
    return sum('FROM "cases_case"' in query["sql"] for query in queries.captured_queries)


def main(response) -> str:
    """The page's own part, its forms' tokens left out (each response masks its own)."""
    assert response.status_code == 200
    page = response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


def whole(response) -> str:
    """The whole page but what each response writes anew: its forms' tokens, and the
    time it was made (the offline banner's)."""
    assert response.status_code == 200
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    return re.sub(r'(id="offline-banner"[^>]*>)[^<]*', r"\1", page)


# What a page served from what it kept may read: the request's session, user (with
# their centre), roles and second factor, a volunteer's own record and teams (which
# cases they may open), the data stamps, and the access log a case page writes.
REQUESTS_OWN = (
    "django_session", "coordination_user", "coordination_center", "auth_group",
    "coordination_user_groups", "otp_totp_totpdevice", "volunteers_volunteer",
    "volunteers_teammembership", "coordination_datastamp", "coordination_accesslog",
)  # fmt: skip


def tables_read(queries: CaptureQueriesContext) -> set[str]:
    return {
        table
        for query in queries.captured_queries
        for table in re.findall(r'(?:FROM|INTO|JOIN) "(\w+)"', query["sql"])
    }


def dashboard(client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("coordination:dashboard"))
    return main(response), case_queries(queries)


def open_cases(page: str) -> str:
    return page.split('id="figure-open"', 1)[1].split('<p class="h2 mb-0', 1)[1].split("<", 1)[0]


def test_the_dashboard_is_counted_again_only_after_the_centres_data_changed(
    coordinator_client, center, other_center, team
):
    CaseFactory(center=center, team=team)
    page, counted = dashboard(coordinator_client)
    assert counted > 0 and open_cases(page).endswith(">1")

    again, counted = dashboard(coordinator_client)
    assert counted == 0 and again == page  # kept: the same page, no count

    CaseFactory(center=other_center)  # another centre's change: still kept
    assert dashboard(coordinator_client)[1] == 0

    CaseFactory(center=center, team=team)  # its own: counted again, and right
    page, counted = dashboard(coordinator_client)
    assert counted > 0 and open_cases(page).endswith(">2")


def test_what_one_user_kept_is_not_served_to_another(coordinator, center, team):
    CaseFactory(center=center, team=team)
    colleague = UserFactory(center=center, role="coordinator")
    mine, theirs = Client(), Client()
    mine.force_login(coordinator)
    theirs.force_login(colleague)
    before = stamp(center)
    assert dashboard(mine)[1] > 0
    assert dashboard(theirs)[1] > 0  # counted for them, not read from the other's
    assert dashboard(theirs)[1] == 0
    assert stamp(center) == before  # the same state of the data throughout


def test_a_login_moves_no_stamp_but_a_name_does(client, coordinator, center):
    before, everywhere = stamp(center), global_stamp()
    administrator = UserFactory(is_staff=True, is_superuser=True)  # of no centre
    everywhere += 1  # its creation: a login of no centre is what every centre reads
    for user in (coordinator, administrator):
        client.force_login(user)  # Django's login: last_login written
        user.refresh_from_db()
        assert user.last_login is not None
    assert (stamp(center), global_stamp()) == (before, everywhere)
    User.objects.filter(pk=coordinator.pk).update(first_name="ชื่อใหม่")
    assert stamp(center) == before + 1


def test_each_language_is_kept_apart(coordinator_client, center, team):
    CaseFactory(center=center, team=team)
    thai, _ = dashboard(coordinator_client)
    assert "Open cases" not in thai
    coordinator_client.cookies["django_language"] = "en"
    english, counted = dashboard(coordinator_client)
    assert counted > 0 and "Open cases" in english


def test_the_monthly_report_is_kept_until_a_visit_changes_it(coordinator_client, center, team):
    case = CaseFactory(center=center, team=team)
    url = reverse("coordination:report-monthly")

    def report() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            response = coordinator_client.get(url)
        visits = sum('FROM "cases_homevisit"' in q["sql"] for q in queries.captured_queries)
        return main(response), visits

    first, counted = report()
    assert counted > 0
    assert report() == (first, 0)
    HomeVisitFactory(case=case, center=center, visited_at=datetime.datetime.now(tz=datetime.UTC))
    second, counted = report()
    assert counted > 0 and second != first


def test_inside_a_transaction_nothing_is_kept(coordinator_client, center, team):
    """A transaction's own changes do not move the stamp until it commits: within one,
    a page computes its figures every time (so do the tests that run in one)."""
    CaseFactory(center=center, team=team)
    with transaction.atomic():
        assert dashboard(coordinator_client)[1] > 0
        assert dashboard(coordinator_client)[1] > 0


def test_the_worklist_keeps_its_counts_and_rows_until_a_case_changes(
    coordinator_client, center, team
):
    overdue = datetime.date.today() - datetime.timedelta(days=3)
    CaseFactory(center=center, team=team, next_visit_due=overdue)
    url = reverse("cases:followup-list") + "?show=overdue"

    def worklist() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            response = coordinator_client.get(url)
        return main(response), case_queries(queries)

    first, counted = worklist()
    assert counted > 0 and first.count('href="/cases/') >= 1
    again, counted = worklist()
    assert counted == 0 and again == first
    late = CaseFactory(center=center, team=team, next_visit_due=overdue, first_name="มาใหม่")
    second, counted = worklist()
    assert counted > 0 and late.first_name in second and late.first_name not in first


def test_a_lists_options_are_kept_until_a_volunteer_joins(coordinator_client, center, team):
    VolunteerFactory(center=center, first_name="คนแรก").join_team(team)
    url = reverse("cases:case-list")

    def volunteer_queries() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            response = coordinator_client.get(url)
        read = 'FROM "volunteers_volunteer"'
        return main(response), sum(read in q["sql"] for q in queries.captured_queries)

    first, read = volunteer_queries()
    assert read > 0 and "คนแรก" in first
    assert volunteer_queries() == (first, 0)
    VolunteerFactory(center=center, first_name="คนที่สอง").join_team(team)
    second, read = volunteer_queries()
    assert read > 0 and "คนที่สอง" in second


@pytest.mark.parametrize("username", ["coordinator", "volunteer"])
def test_every_kept_page_is_the_page_computed_anew(client, settings, username):
    """The demo centre's pages, each computed alone, then all read twice: the second reads
    are served from what the first kept (none of the centre's data read), and each is
    its page as computed, byte for byte but the forms' tokens. The case pages are those of the cases the user may open with the most
    rows first."""
    settings.DEBUG = True  # the demo loads only so
    load_demo()
    settings.DEBUG = False
    user = User.objects.get(username=username)
    client.force_login(user)
    cases = Case.objects.visible_to(user).annotate(rows=Count("visits") + Count("events"))
    urls = [
        reverse("cases:case-detail", args=[pk])
        for pk in cases.order_by("-rows").values_list("pk", flat=True)[:8]
    ]
    urls.append(reverse("cases:my-cases") if user.is_volunteer else reverse("cases:case-list"))
    if user.is_coordinator:
        urls += [
            reverse("coordination:dashboard"),
            reverse("coordination:dashboard") + "?volunteers=all",
            reverse("coordination:report-monthly"),
            *(reverse("cases:followup-list") + f"?show={tab}" for tab in SECTIONS),
            reverse("cases:case-list"),
            reverse("cases:case-list") + "?status=all&sort=-last_visit_at&page=2",
            reverse("volunteers:team-list"),
            reverse("cases:missed-allowance-list"),
            reverse("cases:referral-list"),
            reverse("cases:referral-list") + "?status=sent",
            reverse("cases:assistance-list"),
            reverse("volunteers:volunteer-list"),
            reverse("volunteers:volunteer-list")
            + "?q="
            + urllib.parse.quote(user.center.volunteers.first().first_name),
            *(
                reverse("volunteers:team-detail", args=[pk])
                for pk in Team.objects.visible_to(user).values_list("pk", flat=True)
            ),
        ]
    assert len(urls) > 4
    computed = {}
    for url in urls:
        cache.clear()  # computed, not served from what another address kept
        computed[url] = whole(client.get(url))
    cache.clear()
    for url in urls:  # each kept, unless another address's answer is taken for it
        client.get(url)
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            kept = client.get(url)
        assert whole(kept) == computed[url], url
        # A case's or a team's page reads it: who may open it, and the page's title.
        opened = {"cases_case"} if re.match(r"/cases/\d", url) else set()
        opened |= {"volunteers_team"} if re.match(r"/volunteers/teams/\d", url) else set()
        assert tables_read(queries) - set(REQUESTS_OWN) == opened, url


def test_with_keeping_off_every_view_computes(coordinator_client, settings, center, team):
    settings.KEEP_PAGES = False
    CaseFactory(center=center, team=team)
    assert dashboard(coordinator_client)[1] > 0
    assert dashboard(coordinator_client)[1] > 0


def add_visit(center, team) -> tuple[str, str]:
    case = Case.objects.get(center=center)
    HomeVisitFactory(case=case, center=center, findings="หลังคารั่วเพิ่งซ่อมเสร็จ")
    return reverse("cases:case-detail", args=[case.pk]), "หลังคารั่วเพิ่งซ่อมเสร็จ"


def add_case_to_team(center, team) -> tuple[str, str]:
    CaseFactory(center=center, team=team, first_name="มาใหม่")
    return reverse("volunteers:team-detail", args=[team.pk]), "มาใหม่"


def add_team(center, team) -> tuple[str, str]:
    TeamFactory(center=center, name="ทีมตั้งใหม่")
    return reverse("volunteers:team-list"), "ทีมตั้งใหม่"


def add_case_missing_its_allowance(center, team) -> tuple[str, str]:
    CaseFactory(
        center=center, team=team, first_name="ควรได้เบี้ย", birth_date=datetime.date(1950, 1, 1)
    )
    return reverse("cases:missed-allowance-list"), "ควรได้เบี้ย"


def rename_target_group(center, team) -> tuple[str, str]:
    TargetGroup.objects.filter(code="elderly").update(name_th="กลุ่มที่เปลี่ยนชื่อ")
    return reverse("cases:case-list"), "กลุ่มที่เปลี่ยนชื่อ"


@pytest.mark.parametrize(
    "change",
    [add_visit, add_case_to_team, add_team, add_case_missing_its_allowance, rename_target_group],
)
def test_a_change_shows_on_the_next_view_of_a_kept_page(coordinator_client, center, team, change):
    """Each page viewed (and kept) before the change, then after it."""
    CaseFactory(center=center, team=team)
    urls = [
        reverse("cases:case-detail", args=[Case.objects.get(center=center).pk]),
        reverse("volunteers:team-detail", args=[team.pk]),
        reverse("volunteers:team-list"),
        reverse("cases:missed-allowance-list"),
        reverse("cases:case-list"),
    ]
    before = {url: main(coordinator_client.get(url)) for url in urls}
    url, shown = change(center, team)
    assert shown not in before[url]
    assert shown in main(coordinator_client.get(url))
