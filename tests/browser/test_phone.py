"""The pages on a phone (360 x 740): nothing scrolls sideways, lists are stacked cards,
every control is a 44 px target, nothing jumps while the page loads (CLS), and a
volunteer finds what they came for on the first screen."""

import time

import pytest
from django.urls import reverse

from cases.models import Case
from coordination.accounts import password_link_path
from coordination.models import User
from tests.browser.conftest import sign_in, watch_csp
from tests.conftest import load_demo
from volunteers.models import Volunteer

PHONE = {"width": 360, "height": 740}
MIN_TARGET = 44
MAX_LAYOUT_SHIFT = 0.02

# Sums layout shifts not caused by the user, from the first paint on.
WATCH_LAYOUT_SHIFTS = """
window.__cls = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) window.__cls += entry.value;
  }
}).observe({type: "layout-shift", buffered: true});
"""

# Controls in the main content smaller than 44 x 44 px. A checkbox or radio counts
# with its label (tapping either ticks it); text links inside sentences are exempt
# (WCAG 2.5.8), links that stand alone as buttons, tabs, pages or a table's rows are not.
SMALL_TARGETS = """
(min) => {
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden";
  };
  const box = (els) => {
    const rs = els.filter(visible).map((el) => el.getBoundingClientRect());
    return {
      w: Math.max(...rs.map((r) => r.right)) - Math.min(...rs.map((r) => r.left)),
      h: Math.max(...rs.map((r) => r.bottom)) - Math.min(...rs.map((r) => r.top)),
    };
  };
  const small = [];
  const targets = document.querySelectorAll(
    "main button, main a.btn, main .nav-link, main .page-link, main select, main textarea, " +
    "main a.tap-target, main a[href^='tel:'], main summary, main td a, " +
    "main input:not([type=hidden]), footer button, header .nav-link, header .navbar-toggler"
  );
  for (const el of targets) {
    if (!visible(el) && !(el.matches("input[type=checkbox], input[type=radio]"))) continue;
    if (el.type === "file" || el.closest(".visually-hidden")) continue;
    let parts = [el];
    if (el.matches("input[type=checkbox], input[type=radio]")) {
      parts = parts.concat([...el.labels]);
    }
    if (!parts.some(visible)) continue;
    const {w, h} = box(parts);
    if (w < min - 0.5 || h < min - 0.5) {
      small.push(`${el.outerHTML.slice(0, 90)} ${Math.round(w)}x${Math.round(h)}`);
    }
  }
  return small;
}
"""

# What a phone must not show: a page or a list wider than the screen, a select
# squeezed to its arrow, a column header over three lines.
LAYOUT_PROBLEMS = """
() => {
  const problems = [];
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width) {
    problems.push(`page is ${document.documentElement.scrollWidth}px wide`);
  }
  for (const el of document.querySelectorAll("main *")) {
    if (el.scrollWidth > el.clientWidth + 1 && ["auto", "scroll"].includes(getComputedStyle(el).overflowX)) {
      problems.push(`scrolls sideways: ${el.outerHTML.slice(0, 80)}`);
    }
  }
  for (const el of document.querySelectorAll("main select")) {
    const w = el.getBoundingClientRect().width;
    if (w > 0 && w < 100) problems.push(`select ${el.name} only ${Math.round(w)}px wide`);
  }
  // Column headers: a row header is as tall as its row, whatever its own lines.
  for (const th of document.querySelectorAll("main th:not([scope=row])")) {
    const r = th.getBoundingClientRect();
    const line = parseFloat(getComputedStyle(th).lineHeight);
    if (r.width > 1 && r.height > 3 * line + 16) problems.push(`header "${th.innerText}" wraps over 3 lines`);
  }
  return problems;
}
"""


@pytest.fixture
def demo(settings, transactional_db, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo()


def phone_context(browser, viewport: dict, **options):
    context = browser.new_context(viewport=viewport, is_mobile=True, has_touch=True, **options)
    context.add_init_script(WATCH_LAYOUT_SHIFTS)

    # Fonts arrive late, as on a slow mobile network: a font swapped in after the
    # first paint would re-wrap the header and move the page, and this test would see it.
    # Late once per context: routing turns Chromium's cache off, and a phone's next page
    # takes the font from its cache. A page's fonts come together, half a second after the
    # first is asked for, as they download side by side (the sleep holds Playwright's
    # whole thread: one after another, four fonts cost two seconds a page).
    arrived: set[str] = set()
    due = [0.0]

    def late_font(route):
        if route.request.url not in arrived:
            arrived.add(route.request.url)
            now = time.monotonic()
            if now > due[0] + 1:  # the first font of a page
                due[0] = now + 0.5
            time.sleep(max(0.0, due[0] - now))
        route.continue_()

    context.route("**/*.woff2", late_font)
    return context


@pytest.fixture
def phone(browser):
    context = phone_context(browser, PHONE)
    yield context
    context.close()


# Resolves once the page's fonts are in (or given up) and two frames have been drawn
# after them, with a moment for the layout-shift observer's report: a font swapped in
# moves the page in the first of those frames. (A fixed wait of 400 ms per page before.)
SETTLED = """
() => document.fonts.ready.then(() => new Promise((done) =>
  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 50)))))
"""


def settle(page) -> None:
    """After the load: the late fonts above, and any shift they cause, have happened."""
    page.wait_for_load_state("load")
    page.evaluate(SETTLED)


def check_page(page, url: str, assert_accessible) -> list[str]:
    page.goto(url)
    settle(page)
    problems = page.evaluate(LAYOUT_PROBLEMS)
    problems += [f"small target: {s}" for s in page.evaluate(SMALL_TARGETS, MIN_TARGET)]
    shift = page.evaluate("window.__cls")
    if shift > MAX_LAYOUT_SHIFT:
        problems.append(f"layout shift {shift:.3f}")
    assert_accessible(page)
    return [f"{url}: {p}" for p in problems]


def test_the_coordinators_pages_fit_a_phone(demo, live_server, phone, assert_accessible):
    page = phone.new_page()
    blocked: list[str] = []
    watch_csp(page, blocked)
    sign_in(page, live_server, "coordinator")
    case = Case.objects.filter(household_members__isnull=False, incomes__isnull=False).first()
    # A map link typed as the landmark and a drive link in the problems: one word each,
    # wider than the phone (the case page scrolled sideways to 766 px).
    Case.objects.filter(pk=case.pk).update(
        landmark="https://www.google.com/maps/place/13.812345,100.654321/@13.812345,100.654321,17z",
        problems="ดูเอกสาร https://drive.google.com/file/d/1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789/view",
    )
    team = case.team
    without_login = Volunteer.objects.filter(user__isnull=True).first()
    paths = [
        reverse("cases:case-list"),
        reverse("cases:case-list") + "?status=&sort=next_visit",
        reverse("cases:followup-list"),
        reverse("cases:followup-list") + "?show=never",
        reverse("volunteers:volunteer-list"),
        reverse("volunteers:team-list"),
        reverse("volunteers:team-detail", args=[team.pk]),
        reverse("volunteers:team-add-member", args=[team.pk]),
        reverse("cases:case-detail", args=[case.pk]),
        reverse("cases:case-print", args=[case.pk]),
        reverse("cases:case-edit", args=[case.pk]),
        reverse("cases:case-changes", args=[case.pk]),
        reverse("coordination:dashboard"),
        reverse("volunteers:volunteer-detail", args=[without_login.pk]),
        reverse("volunteers:volunteer-account", args=[without_login.pk]),
    ]
    problems = [
        p for path in paths for p in check_page(page, live_server.url + path, assert_accessible)
    ]
    assert not problems, "\n".join(problems)
    assert not blocked, blocked


def test_the_volunteers_pages_fit_a_phone_and_the_visit_button_is_on_the_first_screen(
    demo, live_server, phone, assert_accessible
):
    page = phone.new_page()
    sign_in(page, live_server, "volunteer")
    user = User.objects.get(username="volunteer")
    case = Case.objects.visible_to(user).open().order_by("number").first()
    paths = [
        reverse("cases:my-cases"),
        reverse("cases:case-detail", args=[case.pk]),
        reverse("cases:visit-create", args=[case.pk]),
    ]
    problems = [
        p for path in paths for p in check_page(page, live_server.url + path, assert_accessible)
    ]
    assert not problems, "\n".join(problems)

    page.goto(live_server.url + reverse("cases:case-detail", args=[case.pk]))
    button = page.get_by_role("link", name="บันทึกการเยี่ยมบ้าน", exact=True)
    box = button.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], f"the button is {box['y']:.0f}px down"

    # The volunteer's own pages are in sight without opening the menu.
    assert page.get_by_role("button", name="เมนู").is_visible()
    my_cases = page.get_by_role("navigation").get_by_role("link", name="กรณีของฉัน")
    assert my_cases.is_visible()
    my_cases.click()
    page.wait_for_url(live_server.url + reverse("cases:my-cases"))


def test_the_login_page_fits_a_phone(live_server, phone, assert_accessible, db):
    page = phone.new_page()
    problems = check_page(page, live_server.url + reverse("login"), assert_accessible)
    assert not problems, "\n".join(problems)


def test_the_page_of_a_password_link_fits_a_phone(live_server, phone, assert_accessible, db):
    account = User.objects.create(username="0812223333")
    page = phone.new_page()
    problems = check_page(page, live_server.url + password_link_path(account), assert_accessible)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("width", [360, 412])
def test_nothing_moves_while_a_volunteers_page_loads(demo, live_server, browser, width):
    """412 px is Lighthouse's phone: the centre's name wraps differently there once the
    font arrives, which moved the whole page (CLS 0.34 on my cases) before."""
    viewport = {"width": width, "height": 740}
    login = browser.new_context(viewport=viewport)  # the fonts' timing matters below, not here
    sign_in(login.new_page(), live_server, "volunteer")
    signed_in = login.storage_state()
    login.close()
    case = Case.objects.visible_to(User.objects.get(username="volunteer")).open().first()
    shifts = {}
    for path in [
        reverse("cases:my-cases"),
        reverse("cases:case-detail", args=[case.pk]),
        reverse("cases:visit-create", args=[case.pk]),
    ]:
        # A new context each time, with an empty cache: a first visit is what jumped.
        context = phone_context(browser, viewport, storage_state=signed_in)
        page = context.new_page()
        page.goto(live_server.url + path)
        settle(page)
        shifts[path] = round(page.evaluate("window.__cls"), 3)
        context.close()
    assert all(shift <= MAX_LAYOUT_SHIFT for shift in shifts.values()), shifts
