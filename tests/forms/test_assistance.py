"""Recording assistance as a coordinator does, on the page as rendered: the cap refuses
with what remains, the exception needs a reason and is logged, hostile input saves
nothing."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Assistance, CaseEvent, fiscal_year, fiscal_year_bounds
from coordination.models import Agency
from tests.factories import CaseFactory, CenterFactory, ReferralFactory, UserFactory
from tests.forms.rendered import form_with_field, submit_and_follow

pytestmark = pytest.mark.django_db


def be(day: datetime.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year + 543}"


@pytest.fixture
def assistance_page(app, coordinator, case):
    def open_form():
        page = app.get(reverse("cases:assistance-create", args=[case.pk]), user=coordinator)
        return page, form_with_field(page, "amount")

    return open_form


def test_a_hardship_grant_is_recorded_and_the_case_page_shows_this_fiscal_year(
    assistance_page, case, coordinator
):
    national = Agency.objects.create(name="สำนักงานเขตบึงกุ่ม", kind="district_office")
    _page, form = assistance_page()
    form["kind"] = Assistance.Kind.ELDERLY_HARDSHIP
    form["amount"] = "3000"
    form["provider"] = str(national.pk)
    form["description"] = "ค่าครองชีพ"
    # The date as the page fills it: today, in BE on a Thai page.
    assert form["given_on"].value == be(timezone.localdate())
    case_page = submit_and_follow(form)
    saved = Assistance.objects.get(case=case)
    assert (saved.amount, saved.provider, saved.by) == (Decimal(3000), national, coordinator)
    assert saved.fiscal_year == fiscal_year(timezone.localdate())
    year = case_page.html.select_one('[data-assistance="year"]').text
    # The unit once: "บาท บาท" was written, the amount's filter and the sentence each
    # naming it.
    assert "1" in year and "3,000 บาท" in year and year.count("บาท") == 1
    form_page, _form = assistance_page()
    so_far = form_page.html.select_one("main p").text
    assert "3,000 บาท" in so_far and so_far.count("บาท") == 1, so_far
    event = case.events.get(kind=CaseEvent.Kind.ASSISTANCE)
    assert event.text.endswith(" 3,000 บาท")  # the history's line, with its unit


def test_over_the_cap_the_page_says_the_cap_what_was_given_and_what_remains(
    assistance_page, case, coordinator
):
    today = timezone.localdate()
    Assistance(
        case=case, kind=Assistance.Kind.EMERGENCY_GRANT, amount=Decimal(2000), given_on=today
    ).record(by=coordinator)
    _page, form = assistance_page()
    form["kind"] = Assistance.Kind.EMERGENCY_GRANT
    form["amount"] = "1500"
    refused = form.submit()
    assert refused.status_int == 200
    alert = refused.html.select_one("[data-over-cap]").text
    assert refused.text.count("เกินเพดานของ") == 1  # said once, in the alert
    assert "3,000" in alert  # the cap
    assert "รวม 2,000 บาท" in alert  # already given this fiscal year (not "2,000.00")
    assert "คงเหลือ: 1,000 บาท" in alert  # what remains
    assert Assistance.objects.count() == 1

    # Ticking the exception without a reason is not enough.
    form = form_with_field(refused, "amount")
    form["over_cap"] = True
    again = form.submit()
    assert again.status_int == 200
    assert Assistance.objects.count() == 1

    form = form_with_field(again, "amount")
    form["exception_reason"] = "บ้านถูกไฟไหม้ทั้งหลัง"
    submit_and_follow(form)
    over = Assistance.objects.get(amount=Decimal(1500))
    assert over.exception_reason == "บ้านถูกไฟไหม้ทั้งหลัง"
    event = case.events.get(kind=CaseEvent.Kind.ASSISTANCE_OVER_CAP)
    assert event.by == coordinator and "บ้านถูกไฟไหม้" in event.text


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", "-1"),
        ("amount", "๑,๐๐๐ บาท"),
        ("given_on", "01/01/2999"),
        ("given_on", "31/12/1999"),
        ("given_on", "<script>alert(1)</script>"),
    ],
)
def test_hostile_input_is_refused_with_a_message_and_nothing_is_saved(
    assistance_page, field, value
):
    _page, form = assistance_page()
    form["kind"] = Assistance.Kind.GOODS
    form["amount"] = "100"
    form[field] = value
    response = form.submit()
    assert response.status_int == 200
    assert response.html.select(".invalid-feedback, .alert-danger, .errorlist")
    assert "<script>alert(1)</script>" not in response.text
    assert Assistance.objects.count() == 0


@pytest.mark.parametrize(
    ("amount", "said"),
    [("2000.555", "ทศนิยมได้ไม่เกิน 2 ตำแหน่ง"), ("99999999999999", "ตัวเลขรวมกันได้ไม่เกิน 10 หลัก")],
)
def test_an_amount_with_too_many_digits_is_refused_in_thai(assistance_page, amount, said):
    """Django's own messages of a number that does not fit, which its Thai catalogue
    leaves in English (coordination/django_strings.py)."""
    _page, form = assistance_page()
    form["kind"] = Assistance.Kind.GOODS
    form["amount"] = amount
    response = form.submit()
    assert said in response.text and "Ensure that" not in response.text
    assert Assistance.objects.count() == 0


@pytest.mark.parametrize(
    "kind",
    [
        Assistance.Kind.EMERGENCY_GRANT,
        Assistance.Kind.ELDERLY_HARDSHIP,
        Assistance.Kind.DISABILITY_RELIEF,
    ],
)
def test_a_grant_of_0_baht_is_refused_and_counts_nothing(assistance_page, case, kind):
    """A grant is money paid: at 0 it would count as a time given against its cap."""
    _page, form = assistance_page()
    form["kind"] = kind
    form["amount"] = "0"
    response = form.submit()
    assert response.status_int == 200
    assert response.context["form"].errors["amount"] == [
        "เงินสงเคราะห์เป็นเงินที่จ่ายให้: กรอกจำนวนเงินที่จ่าย มากกว่า 0 บาท"
    ]
    assert not Assistance.objects.exists()
    assert not case.events.filter(kind=CaseEvent.Kind.ASSISTANCE).exists()


def test_help_worth_nothing_in_baht_is_recorded_at_0(assistance_page, case):
    _page, form = assistance_page()
    form["kind"] = Assistance.Kind.LEGAL_ADVICE
    form["amount"] = "0"
    form["description"] = "ปรึกษาเรื่องหนี้บ้าน"
    submit_and_follow(form)
    assert Assistance.objects.get(case=case).amount == 0


def test_another_centres_agency_posted_as_provider_is_refused(assistance_page):
    theirs = Agency.objects.create(center=CenterFactory(), name="ของศูนย์อื่น", kind="ngo")
    _page, form = assistance_page()
    assert str(theirs.pk) not in [value for value, *_ in form["provider"].options]
    form["kind"] = Assistance.Kind.GOODS
    form["amount"] = "100"
    form["provider"].force_value(str(theirs.pk))
    assert form.submit().status_int == 200
    assert Assistance.objects.count() == 0


def test_a_deactivated_agency_is_not_offered_nor_taken_as_provider(assistance_page, case):
    closed = Agency.objects.create(
        center=case.center, name="มูลนิธิที่ปิดไปแล้ว", kind="ngo", active=False
    )
    _page, form = assistance_page()
    assert str(closed.pk) not in [value for value, *_ in form["provider"].options]
    form["kind"] = Assistance.Kind.GOODS
    form["amount"] = "100"
    form["provider"].force_value(str(closed.pk))
    assert form.submit().status_int == 200
    assert Assistance.objects.count() == 0


def test_markup_in_the_description_is_shown_as_text_on_the_case_page(assistance_page, case):
    _page, form = assistance_page()
    form["kind"] = Assistance.Kind.GOODS
    form["amount"] = "0"
    form["description"] = '<script>alert("x")</script>ข้าวสาร'
    case_page = submit_and_follow(form)
    assert '<script>alert("x")</script>' not in case_page.text
    assert "ข้าวสาร" in case_page.text


def test_a_volunteer_sees_the_assistance_but_cannot_record_it(app, volunteer_on_team, case):
    page = app.get(reverse("cases:case-detail", args=[case.pk]), user=volunteer_on_team.user)
    assert page.html.select_one("#assistance-heading")
    assert reverse("cases:assistance-create", args=[case.pk]) not in page.text
    app.get(
        reverse("cases:assistance-create", args=[case.pk]), user=volunteer_on_team.user, status=403
    )


def test_help_given_after_a_referral_names_it_and_another_cases_referral_is_refused(
    assistance_page, case, coordinator
):
    ours = ReferralFactory(case=case)
    theirs = ReferralFactory(case=CaseFactory(center=case.center))
    _page, form = assistance_page()
    offered = [value for value, *_ in form["referral"].options if value]
    assert offered == [str(ours.pk)]
    form["kind"] = Assistance.Kind.LEGAL_ADVICE
    form["amount"] = "0"
    form["referral"].force_value(str(theirs.pk))
    assert form.submit().status_int == 200
    assert Assistance.objects.count() == 0

    _page, form = assistance_page()
    form["kind"] = Assistance.Kind.LEGAL_ADVICE
    form["amount"] = "0"
    form["referral"] = str(ours.pk)
    submit_and_follow(form)
    assert Assistance.objects.get(case=case).referral == ours


def test_the_assistance_list_shows_a_fiscal_years_help_and_the_dashboard_the_same_total(
    app, case, coordinator, other_center
):
    today = timezone.localdate()
    year = fiscal_year(today)
    start, _end = fiscal_year_bounds(year)
    for kind, amount, day in (
        ("goods", 500, today),
        ("legal_advice", 0, start),
        ("goods", 700, start - datetime.timedelta(days=1)),  # the year before
    ):
        Assistance(case=case, kind=kind, amount=Decimal(amount), given_on=day).record(
            by=coordinator
        )
    theirs = CaseFactory(center=other_center)
    their_coordinator = UserFactory(center=other_center, role="coordinator")
    Assistance(case=theirs, kind="goods", amount=Decimal(900), given_on=today).record(
        by=their_coordinator
    )

    dashboard = app.get(reverse("coordination:dashboard"), user=coordinator)
    figure = next(f for f in dashboard.context["figures"] if f.key == "assistance_fy")
    assert figure.value == Decimal(500)
    listed = dashboard.click(href=re.escape(figure.url))
    assert [a.amount for a in listed.context["page_obj"]] == [Decimal(500), Decimal(0)]
    assert listed.context["total"] == Decimal(500)
    # Its filter form, as rendered: the kind narrows the year's list.
    form = form_with_field(listed, "kind")
    form["kind"] = "legal_advice"
    narrowed = form.submit()
    assert [a.kind for a in narrowed.context["page_obj"]] == ["legal_advice"]
    # A year that is not a BE year is said so (the list then shows every year).
    for typed in ("2026", "2569.5", "abc"):
        form = form_with_field(narrowed, "kind")
        form["fiscal_year"] = typed
        told = form.submit()
        assert "กรอกปีงบประมาณเป็นปีพุทธศักราช เช่น 2569" in told.text, typed


def test_the_history_line_of_help_is_written_in_the_readers_language_not_the_recorders(
    app, assistance_page, case, coordinator
):
    """Recorded on an English page, the line read "goods 250 baht" on the Thai one; over
    the cap, the cap's sentence was stored in the recorder's language too."""
    from django.utils import translation

    app.set_cookie("django_language", "en")
    _page, form = assistance_page()
    form["kind"] = Assistance.Kind.GOODS
    form["amount"] = "250"
    submit_and_follow(form)

    def history(language: str) -> str:
        app.set_cookie("django_language", language)
        page = app.get(reverse("cases:case-detail", args=[case.pk]), user=coordinator)
        return page.html.select_one("[aria-labelledby=history-heading]").text

    with translation.override("th"):
        thai = f"{Assistance.Kind.GOODS.label} 250 บาท"
    with translation.override("en"):
        english = f"{Assistance.Kind.GOODS.label} 250 baht"
    assert thai in history("th") and english not in history("th")
    assert english in history("en") and thai not in history("en")


@pytest.mark.parametrize("amount", ["100000000", "1e3"])
def test_a_wrong_amount_of_a_grant_is_told_once_not_also_more_than_0(assistance_page, amount):
    _page, form = assistance_page()
    form["kind"] = Assistance.Kind.EMERGENCY_GRANT
    form["amount"] = amount
    response = form.submit()
    errors = [e.text for e in response.html.select("#id_amount_error li, .invalid-feedback")]
    assert response.status_int == 200 and Assistance.objects.count() == 0
    assert "มากกว่า 0" not in response.text, errors
