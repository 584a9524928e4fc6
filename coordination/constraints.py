"""Model validation that asks PostgreSQL once for all of a model's check constraints.

Django validates each `CheckConstraint` with a query of its own (`Q.check`), three round
trips inside a transaction (with its savepoint). A home visit has twelve, a case six:
logging a visit spent more on asking "is the latitude in range?" one by one than on
saving it. `ChecksInOneQuery` evaluates them together, in one SELECT built the way
`Q.check` builds its own; what each constraint says, and when it is skipped (a field
excluded from validation), stay Django's.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from contextlib import nullcontext
from typing import Any

from django.core.exceptions import FieldError, ValidationError
from django.db import DatabaseError, connections, models, router, transaction
from django.db.models import BooleanField, Q, Value
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
        if not checks:
            return []
        query = Query(None)
        for name, value in self.field_values(exclude).items():
            query.add_annotation(value, name, select=False)
        asked: list[models.CheckConstraint] = []
        for constraint in checks:
            condition = Coalesce(Q(constraint.condition), True, output_field=BooleanField())
            try:
                query.add_annotation(condition, f"check_{len(asked)}")
            except FieldError:
                continue  # it names a field excluded from validation: not checked, as in Django
            asked.append(constraint)
        if not asked:
            return []
        connection = connections[using]
        try:
            with transaction.atomic(using=using) if connection.in_atomic_block else nullcontext():
                row = query.get_compiler(using=using).execute_sql(SINGLE)
        except DatabaseError as error:
            # As Q.check: the database will say it on save if it must.
            logger.warning("Could not check %s's constraints: %s", type(self).__name__, error)
            return []
        return [constraint for constraint, holds in zip(asked, row, strict=True) if not holds]

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
