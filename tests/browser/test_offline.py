"""Visits without a signal (issue 14), in Chromium with the network really cut
(`context.set_offline`): the service worker serves the kept pages, the visit waits on
the phone in IndexedDB and reaches the server once, whatever happens on the way."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.core.signals import request_started
from django.urls import reverse
from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from cases.models import Case, HomeVisit
from coordination.models import AccessLog
from tests.factories import CaseFactory, CenterFactory, TeamFactory, UserFactory, VolunteerFactory
from tests.images import phone_photo

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def homes(transactional_db, settings, tmp_path):
    """Two volunteers of one centre on two teams, each with two open cases."""
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path / "media"
    center = CenterFactory(name="ศูนย์ประสานงาน อพม. เขตบึงกุ่ม", district_id="1027")
    cases = {}
    for username, team_name, names in (
        ("somsri", "ทีมผู้สูงอายุ", ("บุญเรือน", "ทองใบ")),
        ("manee", "ทีมคนพิการ", ("สมหมาย", "ประยูร")),
    ):
        team = TeamFactory(center=center, name=team_name)
        user = UserFactory(username=username, center=center, role="volunteer")
        VolunteerFactory(center=center, user=user, first_name=username).join_team(team)
        cases[username] = [
            CaseFactory(center=center, team=team, first_name=name, last_name="ทดสอบ")
            for name in names
        ]
    return cases


def log_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", "password")
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_url(live_server.url + reverse("cases:my-cases"))


def kept_urls(page) -> list[str]:
    """Every page URL in the service worker's per-user caches."""
    return page.evaluate(
        """async () => {
            const urls = [];
            for (const name of await caches.keys()) {
                if (!name.startsWith('pages-')) continue;
                const cache = await caches.open(name);
                for (const request of await cache.keys()) urls.push(new URL(request.url).pathname);
            }
            return urls;
        }"""
    )


def wait_until_kept(page, *cases: Case) -> None:
    wanted = {reverse("cases:visit-create", args=[case.pk]) for case in cases}
    wanted |= {reverse("cases:case-detail", args=[case.pk]) for case in cases}
    for _ in range(100):
        if wanted <= set(kept_urls(page)):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"not kept: {wanted - set(kept_urls(page))}")


def somsri_phone(browser, live_server, *cases: Case):
    """(phone, page): Somsri logged in on a phone of her own, `cases` kept for offline."""
    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    log_in(page, live_server, "somsri")
    wait_until_kept(page, *cases)
    return phone, page


def wait_until_refreshed(page) -> None:
    """Until the service worker has kept the logged-in user's pages for use without a
    signal: it fetches them one by one after a login, alongside whatever comes next."""
    for _ in range(300):
        if page.evaluate(
            """async () => {
                const meta = await (await caches.open('meta-v1')).match('/__offline-meta');
                return Boolean(meta && (await meta.json()).refreshed);
            }"""
        ):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the worker never finished keeping the pages")


def close_meanwhile(case: Case) -> None:
    """The coordinator closes the case while the visit waits on the phone."""
    Case.objects.filter(pk=case.pk).update(
        status=Case.Status.CLOSED,
        closed_on=datetime.date.today(),
        closure_reason=Case.ClosureReason.MOVED,
    )


def with_a_refused_visit(browser, live_server, case: Case, findings: str, *kept: Case):
    """(phone, page): Somsri's phone online again with a visit of hers to `case` recorded
    offline and refused, the case closed meanwhile; the server's message shown."""
    phone, page = somsri_phone(browser, live_server, *(kept or (case,)))
    phone.set_offline(True)
    record_offline(page, live_server, case, findings)
    close_meanwhile(case)
    phone.set_offline(False)
    page.locator(".waiting-message").wait_for()
    return phone, page


def record_offline(page, live_server, case: Case, findings: str, photo=None) -> None:
    page.goto(live_server.url + reverse("cases:visit-create", args=[case.pk]))
    assert page.locator("#offline-banner").is_visible()
    page.fill("#id_findings", findings)
    page.get_by_label("ได้ทบทวนรายการด้านล่างกับครัวเรือนแล้ว").check()
    if photo:
        page.set_input_files("#id_photos", str(photo))
    page.get_by_role("button", name="บันทึกการเยี่ยม").click()
    page.wait_for_url(live_server.url + reverse("cases:case-detail", args=[case.pk]))
    page.locator(".waiting-visit").first.wait_for()  # read from IndexedDB after the page
    assert "รอส่ง" in page.locator("#waiting-visits").inner_text()


def waiting_list_read(page):
    """The waiting list once offline.js has read the phone's outbox."""
    page.locator("#waiting-visits[data-shown]").wait_for(state="attached")
    return page.locator("#waiting-visits")


def wait_until_sent(page) -> None:
    waiting_list_read(page)
    page.locator(".waiting-visit").first.wait_for(state="detached")
    assert waiting_list_read(page).is_hidden()


def test_a_visit_recorded_offline_with_a_photo_waits_on_the_phone_and_arrives_once(
    homes, live_server, browser, tmp_path, assert_accessible
):
    case = homes["somsri"][0]
    phone, page = somsri_phone(browser, live_server, *homes["somsri"])
    assert page.locator("#offline-banner").is_hidden()

    phone.set_offline(True)
    big = phone_photo(tmp_path / "room.jpg", size=(4000, 3000))
    record_offline(page, live_server, case, "นอนติดเตียง บุตรสาวดูแล", photo=big)
    banner = page.locator("#offline-banner")
    assert banner.inner_text().startswith("ออฟไลน์ — ข้อมูล ณ ")
    assert str(datetime.date.today().year + 543) in banner.inner_text()
    assert_accessible(page)
    page.close()

    # Reopened without a signal: still waiting, on my cases and on the case page.
    page = phone.new_page()
    page.goto(live_server.url + reverse("cases:my-cases"))
    waiting = page.locator("#waiting-visits")
    page.locator(".waiting-visit").first.wait_for()
    assert "บุญเรือน ทดสอบ" in waiting.inner_text() and "รอส่ง" in waiting.inner_text()
    assert HomeVisit.objects.count() == 0

    phone.set_offline(False)
    wait_until_sent(page)
    visit = HomeVisit.objects.get()
    assert visit.case == case and visit.findings == "นอนติดเตียง บุตรสาวดูแล"
    assert visit.author.username == "somsri"
    photo = visit.photos.get()
    with photo.image.open("rb") as stored, Image.open(stored) as image:
        # Shrunk on the phone to the server's limit (cases/photos.py MAX_SIDE).
        assert max(image.size) == 2000
    page.reload()
    assert waiting_list_read(page).is_hidden()
    assert HomeVisit.objects.count() == 1
    phone.close()


def test_a_lost_answer_to_the_sending_does_not_make_a_second_visit(homes, live_server, browser):
    case = homes["somsri"][0]
    phone, page = somsri_phone(browser, live_server, case)
    phone.set_offline(True)
    record_offline(page, live_server, case, "ผู้ป่วยอาการดีขึ้น")

    lost: list[str] = []

    def save_then_lose_the_answer(route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        route.fetch()  # the server receives and saves the visit…
        lost.append(route.request.url)
        try:
            route.abort()  # …and the phone never hears back
        except PlaywrightError as error:
            # The phone gave up waiting first (a slow server under a parallel suite): it
            # has not heard back either way.
            if "already handled" not in error.message:
                raise

    create_url = "**" + reverse("cases:visit-create", args=[case.pk])
    phone.route(create_url, save_then_lose_the_answer)
    phone.set_offline(False)
    for _ in range(100):
        if lost:
            break
        page.wait_for_timeout(100)
    assert lost, "the phone did not try to send"
    assert HomeVisit.objects.count() == 1
    assert "รอส่ง" in page.locator("#waiting-visits").inner_text()  # it does not know

    phone.unroute(create_url)
    page.reload()  # the app opens again: it retries
    wait_until_sent(page)
    assert HomeVisit.objects.filter(case=case).count() == 1
    phone.close()


def test_a_case_closed_meanwhile_keeps_the_visit_on_the_phone_with_the_servers_message(
    homes, live_server, browser, assert_accessible
):
    case = homes["somsri"][1]
    phone, page = with_a_refused_visit(browser, live_server, case, "ย้ายไปอยู่กับญาติ")
    message = page.locator(".waiting-message")
    assert "ปิด" in message.inner_text()  # the server's: the case is closed
    assert "เซิร์ฟเวอร์ไม่รับบันทึกนี้" in page.locator("#waiting-visits").inner_text()
    # Refused, it waits for the volunteer, not for a signal (the line said it would be sent).
    assert "จะส่งเมื่อมีสัญญาณ" not in page.locator("#waiting-status").inner_text()
    assert HomeVisit.objects.count() == 0
    assert_accessible(page)

    # Still there after the app opens again; discarding it is the volunteer's choice.
    page.goto(live_server.url + reverse("cases:my-cases"))
    item = page.locator(".waiting-visit")
    item.first.wait_for()
    assert item.count() == 1
    page.once("dialog", lambda dialog: dialog.accept())
    item.get_by_role("button", name="ลบ").click()
    page.locator("#waiting-visits").wait_for(state="hidden")
    page.reload()
    waiting_list_read(page)
    assert page.locator(".waiting-visit").count() == 0
    assert HomeVisit.objects.count() == 0
    phone.close()


def test_two_volunteers_on_one_phone_never_see_each_others_data(homes, live_server, browser):
    first, second = homes["somsri"], homes["manee"]
    # A visit of hers that cannot be sent (its case closed) stays on the phone.
    phone, page = with_a_refused_visit(browser, live_server, first[0], "ข้อมูลส่วนตัวของบ้านนี้", *first)
    page.locator(".navbar-toggler").click()  # the menu, folded on a phone
    # Her visit waits: logging out asks first (test_offline_worker.py); she confirms.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("form[action='/logout/'] button").click()
    page.wait_for_url("**" + reverse("login"))

    log_in(page, live_server, "manee")
    wait_until_kept(page, *second)
    kept = set(kept_urls(page))
    for case in first:
        assert reverse("cases:case-detail", args=[case.pk]) not in kept
        assert reverse("cases:visit-create", args=[case.pk]) not in kept
    text = page.locator("body").inner_text()
    assert "บุญเรือน" not in text and "ทองใบ" not in text
    assert "ข้อมูลส่วนตัวของบ้านนี้" not in text
    assert waiting_list_read(page).is_hidden()

    phone.set_offline(True)
    page.goto(live_server.url + reverse("cases:my-cases"))
    assert page.locator("#offline-banner").is_visible()
    text = page.locator("body").inner_text()
    assert "สมหมาย" in text and "บุญเรือน" not in text and "ทองใบ" not in text
    assert waiting_list_read(page).is_hidden()
    for case in first:
        page.goto(live_server.url + reverse("cases:case-detail", args=[case.pk]))
        assert case.first_name not in page.locator("body").inner_text()
    phone.close()


def test_journey_two_homes_without_a_signal_on_a_phone(
    homes, live_server, browser, assert_accessible, screenshot
):
    one, two = homes["somsri"]
    phone, page = somsri_phone(browser, live_server, one, two)

    phone.set_offline(True)
    page.goto(live_server.url + reverse("cases:my-cases"))
    assert page.locator("#offline-banner").is_visible()
    page.get_by_role("link", name=f"บันทึกการเยี่ยมบ้าน: {one.full_name}").click()
    page.wait_for_url(live_server.url + reverse("cases:visit-create", args=[one.pk]))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    record_offline(page, live_server, one, "บ้านที่หนึ่ง หลังคารั่ว")
    record_offline(page, live_server, two, "บ้านที่สอง ต้องการรถเข็น")
    page.goto(live_server.url + reverse("cases:my-cases"))
    page.locator(".waiting-visit").nth(1).wait_for()
    assert page.locator(".waiting-visit").count() == 2
    sizes = page.locator(".waiting-visit a, .waiting-visit button").evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })"
    )
    assert len(sizes) == 4 and all(min(size) >= 44 for size in sizes), sizes

    # Corrected while it waits: the form opens with what was recorded.
    first = page.locator(".waiting-visit").filter(has_text=one.full_name)
    first.get_by_role("link", name="แก้ไข").click()
    page.wait_for_url("**?waiting=*")
    # Filled from the phone's store once the page has read it (asynchronously).
    expect(page.locator("#id_findings")).to_have_value("บ้านที่หนึ่ง หลังคารั่ว")
    expect(page.get_by_label("ได้ทบทวนรายการด้านล่างกับครัวเรือนแล้ว")).to_be_checked()
    page.fill("#id_findings", "บ้านที่หนึ่ง หลังคารั่ว ต้องซ่อมด่วน")
    page.get_by_role("button", name="บันทึกการเยี่ยม").click()
    page.wait_for_url(live_server.url + reverse("cases:case-detail", args=[one.pk]))
    page.goto(live_server.url + reverse("cases:my-cases"))
    page.locator(".waiting-visit").nth(1).wait_for()
    assert page.locator(".waiting-visit").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)
    screenshot(page, "offline-waiting-visits-phone")

    phone.set_offline(False)
    wait_until_sent(page)
    assert HomeVisit.objects.filter(case=one, findings="บ้านที่หนึ่ง หลังคารั่ว ต้องซ่อมด่วน").count() == 1
    assert HomeVisit.objects.filter(case=two, findings="บ้านที่สอง ต้องการรถเข็น").count() == 1
    assert HomeVisit.objects.count() == 2
    phone.close()


def test_the_manifest_makes_the_app_installable(homes, live_server, browser):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    log_in(page, live_server, "somsri")
    client = context.new_cdp_session(page)
    manifest = client.send("Page.getAppManifest")
    assert manifest["errors"] == [], manifest["errors"]
    assert manifest["url"].endswith("/manifest.webmanifest")
    registration = page.evaluate(
        "navigator.serviceWorker.ready.then(r => new URL(r.scope).pathname)"
    )
    assert registration == "/"
    context.close()


def test_a_visit_whose_sending_fails_on_the_way_is_kept_on_the_phone_not_lost(
    homes, live_server, browser
):
    """The phone thinks it has a signal; the network fails under the form ("lie-fi")."""
    case = homes["somsri"][0]
    phone, page = somsri_phone(browser, live_server, case)
    page.goto(live_server.url + reverse("cases:visit-create", args=[case.pk]))
    assert page.locator("#offline-banner").is_hidden()
    page.fill("#id_findings", "ส่งไม่ถึงแต่ไม่หาย")
    page.get_by_label("ได้ทบทวนรายการด้านล่างกับครัวเรือนแล้ว").check()

    create_url = "**" + reverse("cases:visit-create", args=[case.pk])
    phone.route(
        create_url,
        lambda route: route.abort() if route.request.method == "POST" else route.continue_(),
    )
    page.get_by_role("button", name="บันทึกการเยี่ยม").click()
    page.wait_for_url("**" + reverse("cases:case-detail", args=[case.pk]) + "?kept=1")
    assert "รอส่ง" in page.locator("#waiting-visits").inner_text()
    assert "บันทึกไว้ในเครื่องนี้แล้ว" in page.locator("#waiting-status").inner_text()
    assert HomeVisit.objects.count() == 0

    phone.unroute(create_url)
    page.reload()
    wait_until_sent(page)
    assert HomeVisit.objects.get().findings == "ส่งไม่ถึงแต่ไม่หาย"
    phone.close()


def test_no_kept_page_is_shown_after_the_session_has_ended(homes, live_server, browser):
    case = homes["somsri"][0]
    phone, page = somsri_phone(browser, live_server, case)
    # The session's end, as the server gave it with the list of pages, now passed.
    page.evaluate(
        """async () => {
            const cache = await caches.open('meta-v1');
            const meta = await (await cache.match('/__offline-meta')).json();
            meta.expires = Date.now() - 1000;
            await cache.put('/__offline-meta', new Response(JSON.stringify(meta)));
        }"""
    )
    phone.set_offline(True)
    page.goto(live_server.url + reverse("cases:case-detail", args=[case.pk]))
    assert case.first_name not in page.locator("body").inner_text()
    assert "หน้านี้ไม่ได้เก็บไว้ในเครื่องนี้" in page.locator("body").inner_text()
    # In the page's language, with the way back to the volunteer's cases.
    assert page.locator("html").get_attribute("lang") == "th"
    assert page.get_by_role("link", name="กรณีของฉัน").get_attribute("href") == reverse(
        "cases:my-cases"
    )
    assert kept_urls(page) == []  # and the pages are gone from the phone
    phone.close()


def test_an_expired_session_keeps_the_waiting_visits_until_the_volunteer_logs_in_again(
    homes, live_server, browser
):
    case = homes["somsri"][0]
    phone, page = somsri_phone(browser, live_server, case)
    phone.set_offline(True)
    record_offline(page, live_server, case, "รอเข้าสู่ระบบใหม่")
    Session.objects.all().delete()  # the working day is over while she was away

    phone.set_offline(False)
    status = page.locator("#waiting-status")
    status.filter(has_text="กรุณาเข้าสู่ระบบอีกครั้ง").wait_for()
    assert "รอส่ง" in page.locator("#waiting-visits").inner_text()
    assert HomeVisit.objects.count() == 0

    log_in(page, live_server, "somsri")  # the same volunteer: her visit is sent
    wait_until_sent(page)
    assert HomeVisit.objects.get().findings == "รอเข้าสู่ระบบใหม่"
    phone.close()


def test_a_case_moved_to_another_team_meanwhile_keeps_the_visit_with_the_servers_answer(
    homes, live_server, browser
):
    case = homes["somsri"][1]
    phone, page = somsri_phone(browser, live_server, case)
    phone.set_offline(True)
    record_offline(page, live_server, case, "เยี่ยมก่อนย้ายทีม")
    Case.objects.filter(pk=case.pk).update(team=homes["manee"][0].team)

    phone.set_offline(False)
    message = page.locator(".waiting-message")
    message.wait_for()
    assert message.inner_text().strip() != ""
    assert "เซิร์ฟเวอร์ไม่รับบันทึกนี้" in page.locator("#waiting-visits").inner_text()
    assert HomeVisit.objects.count() == 0
    phone.close()


def test_a_photo_is_kept_only_once_the_volunteer_opened_it(homes, live_server, browser, tmp_path):
    from django.core.files.base import File

    from cases.models import VisitPhoto
    from tests.factories import HomeVisitFactory

    case = homes["somsri"][0]
    visit = HomeVisitFactory(case=case)
    with phone_photo(tmp_path / "house.jpg", gps=False).open("rb") as handle:
        photo = VisitPhoto.objects.create(visit=visit, image=File(handle, name="house.jpg"))
    context = browser.new_context(**PHONE)
    page = context.new_page()
    log_in(page, live_server, "somsri")
    page.goto(live_server.url + reverse("cases:case-detail", args=[case.pk]))
    wait_until_kept(page, case)
    photo_url = reverse("cases:visit-photo", args=[photo.pk])
    # The case page showed its thumbnail: shown is not opened, and nothing of it is kept.
    thumbnail = page.locator(f'img[src^="{photo_url}"]')
    thumbnail.scroll_into_view_if_needed()
    expect(thumbnail).to_have_js_property("complete", True)
    page.wait_for_timeout(300)  # time for the worker to keep it, if it would
    assert not [url for url in kept_urls(page) if url.startswith("/cases/photos/")]
    page.goto(live_server.url + photo_url)
    for _ in range(50):
        if photo_url in kept_urls(page):
            break
        page.wait_for_timeout(100)
    assert photo_url in kept_urls(page)
    context.close()


def test_pages_opened_while_the_kept_pages_refresh_start_no_other_refresh(
    homes, live_server, browser
):
    """The worker refreshes the kept pages once at a time: eight pages opened within
    seconds of logging in asked for nine refreshes of every kept page (2.5 MB on the
    phone's data). Counted at the server: the requests for the list of pages to keep."""
    asked: list[str] = []

    def count(sender, environ, **kwargs) -> None:
        if environ.get("PATH_INFO") == reverse("offline-pages"):
            asked.append(environ["PATH_INFO"])

    request_started.connect(count)
    try:
        phone = browser.new_context(**PHONE)
        page = phone.new_page()
        log_in(page, live_server, "somsri")  # my cases: a refresh starts
        for case in homes["somsri"] * 2:
            page.goto(live_server.url + reverse("cases:case-detail", args=[case.pk]))
            page.goto(live_server.url + reverse("cases:visit-create", args=[case.pk]))
        wait_until_refreshed(page)
        wait_until_kept(page, *homes["somsri"])
        # My cases again, a moment after a refresh: the kept pages are fresh enough.
        page.goto(live_server.url + reverse("cases:my-cases"))
        page.wait_for_timeout(1500)
        assert len(asked) == 1
        phone.close()
    finally:
        request_started.disconnect(count)


def test_the_cases_the_phone_keeps_are_logged_as_kept_not_as_opened(homes, live_server, browser):
    """The worker's copies say so (`X-Offline-Copy`): the access log must not say that
    Somsri opened cases she never opened."""
    phone, _page = somsri_phone(browser, live_server, *homes["somsri"])
    kept = AccessLog.objects.filter(case_id__in=[case.pk for case in homes["somsri"]])
    assert set(kept.values_list("action", flat=True)) == {"offline_copy"}
    assert set(kept.values_list("case_id", flat=True)) == {case.pk for case in homes["somsri"]}
    phone.close()


def test_logging_out_without_a_signal_says_it_needs_one_and_keeps_the_page(
    homes, live_server, browser
):
    """The logout form would fail on its way (Chrome's own error page) and leave the
    session open on the server: the phone says why it cannot, and online it works."""
    case = homes["somsri"][0]
    phone, page = somsri_phone(browser, live_server, case)
    page.goto(live_server.url + reverse("cases:case-detail", args=[case.pk]))
    phone.set_offline(True)
    said: list[str] = []
    page.once("dialog", lambda dialog: (said.append(dialog.message), dialog.dismiss()))
    page.locator(".navbar-toggler").click()
    page.locator("form[action='/logout/'] button").click()
    page.wait_for_timeout(500)
    assert said and "ออกจากระบบได้เมื่อมีสัญญาณเท่านั้น" in said[0]
    assert page.url == live_server.url + reverse("cases:case-detail", args=[case.pk])
    assert Session.objects.exists()
    phone.set_offline(False)
    page.locator("form[action='/logout/'] button").click()
    page.wait_for_url("**" + reverse("login"))
    assert not Session.objects.exists()
    phone.close()
