"""Every page with a form renders each form whole, hidden fields and management forms
included: a field the template forgets fails here, before it fails a person."""

import pytest
from django.urls import reverse

from cases.models import Case
from tests.factories import HomeVisitFactory, ReferralFactory
from tests.forms.rendered import assert_rendered_whole
from tests.test_isolation_sweep import APP_ROUTES


@pytest.fixture
def visit(case, volunteer_on_team):
    visit = HomeVisitFactory(case=case, center=case.center, author=volunteer_on_team.user)
    visit.volunteers.add(volunteer_on_team)
    return visit


# (URL name, its arguments from the cast, the forms it must render whole), as the coordinator
COORDINATOR_PAGES = [
    ("cases:case-list", lambda f: [], {"form", "export"}),
    ("cases:case-create", lambda f: [], {"form", "household", "incomes", "debts"}),
    ("cases:case-detail", lambda f: [f.case.pk], {"status_form", "close_form"}),
    ("cases:case-edit", lambda f: [f.case.pk], {"form", "household", "incomes", "debts"}),
    ("cases:case-assign", lambda f: [f.case.pk], {"form"}),
    ("cases:followup-list", lambda f: [], {"form", "export"}),
    ("cases:visit-create", lambda f: [f.case.pk], {"form", "incomes"}),
    ("cases:visit-edit", lambda f: [f.visit.pk], {"form", "incomes"}),
    ("volunteers:volunteer-list", lambda f: [], {"form", "export"}),
    ("volunteers:volunteer-create", lambda f: [], {"form"}),
    ("volunteers:volunteer-detail", lambda f: [f.volunteer.pk], {"status_form"}),
    ("volunteers:volunteer-edit", lambda f: [f.volunteer.pk], {"form"}),
    ("volunteers:team-create", lambda f: [], {"form"}),
    ("volunteers:team-add-member", lambda f: [f.team.pk], {"form"}),
    ("password_change", lambda f: [], {"form"}),
    ("cases:assistance-create", lambda f: [f.case.pk], {"form"}),
    ("cases:case-plan", lambda f: [f.case.pk], {"goals", "actions"}),
    ("cases:conference-create", lambda f: [], {"form", "attendees", "decisions"}),
    ("cases:referral-create", lambda f: [f.case.pk], {"form"}),
    ("cases:referral-detail", lambda f: [f.referral.pk], {"status_form"}),
    ("coordination:agency-list", lambda f: [], {"form"}),
    ("coordination:agency-create", lambda f: [], {"form"}),
    ("cases:visit-list", lambda f: [], {"form"}),
    ("cases:referral-list", lambda f: [], {"form", "export"}),
    ("cases:assistance-list", lambda f: [], {"form", "export"}),
    # The cast's case, 80 and over with no allowance recorded, is flagged: a flag to dismiss.
    ("cases:case-allowance-dismiss", lambda f: [f.case.pk], {"form"}),
    ("volunteers:volunteer-import", lambda f: [], {"form"}),
    ("cases:case-import", lambda f: [], {"form"}),
    ("cases:missed-allowance-list", lambda f: [], {"export"}),
]
# Where the other pages' forms stand: each URL of the app is one of these or above.
WHOLE_ELSEWHERE = {
    "login": "tests/forms/test_account.py (an anonymous page)",
    "password-set": "tests/forms/test_volunteer_login.py (an anonymous page, a link's)",
    "volunteers:volunteer-account": "tests/forms/test_volunteer_login.py (a volunteer without one)",
    # Met between the password and the code, which webtest's login skips.
    "login-code": "tests/forms/test_two_factor.py (after the password)",
    "two-factor-enrol": "tests/forms/test_two_factor.py (after the password)",
    "cases:case-merge-undo": "tests/forms/test_case_lifecycle.py (a merged duplicate's page)",
    "coordination:agency-edit": "tests/forms/test_agencies.py (the agency of a test)",
}
POSTED_TO_FROM_PAGES_ABOVE = {
    "cases:case-bulk-assign", "cases:case-status", "cases:case-close", "cases:case-reopen",
    "volunteers:volunteer-status",
    "volunteers:team-end-membership", "volunteers:team-make-leader",
    "logout", "set_language",  # every page's menu
    # The referral page's status and outcome forms; the case page's and the worklist's
    # dismiss forms (tests/forms/test_referrals.py submits each as rendered).
    "cases:referral-status", "cases:referral-outcome-read", "cases:visit-referral-dismiss",
    "coordination:agency-deactivate", "coordination:agency-reactivate",  # the agency's page
    "volunteers:volunteer-import-confirm",  # from the import's preview (tests/forms/test_volunteer_import.py)
    "cases:case-import-confirm",  # from the import's preview (tests/forms/test_case_import.py)
}  # fmt: skip
WITHOUT_A_FORM = {
    "home", "health", "place-options", "password_change_done", "coordination:dashboard",
    "cases:my-cases", "cases:visit-detail", "cases:visit-photo", "cases:case-export",
    "cases:case-print", "cases:case-changes", "cases:case-consent-form", "volunteers:team-list",
    "volunteers:my-profile", "cases:referral-letter",
    # Its month chooser is a plain GET input, not a Django form; tested in test_monthly_report.
    "coordination:report-monthly",
    "volunteers:volunteer-import-template", "cases:case-import-template",
    "service-worker", "web-manifest", "offline-pages",  # the installable app's files
    "cases:conference-list", "cases:conference-detail",
    "coordination:agency-detail",  # its buttons post to deactivate / reactivate
    # Its buttons post to make-leader / end-membership; adding is on team-add-member.
    "volunteers:team-detail",
}  # fmt: skip


class Cast:
    def __init__(self, case, visit, volunteer, team) -> None:
        self.case, self.visit, self.volunteer, self.team = case, visit, volunteer, team

    @property
    def referral(self):
        return ReferralFactory(case=self.case, visit=self.visit)


@pytest.mark.parametrize(
    ("url_name", "args", "expected"), COORDINATOR_PAGES, ids=[page[0] for page in COORDINATOR_PAGES]
)
def test_a_coordinators_page_renders_each_of_its_forms_whole(
    app, coordinator, case, visit, volunteer_on_team, team, url_name, args, expected
):
    cast = Cast(case, visit, volunteer_on_team, team)
    response = app.get(reverse(url_name, args=args(cast)), user=coordinator)
    assert_rendered_whole(response, *expected, skip={"confirm_different_person"})
    # A formset's "Add a row" button stays hidden until js/formset.js shows it: the plan
    # and conference pages forgot the script, and offered one new row at a time.
    if "data-formset-add" in response.text:
        assert "js/formset.js" in response.text


def test_a_closed_cases_page_renders_its_reopen_form_whole(app, coordinator, case):
    case.close(Case.ClosureReason.RESOLVED, by=coordinator, note="ได้รับความช่วยเหลือแล้ว")
    response = app.get(reverse("cases:case-detail", args=[case.pk]), user=coordinator)
    assert_rendered_whole(response, "reopen_form")


@pytest.mark.parametrize("url_name", ["cases:visit-create", "cases:visit-edit"])
def test_a_volunteers_visit_pages_render_their_forms_whole(
    app, case, visit, volunteer_on_team, url_name
):
    target = case if url_name == "cases:visit-create" else visit
    response = app.get(reverse(url_name, args=[target.pk]), user=volunteer_on_team.user)
    assert_rendered_whole(response, "form", "incomes")


def test_every_page_of_the_app_is_swept_here_or_says_why_not():
    swept = {name for name, _args, _forms in COORDINATOR_PAGES}
    known = swept | set(WHOLE_ELSEWHERE) | POSTED_TO_FROM_PAGES_ABOVE | WITHOUT_A_FORM
    assert set(APP_ROUTES) - known == set(), "a new page: sweep its forms here"
    assert known - set(APP_ROUTES) == set(), "a page named here no longer exists"
