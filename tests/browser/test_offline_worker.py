"""The service worker sends the waiting visits itself (issue 14): on Background Sync with
no page of the app open, and when a page asks. In Chromium with the network really cut
(`context.set_offline`).

Chromium fires `sync` by itself when the network comes back (the first test). To
choose the moment, the others fire the worker's `sync` event through the DevTools
protocol (ServiceWorker.dispatchSyncEvent) — the event Chromium itself dispatches,
handled by the same listener. No page of the app is open meanwhile: only a blank page,
and a plain same-origin one (/health/) to read the phone's outbox afterwards."""

import time

from django.contrib.sessions.models import Session
from django.urls import reverse
from PIL import Image

from cases.models import HomeVisit
from tests.browser.test_offline import (
    close_meanwhile,
    homes,  # noqa: F401 (a fixture)
    log_in,
    record_offline,
    somsri_phone,
    waiting_list_read,
    with_a_refused_visit,
)
from tests.images import phone_photo


def registration_id(client, origin: str) -> str:
    """The id of the app's service worker registration, as DevTools knows it."""
    found: dict[str, str] = {}

    def seen(event) -> None:
        for registration in event["registrations"]:
            if registration["scopeURL"] == origin + "/" and not registration["isDeleted"]:
                found["id"] = registration["registrationId"]

    client.on("ServiceWorker.workerRegistrationUpdated", seen)
    client.send("ServiceWorker.enable")
    for _ in range(50):
        if found:
            return found["id"]
        client.send("Runtime.evaluate", {"expression": "1"})  # lets the events arrive
    raise AssertionError("no service worker registration")


def fire_sync(context, live_server) -> object:
    """Closes every page, then fires `sync` at the worker from a page of no app (one that
    sends nothing): what Chromium does when the signal returns. Returns that page."""
    for page in context.pages:
        page.close()
    blank = context.new_page()
    client = context.new_cdp_session(blank)
    client.send(
        "ServiceWorker.dispatchSyncEvent",
        {
            "origin": live_server.url,
            "registrationId": registration_id(client, live_server.url),
            "tag": "send-visits",
            "lastChance": False,
        },
    )
    return blank


def outbox(page, live_server) -> list[dict]:
    """The phone's waiting visits, read on a same-origin page that runs no app script."""
    page.goto(live_server.url + reverse("health"))
    return page.evaluate(
        """() => new Promise((resolve, reject) => {
            const open = indexedDB.open('visits-outbox', 1);
            open.onsuccess = () => {
                const all = open.result.transaction('visits').objectStore('visits').getAll();
                all.onsuccess = () => resolve(all.result.map(
                    v => ({status: v.status, message: v.message, photos: v.photos.length})));
            };
            open.onerror = () => reject(open.error);
        })"""
    )


def wait_for(condition, page, tries: int = 150) -> None:
    for _ in range(tries):
        if condition():
            return
        page.wait_for_timeout(100)
    raise AssertionError("waited in vain")


def test_going_online_with_no_page_of_the_app_open_sends_the_visit(
    homes,  # noqa: F811
    live_server,
    full_chromium,
):
    """Chromium's own Background Sync: the page that saved the visit is closed; only a
    blank page is open when the signal returns — the worker alone can send it. (The
    whole browser: the headless shell the other tests use never fires it.)"""
    case = homes["somsri"][0]
    phone, page = somsri_phone(full_chromium, live_server, case)
    phone.set_offline(True)
    record_offline(page, live_server, case, "ส่งเองเมื่อมีสัญญาณ")
    page.close()
    blank = phone.new_page()

    phone.set_offline(False)
    wait_for(lambda: HomeVisit.objects.exists(), blank, tries=300)
    assert HomeVisit.objects.get().findings == "ส่งเองเมื่อมีสัญญาณ"
    wait_for(lambda: outbox(blank, live_server) == [], blank)
    phone.close()


def test_background_sync_sends_the_waiting_visit_with_no_page_of_the_app_open(
    homes,  # noqa: F811
    live_server,
    browser,
):
    case = homes["somsri"][0]
    phone, page = somsri_phone(browser, live_server, case)
    phone.set_offline(True)
    record_offline(page, live_server, case, "ส่งโดยตัวทำงานเบื้องหลัง")
    phone.set_offline(False)

    blank = fire_sync(phone, live_server)
    wait_for(lambda: HomeVisit.objects.exists(), blank)
    visit = HomeVisit.objects.get()
    assert (visit.case, visit.findings, visit.author.username) == (
        case,
        "ส่งโดยตัวทำงานเบื้องหลัง",
        "somsri",
    )
    wait_for(lambda: outbox(blank, live_server) == [], blank)

    # Fired again (Chromium may retry): nothing left to send, nothing doubled.
    blank = fire_sync(phone, live_server)
    blank.wait_for_timeout(1000)
    assert HomeVisit.objects.count() == 1
    phone.close()


def test_a_photo_kept_by_the_worker_is_shrunk_when_the_worker_sends_it(
    homes,  # noqa: F811
    live_server,
    browser,
    tmp_path,
):
    """The form sent into a failing network ("lie-fi") is kept by the worker with the
    photo as taken; the worker shrinks it to the server's limits when it sends it."""
    case = homes["somsri"][0]
    phone, page = somsri_phone(browser, live_server, case)
    page.goto(live_server.url + reverse("cases:visit-create", args=[case.pk]))
    page.fill("#id_findings", "รูปใหญ่จากกล้อง")
    page.get_by_label("ได้ทบทวนรายการด้านล่างกับครัวเรือนแล้ว").check()
    page.set_input_files("#id_photos", str(phone_photo(tmp_path / "big.jpg", size=(4000, 3000))))
    create_url = "**" + reverse("cases:visit-create", args=[case.pk])
    phone.route(
        create_url,
        lambda route: route.abort() if route.request.method == "POST" else route.continue_(),
    )
    page.get_by_role("button", name="บันทึกการเยี่ยม").click()
    page.wait_for_url("**?kept=1")
    phone.unroute(create_url)
    assert HomeVisit.objects.count() == 0

    blank = fire_sync(phone, live_server)
    wait_for(lambda: HomeVisit.objects.exists(), blank)
    photo = HomeVisit.objects.get().photos.get()
    with photo.image.open("rb") as stored, Image.open(stored) as image:
        assert max(image.size) == 2000  # cases/photos.py MAX_SIDE
    phone.close()


def test_the_worker_keeps_the_visits_when_the_session_has_ended(
    homes,  # noqa: F811
    live_server,
    browser,
):
    case = homes["somsri"][0]
    phone, page = somsri_phone(browser, live_server, case)
    phone.set_offline(True)
    record_offline(page, live_server, case, "รอเข้าสู่ระบบใหม่")
    phone.set_offline(False)
    Session.objects.all().delete()

    blank = fire_sync(phone, live_server)
    blank.wait_for_timeout(2000)
    assert HomeVisit.objects.count() == 0
    assert outbox(blank, live_server) == [{"status": "waiting", "message": "", "photos": 0}]

    page = phone.new_page()
    log_in(page, live_server, "somsri")  # the same volunteer: the visit goes
    wait_for(lambda: HomeVisit.objects.exists(), page)
    assert HomeVisit.objects.get().findings == "รอเข้าสู่ระบบใหม่"
    phone.close()


def test_the_worker_keeps_a_refused_visit_with_the_servers_message(
    homes,  # noqa: F811
    live_server,
    browser,
):
    case = homes["somsri"][1]
    phone, page = somsri_phone(browser, live_server, case)
    phone.set_offline(True)
    record_offline(page, live_server, case, "ปิดกรณีไปแล้ว")
    close_meanwhile(case)
    phone.set_offline(False)

    blank = fire_sync(phone, live_server)
    wait_for(lambda: outbox(blank, live_server)[0]["status"] == "refused", blank)
    (kept,) = outbox(blank, live_server)
    assert "ปิด" in kept["message"]  # the server's words: the case is closed
    assert HomeVisit.objects.count() == 0
    phone.close()


def test_the_page_asks_the_worker_and_the_worker_sends(
    homes,  # noqa: F811
    live_server,
    browser,
):
    case = homes["somsri"][0]
    phone, page = somsri_phone(browser, live_server, case)
    phone.set_offline(True)
    record_offline(page, live_server, case, "ส่งเมื่อกลับมาออนไลน์")
    posts: list[bool] = []
    phone.on(
        "request",
        lambda request: (
            posts.append(request.service_worker is not None)
            if request.method == "POST" and "/visits/new/" in request.url
            else None
        ),
    )
    phone.set_offline(False)  # the page's `online` event asks the worker
    waiting_list_read(page)
    page.locator(".waiting-visit").first.wait_for(state="detached")
    assert HomeVisit.objects.count() == 1
    assert posts and all(posts), posts  # every POST of the visit was the worker's
    phone.close()


def test_logging_out_while_a_visit_waits_asks_first(
    homes,  # noqa: F811
    live_server,
    browser,
):
    case = homes["somsri"][1]
    # The case closed meanwhile: online again, the visit stays, refused, on the phone.
    phone, page = with_a_refused_visit(browser, live_server, case, "ยังไม่ได้ส่ง")

    asked: list[str] = []

    def cancel(dialog) -> None:
        # Answered at once: a question left open would hold the click, which waits for
        # the navigation it may start.
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", cancel)
    page.locator(".navbar-toggler").click()
    page.locator("form[action='/logout/'] button").click()
    # Online, the page first asks the worker to send (one more round of requests to a
    # live server that may be slow under a parallel suite): the question comes after it.
    wait_for(lambda: bool(asked), page, tries=600)
    assert "ยังไม่ได้ส่ง" in asked[0] and "ออกจากระบบ" in asked[0]
    page.wait_for_timeout(500)
    assert page.url.startswith(live_server.url + reverse("cases:case-detail", args=[case.pk]))
    assert Session.objects.exists()  # still logged in

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("form[action='/logout/'] button").click()
    page.wait_for_url("**" + reverse("login"))
    assert not Session.objects.exists()
    assert len(outbox(page, live_server)) == 1  # kept for her next login
    phone.close()


def test_logging_out_asks_within_seconds_when_the_workers_answer_is_lost(
    homes,  # noqa: F811
    live_server,
    browser,
):
    """A worker stopped while sending never answers the page; the logout still asks,
    after 5 s (it waited for the page's five-minute bound: a suite run saw no question
    within 60 s)."""
    case = homes["somsri"][1]
    phone, page = with_a_refused_visit(browser, live_server, case, "ยังไม่ได้ส่ง")
    # From now on what this page asks of its worker goes nowhere: an answer lost.
    page.evaluate("ServiceWorker.prototype.postMessage = function () {}")

    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.locator(".navbar-toggler").click()
    started = time.monotonic()
    page.locator("form[action='/logout/'] button").click()
    wait_for(lambda: bool(asked), page)
    assert time.monotonic() - started > 4.5  # it did try first
    assert "ยังไม่ได้ส่ง" in asked[0]
    assert Session.objects.exists()  # still logged in
    phone.close()


def test_a_try_that_finds_no_network_is_tried_again_and_each_online_starts_over(
    homes,  # noqa: F811
    live_server,
    browser,
):
    """In a browser without Background Sync (Safari, Firefox), a send that found no
    network while the phone says it is online is tried again 3, 10, then 30 s apart,
    with no `online` event or new page to start it; then no more, until an `online`
    event starts the tries over. The page's clock is run forward by the test."""
    case = homes["somsri"][0]
    phone, page = somsri_phone(browser, live_server, case)
    # From the next page on: no Background Sync, and the network's own `online` events
    # kept from the app's scripts (this listener comes first and stops them).
    phone.add_init_script(
        """delete ServiceWorkerRegistration.prototype.sync;
        addEventListener('online', event => {
            if (event.isTrusted) event.stopImmediatePropagation();
        });"""
    )
    phone.set_offline(True)
    record_offline(page, live_server, case, "ส่งอีกครั้งเอง")
    phone.clock.install()
    # The phone says it is online while the network is still cut: each try finds none.
    page.evaluate(
        """() => {
            window.runs = [];
            navigator.serviceWorker.addEventListener('message', event => {
                if (event.data && event.data.type === 'sent') window.runs.push(event.data.result);
            });
            // The worker's answer reaches the test before the page has set its next
            // try's timer: the clock runs forward only once that timer is there.
            window.timersToTryAgain = 0;
            const setTimer = window.setTimeout;
            window.setTimeout = function (callback, ms, ...rest) {
                if ([3000, 10000, 30000].includes(ms)) window.timersToTryAgain += 1;
                return setTimer.call(this, callback, ms, ...rest);
            };
            Object.defineProperty(Navigator.prototype, 'onLine', {get: () => true});
            window.dispatchEvent(new Event('online'));
        }"""
    )

    def tries_without_network() -> int:
        return page.evaluate("window.runs.filter(result => result.offline).length")

    def timers_set() -> int:
        return page.evaluate("window.timersToTryAgain")

    wait_for(lambda: tries_without_network() == 1, page)
    for tries, gap in enumerate(("00:03", "00:10", "00:30"), start=2):
        wait_for(lambda tries=tries: timers_set() == tries - 1, page)
        page.clock.run_for(gap)
        wait_for(lambda tries=tries: tries_without_network() == tries, page)
    page.clock.run_for("05:00")
    page.wait_for_timeout(500)
    assert tries_without_network() == 4  # used up
    assert timers_set() == 3

    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_for(lambda: tries_without_network() == 5, page)
    wait_for(lambda: timers_set() == 4, page)
    phone.set_offline(False)  # back before the next try
    page.clock.run_for("00:03")
    wait_for(lambda: HomeVisit.objects.exists(), page)
    assert HomeVisit.objects.get().findings == "ส่งอีกครั้งเอง"
    wait_for(lambda: page.evaluate("window.runs.some(result => result.sent === 1)"), page)
    phone.close()
