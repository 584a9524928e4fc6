"""Parts of pages kept as HTML (`{% keep %}`, coordination/templatetags/keep.py): a kept
form posts with the token of the request that served it, no token is ever kept, a
request that posts is never served nor keeps a kept part, and the menu is each user's.

Transactional tests: a page keeps only outside a transaction, and the data stamps move
when a transaction commits."""

from __future__ import annotations

import datetime
import pickle
import re

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe

from cases.models import Case
from coordination.models import User
from coordination.templatetags.keep import TOKEN
from tests.factories import CaseFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')


@pytest.fixture(autouse=True)
def nothing_kept():
    cache.clear()
    yield
    cache.clear()


def kept_html() -> list[str]:
    """Every piece of HTML the cache holds (settings.CACHES: this process's memory)."""
    values = [pickle.loads(value) for value in cache._cache.values()]
    return [value for value in values if isinstance(value, str)]


def overdue_case(center, team) -> Case:
    return CaseFactory(
        center=center, team=team, next_visit_due=datetime.date.today() - datetime.timedelta(days=3)
    )


def test_a_form_on_a_kept_page_posts_with_the_token_of_the_request_that_served_it(
    django_app, coordinator, center, team
):
    case = overdue_case(center, team)
    other = TeamFactory(center=center, name="ทีมรับช่วง")
    url = reverse("cases:followup-list") + "?show=overdue"
    assign = reverse("cases:case-assign", args=[case.pk])
    written = django_app.get(url, user=coordinator)
    with CaptureQueriesContext(connection) as queries:
        served = django_app.get(url, user=coordinator)
    assert not any('FROM "cases_case"' in q["sql"] for q in queries.captured_queries)
    tokens = TOKEN_INPUT.findall(served.text)
    assert tokens and TOKEN not in tokens and TOKEN not in served.text
    assert set(tokens) != set(TOKEN_INPUT.findall(written.text))  # each response its own

    form = next(f for f in served.forms.values() if f.action == assign)
    form["team"] = str(other.pk)
    answer = form.submit()  # django-webtest checks the CSRF token
    assert answer.status_int == 302
    case.refresh_from_db()
    assert case.team_id == other.pk


def test_no_token_is_ever_kept(coordinator_client, center, team):
    case = overdue_case(center, team)
    for url in (
        reverse("coordination:dashboard"),
        reverse("cases:followup-list") + "?show=overdue",
        reverse("cases:case-detail", args=[case.pk]),
        reverse("cases:case-list"),
    ):
        served = coordinator_client.get(url)
        assert served.status_code == 200 and TOKEN_INPUT.search(served.content.decode()), url
    kept = "".join(kept_html())
    assert set(TOKEN_INPUT.findall(kept)) == {TOKEN}


def test_a_post_neither_keeps_nor_is_served_what_was_kept(django_app, coordinator, center, team):
    """The export form posted for full IDs without a reason shows its error; the list
    read before and after it shows the form as it is, and nothing of the error is kept."""
    CaseFactory(center=center, team=team)
    url = reverse("cases:case-list")
    with translation.override("th"):  # the pages' language
        error = translation.gettext("Say why the full national ID numbers are needed.")
    before = django_app.get(url, user=coordinator)
    export = next(f for f in before.forms.values() if "export-full_ids" in f.fields)
    export["export-full_ids"] = True
    posted = export.submit()
    assert posted.status_int == 200 and error in posted.text
    assert 'id="export" open' in posted.text
    after = django_app.get(url, user=coordinator).text
    assert error not in after and 'id="export" open' not in after
    assert not any(error in html or 'id="export" open' in html for html in kept_html())


def test_the_menu_is_each_users_own_and_shows_a_new_name(client, coordinator, center):
    colleague = UserFactory(center=center, role="coordinator", first_name="เพื่อนร่วมงาน")
    page = reverse("cases:case-list")
    client.force_login(coordinator)
    mine = client.get(page).content.decode()
    theirs = Client()
    theirs.force_login(colleague)
    assert "เพื่อนร่วมงาน" in theirs.get(page).content.decode()
    assert "เพื่อนร่วมงาน" not in mine
    User.objects.filter(pk=coordinator.pk).update(first_name="ชื่อใหม่ของฉัน")
    assert "ชื่อใหม่ของฉัน" in client.get(page).content.decode()


def test_a_keep_names_its_part():
    for wrong in ("{% keep %}", "{% keep name %}", '{% keep "a" somewhere %}'):
        with pytest.raises(TemplateSyntaxError):
            Template("{% load keep %}" + wrong + "{% endkeep %}").render(Context())


def test_outside_a_request_a_kept_part_is_written():
    assert Template('{% load keep %}{% keep "a" %}ข{% endkeep %}').render(Context()) == "ข"


def test_a_part_that_would_keep_a_real_token_is_refused(rf, coordinator):
    """A form written apart from the part's own context (a view's render_to_string) has
    the request's token: it is never kept."""
    request = rf.get("/")
    request.user = coordinator
    written = Template('{% load keep %}{% keep "a" %}{{ form }}{% endkeep %}')
    form = mark_safe('<input type="hidden" name="csrfmiddlewaretoken" value="real-one">')
    with pytest.raises(ImproperlyConfigured):
        written.render(Context({"request": request, "form": form}))


def test_a_request_refused_before_its_user_is_read_gets_its_error_page():
    """A bad Host header is refused before the user is read: the 400 page, never a 500."""
    response = Client(raise_request_exception=False).get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
