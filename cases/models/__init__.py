"""The cases app's models, one module per part of a case; imported here so that the app
label, `cases.models.X` and the migrations stay as they were."""

from cases.models.allowances import AllowanceDismissal, AllowanceRule
from cases.models.assistance import (
    Assistance,
    AssistanceCap,
    AssistanceKind,
    CapExceeded,
    assistance_summary,
    fiscal_year,
    fiscal_year_bounds,
)
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
from cases.models.conferences import CaseConference, ConferenceAttendee
from cases.models.debts import Debt
from cases.models.events import CaseEvent
from cases.models.household import HouseholdMember, IncomeSource
from cases.models.merges import MOVED_WITH_A_MERGE, CaseMerge
from cases.models.plan import PlanAction, PlanActionQuerySet, PlanGoal, plan_summary
from cases.models.referrals import (
    Referral,
    ReferralLetterCounter,
    ReferralNeedDismissal,
    ReferralQuerySet,
    ReferralStatus,
    ReferralUpdate,
)
from cases.models.visits import (
    HomeVisit,
    HomeVisitQuerySet,
    StaleVisitError,
    VisitPhoto,
    VisitPhotoQuerySet,
    plausible_visit_time,
    visit_photo_path,
)

__all__ = [
    "MOVED_WITH_A_MERGE",
    "CaseMerge",
    "Debt",
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
    "Referral",
    "ReferralLetterCounter",
    "ReferralNeedDismissal",
    "ReferralQuerySet",
    "ReferralStatus",
    "ReferralUpdate",
    "StaleCaseError",
    "StaleVisitError",
    "VisitPhoto",
    "VisitPhotoQuerySet",
    "open_condition",
    "overdue_condition",
    "plausible_visit_time",
    "visit_photo_path",
    "Assistance",
    "AssistanceCap",
    "AssistanceKind",
    "CapExceeded",
    "assistance_summary",
    "fiscal_year",
    "fiscal_year_bounds",
    "CaseConference",
    "ConferenceAttendee",
    "PlanAction",
    "PlanActionQuerySet",
    "PlanGoal",
    "plan_summary",
    "AllowanceDismissal",
    "AllowanceRule",
]
