"""Logging and correcting a home visit as a volunteer does, on the page's own form."""

import datetime
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files import File
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from webtest import Upload

from cases.models import CaseEvent, HomeVisit, IncomeSource, VisitPhoto
from tests.factories import CaseFactory, HomeVisitFactory, IncomeSourceFactory
from tests.forms.rendered import (
    add_row,
    assert_renders_every_field,
    form_with_field,
    submit_and_follow,
)
from tests.images import phone_photo
from tests.test_cost_does_not_grow_with_history import rows_read


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def visit_page(app, case, user):
    return app.get(reverse("cases:visit-create", args=[case.pk]), user=user)


def fill_what_was_found(rendered) -> None:
    rendered["findings"] = "หลังคารั่ว"
    rendered["health"] = "เดินไม่ได้"
    rendered["adl_score"] = "3"
    rendered["needs"] = "ซ่อมหลังคา"
    rendered["actions"] = "ประสานเขต"


def test_the_visit_page_renders_every_field_of_the_forms_the_view_reads(
    app, case, volunteer_on_team
):
    response = visit_page(app, case, volunteer_on_team.user)
    rendered = form_with_field(response, "findings")
    assert_renders_every_field(rendered, response.context["form"], response.context["incomes"])
    assert rendered["submission_token"].value  # the double-submit guard reaches the page


def test_a_volunteer_logs_a_visit_updating_adding_and_removing_income_with_photos(
    app, case, volunteer_on_team, tmp_path
):
    allowance = IncomeSourceFactory(case=case, center=case.center, kind="elderly_allowance")
    wages = IncomeSourceFactory(case=case, center=case.center, kind="wages", amount=Decimal("2000"))
    rendered = form_with_field(visit_page(app, case, volunteer_on_team.user), "findings")
    # The page starts as what a volunteer on the spot needs: now, and themself present.
    assert rendered["volunteers"].value == str(volunteer_on_team.pk)
    fill_what_was_found(rendered)
    rendered["income_checked"] = True
    rows = {rendered[f"incomes-{i}-id"].value: i for i in range(2)}
    rendered[f"incomes-{rows[str(allowance.pk)]}-amount"] = "800"
    rendered[f"incomes-{rows[str(wages.pk)]}-DELETE"] = True  # no longer paid
    rendered["incomes-2-kind"] = "disability_allowance"  # the one empty row offered
    rendered["incomes-2-amount"] = "800"
    added = add_row(rendered, "incomes")
    rendered[f"incomes-{added}-kind"] = "family_support"
    rendered[f"incomes-{added}-amount"] = "500"
    # The input takes several files at once.
    rendered["photos"] = [
        Upload(name, phone_photo(tmp_path / name).read_bytes(), "image/jpeg")
        for name in ("house.jpg", "roof.jpg")
    ]
    page = submit_and_follow(rendered)

    visit = HomeVisit.objects.get()
    assert page.request.path == reverse("cases:visit-detail", args=[visit.pk])
    assert "บันทึกการเยี่ยมแล้ว" in page.text
    assert visit.author == volunteer_on_team.user
    assert list(visit.volunteers.all()) == [volunteer_on_team]
    assert (visit.findings, visit.adl_score, visit.income_checked) == ("หลังคารั่ว", 3, True)
    assert sorted(case.incomes.values_list("kind", "amount")) == [
        ("disability_allowance", Decimal("800.00")),
        ("elderly_allowance", Decimal("800.00")),
        ("family_support", Decimal("500.00")),
    ]
    assert visit.monthly_income == Decimal("2100.00")
    assert visit.photos.count() == 2
    # Its correction page offers the room left, not the visit's five.
    correction = app.get(reverse("cases:visit-edit", args=[visit.pk]), user=volunteer_on_team.user)
    assert "ได้ไม่เกิน 3 ภาพ" in correction.text and "ได้ไม่เกิน 5 ภาพ" not in correction.text
    case.refresh_from_db()
    today = timezone.localdate()
    assert case.next_visit_due == today + datetime.timedelta(days=30)  # as the page proposed
    assert case.events.filter(kind=CaseEvent.Kind.VISIT_LOGGED).count() == 1


def test_the_same_page_submitted_twice_saves_one_visit(app, case, volunteer_on_team):
    rendered = form_with_field(visit_page(app, case, volunteer_on_team.user), "findings")
    fill_what_was_found(rendered)
    submit_and_follow(rendered)
    again = submit_and_follow(rendered)  # a double tap, or back and save again

    assert HomeVisit.objects.count() == 1
    assert again.request.path == reverse("cases:visit-detail", args=[HomeVisit.objects.get().pk])
    assert "บันทึกการเยี่ยมนี้ไว้แล้ว" in again.text


def income_rows(rendered) -> dict[str, int]:
    """{income id: its row on the page}."""
    total = int(rendered["incomes-INITIAL_FORMS"].value)
    return {rendered[f"incomes-{i}-id"].value: i for i in range(total)}


def coordinator_sets_the_amount(app, case, coordinator, income, amount: str) -> None:
    """On the case's edit page, meanwhile."""
    editing = form_with_field(
        app.get(reverse("cases:case-edit", args=[case.pk]), user=coordinator), "first_name"
    )
    editing[f"incomes-{income_rows(editing)[str(income.pk)]}-amount"] = amount
    submit_and_follow(editing)


def test_a_visit_page_opened_before_a_coordinators_income_change_leaves_it_as_saved(
    app, second_app, case, volunteer_on_team, coordinator
):
    """The volunteer opened the visit page (offline, say) while the allowance read 700;
    the coordinator then saved 800. The visit, saved without touching the incomes,
    keeps the 800: it wrote back the 700 it showed."""
    allowance = IncomeSourceFactory(case=case, center=case.center, amount=Decimal("700"))
    rendered = form_with_field(visit_page(app, case, volunteer_on_team.user), "findings")

    coordinator_sets_the_amount(second_app, case, coordinator, allowance, "800")

    fill_what_was_found(rendered)
    page = submit_and_follow(rendered)
    assert "บันทึกการเยี่ยมแล้ว" in page.text
    allowance.refresh_from_db()
    assert allowance.amount == Decimal("800.00")
    assert HomeVisit.objects.get().monthly_income == Decimal("800.00")


def test_an_income_both_changed_stays_as_the_other_saved_it_and_the_volunteer_is_told(
    app, second_app, case, volunteer_on_team, coordinator
):
    allowance = IncomeSourceFactory(case=case, center=case.center, amount=Decimal("700"))
    wages = IncomeSourceFactory(case=case, center=case.center, kind="wages", amount=3000)
    rendered = form_with_field(visit_page(app, case, volunteer_on_team.user), "findings")

    coordinator_sets_the_amount(second_app, case, coordinator, allowance, "800")

    fill_what_was_found(rendered)
    rows = income_rows(rendered)
    rendered[f"incomes-{rows[str(allowance.pk)]}-amount"] = "900"  # changed by both
    rendered[f"incomes-{rows[str(wages.pk)]}-amount"] = "2500"  # by the volunteer only
    page = submit_and_follow(rendered)

    assert "ไม่ได้บันทึก" in page.text and "800" in page.text
    assert sorted(case.incomes.values_list("kind", "amount")) == [
        ("elderly_allowance", Decimal("800.00")),
        ("wages", Decimal("2500.00")),
    ]


def test_the_author_corrects_a_visit_on_its_correction_page(app, case, volunteer_on_team):
    rendered = form_with_field(visit_page(app, case, volunteer_on_team.user), "findings")
    fill_what_was_found(rendered)
    submit_and_follow(rendered)
    visit = HomeVisit.objects.get()

    response = app.get(reverse("cases:visit-edit", args=[visit.pk]), user=volunteer_on_team.user)
    correction = form_with_field(response, "findings")
    assert_renders_every_field(correction, response.context["form"], response.context["incomes"])
    assert correction["findings"].value == "หลังคารั่ว"
    correction["findings"] = "หลังคารั่วหนัก ฝนตกน้ำเข้าบ้าน"
    page = submit_and_follow(correction)

    assert page.request.path == reverse("cases:visit-detail", args=[visit.pk])
    visit.refresh_from_db()
    assert visit.findings == "หลังคารั่วหนัก ฝนตกน้ำเข้าบ้าน"
    assert visit.adl_score == 3  # what was not touched is kept
    event = case.events.get(kind=CaseEvent.Kind.VISIT_CORRECTED)
    assert event.by == volunteer_on_team.user
    assert "สิ่งที่พบ" in event.text


def test_a_coordinator_corrects_a_volunteers_visit(app, case, volunteer_on_team, coordinator):
    rendered = form_with_field(visit_page(app, case, volunteer_on_team.user), "findings")
    fill_what_was_found(rendered)
    submit_and_follow(rendered)
    visit = HomeVisit.objects.get()

    correction = form_with_field(
        app.get(reverse("cases:visit-edit", args=[visit.pk]), user=coordinator), "findings"
    )
    correction["adl_score"] = "13"
    submit_and_follow(correction)

    visit.refresh_from_db()
    assert (visit.adl_score, visit.author) == (13, volunteer_on_team.user)
    assert case.events.get(kind=CaseEvent.Kind.VISIT_CORRECTED).by == coordinator


def test_two_people_correcting_one_visit_the_second_meets_the_first_and_undoes_nothing(
    app, second_app, case, volunteer_on_team, coordinator
):
    """Both correction pages open on the same visit. The volunteer saves first; the
    coordinator's save is refused (409), and the page shows the visit as it is now with
    the coordinator's own change on it: saving it then keeps both corrections."""
    rendered = form_with_field(visit_page(app, case, volunteer_on_team.user), "findings")
    fill_what_was_found(rendered)
    rendered["volunteers"] = [str(volunteer_on_team.pk)]
    submit_and_follow(rendered)
    visit = HomeVisit.objects.get()
    url = reverse("cases:visit-edit", args=[visit.pk])
    hers = form_with_field(app.get(url, user=volunteer_on_team.user), "findings")
    his = form_with_field(second_app.get(url, user=coordinator), "findings")
    assert hers["version"].value == his["version"].value == "1"

    hers["findings"] = "แท็บ 1: หลังคารั่วหนัก"
    hers["volunteers"] = []
    submit_and_follow(hers)
    his["health"] = "แท็บ 2: เดินได้ด้วยไม้เท้า"
    conflict = his.submit(status=409)

    visit.refresh_from_db()
    assert (visit.findings, visit.health, visit.version) == ("แท็บ 1: หลังคารั่วหนัก", "เดินไม่ได้", 2)
    assert "มีผู้อื่นบันทึกข้อมูลนี้เมื่อเวลา" in conflict.text
    assert "สิ่งที่ผู้อื่นแก้ไข: " in conflict.text and "สิ่งที่พบ" in conflict.text
    again = form_with_field(conflict, "findings")
    assert again["version"].value == "2"
    assert again["findings"].value == "แท็บ 1: หลังคารั่วหนัก"  # hers, as it is now
    assert again["health"].value == "แท็บ 2: เดินได้ด้วยไม้เท้า"  # his, typed over it
    assert not again["volunteers"].checked  # her change of who was there, kept
    submit_and_follow(again)
    visit.refresh_from_db()
    assert (visit.findings, visit.health, visit.version) == (
        "แท็บ 1: หลังคารั่วหนัก",
        "แท็บ 2: เดินได้ด้วยไม้เท้า",
        3,
    )
    assert not visit.volunteers.exists()


def be_day(day: datetime.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year + 543}"


def test_a_visit_logged_for_an_earlier_day_has_its_next_visit_counted_from_that_day(
    app, case, volunteer_on_team
):
    """The form suggests the next visit 30 days from today. Left as suggested, with the
    visit's day changed, it is counted from the visit's day; typed, it is kept."""
    interval = datetime.timedelta(days=case.center.followup_interval_days)
    earlier = timezone.localdate() - datetime.timedelta(days=3)
    rendered = form_with_field(visit_page(app, case, volunteer_on_team.user), "findings")
    assert rendered["next_visit_due"].value == be_day(timezone.localdate() + interval)
    fill_what_was_found(rendered)
    rendered["visit_date"] = be_day(earlier)
    submit_and_follow(rendered)
    assert HomeVisit.objects.get().next_visit_due == earlier + interval

    chosen = timezone.localdate() + datetime.timedelta(days=10)
    rendered = form_with_field(visit_page(app, case, volunteer_on_team.user), "findings")
    fill_what_was_found(rendered)
    rendered["visit_date"] = be_day(earlier)
    rendered["next_visit_due"] = be_day(chosen)
    submit_and_follow(rendered)
    assert HomeVisit.objects.order_by("-pk").first().next_visit_due == chosen


def test_a_met_correction_shows_the_incomes_and_photos_as_they_are_not_as_sent(
    app, second_app, case, volunteer_on_team, coordinator, tmp_path
):
    """The incomes are the case's rows: the other person's change to one is shown as
    saved, not the stale row sent back; photos sent with the met correction are asked
    for again."""
    wages = IncomeSourceFactory(case=case, center=case.center, kind="wages", amount=Decimal("3000"))
    rendered = form_with_field(visit_page(app, case, volunteer_on_team.user), "findings")
    fill_what_was_found(rendered)
    submit_and_follow(rendered)
    visit = HomeVisit.objects.get()
    url = reverse("cases:visit-edit", args=[visit.pk])
    hers = form_with_field(app.get(url, user=volunteer_on_team.user), "findings")
    his = form_with_field(second_app.get(url, user=coordinator), "findings")
    row = next(i for i in range(5) if hers[f"incomes-{i}-id"].value == str(wages.pk))
    hers[f"incomes-{row}-amount"] = "5000"
    submit_and_follow(hers)
    his["health"] = "เดินได้ด้วยไม้เท้า"
    his["photos"] = [
        Upload("house.jpg", phone_photo(tmp_path / "h.jpg").read_bytes(), "image/jpeg")
    ]
    conflict = his.submit(status=409)
    assert "ภาพถ่ายของคุณยังไม่ถูกเก็บ" in conflict.text
    assert "รายการในตารางแสดงข้อมูลที่บันทึกไว้ล่าสุด" in conflict.text
    again = form_with_field(conflict, "findings")
    assert again[f"incomes-{row}-amount"].value in ("5000", "5000.00")
    submit_and_follow(again)
    wages.refresh_from_db()
    visit.refresh_from_db()
    assert (wages.amount, visit.health) == (Decimal("5000"), "เดินได้ด้วยไม้เท้า")
    assert visit.photos.count() == 0


def visit_with_photos(app, case, user, tmp_path, count: int) -> HomeVisit:
    """A visit logged on its page with `count` photos."""
    rendered = form_with_field(visit_page(app, case, user), "findings")
    fill_what_was_found(rendered)
    rendered["photos"] = [
        Upload(f"p{n}.jpg", phone_photo(tmp_path / f"p{n}.jpg", size=(60, 40)).read_bytes())
        for n in range(count)
    ]
    submit_and_follow(rendered)
    visit = HomeVisit.objects.get()
    assert visit.photos.count() == count
    return visit


def photo_files(visit: HomeVisit) -> list[Path]:
    return [Path(f.path) for p in visit.photos.all() for f in (p.image, p.thumbnail) if f]


def test_a_coordinator_removes_a_wrong_photo_and_its_files_go_with_it(
    app, case, volunteer_on_team, coordinator, tmp_path, django_capture_on_commit_callbacks
):
    """A photo of the wrong house, or one that shows too much: ticked on the correction
    page, it is deleted with its files; the others stay, and the case says so."""
    visit = visit_with_photos(app, case, volunteer_on_team.user, tmp_path, 2)
    first, second = visit.photos.all()
    first_files = [Path(first.image.path), Path(first.thumbnail.path)]
    assert all(path.exists() for path in first_files)

    response = app.get(reverse("cases:visit-edit", args=[visit.pk]), user=coordinator)
    correction = form_with_field(response, "findings")
    assert_renders_every_field(correction, response.context["form"], response.context["incomes"])
    page = response.html
    labels = [
        label.get_text(" ", strip=True) for label in page.select("label[for^=id_remove_photos_]")
    ]
    assert labels == ["ภาพที่ 1 ของการเยี่ยม", "ภาพที่ 2 ของการเยี่ยม"]
    assert page.select_one("label[for=id_remove_photos_0] img")["src"].startswith(
        reverse("cases:visit-photo", args=[first.pk])
    )
    correction.get("remove_photos", index=0).checked = True
    with django_capture_on_commit_callbacks(execute=True):
        shown = submit_and_follow(correction)

    assert list(visit.photos.all()) == [second]
    assert not VisitPhoto.objects.filter(pk=first.pk).exists()
    assert not any(path.exists() for path in first_files)
    assert all(path.exists() for path in photo_files(visit))
    assert reverse("cases:visit-photo", args=[first.pk]) not in shown.text
    assert reverse("cases:visit-photo", args=[second.pk]) in shown.text
    event = case.events.get(kind=CaseEvent.Kind.VISIT_CORRECTED)
    assert event.by == coordinator and "ลบภาพ" in event.text


def test_a_visit_with_five_photos_swaps_one_and_cannot_take_more_than_it_frees(
    app, case, volunteer_on_team, tmp_path
):
    visit = visit_with_photos(app, case, volunteer_on_team.user, tmp_path, 5)
    kept = list(visit.photos.all())
    files = photo_files(visit)
    url = reverse("cases:visit-edit", args=[visit.pk])
    correction = form_with_field(app.get(url, user=volunteer_on_team.user), "findings")
    assert "ครบ 5 ภาพแล้ว" in correction.html.select_one("#id_photos_helptext").text

    # Two new ones for one removed: refused, nothing removed or added.
    correction.get("remove_photos", index=4).checked = True
    correction["photos"] = [
        Upload(f"n{n}.jpg", phone_photo(tmp_path / f"n{n}.jpg", size=(60, 40)).read_bytes())
        for n in range(2)
    ]
    refused = correction.submit()
    assert refused.status_int == 200
    assert refused.context["form"].errors["photos"] == [
        "การเยี่ยมหนึ่งครั้งเก็บภาพได้ไม่เกิน 5 ภาพ เพิ่มได้อีก 1 ภาพ"
    ]
    assert list(visit.photos.all()) == kept and all(path.exists() for path in files)
    visit.refresh_from_db()
    assert visit.version == 1

    # One for one: the fifth goes, the new one takes its place.
    again = form_with_field(refused, "findings")
    assert again.get("remove_photos", index=4).checked  # the tick survives the refusal
    again["photos"] = [Upload("n.jpg", phone_photo(tmp_path / "n.jpg", size=(60, 40)).read_bytes())]
    submit_and_follow(again)
    now = list(visit.photos.all())
    assert len(now) == 5 and now[:4] == kept[:4] and now[4] not in kept


def test_another_visits_photo_cannot_be_removed_through_this_one(
    app, case, volunteer_on_team, coordinator, tmp_path
):
    """A forged box: the choice is this visit's photos only; the form refuses the rest
    and saves nothing."""
    visit = visit_with_photos(app, case, volunteer_on_team.user, tmp_path, 1)
    other = HomeVisitFactory(case=case, author=volunteer_on_team.user)
    with phone_photo(tmp_path / "o.jpg", size=(60, 40)).open("rb") as handle:
        theirs = VisitPhoto.objects.create(visit=other, image=File(handle, name="o.jpg"))
    correction = form_with_field(
        app.get(reverse("cases:visit-edit", args=[visit.pk]), user=coordinator), "findings"
    )
    box = correction.get("remove_photos", index=0)
    box._value = str(theirs.pk)  # a value the page never offered (webtest keeps it there)
    box.checked = True
    correction["findings"] = "แก้ไขแล้ว"
    refused = correction.submit()
    assert refused.status_int == 200
    assert "remove_photos" in refused.context["form"].errors
    assert VisitPhoto.objects.filter(pk=theirs.pk).exists()
    assert visit.photos.count() == 1
    visit.refresh_from_db()
    assert visit.findings == "หลังคารั่ว" and visit.version == 1


def test_a_met_correction_keeps_the_photos_ticked_to_remove_ticked_and_removes_none(
    app, second_app, case, volunteer_on_team, coordinator, tmp_path
):
    """The coordinator ticks a photo to remove while the volunteer saves a correction:
    nothing of his is done yet; his page comes back with the tick on it, and saving it
    again removes that photo."""
    visit = visit_with_photos(app, case, volunteer_on_team.user, tmp_path, 2)
    first, second = visit.photos.all()
    url = reverse("cases:visit-edit", args=[visit.pk])
    hers = form_with_field(app.get(url, user=volunteer_on_team.user), "findings")
    his = form_with_field(second_app.get(url, user=coordinator), "findings")
    hers["findings"] = "หลังคารั่วหนัก"
    submit_and_follow(hers)
    his.get("remove_photos", index=1).checked = True

    conflict = his.submit(status=409)
    assert list(visit.photos.all()) == [first, second]
    again = form_with_field(conflict, "findings")
    assert [again.get("remove_photos", index=i).checked for i in range(2)] == [False, True]
    submit_and_follow(again)
    visit.refresh_from_db()
    assert list(visit.photos.all()) == [first]
    assert visit.findings == "หลังคารั่วหนัก"  # hers, kept


def test_the_banner_links_the_answers_to_correct_in_the_order_of_the_page(
    app, case, volunteer_on_team
):
    """The incomes sit between the person's situation and the needs; the day and time
    at the top. The banner's "first answer to correct" was the needs' next visit day,
    below an income row in error, and the day of the visit came last."""
    rendered = form_with_field(visit_page(app, case, volunteer_on_team.user), "findings")
    fill_what_was_found(rendered)
    rendered["incomes-0-kind"] = "wages"
    rendered["incomes-0-amount"] = "-5"
    rendered["next_visit_due"] = "31/02/2569"
    refused = rendered.submit()
    assert refused.status_int == 200 and not HomeVisit.objects.exists()
    first = refused.html.select_one(".error-summary a")
    assert first["href"] == "#id_incomes-0-amount"

    rendered = form_with_field(refused, "findings")
    rendered["visit_date"] = "31/02/2569"
    refused = rendered.submit()
    assert refused.html.select_one(".error-summary a")["href"] == "#id_visit_date"


def test_a_new_visit_is_written_without_reading_back_what_it_wrote(app, case, volunteer_on_team):
    """After its INSERT, a visit read itself back twice (the case's latest visit; its
    fields left out of history, for simple-history to rebuild it), and its volunteers
    three times, the last joined to whole visit and volunteer rows; two savepoints were
    made and released around it. It now writes its rows, in the one transaction of the
    form, and reads only its volunteers' ids for its history."""
    rendered = form_with_field(visit_page(app, case, volunteer_on_team.user), "findings")
    rendered["findings"] = "หลังคารั่ว"
    with CaptureQueriesContext(connection) as queries:
        assert rendered.submit().status_int == 302
    statements = [
        re.match(r'(SELECT|INSERT|UPDATE|DELETE|SAVEPOINT|RELEASE)\b(?:.*? "(\w+)")?', q["sql"])
        for q in queries.captured_queries
    ]
    done = [(m[1], None if "SAVEPOINT" in m[0] else m[2]) for m in statements if m]
    first_write = done.index(("INSERT", "cases_homevisit"))
    assert Counter(done[first_write:]) == Counter(
        [
            ("INSERT", "cases_homevisit"),
            ("UPDATE", "cases_case"),  # its dates, if it is the latest visit
            ("INSERT", "cases_homevisit_volunteers"),
            ("INSERT", "cases_historicalhomevisit"),
            ("SELECT", "cases_homevisit_volunteers"),
            ("INSERT", "cases_historicalhomevisit_volunteers"),
            ("INSERT", "cases_caseevent"),
            ("RELEASE", None),  # the form's transaction, a savepoint in the test's own
        ]
    ), done
    # Its token is looked up once: for a double tap, and so for the form's check that no
    # other visit holds it.
    tokens_read = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and '"submission_token" =' in q["sql"]
    ]
    assert len(tokens_read) == 1, tokens_read
    visit = HomeVisit.objects.get()
    (created,) = visit.history.all()
    assert [row.volunteer for row in created.volunteers.all()] == [volunteer_on_team]
    case.refresh_from_db()
    assert (case.last_visit_at, case.next_visit_due) == (visit.visited_at, visit.next_visit_due)


def test_the_incomes_on_a_visit_are_read_once_however_many_there_are(app, case, volunteer_on_team):
    """Each income row sent was read again to check it is the case's (the hidden `id`'s
    ModelChoiceField): they are found among the rows the form read (CaseRowChoiceField)."""
    kinds = ["elderly_allowance", "wages", "family_support", "disability_allowance"]
    incomes = [IncomeSourceFactory(case=case, center=case.center, kind=kind) for kind in kinds]
    rendered = form_with_field(visit_page(app, case, volunteer_on_team.user), "findings")
    rendered["findings"] = "หลังคารั่ว"
    rows = {rendered[f"incomes-{i}-id"].value: i for i in range(len(incomes))}
    rendered[f"incomes-{rows[str(incomes[1].pk)]}-amount"] = "2500"
    with CaptureQueriesContext(connection) as queries:
        assert rendered.submit().status_int == 302
    incomes_read = [
        q["sql"] for q in queries.captured_queries if 'FROM "cases_incomesource"' in q["sql"]
    ]
    # The case's rows for the form, the total for the visit, and the rows again under
    # the case's lock to compare (VisitIncomeRows.save).
    assert len(incomes_read) == 3, incomes_read
    assert IncomeSource.objects.get(pk=incomes[1].pk).amount == Decimal("2500")
    assert HomeVisit.objects.get().monthly_income == sum(
        i.amount for i in IncomeSource.objects.filter(case=case)
    )


@pytest.mark.parametrize("sent", ["abc", "99999999", "1.5"])
def test_an_income_row_that_is_not_the_cases_is_refused(app, case, volunteer_on_team, sent):
    income = IncomeSourceFactory(case=case, center=case.center, kind="wages")
    rendered = form_with_field(visit_page(app, case, volunteer_on_team.user), "findings")
    rendered["findings"] = "หลังคารั่ว"
    rendered["incomes-0-id"].force_value(sent)
    rendered["incomes-0-amount"] = "1"
    refused = rendered.submit()
    assert refused.status_int == 200
    assert "มีรายการที่ส่งมากับแบบฟอร์มซึ่งไม่ใช่ของกรณีนี้" in refused.text
    assert not HomeVisit.objects.exists()
    assert IncomeSource.objects.get().amount == income.amount


def rows_read_logging_a_visit(app, case, user) -> dict[str, float]:
    """The rows PostgreSQL reads for each SELECT of one visit logged on the case's form
    (tests/test_cost_does_not_grow_with_history.py counts them)."""
    rendered = form_with_field(visit_page(app, case, user), "findings")
    rendered["findings"] = "หลังคารั่ว"
    with CaptureQueriesContext(connection) as queries:
        assert rendered.submit().status_int == 302
    read: dict[str, float] = {}
    with connection.cursor() as cursor:
        # As at scale, whatever the planner knows of these few rows: on the indexes, and
        # in an order one of them gives, where there is one.
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off")
        for number, query in enumerate(queries.captured_queries):
            if query["sql"].startswith("SELECT"):
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query["sql"])
                read[f"{number} {query['sql'][:100]}"] = rows_read(cursor.fetchone()[0][0]["Plan"])
        cursor.execute("SET LOCAL enable_seqscan = on; SET LOCAL enable_sort = on")
    return read


def test_logging_a_visit_reads_no_more_for_a_case_visited_for_years(
    app, center, team, volunteer_on_team
):
    """Checking the form's token read every visit of the case (1.5 ms for one with 730
    visits, national): a visit is logged on a case with a long history reading what it
    reads on a new one. (Finding the latest visit, on the (centre, case, time) index
    since, read them too at scale, 2.1 ms; at this size the planner takes an index in
    time order for it either way, so this test does not see that one.)"""
    new, old = CaseFactory(center=center, team=team), CaseFactory(center=center, team=team)
    HomeVisitFactory.create_batch(60, case=old, center=center)
    user = volunteer_on_team.user
    rows_read_logging_a_visit(app, new, user)  # the first view of each page aside
    on_new = rows_read_logging_a_visit(app, new, user)
    on_old = rows_read_logging_a_visit(app, old, user)
    grown = {q: (on_new.get(q), rows) for q, rows in on_old.items() if rows > on_new.get(q, 0)}
    assert sum(on_old.values()) <= 1.3 * sum(on_new.values()), grown
