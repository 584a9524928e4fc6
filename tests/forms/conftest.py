"""Forms as a person submits them: django-webtest fetches the page, fills the form as
rendered and posts only what the page would post, CSRF token included."""

import pytest
from django_webtest import DjangoTestApp


@pytest.fixture
def app(django_app):
    """A browser without JavaScript: `app.get(url, user=...)` logs the user in."""
    return django_app


@pytest.fixture
def second_app(app):
    """Another browser with its own cookies: a second person at work at the same time."""
    return DjangoTestApp()
