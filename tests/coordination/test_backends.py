"""A request's user is read with their centre (coordination.backends.UserBackend): every
page names the centre in its menu bar, and that is no query of its own."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

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
