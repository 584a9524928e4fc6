"""A request's user is read with their centre, their roles and their own volunteer row
(coordination.backends.UserBackend): every page asks for them, and none of them is a
query of its own."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_a_page_names_the_users_centre_without_a_query_for_it(client, volunteer_on_team, center):
    # A volunteer: a password is all their login asks (a coordinator's asks a code too).
    login = {"username": volunteer_on_team.user.username, "password": "password"}
    response = client.post(reverse("login"), login)
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == "coordination.backends.UserBackend"
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("password_change"))
    assert page.status_code == 200
    assert f'class="navbar-brand" href="/">{center.name}</a>' in page.content.decode()
    read = [q["sql"] for q in queries.captured_queries]
    assert not [sql for sql in read if sql.startswith('SELECT "coordination_center"')], read


def test_a_user_closed_since_is_logged_out_on_the_next_page(coordinator_client, coordinator):
    coordinator.is_active = False
    coordinator.save(update_fields=["is_active"])
    response = coordinator_client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_page_reads_the_users_roles_and_volunteer_row_with_the_user(
    client, volunteer_on_team, center, team
):
    case = CaseFactory(center=center, team=team)
    login = {"username": volunteer_on_team.user.username, "password": "password"}
    assert client.post(reverse("login"), login).status_code == 302
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("cases:my-cases"))
    assert [c.pk for c in page.context["page_obj"]] == [case.pk]
    read = [q["sql"] for q in queries.captured_queries]
    users = [sql for sql in read if 'FROM "coordination_user"' in sql]
    assert len(users) == 1 and '"auth_group"' in users[0] and '"volunteers_volunteer"' in users[0]
    assert not [sql for sql in read if sql.startswith('SELECT "auth_group"')], read
    assert not [sql for sql in read if sql.startswith('SELECT "volunteers_volunteer"')], read


def test_roles_are_read_afresh_on_each_page(coordinator_client, coordinator):
    assert coordinator_client.get(reverse("cases:case-list")).status_code == 200
    coordinator.groups.remove(Group.objects.get(name="coordinator"))
    assert coordinator_client.get(reverse("cases:case-list")).status_code == 403
    coordinator.groups.add(Group.objects.get(name="coordinator"))
    assert coordinator_client.get(reverse("cases:case-list")).status_code == 200
