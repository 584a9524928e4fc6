"""A case's row is locked before its household's and incomes' rows, whoever writes them:
its edit page (Case.save_checked, then the rows) and a visit's page (VisitIncomeRows:
Case.move_on, then the rows) saving at the same moment wait for each other instead of
deadlocking (PostgreSQL would end one of them with an error, a 500 for its user)."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction

from cases.forms import VisitIncomeFormSet
from cases.models import Case, IncomeSource
from tests.factories import CaseFactory, IncomeSourceFactory


def visit_page_data(income: IncomeSource, amount: str) -> dict[str, str]:
    """A visit page's incomes as a browser posts them, with the values it showed."""
    return {
        "incomes-TOTAL_FORMS": "1", "incomes-INITIAL_FORMS": "1",
        "incomes-MIN_NUM_FORMS": "0", "incomes-MAX_NUM_FORMS": "1000",
        "incomes-0-id": str(income.pk), "incomes-0-kind": income.kind,
        "incomes-0-amount": amount, "incomes-0-note": "",
        "initial-incomes-0-kind": income.kind, "initial-incomes-0-amount": str(income.amount),
        "initial-incomes-0-note": "",
    }  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_an_edit_and_a_visits_incomes_saved_at_once_wait_for_each_other():
    case = CaseFactory()
    income = IncomeSourceFactory(case=case, center=case.center, amount=Decimal("700"))
    edit_has_the_case = threading.Event()
    errors: list[BaseException] = []

    def edit_page() -> None:
        try:
            with transaction.atomic():
                saving = Case.objects.get(pk=case.pk)
                saving.save_checked(saving.version, by=None)  # the case's row, locked
                edit_has_the_case.set()
                time.sleep(0.5)  # the visit's save starts meanwhile
                IncomeSource.objects.filter(pk=income.pk).update(amount=Decimal("750"))
        except BaseException as error:  # noqa: BLE001 — reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    def visit_page() -> None:
        try:
            edit_has_the_case.wait(timeout=10)
            with transaction.atomic():
                rows = VisitIncomeFormSet(
                    visit_page_data(income, "800"),
                    instance=Case.objects.get(pk=case.pk),
                    prefix="incomes",
                )
                assert rows.is_valid(), rows.errors
                rows.save()
        except BaseException as error:  # noqa: BLE001 — reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=edit_page), threading.Thread(target=visit_page)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    # The visit waited for the edit, then found the row changed since its page showed
    # 700: the edit's 750 stays (VisitIncomeRows.overtaken), not overwritten by a check
    # made before the wait. Each moved the case on.
    assert IncomeSource.objects.get(pk=income.pk).amount == Decimal("750.00")
    assert Case.objects.get(pk=case.pk).version == case.version + 2
