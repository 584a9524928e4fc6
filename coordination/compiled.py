"""Queries built by the ORM once per process: a query of the same shape on every request,
compiled for placeholder values that no row has (`functools.cache` keeps the SQL and
its parameters) and run with the real ones. Only where building and compiling the query
costs far more than running it: the dashboard's onboarding facts (five EXISTS), the
change history's window functions. The SQL stays the ORM's, so it follows the models."""

from collections.abc import Hashable, Iterable, Mapping
from typing import Any


def filled_in(params: Iterable[Any], values: Mapping[Any, Any]) -> list[Any]:
    """The compiled query's parameters with each placeholder replaced by its value. A
    placeholder missing from them (a Django that wrote the value into the SQL itself)
    is an error, not a query run for the placeholder."""
    params = list(params)
    if missing := set(values) - {param for param in params if isinstance(param, Hashable)}:
        raise ValueError(f"placeholders not among the query's parameters: {sorted(missing)}")
    return [values.get(param, param) if isinstance(param, Hashable) else param for param in params]
