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
builds its own, it was most of the checks' time: a visit's constraints were validated in
4.4 ms, 1.9 ms so (national data).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Collection
from contextlib import nullcontext
from typing import Any, cast

from django.core.exceptions import FieldError, ValidationError
from django.db import DatabaseError, connections, models, router, transaction
from django.db.models import BooleanField, Field, Q, Value
from django.db.models.functions import Coalesce
from django.db.models.sql import Query
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
        asked = [check for check in checks if self.names_only_checked_fields(check, exclude)]
        if not asked:
            return []
        connection = connections[using]
        # The SQL compiled once; else (an expression assigned to a field, a value its
        # column cannot hold) the query built for this row's values, as Q.check builds it.
        for ask in (self.compiled_checks, self.built_checks):
            try:
                with transaction.atomic(using) if connection.in_atomic_block else nullcontext():
                    row = ask(asked, exclude, using)
            except DatabaseError as error:
                logger.info("Could not check %s's constraints: %s", type(self).__name__, error)
                continue
            if row is not None:
                return [check for check, holds in zip(asked, row, strict=True) if not holds]
        # As Q.check: the database will say it on save if it must.
        logger.warning("Could not check %s's constraints", type(self).__name__)
        return []

    def names_only_checked_fields(self, check: models.CheckConstraint, exclude: set[str]) -> bool:
        """Whether the check names only fields validated here: one naming a field excluded
        from validation (or a name that is no field's, an attname) is not asked, as in
        Django, whose check names its fields (and "pk") only unless excluded."""
        fields = {field.name for field in self._meta.local_concrete_fields} | {"pk"}
        return named_in(type(self), check.name) <= fields - exclude

    def compiled_checks(
        self, asked: list[models.CheckConstraint], exclude: set[str], using: str
    ) -> tuple | None:
        """The checks asked in SQL compiled once for the model (checks_sql), the row's
        values its parameters. None for a row holding an expression (F("x") + 1)."""
        opts = self._meta
        names = set().union(*(named_in(type(self), check.name) for check in asked))
        fields = [field for field in opts.local_concrete_fields if field.name in names]
        if "pk" in names and opts.pk not in fields:
            fields.append(opts.pk)
        values = [getattr(self, field.attname) for field in fields]
        if any(hasattr(value, "resolve_expression") for value in values):
            return None
        compiled = checks_sql(
            type(self), tuple(check.name for check in asked), tuple(fields), using
        )
        if compiled is None:
            return None
        sql, params = compiled
        connection = connections[using]
        row_values = [
            field.get_db_prep_save(value, connection)
            for field, value in zip(fields, values, strict=True)
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, *row_values])
            return cursor.fetchone()

    def built_checks(
        self, asked: list[models.CheckConstraint], exclude: set[str], using: str
    ) -> tuple:
        """The checks asked, built for this row's values the way `Q.check` builds its
        own; a check it cannot build holds (not checked, as in Django)."""
        query = Query(None)
        for name, value in self.field_values(exclude).items():
            query.add_annotation(value, name, select=False)
        built = []
        for number, check in enumerate(asked):
            condition = Coalesce(Q(check.condition), True, output_field=BooleanField())
            try:
                query.add_annotation(condition, f"check_{number}")
            except FieldError:
                continue
            built.append(number)
        row = query.get_compiler(using=using).execute_sql(SINGLE) if built else ()
        holds = dict(zip(built, row or (), strict=True))
        return tuple(holds.get(number, True) for number in range(len(asked)))

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


@functools.cache
def named_in(model: type[models.Model], check_name: str) -> frozenset[str]:
    """The names a model's check condition uses, as it writes them ("pk", field names)."""
    check = next(c for c in model._meta.constraints if c.name == check_name)
    return frozenset(Q(check.condition).referenced_base_fields)  # type: ignore[attr-defined]


@functools.cache
def checks_sql(
    model: type[models.Model], names: tuple[str, ...], fields: tuple[Field, ...], using: str
) -> tuple[str, tuple] | None:
    """The SELECT of the model's checks `names` for one row, compiled by the ORM against
    the model's table, which a one-row subquery of `fields` stands in for (their values
    its parameters, in that order, after the SQL's own). None if the SQL is not the plain
    one expected."""
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
    types = [field.db_type(connection) for field in fields]
    if not sql.endswith(f" FROM {table}") or None in types:
        return None
    # Cast to the column's type without its size ("numeric", not "numeric(9, 6)"): a
    # value too long or too precise is not cut to fit before it is judged.
    row = ", ".join(
        f"%s::{re.sub(r'[(][^)]*[)]', '', kind)} AS {connection.ops.quote_name(field.column)}"
        for field, kind in zip(fields, cast(list[str], types), strict=True)
    )
    return f"{sql.removesuffix(f' FROM {table}')} FROM (SELECT {row}) AS {table}", tuple(params)
