"""Two coordinators registering cases at the same moment never get the same number."""

import datetime
import threading

import pytest
from django.db import connection, transaction

from cases.models import Case
from tests.factories import CaseFactory, CenterFactory


@pytest.mark.django_db(transaction=True)
def test_two_transactions_creating_cases_at_once_get_consecutive_numbers():
    center = CenterFactory(district_id="1027")
    CaseFactory(center=center, opened_on=datetime.date(2025, 11, 1))  # the counter row exists
    both_inside = threading.Barrier(2, timeout=20)
    first_done = threading.Event()
    numbers: list[str] = []
    errors: list[BaseException] = []

    def create(hold: bool) -> None:
        try:
            with transaction.atomic():
                both_inside.wait()  # both transactions are open before either numbers
                case = CaseFactory.build(center=center, opened_on=datetime.date(2025, 11, 2))
                case.save()
                numbers.append(case.number)
                if hold:
                    # Keep the counter locked a moment: the other transaction must wait.
                    first_done.wait(timeout=0.5)
        except BaseException as error:  # noqa: BLE001 — reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(hold,)) for hold in (True, False)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert sorted(numbers) == ["1027-2568-0002", "1027-2568-0003"]
    assert Case.objects.filter(center=center).count() == 3
