"""The admin speaks Thai to a centre administrator: the pages where they manage their
centre's accounts and lists, and what they are told after saving. Django's own Thai
catalogue leaves these in English; ours carries them (coordination/django_strings.py)."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from coordination.models import User
from tests.factories import CaseFactory, HomeVisitFactory, ReferralFactory, UserFactory
from tests.forms.rendered import submit_and_follow

# What a centre administrator met in English, trying the admin.
ENGLISH = [
    "Required. 150 characters or fewer",
    "Password-based authentication",
    "Please correct the error",
    "was added successfully",
    "was changed successfully",
    "Show counts",
    "Hide counts",
    "Skip to main content",
]


def assert_thai(page) -> None:
    left = [text for text in ENGLISH if text in page.text]
    assert not left, left


def test_a_centre_administrator_adds_an_account_and_reads_every_step_in_thai(app, center):
    administrator = UserFactory(
        username="centre-admin", center=center, is_staff=True, role="centre_admin"
    )
    CaseFactory(center=center)
    cases = app.get(reverse("admin:cases_case_changelist"), user=administrator)
    assert_thai(cases)
    assert "ข้ามไปยังเนื้อหาหลัก" in cases.text

    page = app.get(reverse("admin:coordination_user_add"), user=administrator)
    assert_thai(page)
    assert "จำเป็น ไม่เกิน 150 ตัวอักษร" in page.text
    assert "บัญชีใหม่ยังไม่มีรหัสผ่าน" in page.text
    form = page.forms["user_form"]
    form["username"] = ""  # required: refused
    refused = form.submit()
    assert_thai(refused)
    assert "กรุณาแก้ไขข้อผิดพลาดด้านล่าง" in refused.text
    # Not Django's word for word "ฟิลด์นี้จำเป็น" (a "field" is a programmer's word).
    assert "กรุณากรอกข้อมูลช่องนี้" in refused.text and "ฟิลด์นี้จำเป็น" not in refused.text

    form = refused.forms["user_form"]
    form["username"] = "somchai"
    answer = form.submit()
    assert answer.status_int == 302, [e.text for e in answer.html.select(".errorlist")]
    added = answer.follow()
    assert_thai(added)
    said = " ".join(message.text for message in added.html.select(".messagelist li"))
    assert "เพิ่มผู้ใช้ “somchai” เรียบร้อยแล้ว" in said
    assert User.objects.get(username="somchai").center == center


def test_the_admin_index_names_the_login_and_second_factor_apps_in_thai(app, db):
    """django-axes and django-otp have no names of their own: AXES, OTP_TOTP and
    OTP_STATIC, with axes' tables in English, on a Thai index."""
    administrator = UserFactory(username="national-admin", is_staff=True, is_superuser=True)
    index = app.get(reverse("admin:index"), user=administrator)
    for english in (
        "AXES", "OTP_TOTP", "OTP_STATIC", "Access attempts", "Access failures", "Coordination"
    ):  # fmt: skip
        assert english not in index.text, english
    for thai in (
        "การพยายามเข้าสู่ระบบ", "แอปยืนยันตัวตน", "รหัสสำรอง", "บันทึกการเข้า-ออกระบบ", "ศูนย์ประสานงาน"
    ):  # fmt: skip
        assert thai in index.text, thai
    # Read-only lists (the access log, login attempts) are linked "ดู", not Django's "ดู:".
    assert ">ดู</a>" in index.text and ">ดู:</a>" not in index.text
    # "My actions", none yet: "ไม่ว่าง" (busy) in Django's catalogue.
    assert "ไม่ว่าง" not in index.text and "ยังไม่มี" in index.text
    attempts = app.get(reverse("admin:axes_accessattempt_changelist"), user=administrator)
    assert "เวลาที่พยายามเข้า" in attempts.text
    assert "Locked Out" not in attempts.text and "ถูกล็อก" in attempts.text


def test_the_apps_own_configuration_is_the_one_django_uses():
    """coordination/apps.py holds four configurations; the app's own must be the one
    used, or its ready() never runs: no grants to the app role after a migration."""
    from django.apps import apps
    from django.db.models.signals import post_migrate

    from coordination.apps import CoordinationConfig

    config = apps.get_app_config("coordination")
    assert type(config) is CoordinationConfig
    # Signal.connect keys a receiver by (dispatch_uid, id of its sender).
    connected = {lookup for lookup, _receiver, _is_async in post_migrate.receivers}
    assert ("grant-app-role", id(config)) in connected


def test_the_admins_pickers_and_calendar_speak_thai(app, db):
    """The two-box pickers (a user's groups, a visit's volunteers) and the calendar take
    their words from the admin's JavaScript catalogue, which Django's Thai leaves partly
    in English: ours (locale/*/LC_MESSAGES/djangojs.po) carries the rest."""
    administrator = UserFactory(username="national-admin", is_staff=True, is_superuser=True)
    catalogue = app.get(reverse("admin:jsi18n"), user=administrator).text
    for english in ("Choose all %s", "Remove selected %s", "(click to clear)", "Wednesday"):
        assert f'"{english}": "' in catalogue, english  # translated, so listed
    assert '"Choose all %s": "\\u0e40\\u0e25\\u0e37\\u0e2d\\u0e01%s' in catalogue  # เลือก%s…


def test_a_records_history_and_its_revert_page_speak_thai(app, center):
    """django-simple-history's pages, which it has no Thai for."""
    administrator = UserFactory(username="national-admin", is_staff=True, is_superuser=True)
    case = CaseFactory(center=center)
    history = app.get(reverse("admin:cases_case_history", args=[case.pk]), user=administrator)
    for english in ("Choose a date from the list", "Changed by", "Change reason", "Created"):
        assert english not in history.text, english
    assert "เลือกวันที่จากรายการด้านล่าง" in history.text and "แก้ไขโดย" in history.text
    # Each record's day in the Buddhist Era, as the app's pages write it.
    from coordination.templatetags.thai import be_datetime

    with translation.override("th"):
        written = be_datetime(case.history.earliest().history_date)
    assert str(timezone.localdate().year + 543) in written and written in history.text
    assert str(timezone.localdate().year) not in history.html.select_one("#change-history").text
    record = case.history.earliest()
    revert = app.get(
        reverse("admin:cases_case_simple_history", args=[case.pk, record.history_id]),
        user=administrator,
    )
    assert "Press the 'Revert' button" not in revert.text and "Revert " not in revert.text
    assert "กดปุ่ม “ย้อนกลับ” ด้านล่าง" in revert.text


def test_a_referrals_progress_rows_are_titled_in_words_and_buddhist_era_days():
    """The admin's inline titles each row by its str(): it wrote "1: → sent"."""
    import datetime

    from django.utils import translation

    from cases.models import ReferralUpdate

    update = ReferralUpdate(
        status_from="sent", status_to="acknowledged", on=datetime.date(2026, 11, 22)
    )
    with translation.override("th"):
        assert str(update) == "22 พ.ย. 2569: ส่งแล้ว → รับเรื่องแล้ว"
    first = ReferralUpdate(status_from="", status_to="sent", on=datetime.date(2026, 11, 22))
    with translation.override("en"):
        assert str(first) == "22 Nov 2026: sent"


def test_the_referral_lists_letter_number_column_is_headed_in_thai(app, center):
    administrator = UserFactory(username="root", is_staff=True, is_superuser=True)
    referral = ReferralFactory(case=CaseFactory(center=center))
    page = app.get(reverse("admin:cases_referral_changelist"), user=administrator)
    assert "เลขที่หนังสือ" in page.text and "Letter number" not in page.text
    assert referral.letter_number in page.text


def test_a_records_changes_are_written_as_the_app_writes_them(app, center, coordinator):
    """A status by its label, not its code; no reason left blank, not "None"; and the
    action bar's counter in Thai."""
    from cases.models import Case

    administrator = UserFactory(username="national-admin", is_staff=True, is_superuser=True)
    case = CaseFactory(center=center)
    HomeVisitFactory(case=case)
    Case.objects.get(pk=case.pk).change_status(Case.Status.ASSESSED, by=coordinator)
    history = app.get(reverse("admin:cases_case_history", args=[case.pk]), user=administrator)
    changes = history.html.select_one("#change-history").text
    assert "ประเมินแล้ว" in changes and "assessed" not in changes
    assert "None" not in changes
    catalogue = app.get(reverse("admin:jsi18n"), user=administrator).text
    assert "%(sel)s \\u0e08\\u0e32\\u0e01 %(cnt)s selected" not in catalogue
    assert (
        "\\u0e41\\u0e25\\u0e49\\u0e27 %(sel)s \\u0e08\\u0e32\\u0e01 %(cnt)s" in catalogue
    )  # …แล้ว %(sel)s จาก


def test_the_admins_own_history_of_a_record_writes_buddhist_era_days(app, db):
    """Records without django-simple-history (an allowance rate): Django's history page."""
    from coordination.models import AllowanceRate
    from coordination.templatetags.thai import be_datetime
    from tests.forms.rendered import admin_form

    administrator = UserFactory(username="national-admin", is_staff=True, is_superuser=True)
    rate = AllowanceRate.objects.filter(kind="elderly").first()
    change = admin_form(
        app, reverse("admin:coordination_allowancerate_change", args=[rate.pk]), administrator
    )
    change["note"] = "แก้ไขหมายเหตุ"
    change.submit("_save").follow()
    page = app.get(reverse("admin:coordination_allowancerate_history", args=[rate.pk]),
                   user=administrator)  # fmt: skip
    table = page.html.select_one("#change-history").text
    from django.contrib.admin.models import LogEntry

    with translation.override("th"):
        written = be_datetime(LogEntry.objects.get().action_time)
    assert written in table and str(timezone.localdate().year) not in table


def test_a_records_read_only_days_are_written_in_the_buddhist_era(app, center):
    """The admin writes a field it shows but does not let anyone change (a case's
    created and updated times, a referral's reply) with Django's Common-Era years, unless
    the app writes it."""
    from coordination.templatetags.thai import be_date, be_datetime

    administrator = UserFactory(username="national-admin", is_staff=True, is_superuser=True)
    case = CaseFactory(center=center)
    page = app.get(reverse("admin:cases_case_change", args=[case.pk]), user=administrator)
    shown = page.html.select_one(".field-created_at .readonly").text.strip()
    with translation.override("th"):
        assert shown == be_datetime(case.created_at)
    referral = ReferralFactory(case=case, replied_on=timezone.localdate())
    page = app.get(reverse("admin:cases_referral_change", args=[referral.pk]), user=administrator)
    shown = page.html.select_one(".field-replied_on .readonly").text.strip()
    with translation.override("th"):
        assert shown == be_date(referral.replied_on)
    assert str(timezone.localdate().year + 543) in shown
    # Empty stays the admin's empty mark.
    referral.replied_on = None
    referral.save()
    page = app.get(reverse("admin:cases_referral_change", args=[referral.pk]), user=administrator)
    assert page.html.select_one(".field-replied_on .readonly").text.strip() == "-"
    # The legal basis it was sent on is a record of that day, not a correction.
    form = next(f for f in page.forms.values() if f.id == "referral_form")
    assert not {"legal_basis", "legal_basis_note"} & set(form.fields)
    assert "เพื่อป้องกันหรือระงับอันตราย" in page.html.select_one(".field-legal_basis").text


@pytest.mark.django_db(transaction=True)  # the view's own transaction, not the test's
def test_a_case_reverted_to_an_earlier_version_in_the_admin_is_saved_as_a_change(app, center):
    """The revert page saved outside a transaction: counting the case's version from its
    locked row (next_version) failed, a 500."""
    from cases.models import Case
    from tests.forms.rendered import admin_form

    administrator = UserFactory(username="national-admin", is_staff=True, is_superuser=True)
    case = CaseFactory(center=center, phone="0812345678")
    change = admin_form(app, reverse("admin:cases_case_change", args=[case.pk]), administrator)
    change["phone"] = "0899999999"
    change.submit("_save").follow()
    first = case.history.order_by("history_id").first()
    url = reverse("admin:cases_case_simple_history", args=[case.pk, first.history_id])
    admin_form(app, url, administrator).submit("_save").follow()
    case = Case.objects.get(pk=case.pk)
    assert case.phone == "0812345678" and case.version == 3


def test_a_volunteer_who_has_worked_is_not_deleted_in_the_admin(app, center, team):
    """A helper deleted, as a centre administrator, a volunteer with 13 visits: the visits
    lost her name. One with no work on record (added by mistake) can still go."""
    from tests.factories import VolunteerFactory
    from volunteers.models import Volunteer

    administrator = UserFactory(username="national-admin", is_staff=True, is_superuser=True)
    worked = VolunteerFactory(center=center)
    visit = HomeVisitFactory(case=CaseFactory(center=center, team=team))
    visit.volunteers.add(worked)
    url = reverse("admin:volunteers_volunteer_delete", args=[worked.pk])
    assert app.get(url, user=administrator, expect_errors=True).status_code == 403
    changelist = app.get(reverse("admin:volunteers_volunteer_changelist"), user=administrator)
    assert "delete_selected" not in changelist.text
    assert list(visit.volunteers.all()) == [worked]

    mistaken = VolunteerFactory(center=center)
    page = app.get(reverse("admin:volunteers_volunteer_delete", args=[mistaken.pk]),
                   user=administrator)  # fmt: skip
    confirm = next(form for form in page.forms.values() if "post" in form.fields)
    confirm.submit().follow()
    assert not Volunteer.objects.filter(pk=mistaken.pk).exists()


def test_a_value_that_was_empty_reads_as_empty_in_a_records_history(app, center):
    """A volunteer given a login: the history read "ผู้ใช้ ที่ถูกลบ (pk=None) → …"."""
    from tests.factories import VolunteerFactory

    administrator = UserFactory(username="national-admin", is_staff=True, is_superuser=True)
    volunteer = VolunteerFactory(center=center)
    volunteer.user = UserFactory(username="login-of-volunteer", center=center, role="volunteer")
    volunteer.save()
    page = app.get(reverse("admin:volunteers_volunteer_history", args=[volunteer.pk]),
                   user=administrator)  # fmt: skip
    table = page.html.select_one("#change-history").text
    assert "pk=None" not in table and "ที่ถูกลบ" not in table
    assert "–" in table and "login-of-volunteer" in table


def test_a_case_added_in_the_admin_is_opened_as_intake_opens_one(app, center, team):
    """A helper added a case in the admin: its status history and history were empty,
    where intake records who opened it."""
    from cases.models import Case, CaseEvent
    from coordination.models import TargetGroup
    from tests.forms.rendered import admin_form

    administrator = UserFactory(username="national-admin", is_staff=True, is_superuser=True)
    add = admin_form(app, reverse("admin:cases_case_add"), administrator)
    add["center"].force_value(str(center.pk))
    add["first_name"], add["last_name"] = "เพิ่มใน", "แอดมิน"
    add["prefix"], add["sex"] = "mrs", "female"
    add["target_groups"].force_value([str(TargetGroup.objects.first().pk)])
    answer = add.submit("_save")
    assert answer.status_int == 302, [e.text for e in answer.html.select(".errorlist")]
    case = Case.objects.get(first_name="เพิ่มใน")
    opened = case.events.get(kind=CaseEvent.Kind.OPENED)
    assert (opened.by, opened.status_to) == (administrator, case.status)
    assert case.target_groups.count() == 1 and case.center == center


@pytest.mark.django_db(transaction=True)  # the view's own transaction, not the test's
def test_a_deleted_case_is_recovered_from_its_history_in_the_admin(app, center):
    """Its version was counted from a row that no longer exists: DoesNotExist, a 500."""
    from cases.models import Case, CaseEvent
    from coordination.models import TargetGroup
    from tests.forms.rendered import admin_form

    administrator = UserFactory(username="national-admin", is_staff=True, is_superuser=True)
    case = CaseFactory(center=center, first_name="กู้คืน")
    first = case.history.order_by("history_id").first()
    Case.objects.filter(pk=case.pk).delete()
    url = reverse("admin:cases_case_simple_history", args=[case.pk, first.history_id])
    form = admin_form(app, url, administrator)
    form["target_groups"].force_value([str(TargetGroup.objects.first().pk)])
    assert form.submit("_save").status_int == 302
    recovered = Case.objects.get(pk=case.pk)
    assert (
        recovered.first_name == "กู้คืน"
        and not recovered.events.filter(kind=CaseEvent.Kind.OPENED).exists()
    )  # recovered, not opened anew


def test_disability_types_and_consent_purposes_are_ticked_by_their_thai_labels(app, case):
    """The admin's own field for a list is a text box of codes ("1,3")."""
    administrator = UserFactory(username="national-admin", is_staff=True, is_superuser=True)
    url = reverse("admin:cases_case_change", args=[case.pk])
    page = app.get(url, user=administrator)
    form = page.forms["case_form"]
    labels = {
        box.find_parent("label").text.strip(): box["value"]
        for box in page.html.select('input[name="disability_types"]')
    }
    assert set(labels) >= {"ทางการเห็น", "ออทิสติก"}, labels
    form["disability_types"] = [labels["ทางการเห็น"], labels["ออทิสติก"]]
    form["consent_purposes"] = ["referral"]
    submit_and_follow(form)

    case.refresh_from_db()
    assert (case.disability_types, case.consent_purposes) == ([1, 7], ["referral"])
    history = app.get(reverse("admin:cases_case_history", args=[case.pk]))
    assert "ทางการเห็น, ออทิสติก" in history.text and "[1, 7]" not in history.text


def test_a_case_event_is_deleted_only_with_its_case(app, client, case, coordinator):
    from cases.models import Case, CaseEvent

    administrator = UserFactory(username="national-admin", is_staff=True, is_superuser=True)
    event = case.log(CaseEvent.Kind.OPENED, by=coordinator)
    page = app.get(reverse("admin:cases_caseevent_change", args=[event.pk]), user=administrator)
    assert reverse("admin:cases_caseevent_delete", args=[event.pk]) not in page.text
    listed = app.get(reverse("admin:cases_caseevent_changelist"))
    assert "delete_selected" not in listed.text
    client.force_login(administrator)
    refused = client.post(reverse("admin:cases_caseevent_delete", args=[event.pk]), {"post": "yes"})
    assert refused.status_code == 403 and CaseEvent.objects.filter(pk=event.pk).exists()

    # The case itself still goes, with its events (and comes back from its history).
    confirm = admin_form_named(app, reverse("admin:cases_case_delete", args=[case.pk]))
    confirm.submit().follow()
    assert not Case.objects.filter(pk=case.pk).exists()
    assert not CaseEvent.objects.filter(pk=event.pk).exists()


def admin_form_named(app, url):
    return next(f for f in app.get(url).forms.values() if "post" in f.fields)


def test_the_roles_are_named_in_thai_in_the_accounts_form_and_filter(app, center):
    administrator = UserFactory(
        username="centre-admin", center=center, is_staff=True, role="centre_admin"
    )
    UserFactory(username="somchai", center=center, role="coordinator")
    add = app.get(reverse("admin:coordination_user_add"), user=administrator)
    offered = {label.text.strip() for label in add.html.select("#id_groups label")}
    offered |= {option.text.strip() for option in add.html.select("#id_groups option")}
    assert {"ผู้ประสานงาน", "อพม."} <= offered and not {"coordinator", "volunteer"} & offered
    listed = app.get(reverse("admin:coordination_user_changelist"))
    links = {a.text.strip() for a in listed.html.select("#changelist-filter a")}
    assert "ผู้ประสานงาน" in links and "coordinator" not in links


def test_a_name_typed_in_the_admin_is_read_as_the_apps_forms_read_it(app, case):
    administrator = UserFactory(username="national-admin", is_staff=True, is_superuser=True)
    form = app.get(reverse("admin:cases_case_change", args=[case.pk]), user=administrator).forms[
        "case_form"
    ]
    form["first_name"] = "\u200b\u200b"
    assert form.submit("_save").status_int == 200  # nothing but invisible: empty, required
    form["first_name"] = "\u200bบุญ   เรือน\ufeff"
    submit_and_follow(form)
    case.refresh_from_db()
    assert case.first_name == "บุญ เรือน"
