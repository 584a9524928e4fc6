"""Model validation that asks PostgreSQL once for all of a model's check constraints.

Django validates each `CheckConstraint` with a query of its own (`Q.check`), three round
trips inside a transaction (with its savepoint). A home visit has twelve, a case six:
logging a visit spent more on asking "is the latitude in range?" one by one than on
saving it. `ChecksInOneQuery` evaluates them together, in one SELECT; what each
constraint says, and when it is skipped (a field excluded from validation), stay
Django's.

The SELECT is the ORM's own, compiled once per model and set of checks: the checks read
the row's values from a one-row subquery named as the table, `FROM (SELECT %s::numeric
AS "latitude", …) AS "cases_homevisit"`. Built again for each row, the way `Q.check`
builds its own, it was most of the check's time (1.5 ms of a visit's 2).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Collection
from contextlib import nullcontext
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connections, models, router, transaction
from django.db.models import BooleanField, Field, Q, Value
from django.db.models.functions import Coalesce
from django.db.models.options import Options
from django.db.models.sql import Query
from django.db.models.sql.compiler import SQLCompiler
from django.db.models.sql.constants import SINGLE

logger = logging.getLogger(__name__)


class ChecksInOneQuery(models.Model):
    class Meta:
        abstract = True

    def validate_constraints(self, exclude: Collection[str] | None = None) -> None:
        excluded = set(exclude or ())
        using = router.db_for_write(type(self), instance=self)
        errors: dict[str, Any] = {}
        checks: list[models.CheckConstraint] = []
        for model, constraints in self.get_constraints():
            for constraint in constraints:
                if isinstance(constraint, models.CheckConstraint) and model is type(self):
                    checks.append(constraint)
                    continue
                try:
                    constraint.validate(model, self, exclude=excluded, using=using)  # type: ignore[attr-defined]
                except ValidationError as error:
                    fields: tuple[str, ...] = getattr(constraint, "fields", ())
                    if error.code == "unique" and len(fields) == 1:
                        errors.setdefault(fields[0], []).append(error)
                    else:
                        errors = error.update_error_dict(errors)
        for constraint in self.failed_checks(checks, excluded, using):
            broken = ValidationError(
                constraint.get_violation_error_message(), code=constraint.violation_error_code
            )
            errors = broken.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def failed_checks(
        self, checks: list[models.CheckConstraint], exclude: set[str], using: str
    ) -> list[models.CheckConstraint]:
        """The constraints the row as it is now would break (NULL passes, as in SQL)."""
        opts = self._meta
        # A check naming a field excluded from validation is not asked, as in Django.
        asked = [c for c in checks if not {f.name for f in fields_named(opts, c)} & exclude]
        if not asked:
            return []
        fields = sorted(
            {field for check in asked for field in fields_named(opts, check)},
            key=opts.concrete_fields.index,
        )
        values = [getattr(self, field.attname) for field in fields]
        connection = connections[using]
        compiled = None
        # An expression assigned to a field (F("x") + 1) is checked as it will be saved, in
        # a query built for it.
        if not any(hasattr(value, "resolve_expression") for value in values):
            names = tuple(check.name for check in asked)
            compiled = checks_sql(type(self), names, tuple(fields), using)
        row: Any  # one row: a SELECT of values, FROM nothing or one row
        try:
            with transaction.atomic(using=using) if connection.in_atomic_block else nullcontext():
                if compiled is None:
                    row = self.built_checks_query(asked, exclude, using).execute_sql(SINGLE)
                else:
                    sql, params = compiled
                    row_values = [
                        field.get_db_prep_save(value, connection)
                        for field, value in zip(fields, values, strict=True)
                    ]
                    with connection.cursor() as cursor:
                        cursor.execute(sql, [*params, *row_values])
                        row = cursor.fetchone()
        except DatabaseError as error:
            # As Q.check: the database will say it on save if it must.
            logger.warning("Could not check %s's constraints: %s", type(self).__name__, error)
            return []
        return [constraint for constraint, holds in zip(asked, row, strict=True) if not holds]

    def built_checks_query(
        self, asked: list[models.CheckConstraint], exclude: set[str], using: str
    ) -> SQLCompiler:
        """The checks, built for this row's values the way `Q.check` builds its own."""
        query = Query(None)
        for name, value in self.field_values(exclude).items():
            query.add_annotation(value, name, select=False)
        for number, constraint in enumerate(asked):
            condition = Coalesce(Q(constraint.condition), True, output_field=BooleanField())
            query.add_annotation(condition, f"check_{number}")
        return query.get_compiler(using=using)

    def field_values(self, exclude: set[str]) -> dict:
        """Each concrete field's value as the constraints' conditions name it."""
        values: dict = {}
        for field in self._meta.local_concrete_fields:
            if field.name in exclude:
                continue
            value = getattr(self, field.attname)
            # An expression assigned to a field (F("x") + 1) is checked as it will be saved.
            values[field.name] = (
                value if hasattr(value, "resolve_expression") else Value(value, field)
            )
        if "pk" not in exclude:
            values["pk"] = Value(self.pk, self._meta.pk)
        return values


def fields_named(opts: Options, check: models.CheckConstraint) -> set[Field]:
    """The model's fields a check's condition names ("pk" as the primary key)."""
    named = Q(check.condition).referenced_base_fields
    return {cast(Field, opts.pk if name == "pk" else opts.get_field(name)) for name in named}


@functools.cache
def checks_sql(
    model: type[models.Model], names: tuple[str, ...], fields: tuple[Field, ...], using: str
) -> tuple[str, tuple] | None:
    """The SELECT of the model's checks `names` for one row, compiled by the ORM against the model's table,
    which a one-row subquery of `fields` (their values its parameters, in that order, after
    the SQL's own) stands in for. None if the SQL is not the plain one expected."""
    connection = connections[using]
    by_name = {c.name: c for c in model._meta.constraints if isinstance(c, models.CheckConstraint)}
    checks = [by_name[name] for name in names]
    query = (
        model._base_manager.using(using)
        .order_by()
        .annotate(
            **{
                f"check_{number}": Coalesce(Q(check.condition), True, output_field=BooleanField())
                for number, check in enumerate(checks)
            }
        )
        .values_list(*(f"check_{number}" for number in range(len(checks))))
    )
    sql, params = query.query.get_compiler(using=using).as_sql()
    table = connection.ops.quote_name(model._meta.db_table)
    if not sql.endswith(f" FROM {table}") or any(f.db_type(connection) is None for f in fields):
        return None
    row = ", ".join(
        f"%s::{field.db_type(connection)} AS {connection.ops.quote_name(field.column)}"
        for field in fields
    )
    return f"{sql.removesuffix(f' FROM {table}')} FROM (SELECT {row}) AS {table}", tuple(params)
