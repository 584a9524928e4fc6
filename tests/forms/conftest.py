"""Forms as a person submits them: django-webtest fetches the page, fills the form as
rendered and posts only what the page would post, CSRF token included."""

import pytest


@pytest.fixture
def app(django_app):
    """A browser without JavaScript: `app.get(url, user=...)` logs the user in."""
    return django_app
