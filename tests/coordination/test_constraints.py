"""A model's check constraints are validated in one query, saying what Django says."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, models
from django.db.models import F, Value
from django.test.utils import CaptureQueriesContext

from cases.models import Case
from coordination.constraints import ChecksInOneQuery, checks_sql, fields_named
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
def test_each_models_checks_are_compiled_once_and_say_what_the_built_query_says(model):
    """Every field type's value is sent cast to its column's type; a row of defaults and
    NULLs is judged as the query built for its values judges it."""
    checks = [c for c in model._meta.constraints if isinstance(c, models.CheckConstraint)]
    fields = sorted(
        {f for check in checks for f in fields_named(model._meta, check)},
        key=model._meta.concrete_fields.index,
    )
    names = tuple(check.name for check in checks)
    assert checks_sql(model, names, tuple(fields), "default") is not None  # not built each time
    row = model()
    with CaptureQueriesContext(connection) as queries:
        ours = row.failed_checks(checks, set(), "default")
    built = row.built_checks_query(checks, set(), "default").execute_sql("single")
    assert ours == [check for check, holds in zip(checks, built, strict=True) if not holds]
    asked = [q["sql"] for q in queries.captured_queries if "check_0" in q["sql"]]
    assert len(asked) == 1 and " FROM (SELECT " in asked[0], asked


def test_a_field_set_to_an_expression_is_checked_as_it_will_be_saved(case):
    visit = HomeVisitFactory(case=case)
    visit.adl_score = Value(18) + 5  # 23: past the 20 of the Barthel index
    visit.latitude = F("id") + 90  # a field the checks do not name: past 90 degrees
    ours = errors_of(visit.validate_constraints)
    assert ours == django_says(visit)
    assert len(ours[NON_FIELD_ERRORS]) == 2
