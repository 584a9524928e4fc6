"""Every main page is valid HTML by the Nu HTML Checker (vnu-jar from npm, on Java).

The pages are fetched as a coordinator and as a volunteer, written to files, and checked
in one run of vnu: starting Java once keeps this a few seconds, however many pages.
Outside CI the test is skipped, saying why, when Java or vnu.jar is missing; in CI
(CI=true) it fails instead, so a machine without them cannot pass by skipping.
"""

import datetime
import json
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files import File
from django.urls import reverse

from cases.models import Assistance, CaseConference, PlanAction, PlanGoal, VisitPhoto
from coordination.accounts import password_link_path
from tests.factories import (
    CaseFactory,
    HomeVisitFactory,
    HouseholdMemberFactory,
    IncomeSourceFactory,
    ReferralFactory,
    UserFactory,
    VolunteerFactory,
)
from tests.images import phone_photo

VNU_JAR = (
    Path(__file__).resolve().parents[1] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
)


def vnu_command() -> list[str]:
    java = shutil.which("java")
    missing = [
        what
        for what, present in [
            ("java (apt: default-jre-headless)", java),
            ("vnu.jar (npm ci)", VNU_JAR.exists()),
        ]
        if not present
    ]
    if missing:
        reason = "HTML validation needs " + " and ".join(missing)
        if os.environ.get("CI") == "true":
            pytest.fail(reason + "; CI must install them (.ci/run)")
        pytest.skip(reason)
    return [str(java), "-Xss8m", "-jar", str(VNU_JAR), "--errors-only", "--format", "json"]


@pytest.fixture
def pages(db, center, coordinator, team, client, tmp_path, settings):
    """Coordinator's and volunteer's main pages, each saved under its own name."""
    user = UserFactory(username="volunteer-user", center=center, role="volunteer")
    volunteer = VolunteerFactory(center=center, user=user, first_name="สมศรี")
    membership = volunteer.join_team(team)
    case = CaseFactory(center=center, team=team)
    HouseholdMemberFactory(case=case)
    IncomeSourceFactory(case=case)
    visit = HomeVisitFactory(case=case, author=user)
    # A photo: the visit's pages and its correction page (its box to remove it) show it.
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media").mkdir()
    with phone_photo(tmp_path / "media" / "p.jpg", size=(40, 30)).open("rb") as handle:
        VisitPhoto.objects.create(visit=visit, image=File(handle, name="p.jpg"))
    closed = CaseFactory(center=center, team=team)
    closed.close("resolved", by=None, note="ได้รับความช่วยเหลือแล้ว")
    # A plan, assistance and a conference, so that their sections and pages have rows.
    PlanGoal.objects.create(case=case, text="ยายยังมีบ้านอยู่")
    conference = CaseConference.objects.create(
        center=center, held_on=datetime.date(2026, 1, 5), place="ศูนย์", created_by=coordinator
    )
    conference.cases.add(case)
    PlanAction.objects.create(
        case=case, what="พาไปพบทนาย", owner_team=team, due_on=datetime.date(2026, 1, 9),
        conference=conference,
    )  # fmt: skip
    Assistance(
        case=case, kind="goods", amount=Decimal(500), given_on=datetime.date(2026, 1, 5)
    ).record(by=coordinator)
    # The case's referral section and the worklist's tab with a row of each kind.
    referral = ReferralFactory(case=case)
    answered = ReferralFactory(case=case, agency=referral.agency)
    answered.change_status("declined", by=None, on=answered.sent_on, outcome="ไม่อยู่ในเขต")
    HomeVisitFactory(case=case, author=user, referral_needed=True)
    as_coordinator = [
        ("dashboard", reverse("coordination:dashboard")),
        ("case-list", reverse("cases:case-list")),
        ("case-list-filtered", reverse("cases:case-list") + "?status=intake&q=ทดสอบ"),
        ("case-create", reverse("cases:case-create")),
        ("case-detail", reverse("cases:case-detail", args=[case.pk])),
        ("case-detail-closed", reverse("cases:case-detail", args=[closed.pk])),
        ("case-edit", reverse("cases:case-edit", args=[case.pk])),
        ("case-assign", reverse("cases:case-assign", args=[case.pk])),
        ("case-print", reverse("cases:case-print", args=[case.pk])),
        ("case-changes", reverse("cases:case-changes", args=[case.pk])),
        ("consent-form", reverse("cases:case-consent-form", args=[case.pk])),
        ("followups", reverse("cases:followup-list")),
        ("followups-referrals", reverse("cases:followup-list") + "?show=referrals"),
        ("referral-create", reverse("cases:referral-create", args=[case.pk])),
        ("referral-detail", reverse("cases:referral-detail", args=[referral.pk])),
        ("referral-letter", reverse("cases:referral-letter", args=[referral.pk])),
        ("visit-detail", reverse("cases:visit-detail", args=[visit.pk])),
        ("volunteer-list", reverse("volunteers:volunteer-list")),
        ("volunteer-import", reverse("volunteers:volunteer-import")),
        ("volunteer-create", reverse("volunteers:volunteer-create")),
        ("volunteer-detail", reverse("volunteers:volunteer-detail", args=[volunteer.pk])),
        ("volunteer-edit", reverse("volunteers:volunteer-edit", args=[volunteer.pk])),
        ("team-list", reverse("volunteers:team-list")),
        ("team-create", reverse("volunteers:team-create")),
        ("team-detail", reverse("volunteers:team-detail", args=[team.pk])),
        ("team-add-member", reverse("volunteers:team-add-member", args=[team.pk])),
        ("password-change", reverse("password_change")),
        ("visit-list", reverse("cases:visit-list") + "?visited_from=2025-11-01"),
        ("referral-list", reverse("cases:referral-list") + "?status=open"),
        ("assistance-list", reverse("cases:assistance-list") + "?fiscal_year=2569"),
        ("missed-allowances", reverse("cases:missed-allowance-list")),
        ("allowance-dismiss", reverse("cases:case-allowance-dismiss", args=[case.pk])),
        ("report-monthly", reverse("coordination:report-monthly") + "?month=2562-04"),
        (
            "volunteer-account-give",
            reverse("volunteers:volunteer-account", args=[VolunteerFactory(center=center).pk]),
        ),
        ("assistance-create", reverse("cases:assistance-create", args=[case.pk])),
        ("case-plan", reverse("cases:case-plan", args=[case.pk])),
        ("conference-list", reverse("cases:conference-list")),
        ("conference-create", reverse("cases:conference-create")),
        ("conference-detail", reverse("cases:conference-detail", args=[conference.pk])),
    ]
    confirmations = [
        (
            "confirm-removal",
            reverse("volunteers:team-end-membership", args=[team.pk, membership.pk]),
            {},
        ),
        (
            "confirm-close",
            reverse("cases:case-close", args=[case.pk]),
            {"close-reason": "moved", "close-note": "ย้ายออก"},
        ),
        (
            "confirm-leaving",
            reverse("volunteers:volunteer-status", args=[volunteer.pk]),
            {"status": "left"},
        ),
        (
            "confirm-bulk-assign",
            reverse("cases:case-bulk-assign"),
            {"team": team.pk, "cases": [case.pk, closed.pk]},
        ),
        # Issues a link: the page with the link and its QR code.
        (
            "volunteer-account-link",
            reverse(
                "volunteers:volunteer-account",
                args=[VolunteerFactory(center=center, user=UserFactory(center=center)).pk],
            ),
            {"action": "new_link"},
        ),
    ]
    as_volunteer = [
        ("my-cases", reverse("cases:my-cases")),
        ("volunteer-case-detail", reverse("cases:case-detail", args=[case.pk])),
        ("visit-create", reverse("cases:visit-create", args=[case.pk])),
        ("visit-edit", reverse("cases:visit-edit", args=[visit.pk])),
        ("volunteer-visit-detail", reverse("cases:visit-detail", args=[visit.pk])),
    ]
    saved: dict[Path, str] = {}

    def save(name: str, response) -> None:
        assert response.status_code == 200, (name, response.status_code)
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        saved[path] = name

    save("login", client.get(reverse("login")))
    other = UserFactory(username="newcomer", center=center, role="volunteer")
    save("password-set", client.get(password_link_path(other)))
    save("password-set-refused", client.get(reverse("password-set", args=["MQ", "x-y"])))
    client.force_login(coordinator)
    for name, url in as_coordinator:
        save(name, client.get(url))
    for name, url, data in confirmations:
        save(name, client.post(url, data))
    client.force_login(user)
    for name, url in as_volunteer:
        save(name, client.get(url))
    return saved


def test_the_main_pages_are_valid_html(pages):
    command = vnu_command()
    result = subprocess.run(
        [*command, *map(str, pages)], capture_output=True, text=True, timeout=300, check=False
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [
        f"{pages[Path(m['url'].removeprefix('file:'))]}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] == "error"
    ]
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors)


def test_the_checker_finds_an_error_when_there_is_one(tmp_path):
    """The check above cannot pass by reading nothing."""
    command = vnu_command()
    page = tmp_path / "broken.html"
    page.write_text(
        '<!doctype html><html lang="th"><title>x</title><span><form></form></span>'
        '<p id="a"></p><p id="a"></p>',
        encoding="utf-8",
    )
    result = subprocess.run([*command, str(page)], capture_output=True, text=True, check=False)
    errors = [m for m in json.loads(result.stderr)["messages"] if m["type"] == "error"]
    assert len(errors) >= 2
