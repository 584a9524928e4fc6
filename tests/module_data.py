"""Data built once for a module's tests, each test still on its own."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.db import connection, transaction
from django.test import override_settings

T = TypeVar("T")


@contextmanager
def built_once(django_db_blocker, build: Callable[[], T]) -> Iterator[T]:
    """`build()` inside a transaction left open across the module's tests and rolled back
    after the last. Each test that asks for `db` runs in a savepoint inside it (pytest-django
    wraps it in Django's TestCase atomics), rolled back after the test: what one test
    writes (a POST closing the case) is gone before the next, whatever their order.
    Passwords are hashed as in every test (`fast_password_hasher` is function-scoped, not
    on yet here): Django's own hasher was 5 s of the suite's CPU in these worlds."""
    from tests.conftest import FAST_HASHERS

    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = build()
        except BaseException:
            outer.__exit__(None, None, None)
            raise
    try:
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def assert_in_own_savepoint() -> None:
    """The module's transaction and the test's own atomic blocks, at least."""
    assert len(connection.atomic_blocks) > 1, "the test is not in a savepoint of its own"
