"""The demo copied back (tests/conftest.py, DemoCopy) is the demo `loaddemo` wrote: every
row of every table, the reference tables included."""

import pytest
from django.conf import settings as django_settings
from django.db import DEFAULT_DB_ALIAS, connection

from cases.models import Case
from coordination.models import User
from tests import conftest


def every_table() -> dict[str, str]:
    """Each table's rows, as a fingerprint (ids included); not the data stamps, which
    count the transactions that wrote them (coordination.DataStamp)."""
    seed = conftest.demo_copy.seed
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    tables = [table for table in tables if table != "coordination_datastamp"]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(seed.fingerprint(table) for table in tables))
        return dict(cursor.fetchall())


@pytest.mark.django_db(transaction=True)
def test_the_demo_copied_back_is_the_demo_loaddemo_wrote(settings):
    settings.DEBUG = True
    copy = conftest.demo_copy
    copy.day = None  # the command itself this time, and a new copy of what it wrote
    conftest.load_demo()
    written = every_table()
    assert Case.objects.count() > 50 and User.objects.filter(username="coordinator").exists()
    assert copy.copies and copy.seed.dirty(DEFAULT_DB_ALIAS)

    copy.seed.empty(DEFAULT_DB_ALIAS)
    assert not Case.objects.exists()
    conftest.load_demo()  # copied back
    assert every_table() == written
    assert django_settings.DEBUG


@pytest.mark.django_db(transaction=True)
def test_a_database_with_rows_of_its_own_gets_the_command_not_the_copy(settings, other_center):
    """A test that made rows before asking for the demo: the copy could clash with them,
    so the command runs, and the copy kept is still the demo alone."""
    settings.DEBUG = True
    copy = conftest.demo_copy
    copy.day = None
    conftest.load_demo()
    assert Case.objects.filter(center__district_id="1027").exists()
    assert copy.day is None and other_center.pk  # no copy made of the demo and this centre
