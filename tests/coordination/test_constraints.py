"""A model's check constraints are validated in one query, saying what Django says."""

import logging
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, models
from django.db.models import F, Value
from django.test.utils import CaptureQueriesContext

from cases import barthel
from cases.models import Case
from coordination.constraints import ChecksInOneQuery
from tests.factories import HomeVisitFactory

pytestmark = pytest.mark.django_db


def errors_of(validate, exclude=None) -> dict:
    try:
        validate(exclude=exclude)
    except ValidationError as error:
        return {
            field: sorted(e.message for e in errors) for field, errors in error.error_dict.items()
        }
    return {}


def django_says(instance, exclude=None) -> dict:
    """Django's own validation: a query per constraint."""
    return errors_of(lambda exclude: models.Model.validate_constraints(instance, exclude), exclude)


def test_every_broken_check_is_said_as_django_says_it_in_one_query(case):
    visit = HomeVisitFactory.build(case=case, center=case.center)
    visit.latitude, visit.longitude = Decimal("95"), Decimal("-200")
    visit.adl_feeding = 99  # out of its range, and only one of the ten items
    with CaptureQueriesContext(connection) as queries:
        ours = errors_of(visit.validate_constraints)
    assert ours == django_says(visit)
    assert len(ours[NON_FIELD_ERRORS]) == 4  # latitude, longitude, the item, all-or-none
    checks = [q for q in queries.captured_queries if "COALESCE" in q["sql"]]
    assert len(checks) == 1, [q["sql"] for q in queries.captured_queries]


def test_a_row_keeping_every_rule_passes(case):
    visit = HomeVisitFactory.build(case=case, center=case.center, latitude=Decimal("13.7"))
    assert errors_of(visit.validate_constraints) == django_says(visit) == {}


def test_a_check_naming_an_excluded_field_is_left_to_the_database_as_in_django(case):
    visit = HomeVisitFactory.build(case=case, center=case.center, latitude=Decimal("95"))
    assert errors_of(visit.validate_constraints, exclude={"latitude"}) == {}
    assert django_says(visit, exclude={"latitude"}) == {}


def test_the_case_keeps_its_unique_rules_with_its_checks(case):
    """Unique constraints still run as Django runs them, beside the one query of checks."""
    twin = Case(center=case.center, number=case.number, first_name="ก", last_name="ข")
    ours = errors_of(twin.validate_constraints)
    assert ours == django_says(twin)
    assert ours  # the number is taken in this centre


@pytest.mark.parametrize(
    "model",
    [
        model
        for model in apps.get_models()
        if issubclass(model, ChecksInOneQuery)
        and any(isinstance(c, models.CheckConstraint) for c in model._meta.constraints)
    ],
    ids=lambda model: model.__name__,
)
def test_each_models_checks_are_compiled_once_and_say_what_the_built_query_says(model, caplog):
    """Every field type's value is sent cast to its column's type, in SQL compiled once
    for the model: a row of defaults and NULLs is judged as the query built for its
    values judges it, and nothing falls back to building."""
    checks = [c for c in model._meta.constraints if isinstance(c, models.CheckConstraint)]
    row = model()
    with caplog.at_level(logging.INFO, logger="coordination.constraints"):
        compiled = row.compiled_checks(checks, set(), "default")
        assert compiled is not None
        assert row.failed_checks(checks, set(), "default") == [
            check for check, holds in zip(checks, compiled, strict=True) if not holds
        ]
    built = row.built_checks(checks, set(), "default")
    assert list(compiled) == list(built)
    assert caplog.records == []


def test_a_check_naming_pk_is_asked_when_the_id_is_excluded_as_in_django(case):
    """A ModelForm excludes "id" (no form field) but not "pk": Django still asks the
    case's "duplicate of itself" check, and so do we."""
    case.closure_reason, case.duplicate_of = "duplicate", case
    ours = errors_of(case.validate_constraints, exclude={"id"})
    assert ours == django_says(case, exclude={"id"})
    assert ours  # a case is no duplicate of itself
    assert errors_of(case.validate_constraints, exclude={"pk"}) == django_says(case, exclude={"pk"})


def test_a_value_its_column_cannot_hold_is_still_judged(case, caplog):
    """Ten Barthel items of 4,000 each total 40,000, past a smallint: the compiled SQL's
    cast refuses it, and the query built for the values judges it instead of every check
    passing unasked."""
    visit = HomeVisitFactory.build(case=case, center=case.center)
    for name in barthel.FIELDS:
        setattr(visit, name, 4000)
    visit.adl_score = 40000
    with caplog.at_level(logging.INFO, logger="coordination.constraints"):
        ours = errors_of(visit.validate_constraints)
    assert ours == django_says(visit)
    assert len(ours[NON_FIELD_ERRORS]) == 11  # the total and the ten items
    assert "Could not check" in caplog.text  # the compiled query's refusal, then the built


def test_a_field_set_to_an_expression_is_checked_as_it_will_be_saved(case):
    visit = HomeVisitFactory(case=case)
    visit.adl_score = Value(18) + 5  # 23: past the 20 of the Barthel index
    # An expression naming a field no check names (id): 90 degrees past the equator at
    # least.
    visit.latitude = F("id") + 90
    ours = errors_of(visit.validate_constraints)
    assert ours == django_says(visit)
    assert len(ours[NON_FIELD_ERRORS]) == 2
