"""Text with markup is shown as text on every page: stored in every free-text column of
two centres' data, typed into every query parameter, and typed into every text box of
every form and sent. None of it reaches a page as markup, and nothing answers 500.

Many rows are written in Python for speed (`cases/templatetags/*_rows.py`,
`coordination/widgets.py`, `coordination/templatetags/quick_forms.py`,
`cases/dashboard.py`), where Django's autoescaping does not reach: this is their net.
The pages are the URLconf's app pages (`tests/test_isolation_sweep.py`; not the admin's),
so a new page is swept as soon as it exists."""

import re
from urllib.parse import quote

import pytest
import webtest.forms
from django.apps import apps
from django.db import models
from django.db.models import Value
from django.db.models.functions import Cast, Concat
from django.test import override_settings
from django.urls import reverse

from tests.module_data import assert_in_own_savepoint, built_once
from tests.test_isolation_sweep import APP_ROUTES, POST_ONLY, RULES, World, build_world

# Opens a tag and closes an attribute either way: shown raw, it is markup on the page.
# After the quote a "~", which no token of the page has: '"zq' alone was found in a CSRF
# token's value="zq…" (one page in 3,844), a failure of a fresh-clone run.
MARKUP = "<zz\"z~q'"
RAW = re.compile(r'<zz|"z~q')

# Columns whose values are not free text: checked formats (an ID, a code, a username) or
# values the app writes itself (a case number, a file's name and hash).
NOT_FREE_TEXT = {
    "national_id", "password", "username", "email", "number", "prefix_other",
    "reg_postal_code", "cur_postal_code", "postal_codes", "file_sha256", "image",
    "document", "submission_token", "history_change_reason", "session_key",
}  # fmt: skip
# The access log refuses changes (its trigger); what it holds is written by the app.
UNCHANGED_MODELS = {"coordination.AccessLog"}

# Every list filter's and page's parameter (the filters in cases/filters.py,
# volunteers/filters.py, coordination/filters.py; the worklist's tabs and pages).
PARAMETERS = [
    "q", "status", "priority", "team", "target_group", "volunteer", "subdistrict",
    "sort", "overdue", "unassigned", "opened_from", "closed_from", "visited_from",
    "visited_to", "fiscal_year", "kind", "inactive", "month", "page", "show", "rule",
    "visit", "next", "visit_page", "event_page", "referral_page", "need_page", "format",
]  # fmt: skip


def write_markup_everywhere() -> None:
    """Every free-text column of the app's tables: the markup, then the row's id."""
    for model in apps.get_models():
        if model._meta.app_label not in ("cases", "coordination", "volunteers"):
            continue
        if model._meta.label in UNCHANGED_MODELS:
            continue
        columns = {
            field.name: Concat(Value(MARKUP), Cast("pk", models.CharField()))
            for field in model._meta.concrete_fields
            if isinstance(field, (models.CharField, models.TextField))
            and not field.choices
            and not field.primary_key
            and field.name not in NOT_FREE_TEXT
            and (field.max_length or 100) >= len(MARKUP) + 10
        }
        if columns:
            model._base_manager.update(**columns)


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("markup-media")

    def build() -> World:
        world = build_world(media)
        write_markup_everywhere()
        return world

    with override_settings(MEDIA_ROOT=media), built_once(django_db_blocker, build) as world:
        yield world


@pytest.fixture
def world(db, module_world) -> World:
    assert_in_own_savepoint()  # what a test's forms send is rolled back after it
    return module_world


def who_opens(rule: str, world: World):
    return world.users["volunteer_on_team" if rule == "volunteer" else "coordinator"]


def assert_no_markup(response, where: str) -> None:
    assert response.status_code < 500, (where, response.status_code)
    if "text/html" not in response.headers.get("Content-Type", ""):
        return  # a photo, a file, the address pickers' JSON
    found = [
        response.text[max(0, m.start() - 80) : m.end() + 20] for m in RAW.finditer(response.text)
    ]
    assert not found, (where, found[:3])


# What a person types into: text boxes, text areas, and the inputs webtest has no class
# for (dates, numbers, phone numbers).
TYPED = (webtest.forms.Text, webtest.forms.Textarea, webtest.forms.Email, webtest.forms.Field)

# The app's pages (the admin's escaping is Django's own); the public ones show no data.
PAGES = [name for name in APP_ROUTES if name not in POST_ONLY and RULES[name] != "public"]


@pytest.mark.parametrize("name", PAGES)
def test_stored_and_typed_markup_is_shown_as_text(app, world, name):
    user = who_opens(RULES[name], world)
    url = reverse(name, args=world.args.get(name, []))
    page = app.get(url, user=user, status="*", auto_follow=True)
    assert_no_markup(page, url)
    typed = url + "?" + "&".join(f"{key}={quote(MARKUP)}" for key in PARAMETERS)
    assert_no_markup(app.get(typed, user=user, status="*", auto_follow=True), typed)

    for form in page.forms.values() if "text/html" in page.content_type else []:
        if form.method.lower() != "post" or "logout" in (form.action or ""):
            continue
        for field_name, fields in form.fields.items():
            for index, field in enumerate(fields):
                if type(field) in TYPED:  # not hidden, not a choice, not a file
                    form.set(field_name, MARKUP, index=index)
        answer = form.submit(status="*")
        if answer.status_int in (301, 302):
            answer = answer.follow(status="*")
        assert_no_markup(answer, f"{url}: the form to {form.action or url}")
