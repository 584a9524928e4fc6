"""The cases app's models, one module per part of a case; imported here so that the app
label, `cases.models.X` and the migrations stay as they were."""

from cases.models.allowances import AllowanceDismissal, AllowanceRule
from cases.models.case import (
    NOT_NEGATIVE,
    NOT_NEGATIVE_AMOUNT,
    OLDEST_BIRTH_DATE,
    TEXT_LIMIT,
    Address,
    Case,
    CaseChild,
    CaseChildQuerySet,
    CaseNumberCounter,
    CaseQuerySet,
    DisabilityType,
    StaleCaseError,
    open_condition,
    overdue_condition,
)
from cases.models.events import CaseEvent
from cases.models.household import HouseholdMember, IncomeSource
from cases.models.visits import (
    HomeVisit,
    HomeVisitQuerySet,
    VisitPhoto,
    VisitPhotoQuerySet,
    plausible_visit_time,
    visit_photo_path,
)

__all__ = [
    "NOT_NEGATIVE",
    "NOT_NEGATIVE_AMOUNT",
    "OLDEST_BIRTH_DATE",
    "TEXT_LIMIT",
    "Address",
    "Case",
    "CaseChild",
    "CaseChildQuerySet",
    "CaseEvent",
    "CaseNumberCounter",
    "CaseQuerySet",
    "DisabilityType",
    "HomeVisit",
    "HomeVisitQuerySet",
    "HouseholdMember",
    "IncomeSource",
    "StaleCaseError",
    "VisitPhoto",
    "VisitPhotoQuerySet",
    "open_condition",
    "overdue_condition",
    "plausible_visit_time",
    "visit_photo_path",
    "AllowanceDismissal",
    "AllowanceRule",
]
