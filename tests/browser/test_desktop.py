"""The same pages on a desktop screen (1280 px): axe finds nothing serious and nothing
is wider than the window. The phone has its own, stricter checks in test_phone.py."""

import pytest
from django.urls import reverse

from cases.models import Case
from coordination.models import User
from tests.browser.conftest import sign_in, watch_csp
from tests.browser.test_phone import demo  # noqa: F401 (a fixture)

DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport=DESKTOP)
    yield context
    context.close()


def walk(page, live_server, paths: list[str], assert_accessible) -> list[str]:
    problems = []
    for path in paths:
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        assert_accessible(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > DESKTOP["width"]:
            problems.append(f"{path}: page is {width}px wide")
        if broken := page.evaluate(BROKEN_MENU_WORDS):
            problems.append(f"{path}: menu words broken over two lines: {broken}")
    return problems


# The menu's links whose text takes more than one line: Thai broke inside words
# ("ภาพ/รวม") when eleven links were squeezed into one row.
BROKEN_MENU_WORDS = """() => [...document.querySelectorAll('.app-navbar .nav-link')]
    .filter(link => {
        const range = document.createRange();
        range.selectNodeContents(link);
        return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1;
    })
    .map(link => link.textContent.trim())"""


def test_the_coordinators_pages_on_a_desktop(demo, live_server, desktop, assert_accessible):  # noqa: F811
    page = desktop.new_page()
    blocked: list[str] = []
    watch_csp(page, blocked)
    sign_in(page, live_server, "coordinator")
    case = Case.objects.filter(household_members__isnull=False, incomes__isnull=False).first()
    volunteer = case.team.memberships.active().first().volunteer
    paths = [
        reverse("coordination:dashboard"),
        reverse("cases:case-list"),
        reverse("cases:case-create"),
        reverse("cases:followup-list"),
        reverse("cases:followup-list") + "?show=never",
        reverse("volunteers:volunteer-list"),
        reverse("volunteers:volunteer-detail", args=[volunteer.pk]),
        reverse("volunteers:volunteer-create"),
        reverse("volunteers:team-list"),
        reverse("volunteers:team-detail", args=[case.team.pk]),
        reverse("cases:case-detail", args=[case.pk]),
        reverse("cases:case-edit", args=[case.pk]),
        reverse("cases:case-assign", args=[case.pk]),
        reverse("cases:case-consent-form", args=[case.pk]),
        reverse("password_change"),
    ]
    problems = walk(page, live_server, paths, assert_accessible)
    assert not problems, "\n".join(problems)
    assert not blocked, blocked


def test_the_volunteers_pages_on_a_desktop(demo, live_server, desktop, assert_accessible):  # noqa: F811
    page = desktop.new_page()
    sign_in(page, live_server, "volunteer")
    case = Case.objects.visible_to(User.objects.get(username="volunteer")).open().first()
    paths = [
        reverse("cases:my-cases"),
        reverse("volunteers:my-profile"),
        reverse("cases:case-detail", args=[case.pk]),
        reverse("cases:visit-create", args=[case.pk]),
    ]
    problems = walk(page, live_server, paths, assert_accessible)
    assert not problems, "\n".join(problems)
