"""Every URL of the project, for every kind of user, with objects of two centres.

The URLs are read from the URLconf, so a new page is swept as soon as it exists —
and this module fails until the new page is given its rule below."""

import datetime
from dataclasses import dataclass

import pytest
from django.core.files import File
from django.db import connection
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from cases.models import CaseConference, HomeVisit, VisitPhoto
from tests.factories import (
    AgencyFactory,
    CaseFactory,
    CenterFactory,
    HomeVisitFactory,
    ReferralFactory,
    TeamFactory,
    UserFactory,
    VolunteerFactory,
)
from tests.images import phone_photo
from tests.module_data import assert_in_own_savepoint, built_once
from volunteers.models import Volunteer


def walk(resolver=None, namespace: str = "") -> list[tuple[str, URLPattern]]:
    """(name, pattern) of every route; unnamed ones by their pattern text."""
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = (
                f"{namespace}:{entry.namespace}"
                if namespace and entry.namespace
                else entry.namespace or namespace
            )
            found += walk(entry, inner or "")
        else:
            name = entry.name or f"<unnamed {entry.pattern}>"
            found.append((f"{namespace}:{name}" if namespace else name, entry))
    return found


ROUTES = dict(walk())
APP_ROUTES = sorted(name for name in ROUTES if not name.startswith("admin:"))
ADMIN_ROUTES = sorted(name for name in ROUTES if name.startswith("admin:"))

# The rules. public: anyone; user: anyone logged in; coordinator: coordinators
# (their centre's objects) and administrators; worker: also volunteers, for their
# teams' cases; volunteer: volunteers only.
RULES = {
    "login": "public",
    # A one-time link's page: anyone holding it (a bad link answers with a clear message).
    "password-set": "public",
    "health": "public",
    "set_language": "public",
    "service-worker": "public",
    "web-manifest": "public",
    "offline-pages": "user",
    "home": "user",
    "logout": "user",
    "password_change": "user",
    "password_change_done": "user",
    "place-options": "user",
    # The second step of the login: any signed-in user (a verified one is sent on).
    "login-code": "user",
    "two-factor-enrol": "user",
    "cases:my-cases": "volunteer",
    "volunteers:my-profile": "volunteer",
    "cases:case-detail": "worker",
    "cases:visit-create": "worker",
    "cases:visit-detail": "worker",
    "cases:visit-edit": "worker",
    "cases:visit-photo": "worker",
    "cases:referral-detail": "worker",
    # The case's team reads the agency's outcome too, and says so.
    "cases:referral-outcome-read": "worker",
    **dict.fromkeys(
        [
            "coordination:dashboard",
            "cases:case-list",
            "cases:case-create",
            "cases:case-bulk-assign",
            "cases:followup-list",
            "cases:case-edit",
            "cases:case-assign",
            "cases:case-status",
            "cases:case-close",
            "cases:case-reopen",
            "cases:case-export",
            "cases:case-print",
            "cases:case-changes",
            "cases:case-consent-form",
            "volunteers:volunteer-list",
            "volunteers:volunteer-create",
            "volunteers:volunteer-detail",
            "volunteers:volunteer-edit",
            "volunteers:volunteer-status",
            "volunteers:volunteer-account",
            "volunteers:team-list",
            "volunteers:team-create",
            "volunteers:team-detail",
            "volunteers:team-add-member",
            "volunteers:team-end-membership",
            "volunteers:team-make-leader",
            "cases:case-merge-undo",
            "cases:referral-create",
            "cases:referral-status",
            "cases:referral-letter",
            "cases:visit-referral-dismiss",
            "coordination:agency-list",
            "coordination:agency-create",
            "coordination:agency-detail",
            "coordination:agency-edit",
            "coordination:agency-deactivate",
            "coordination:agency-reactivate",
            "cases:visit-list",
            "cases:referral-list",
            "cases:assistance-list",
            "cases:missed-allowance-list",
            "cases:case-allowance-dismiss",
            "coordination:report-monthly",
            "volunteers:volunteer-import",
            "volunteers:volunteer-import-confirm",
            "volunteers:volunteer-import-template",
            "cases:case-import",
            "cases:case-import-confirm",
            "cases:case-import-template",
        ],
        "coordinator",
    ),  # fmt: skip
    # Assistance, the case plan and case conferences (issue 11)
    "cases:assistance-create": "coordinator",
    "cases:case-plan": "coordinator",
    "cases:conference-list": "coordinator",
    "cases:conference-create": "coordinator",
    "cases:conference-detail": "coordinator",
}
# Creating needs a centre to create in: a national administrator has none and uses the admin.
CREATES = {
    "cases:case-create", "volunteers:volunteer-create", "volunteers:team-create",
    "cases:conference-create", "coordination:agency-create",
    "volunteers:volunteer-import", "volunteers:volunteer-import-confirm",
    "cases:case-import", "cases:case-import-confirm",
}  # fmt: skip
POST_ONLY = {
    "logout", "set_language", "cases:case-bulk-assign", "cases:case-status", "cases:case-close",
    "cases:case-reopen", "volunteers:volunteer-status",
    "volunteers:team-end-membership", "volunteers:team-make-leader",
    "cases:case-merge-undo",
    "cases:referral-status", "cases:referral-outcome-read", "cases:visit-referral-dismiss",
    "coordination:agency-deactivate", "coordination:agency-reactivate",
    "volunteers:volunteer-import-confirm", "cases:case-import-confirm",
}  # fmt: skip
ROLES = [
    "anonymous",
    "volunteer_on_team",
    "volunteer_off_team",
    "coordinator",
    "other_coordinator",
    "administrator",
    # Staff bound to the first centre: on the app's pages, as its coordinator.
    "centre_administrator",
]


@dataclass
class World:
    users: dict
    args: dict


def build_world(media) -> World:
    """Two centres, each with a team, a volunteer on it, a case, a visit and a photo."""
    ours, theirs = CenterFactory(district_id="1027"), CenterFactory(district_id="1001")
    objects = {}
    for center in (ours, theirs):
        team = TeamFactory(center=center)
        volunteer = VolunteerFactory(
            center=center, user=UserFactory(center=center, role="volunteer")
        )
        membership = volunteer.join_team(team)
        case = CaseFactory(center=center, team=team)
        visit = HomeVisitFactory(case=case, author=volunteer.user)
        with phone_photo(media / "p.jpg", size=(40, 30)).open("rb") as handle:
            photo = VisitPhoto.objects.create(visit=visit, image=File(handle, name="p.jpg"))
        conference = CaseConference.objects.create(
            center=center, held_on=datetime.date(2026, 1, 5), place="ศูนย์", created_by=volunteer.user
        )
        conference.cases.add(case.pk)
        objects[center.pk] = {
            "team": team,
            "volunteer": volunteer,
            "membership": membership,
            "case": case,
            "visit": visit,
            "photo": photo,
            "conference": conference,
            "referral": ReferralFactory(case=case, visit=visit),
            "agency": AgencyFactory(center=center),
        }
    a = objects[ours.pk]
    users = {
        "anonymous": None,
        "volunteer_on_team": a["volunteer"].user,
        "volunteer_off_team": VolunteerFactory(
            center=ours, user=UserFactory(center=ours, role="volunteer")
        ).user,
        "coordinator": UserFactory(center=ours, role="coordinator"),
        "other_coordinator": UserFactory(center=theirs, role="coordinator"),
        "administrator": UserFactory(is_staff=True, is_superuser=True),
        "centre_administrator": UserFactory(center=ours, is_staff=True, role="centre_admin"),
    }
    case, visit, team, volunteer = a["case"].pk, a["visit"].pk, a["team"].pk, a["volunteer"].pk
    args = {
        **{
            name: [case]
            for name in APP_ROUTES
            if name.startswith("cases:case-") and "<int:pk>" in str(ROUTES[name].pattern)
        },
        "cases:visit-create": [case],
        "cases:visit-detail": [visit],
        "cases:visit-edit": [visit],
        "cases:visit-photo": [a["photo"].pk],
        "volunteers:volunteer-detail": [volunteer],
        "volunteers:volunteer-edit": [volunteer],
        "volunteers:volunteer-status": [volunteer],
        "volunteers:volunteer-account": [volunteer],
        "password-set": ["MQ", "c5y8k0-0123456789abcdef"],
        "volunteers:team-detail": [team],
        "volunteers:team-add-member": [team],
        "volunteers:team-end-membership": [team, a["membership"].pk],
        "volunteers:team-make-leader": [team, a["membership"].pk],
        "cases:assistance-create": [case],
        "cases:conference-detail": [a["conference"].pk],
        "cases:referral-create": [case],
        **dict.fromkeys(
            [
                "cases:referral-detail",
                "cases:referral-status",
                "cases:referral-outcome-read",
                "cases:referral-letter",
            ],
            [a["referral"].pk],
        ),
        "cases:visit-referral-dismiss": [visit],
        **{
            name: [a["agency"].pk]
            for name in APP_ROUTES
            if name.startswith("coordination:agency-") and "<int:pk>" in str(ROUTES[name].pattern)
        },
    }
    return World(users=users, args=args)


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module (building it for each of the ~250 requests was most of
    the module's time); each test runs in a savepoint of its own, see `built_once`."""
    media = tmp_path_factory.mktemp("sweep-media")
    with (
        override_settings(MEDIA_ROOT=media),
        built_once(django_db_blocker, lambda: build_world(media)) as world,
    ):
        yield world


@pytest.fixture
def world(db, module_world) -> World:
    """Each test runs in a savepoint of its own (pytest-django's `db` inside the module's
    transaction), rolled back after it: one role's POST (closing the case, ending a
    membership) cannot change, or hide, the answer another role gets."""
    assert_in_own_savepoint()
    return module_world


def expected(rule: str, role: str, name: str, world: World) -> str:
    if role == "centre_administrator":
        role = "coordinator"
    has_object = bool(world.args.get(name))
    if name == "logout":
        return "login"  # logging out ends on the login page, whoever asked
    if rule == "public":
        return "ok"
    if role == "anonymous":
        return "login"
    if rule == "user":
        return "ok"
    if rule == "volunteer":
        return "ok" if role.startswith("volunteer") else "403"
    if rule == "worker":
        if role == "volunteer_off_team" or role == "other_coordinator":
            return "404"
        return "ok"
    # coordinator pages
    if role.startswith("volunteer"):
        return "403"
    if role == "other_coordinator" and has_object:
        return "404"
    if role == "administrator" and name in CREATES:
        return "403"
    return "ok"


def outcome(response) -> str:
    if response.status_code == 302 and response["Location"].startswith(reverse("login")):
        return "login"
    if response.status_code in (403, 404):
        return str(response.status_code)
    assert response.status_code < 400, response.status_code
    return "ok"


def test_every_url_of_the_project_has_a_rule():
    assert set(APP_ROUTES) - set(RULES) == set(), "give the new page a rule in RULES"
    assert set(RULES) - set(APP_ROUTES) == set(), "a rule names a page that no longer exists"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", APP_ROUTES)
def test_each_page_answers_each_role_as_the_rules_say(client, world, name, role):
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    url = reverse(name, args=world.args.get(name, []))
    response = client.post(url) if name in POST_ONLY else client.get(url)
    assert outcome(response) == expected(RULES.get(name, "?"), role, name, world)
    assert_security_headers(response)
    if response.status_code == 200 and (
        response.streaming or response.has_header("Content-Disposition")
    ):
        # A file or a download (a photo, an export): a person's data, never kept on a
        # shared phone. A new such answer fails here until it says no-store.
        assert response.get("Cache-Control") == "no-store", name


SECURITY_HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def assert_security_headers(response) -> None:
    """Every answer — page, redirect, 403, 404, 405, file — carries the same headers."""
    missing = {
        header: response.get(header)
        for header, expected_part in SECURITY_HEADERS.items()
        if expected_part not in (response.get(header) or "")
    }
    assert missing == {}, (response.status_code, missing)


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_error_answers_carry_the_security_headers_in_every_mode(client, world, settings, debug):
    """django-csp leaves Django's debug 404 without a policy: the finding."""
    settings.DEBUG = debug
    client.force_login(world.users["other_coordinator"])
    answers = [
        client.get("/no-such-page/"),  # 404 from the URLconf
        client.get(reverse("cases:case-detail", args=world.args["cases:case-detail"])),  # 404
        client.get(reverse("cases:my-cases")),  # 403
        client.get(reverse("cases:case-status", args=world.args["cases:case-status"])),  # 405
    ]
    assert [a.status_code for a in answers] == [404, 404, 403, 405]
    for answer in answers:
        assert_security_headers(answer)


# Answers holding a person's data are never kept by the browser (a shared phone).
NO_STORE = {"cases:visit-photo", "cases:case-export"}


@pytest.mark.parametrize("name", sorted(NO_STORE))
def test_personal_files_are_never_cached(client, world, name):
    client.force_login(world.users["coordinator"])
    response = client.get(reverse(name, args=world.args[name]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_a_volunteers_latest_visits_show_only_cases_the_viewer_may_see(client, world):
    """The finding: a visit of another centre's case, recorded with our volunteer before
    the same-centre guard existed, showed that case's number and person on our page."""
    ours = Volunteer.objects.get(pk=world.args["volunteers:volunteer-detail"][0])
    theirs = HomeVisit.objects.exclude(center_id=ours.center_id).select_related("case").get()
    own = HomeVisit.objects.filter(center_id=ours.center_id).select_related("case").get()
    with connection.cursor() as cursor:  # the data as it was before the database guard
        cursor.execute(
            "ALTER TABLE cases_homevisit_volunteers DISABLE TRIGGER same_centre_guard_visit_volunteer"
        )
        theirs.volunteers.add(ours)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks left pending
        cursor.execute(
            "ALTER TABLE cases_homevisit_volunteers ENABLE TRIGGER same_centre_guard_visit_volunteer"
        )
    own.volunteers.add(ours)
    client.force_login(world.users["coordinator"])
    response = client.get(reverse("volunteers:volunteer-detail", args=[ours.pk]))
    page = response.content.decode()
    assert own.case.number in page
    assert theirs.case.number not in page and theirs.case.first_name not in page
    assert list(response.context["visits"]) == [own]


def admin_url(name: str) -> str:
    """The admin's routes, with placeholder arguments: denial comes before any lookup."""
    pattern = ROUTES[name].pattern
    if isinstance(pattern, RoutePattern):
        kwargs = {
            key: 1 if key.endswith("_id") or key in ("id", "pk") else "x"
            for key in pattern.converters
        }
    else:
        kwargs = dict.fromkeys(pattern.regex.groupindex, "1")
        if "app_label" in kwargs:
            kwargs["app_label"] = "cases"
    if name.startswith("admin:<unnamed"):
        return "/admin/nothing-here/"
    if not isinstance(pattern, RoutePattern) and not kwargs and pattern.regex.groups:
        return reverse(name, args=["1"] * pattern.regex.groups)
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("role", ROLES)
def test_the_admin_is_for_administrators_only(client, world, role):
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    for name in ADMIN_ROUTES:
        if name in ("admin:login", "admin:logout"):
            continue
        response = client.get(admin_url(name))
        # Anonymous users meet the site's login first; others the admin's own login.
        to_login = response.status_code == 302 and response["Location"].startswith(
            (reverse("admin:login"), reverse("login"))
        )
        if role in ("administrator", "centre_administrator"):
            assert not to_login and response.status_code < 500, (
                name,
                response.status_code,
                response.get("Location"),
            )
        else:
            assert to_login, (name, response.status_code, response.get("Location"))


# --- The admin for centre administrators -------------------------------------------
# A centre administrator (staff bound to a centre, in the `centre_admin` group) meets
# every admin URL with objects of two centres. Each centre's rows carry a mark of its
# own in their names; the other centre's mark must appear on no page, no choice list,
# no autocomplete answer, and its objects' pages must not open.

MARKS = {"ours": "markalpha", "theirs": "markomega"}
# Routes that take an object: the suffix of the name and how its arguments are built.
OBJECT_SUFFIXES = ("_change", "_delete", "_history", "_simple_history", "_password_change")


@dataclass
class AdminWorld:
    admins: dict  # side -> the centre administrator
    objects: dict  # side -> {model label: object}
    numbers: dict  # side -> the case number (generated, not marked)


@pytest.fixture
def admin_world(world) -> AdminWorld:
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cases.models import Case, CaseEvent, HouseholdMember, IncomeSource
    from coordination.audit import log_access
    from coordination.models import AccessLog, Agency, Center
    from volunteers.models import Team, TeamMembership

    admins, objects, numbers = {}, {}, {}
    for side, case in zip(("ours", "theirs"), Case.objects.order_by("pk"), strict=True):
        mark = MARKS[side]
        center = case.center
        Center.objects.filter(pk=center.pk).update(name=f"ศูนย์ {mark}")
        Team.objects.filter(pk=case.team_id).update(name=f"ทีม {mark}")
        Volunteer.objects.filter(center=center).update(first_name=f"อาสา {mark}")
        Case.objects.filter(pk=case.pk).update(first_name=f"คน {mark}")
        case.refresh_from_db()
        volunteer = Volunteer.objects.filter(center=center, user__isnull=False).first()
        coordinator = UserFactory(username=f"coord-{mark}", center=center, role="coordinator")
        admin = UserFactory(username=f"admin-{side}", center=center, is_staff=True)
        admin.groups.add(Group.objects.get(name="centre_admin"))
        log_access(None, AccessLog.Action.VIEW_CASE, case=case, user=coordinator)
        totp = TOTPDevice.objects.create(user=coordinator, name=f"โทรศัพท์ {mark}")
        static = StaticDevice.objects.create(user=coordinator, name=f"สำรอง {mark}")
        admins[side] = admin
        numbers[side] = case.number
        objects[side] = {
            "coordination.center": center,
            "coordination.user": coordinator,
            "coordination.agency": Agency.objects.create(
                center=center, name=f"หน่วยงาน {mark}", kind="ngo"
            ),
            "coordination.accesslog": AccessLog.objects.filter(user=coordinator).get(),
            "volunteers.volunteer": volunteer,
            "volunteers.team": case.team,
            "volunteers.teammembership": TeamMembership.objects.get(volunteer=volunteer),
            "cases.case": case,
            "cases.homevisit": case.visits.get(),
            "cases.householdmember": HouseholdMember.objects.create(
                case=case, relation="child", name=f"สมาชิก {mark}", age=40
            ),
            "cases.incomesource": IncomeSource.objects.create(
                case=case, kind="wages", amount=1000, note=f"รายได้ {mark}"
            ),
            "cases.caseevent": case.log(CaseEvent.Kind.EDITED, by=coordinator, note=mark),
            "cases.visitphoto": VisitPhoto.objects.get(center=center),
            "otp_totp.totpdevice": totp,
            "otp_static.staticdevice": static,
        }
    return AdminWorld(admins=admins, objects=objects, numbers=numbers)


def route_model(name: str) -> str | None:
    """'admin:cases_case_change' -> 'cases.case' (for the admins' own routes)."""
    from django.contrib import admin as django_admin

    for model in django_admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix) and name[len(prefix) - 1 :] in (
            *OBJECT_SUFFIXES,
            "_changelist",
            "_add",
        ):
            return model._meta.label_lower
    return None


def object_url(name: str, obj) -> str:
    if name.endswith("_simple_history"):
        version = obj.history.filter(id=obj.pk).latest("history_date").history_id
        return reverse(name, args=[obj.pk, version])
    if name.endswith("_password_change"):
        return reverse(name, kwargs={"id": obj.pk})
    return reverse(name, kwargs={"object_id": obj.pk})


def autocomplete_urls() -> list[str]:
    """Every autocomplete field of every admin and inline, as the widget asks for it."""
    from django.contrib import admin as django_admin

    urls = []
    for model, model_admin in django_admin.site._registry.items():
        holders = [
            model_admin,
            *(inline(model, django_admin.site) for inline in model_admin.inlines),
        ]
        for holder in holders:
            for field in holder.autocomplete_fields:
                urls.append(
                    reverse("admin:autocomplete") + f"?app_label={holder.model._meta.app_label}"
                    f"&model_name={holder.model._meta.model_name}&field_name={field}&term="
                )
    return urls


@pytest.mark.parametrize("side", ["ours", "theirs"])
def test_a_centre_administrator_meets_only_their_centre_on_every_admin_url(
    client, admin_world, side
):
    other = "theirs" if side == "ours" else "ours"
    admin_user = admin_world.admins[side]
    client.force_login(admin_user)
    hidden = [MARKS[other], admin_world.numbers[other]]
    checked = 0

    def visit(url: str, name: str) -> object:
        nonlocal checked
        response = client.get(url)
        checked += 1
        assert response.status_code < 500, (name, url, response.status_code)
        if response.status_code == 200 and not response.streaming:
            body = response.content.decode()
            leaked = [text for text in hidden if text in body]
            assert leaked == [], (name, url, leaked)
        return response

    for name in ADMIN_ROUTES:
        if name in ("admin:login", "admin:logout", "admin:autocomplete"):
            continue
        label = route_model(name)
        if label is None or not name.endswith(OBJECT_SUFFIXES):
            visit(admin_url(name) if label is None else reverse(name), name)
            continue
        mine, theirs = admin_world.objects[side].get(label), admin_world.objects[other].get(label)
        if mine is None:
            visit(admin_url(name), name)  # reference data, groups, login attempts
            continue
        if name.endswith("_simple_history") and not hasattr(type(mine), "history"):
            continue
        app_label, model_name = label.split(".")
        may_view = admin_user.has_perm(f"{app_label}.view_{model_name}")
        own = visit(object_url(name, mine), name)
        if may_view and name.endswith(("_change", "_history", "_simple_history")):
            assert own.status_code == 200, (name, own.status_code, own.get("Location"))
        # Another centre's object: as if it did not exist (404, or the admin's
        # "does not exist" redirect to its index), or refused — never shown.
        answer = visit(object_url(name, theirs), name)
        assert answer.status_code in (302, 403, 404), (name, answer.status_code)
        if answer.status_code == 302:
            assert answer["Location"] in (reverse("admin:index"), "/admin/"), name
    for url in autocomplete_urls():
        visit(url, "admin:autocomplete")
    assert checked > len(ADMIN_ROUTES)
