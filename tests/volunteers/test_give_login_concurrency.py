"""Two coordinators giving the same volunteer a login at the same moment: one account,
linked once; the other is told the volunteer has one, and leaves no account behind."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from coordination.models import User
from tests.factories import CenterFactory, VolunteerFactory
from volunteers.models import Volunteer


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_giving_one_volunteer_a_login_at_once_make_one_account():
    volunteer = VolunteerFactory(center=CenterFactory(), first_name="มาลี")
    both_ready = threading.Barrier(2, timeout=20)
    given: list[str] = []
    refused: list[str] = []
    errors: list[BaseException] = []

    def give(username: str) -> None:
        try:
            both_ready.wait()  # both press at once, each on a page opened before the other
            account = Volunteer.objects.get(pk=volunteer.pk).give_login(username, request=None)
            given.append(account.username)
        except ValidationError as error:
            refused.append(" ".join(error.messages))
        except BaseException as error:  # noqa: BLE001 — reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=give, args=(name,)) for name in ("malee-a", "malee-b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors
    assert len(given) == 1 and len(refused) == 1
    assert refused == ["อพม. คนนี้มีบัญชีเข้าระบบแล้ว"]
    volunteer.refresh_from_db()
    assert volunteer.user is not None and volunteer.user.username == given[0]
    # The refused one created nothing: no account of the volunteer's centre without owner.
    assert (
        list(User.objects.filter(username__startswith="malee-").values_list("username", flat=True))
        == given
    )
