"""Privacy and security: change history, the access log, PDPA duties, login
protection, sessions and the headers production sends."""

import datetime
import json
import os
import re
import secrets
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.core.files import File
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, HomeVisit, HouseholdMember, IncomeSource, VisitPhoto
from cases.photos import clean_photo
from coordination.models import AccessLog
from tests.cases.helpers import formset, intake_data
from tests.conftest import enter_backup_code
from tests.factories import (
    CaseFactory,
    HomeVisitFactory,
    HouseholdMemberFactory,
    IncomeSourceFactory,
    UserFactory,
    national_id,
)
from tests.images import phone_photo, upload

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]


# Change history


def test_editing_a_case_keeps_who_changed_what(coordinator_client, coordinator, case):
    data = intake_data(version=str(case.version), problems="ถูกฟ้องขับไล่")
    data.update(formset("household", []))
    data.update(formset("incomes", []))
    coordinator_client.post(reverse("cases:case-edit", args=[case.pk]), data)
    latest = case.history.first()
    assert (latest.problems, latest.history_user, latest.history_type) == (
        "ถูกฟ้องขับไล่",
        coordinator,
        "~",
    )
    html = coordinator_client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    assert "ประวัติการแก้ไข" in html and "ถูกฟ้องขับไล่" in html


def test_household_income_visit_volunteer_and_team_changes_are_recorded(
    case, team, volunteer_on_team
):
    member = HouseholdMemberFactory(case=case, name="ลูก")
    member.name = "ลูกสาว"
    member.save()
    income = IncomeSourceFactory(case=case)
    income_id = income.pk
    income.delete()
    HomeVisitFactory(case=case)
    volunteer_on_team.phone = "0899999999"
    volunteer_on_team.save()
    team.name = "ทีมใหม่"
    team.save()
    assert [h.name for h in member.history.order_by("history_date")] == ["ลูก", "ลูกสาว"]
    assert IncomeSource.history.filter(id=income_id).latest("history_date").history_type == "-"
    assert HomeVisit.history.filter(case_id=case.pk).count() == 1
    assert volunteer_on_team.history.first().phone == "0899999999"
    assert team.history.first().name == "ทีมใหม่"
    assert volunteer_on_team.memberships.first().history.count() == 1


def test_an_administrator_restores_a_previous_version_from_the_admin(admin_client, case):
    case.problems = "ผิด"
    case.save()
    original = case.history.order_by("history_date").first()
    page = admin_client.get(
        reverse("admin:cases_case_simple_history", args=[case.pk, original.history_id])
    )
    assert page.status_code == 200
    data = {
        key: value
        for key, value in page.context["adminform"].form.initial.items()
        if value is not None and not isinstance(value, (list, dict))
    }
    data.update({"target_groups": [g.pk for g in case.target_groups.all()], "_continue": "1"})
    for prefix in ("household_members", "incomes", "visits"):
        data.update(formset(prefix, []))
    admin_client.post(
        reverse("admin:cases_case_simple_history", args=[case.pk, original.history_id]), data
    )
    case.refresh_from_db()
    assert case.problems == original.problems


# The access log


def test_viewing_a_case_is_logged_with_user_time_address_and_case(
    coordinator_client, coordinator, case
):
    coordinator_client.get(reverse("cases:case-detail", args=[case.pk]), REMOTE_ADDR="10.1.2.3")
    entry = AccessLog.objects.get(action="view_case")
    assert (entry.user, entry.case_id, entry.case_number, entry.ip) == (
        coordinator,
        case.pk,
        case.number,
        "10.1.2.3",
    )
    assert entry.center_id == case.center_id
    assert timezone.now() - entry.at < datetime.timedelta(minutes=1)


def test_behind_a_trusted_proxy_the_clients_address_is_logged(settings, coordinator_client, case):
    settings.TRUSTED_PROXY_COUNT = 1
    coordinator_client.get(
        reverse("cases:case-detail", args=[case.pk]),
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7",
    )
    assert AccessLog.objects.get(action="view_case").ip == "198.51.100.7"


def test_exports_prints_visits_and_photos_are_logged(coordinator_client, case, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    visit = HomeVisitFactory(case=case)
    with phone_photo(tmp_path / "p.jpg").open("rb") as handle:
        photo = VisitPhoto.objects.create(visit=visit, image=File(handle, name="p.jpg"))
    for url in (
        reverse("cases:case-export", args=[case.pk]),
        reverse("cases:case-print", args=[case.pk]),
        reverse("cases:case-consent-form", args=[case.pk]),
        reverse("cases:visit-detail", args=[visit.pk]),
        reverse("cases:visit-photo", args=[photo.pk]),
    ):
        assert coordinator_client.get(url).status_code == 200
    actions = sorted(AccessLog.objects.filter(case_id=case.pk).values_list("action", flat=True))
    assert actions == ["export", "photo", "print", "print", "view_visit"]


def test_logins_and_failed_logins_are_logged(client, coordinator):
    client.post(reverse("login"), {"username": "coordinator", "password": "wrong"})
    client.post(reverse("login"), {"username": "coordinator", "password": "password"})
    client.post(reverse("logout"))
    log = list(AccessLog.objects.order_by("id").values_list("action", "username"))
    assert log == [
        ("login_failed", "coordinator"),
        ("login", "coordinator"),
        ("logout", "coordinator"),
    ]


def test_the_access_log_cannot_be_changed_or_deleted(coordinator_client, case):
    coordinator_client.get(reverse("cases:case-detail", args=[case.pk]))
    entry = AccessLog.objects.get(action="view_case")
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AccessLog.objects.all().update(username="x")
    with pytest.raises(PermissionError):
        AccessLog.objects.all().delete()
    for sql in (
        "UPDATE coordination_accesslog SET username = 'x'",
        "DELETE FROM coordination_accesslog",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert AccessLog.objects.get(action="view_case").username == "coordinator"


def test_the_admin_shows_the_log_read_only_and_filters_it(admin_client, coordinator_client, case):
    coordinator_client.get(reverse("cases:case-detail", args=[case.pk]))
    entry = AccessLog.objects.get(action="view_case")
    changelist = admin_client.get(
        reverse("admin:coordination_accesslog_changelist"), {"action__exact": "view_case"}
    )
    assert changelist.context["cl"].result_count == 1
    by_case = admin_client.get(
        reverse("admin:coordination_accesslog_changelist"), {"q": case.number}
    )
    assert by_case.context["cl"].result_count == 1
    assert admin_client.get(reverse("admin:coordination_accesslog_add")).status_code == 403
    admin_client.post(
        reverse("admin:coordination_accesslog_delete", args=[entry.pk]), {"post": "yes"}
    )
    assert AccessLog.objects.filter(pk=entry.pk).exists()


def test_a_failing_access_log_never_loses_the_users_action(coordinator_client, case):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE FUNCTION refuse_log() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'log disk full'; END; $$ LANGUAGE plpgsql;
            CREATE TRIGGER refuse_log BEFORE INSERT ON coordination_accesslog
                FOR EACH ROW EXECUTE FUNCTION refuse_log();
            """
        )
    response = coordinator_client.get(reverse("cases:case-export", args=[case.pk]))
    assert response.status_code == 200
    assert json.loads(response.content)["case"]["number"] == case.number
    HomeVisitFactory(case=case)  # assessed needs a visit
    page = coordinator_client.post(
        reverse("cases:case-status", args=[case.pk]), {"status": "assessed"}
    )
    assert page.status_code == 302
    case.refresh_from_db()
    assert case.status == "assessed"
    assert not AccessLog.objects.filter(action="export").exists()


# PDPA duties


def test_the_export_holds_everything_about_the_case(coordinator_client, case):
    HouseholdMemberFactory(case=case, name="ลูกสาว")
    IncomeSourceFactory(case=case, amount=700)
    HomeVisitFactory(case=case, findings="หลังคารั่ว")
    response = coordinator_client.get(reverse("cases:case-export", args=[case.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="case-{case.number}.json"'
    data = json.loads(response.content)["case"]
    assert (data["number"], data["first_name"]) == (case.number, case.first_name)
    assert [m["name"] for m in data["household_members"]] == ["ลูกสาว"]
    assert data["income_sources"][0]["amount"] == "700.00"
    assert data["home_visits"][0]["findings"] == "หลังคารั่ว"


def test_the_exports_times_are_the_centres_not_utc(coordinator_client, case):
    """A visit at 09:00 in Bangkok was written 02:00Z, and a late evening as the day
    before, to the person reading their own data."""
    import datetime as dt

    from django.utils import timezone

    at = timezone.make_aware(dt.datetime(2026, 7, 9, 23, 30))
    HomeVisitFactory(case=case, visited_at=at)
    response = coordinator_client.get(reverse("cases:case-export", args=[case.pk]))
    data = json.loads(response.content)
    assert data["case"]["home_visits"][0]["visited_at"] == "2026-07-09T23:30:00+07:00"
    assert data["exported_at"].endswith("+07:00")


def test_volunteers_cannot_export(volunteer_client, case):
    assert volunteer_client.get(reverse("cases:case-export", args=[case.pk])).status_code == 403
    assert not AccessLog.objects.filter(action="export").exists()


def test_the_printout_and_consent_form_mask_the_national_id(coordinator_client, center):
    case = CaseFactory(center=center, national_id=national_id(12))
    masked = f"{case.national_id[0]}-{case.national_id[1:5]}-xxxxx-xx-{case.national_id[12]}"
    for name in ("cases:case-print", "cases:case-consent-form"):
        html = coordinator_client.get(reverse(name, args=[case.pk])).content.decode()
        assert masked in html and case.national_id not in html


def test_the_consent_form_is_thai_even_on_english_pages(coordinator_client, case):
    coordinator_client.post(reverse("set_language"), {"language": "en"})
    html = coordinator_client.get(
        reverse("cases:case-consent-form", args=[case.pk])
    ).content.decode()
    assert "ความยินยอม" in html and "พระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล" in html


def closed_case(center, days_ago: int, tmp_path) -> Case:
    case = CaseFactory(
        center=center,
        opened_on=timezone.localdate() - datetime.timedelta(days=days_ago + 30),
        national_id=national_id(31),
        phone="0812345678",
        reg_house_no="11/2",
        reg_soi="เสรีไทย 41",
        reg_subdistrict_id="102701",
        problems="ธนาคารจะยึดบ้าน",
        birth_date=datetime.date(1940, 5, 17),
    )
    HouseholdMemberFactory(case=case, name="พี่สาว", age=82)
    IncomeSourceFactory(case=case, amount=700, note="ญาติส่งให้")
    visit = HomeVisitFactory(case=case, findings="บ้านเลขที่ 11/2", latitude=13.8, longitude=100.6)
    image, thumbnail = clean_photo(upload(phone_photo(tmp_path / "p.jpg")))
    VisitPhoto.objects.create(visit=visit, image=image, thumbnail=thumbnail)
    case.close(
        "resolved",
        by=None,
        note="ได้รับความช่วยเหลือแล้ว",
        on=timezone.localdate() - datetime.timedelta(days=days_ago),
    )
    return case


def test_anonymising_is_a_dry_run_unless_applied(settings, center, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = closed_case(center, days_ago=400, tmp_path=tmp_path)
    out = StringIO()
    call_command("anonymise_closed_cases", "--days", "365", stdout=out)
    assert f"Would anonymise {case.number}" in out.getvalue()
    case.refresh_from_db()
    assert (case.first_name, case.anonymised_on) != ("-", None) and case.anonymised_on is None


def test_anonymising_removes_what_identifies_and_keeps_what_counts(
    settings, center, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    old = closed_case(center, days_ago=400, tmp_path=tmp_path)
    recent = CaseFactory(center=center, first_name="ยังเก็บไว้")
    recent.close("resolved", by=None, note="ได้รับความช่วยเหลือแล้ว")
    photo = VisitPhoto.objects.get()
    storage, photo_files = photo.image.storage, [photo.image.name, photo.thumbnail.name]
    assert all(storage.exists(name) for name in photo_files)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("anonymise_closed_cases", "--days", "365", "--apply", stdout=StringIO())
    old.refresh_from_db()
    assert (old.first_name, old.last_name, old.national_id, old.phone) == ("-", "", "", "")
    assert (old.reg_house_no, old.reg_soi, old.problems) == ("", "", "")
    assert old.birth_date == datetime.date(1940, 1, 1) and old.birth_year_only
    assert old.reg_subdistrict_id == "102701" and old.anonymised_on == timezone.localdate()
    assert list(old.target_groups.values_list("code", flat=True)) == ["elderly"]
    member = HouseholdMember.objects.get(case=old)
    assert (member.name, member.age) == ("-", 82)
    assert IncomeSource.objects.get(case=old).amount == 700
    visit = HomeVisit.objects.get(case=old)
    assert (visit.findings, visit.latitude) == ("", None)
    assert not VisitPhoto.objects.exists()
    assert not any(storage.exists(name) for name in photo_files)
    assert not Case.history.filter(id=old.pk, first_name__startswith="ผู้ประสบปัญหา").exists()
    assert not HouseholdMember.history.filter(case_id=old.pk, name="พี่สาว").exists()
    assert AccessLog.objects.filter(action="anonymise", case_id=old.pk).count() == 1
    recent.refresh_from_db()
    assert recent.first_name == "ยังเก็บไว้"
    # A second run finds nothing more to do.
    out = StringIO()
    call_command("anonymise_closed_cases", "--days", "365", "--apply", stdout=out)
    assert "Anonymised 0 cases" in out.getvalue()


# Login and sessions


def test_five_failed_logins_lock_the_username_on_that_address_for_15_minutes(
    client, coordinator, settings
):
    for _ in range(5):
        client.post(
            reverse("login"),
            {"username": "coordinator", "password": "wrong"},
            REMOTE_ADDR="10.0.0.5",
        )
    locked = client.post(
        reverse("login"),
        {"username": "coordinator", "password": "password"},
        REMOTE_ADDR="10.0.0.5",
    )
    assert locked.status_code == 429
    assert "15 นาที" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    elsewhere = Client().post(
        reverse("login"),
        {"username": "coordinator", "password": "password"},
        REMOTE_ADDR="10.0.0.6",
    )
    assert elsewhere.status_code == 302
    assert datetime.timedelta(minutes=15) == settings.AXES_COOLOFF_TIME


def test_an_administrator_unlocks_a_locked_login(admin_client, client, coordinator):
    for _ in range(5):
        client.post(
            reverse("login"),
            {"username": "coordinator", "password": "wrong"},
            REMOTE_ADDR="10.0.0.5",
        )
    attempt = AccessAttempt.objects.get(username="coordinator")
    admin_client.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )
    unlocked = client.post(
        reverse("login"),
        {"username": "coordinator", "password": "password"},
        REMOTE_ADDR="10.0.0.5",
    )
    assert unlocked.status_code == 302


def test_sessions_last_a_working_day_and_end_with_the_browser(client, coordinator):
    response = client.post(reverse("login"), {"username": "coordinator", "password": "password"})
    assert client.session.get_expiry_age() == 8 * 60 * 60
    cookie = response.cookies["sessionid"]
    assert not cookie["expires"] and not cookie["max-age"]  # a browser-session cookie
    assert cookie["httponly"]


def test_no_browser_keeps_a_signed_in_persons_pages(coordinator_client, case):
    """A shared phone or office PC keeps nothing of them, and Back asks again."""
    for path in (reverse("cases:case-detail", args=[case.pk]), reverse("cases:case-list")):
        cache_control = coordinator_client.get(path)["Cache-Control"]
        assert {"no-store", "private"} <= set(cache_control.replace(" ", "").split(","))
    # What says how it may be kept keeps it: the app's worker is checked on each visit.
    assert coordinator_client.get("/sw.js")["Cache-Control"] == "no-cache"


def test_an_administrator_logs_a_user_out_on_every_device(admin_client, coordinator):
    phone, desk = Client(), Client()
    for device in (phone, desk):
        device.post(reverse("login"), {"username": "coordinator", "password": "password"})
        enter_backup_code(device, "coordinator")
        assert device.get(reverse("cases:case-list")).status_code == 200
    admin_client.post(
        reverse("admin:coordination_user_changelist"),
        {"action": "log_out_everywhere", "_selected_action": [coordinator.pk]},
    )
    for device in (phone, desk):
        assert device.get(reverse("cases:case-list"))["Location"].startswith(reverse("login"))
    fresh = Client()
    fresh.post(reverse("login"), {"username": "coordinator", "password": "password"})
    enter_backup_code(fresh, "coordinator")
    assert fresh.get(reverse("cases:case-list")).status_code == 200


def test_password_validators_refuse_weak_passwords(coordinator_client, coordinator):
    response = coordinator_client.post(
        reverse("password_change"),
        {"old_password": "password", "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200 and response.context["form"].errors
    coordinator.refresh_from_db()
    assert coordinator.check_password("password")


# Headers and production settings


def test_every_page_sends_the_security_headers(client):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_template_holds_an_inline_script_or_style_attribute():
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        # Every script is a file (the CSP allows no inline script): a src, nothing inside.
        for tag in re.findall(r"<script\b[^>]*>[^<]*</script>", text):
            assert re.match(r"<script\b[^>]*\ssrc=\"[^\"]+\"[^>]*></script>$", tag), (
                template,
                tag,
            )
        assert text.count("<script") == len(re.findall(r"<script\b[^>]*></script>", text)), template
        assert " style=" not in text and "onclick=" not in text, template


def test_the_deploy_check_passes_with_production_settings():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="apm.example.org",
        DATABASE_URL="postgres://apm:secret@db.example.org:5432/apm",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_redirects_to_https_behind_the_proxy():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="coordination.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x" * 60,
        DATABASE_URL="postgres://a:b@db/apm",
    )
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS >= 31536000)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "True ('HTTP_X_FORWARDED_PROTO', 'https') True True True", (
        result.stderr
    )


def test_only_the_login_health_language_password_link_and_app_files_are_public(client, db):
    from tests.test_isolation_sweep import RULES

    assert sorted(name for name, rule in RULES.items() if rule == "public") == [
        "health",
        "login",
        "password-set",
        "service-worker",
        "set_language",
        "web-manifest",
    ]
    assert client.get(reverse("health")).status_code == 200
    _ = UserFactory  # the cast is defined in conftest
