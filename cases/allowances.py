"""Missed allowances (เบี้ยที่อาจตกหล่น): who appears eligible for an allowance they do
not receive, or receive below the rate their age or status now gives.

The rates, their age bands and the child grant's means test are AllowanceRate rows an
administrator edits (effective-dated); the rules below say only how a person's
recorded facts meet them. Each rule is one clause of `findings()`, the one home of
the logic: the case page and the centre's worklist both call it.

Cost: one query reads the rates in force, one query reads a compact row per case (its
age facts, cards, and its incomes, household and dismissals as three small arrays),
then Python applies the rules. The worklist sorts by money missed over one centre's
open cases, so its work grows with a centre (a few thousand rows, tens of ms), never
with the country: a national administrator picks a centre first.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, QuerySet
from django.db.models.functions import JSONObject
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.models import (
    AllowanceDismissal,
    AllowanceRule,
    Case,
    HouseholdMember,
    IncomeSource,
)
from coordination.models import AllowanceRate

ZERO = Decimal(0)
Kind = AllowanceRate.Kind
RECEIVED_AS = {
    Kind.ELDERLY: IncomeSource.Kind.ELDERLY_ALLOWANCE,
    Kind.DISABILITY: IncomeSource.Kind.DISABILITY_ALLOWANCE,
    Kind.CHILD: IncomeSource.Kind.CHILD_GRANT,
}
# What to do, and where: the office that takes the application.
TO_DO: dict[str, Promise] = {
    AllowanceRule.ELDERLY_MISSING: _(
        "Register for the older persons' allowance at the district office (or municipality) "
        "of the house registration."
    ),
    AllowanceRule.ELDERLY_RATE: _(
        "Ask the district office paying the allowance to pay the rate of the new age band."
    ),
    AllowanceRule.DISABILITY_MISSING: _(
        "Register for the disability allowance at the district office (or municipality) "
        "with the disability ID card."
    ),
    AllowanceRule.DISABILITY_RATE: _(
        "Ask the district office paying the allowance for the higher rate, showing the state "
        "welfare card or the birth date."
    ),
    AllowanceRule.DISABILITY_CARD: _(
        "Apply for a disability ID card at the disability service centre (or the hospital's "
        "assessment), then register for the allowance at the district office."
    ),
    AllowanceRule.CHILD_GRANT: _(
        "Register for the child support grant at the district office (or municipality), "
        "with the household's income certified."
    ),
    AllowanceRule.NO_CARD: _(
        "Check the disability ID card: it may have expired (valid 8 years); renew it at the "
        "disability service centre so that the allowance continues."
    ),
}


@dataclass(frozen=True)
class Finding:
    """One flag: the rule, what the person's age or status now gives per month, what is
    recorded, and the difference per month (0 for a hint without money)."""

    rule: AllowanceRule
    expected: Decimal
    received: Decimal
    missed: Decimal

    @property
    def label(self) -> str:
        return str(self.rule.label)

    @property
    def to_do(self) -> str:
        return str(TO_DO[self.rule])


@dataclass
class Facts:
    """What the rules read of one case, as the figures query returns it."""

    pk: int
    age: int | None
    has_welfare_card: bool
    has_disability_card: bool
    disability_types: list[int]
    incomes: list[dict]
    household: list[dict]
    dismissed: set[str] = field(default_factory=set)

    def received(self, kind: str) -> Decimal:
        return sum((Decimal(str(i["amount"])) for i in self.incomes if i["kind"] == kind), ZERO)

    def income_per_person_year(self) -> Decimal:
        """Household income a person a year, the means tests' measure."""
        monthly = sum((Decimal(str(i["amount"])) for i in self.incomes), ZERO)
        monthly += sum((Decimal(str(m["income"])) for m in self.household), ZERO)
        return monthly * 12 / (1 + len(self.household))


class Rates:
    """The rates in force on a day, read once."""

    def __init__(self, on: datetime.date) -> None:
        self.on = on
        self.rows = list(AllowanceRate.objects.in_force(on))

    def rate(self, kind: str, age: int | None, welfare_card: bool = False) -> Decimal:
        """The highest rate of `kind` the age and the card give; 0 if none applies."""
        amounts = [
            row.monthly_amount
            for row in self.rows
            if row.kind == kind
            and (not row.welfare_card_holders or welfare_card)
            and (row.age_from is None or (age is not None and age >= row.age_from))
            and (row.age_to is None or (age is not None and age <= row.age_to))
        ]
        return max(amounts, default=ZERO)

    def child_rate(self, age: int | None, income_per_person_year: Decimal) -> Decimal:
        amounts = [
            row.monthly_amount
            for row in self.rows
            if row.kind == Kind.CHILD
            and age is not None
            and (row.age_from is None or age >= row.age_from)
            and (row.age_to is None or age <= row.age_to)
            and (
                row.income_limit_per_person_year is None
                or income_per_person_year <= row.income_limit_per_person_year
            )
        ]
        return max(amounts, default=ZERO)


def findings(facts: Facts, rates: Rates, *, with_dismissed: bool = False) -> list[Finding]:
    """The rules. Each yields at most one finding; a dismissed rule none."""
    found: list[Finding] = []

    def flag(rule: AllowanceRule, expected: Decimal, received: Decimal) -> None:
        if with_dismissed or rule not in facts.dismissed:
            found.append(Finding(rule, expected, received, max(expected - received, ZERO)))

    age = facts.age
    # Older persons: the band of their age today, however old the recorded amount is.
    elderly = rates.rate(Kind.ELDERLY, age)
    got = facts.received(IncomeSource.Kind.ELDERLY_ALLOWANCE)
    if elderly and not got:
        flag(AllowanceRule.ELDERLY_MISSING, elderly, got)
    elif got and got < elderly:
        flag(AllowanceRule.ELDERLY_RATE, elderly, got)

    # Disability: the card makes one eligible; the age or the welfare card sets the rate.
    disability = rates.rate(Kind.DISABILITY, age, facts.has_welfare_card)
    got = facts.received(IncomeSource.Kind.DISABILITY_ALLOWANCE)
    if got:
        if got < disability:
            flag(AllowanceRule.DISABILITY_RATE, disability, got)
        if not facts.has_disability_card:
            flag(AllowanceRule.NO_CARD, got, got)
    elif disability and facts.has_disability_card:
        flag(AllowanceRule.DISABILITY_MISSING, disability, got)
    elif disability and facts.disability_types:
        flag(AllowanceRule.DISABILITY_CARD, disability, got)

    # Young children: the person and the household's, if the household passes the means test.
    income = facts.income_per_person_year()
    child = rates.child_rate(age, income) + sum(
        (rates.child_rate(m["age"], income) for m in facts.household), ZERO
    )
    got = facts.received(IncomeSource.Kind.CHILD_GRANT)
    if got < child:
        flag(AllowanceRule.CHILD_GRANT, child, got)
    return found


def missed_per_month(found: Iterable[Finding]) -> Decimal:
    return sum((f.missed for f in found), ZERO)


def facts_of(cases: QuerySet[Case], on: datetime.date) -> list[Facts]:
    """One query: a compact row per case, its incomes, household and dismissals as
    arrays (each read by one subquery on an index that leads with the centre)."""
    same_case = {"center_id": OuterRef("center_id"), "case_id": OuterRef("pk")}
    rows = cases.order_by().values_list(
        "pk",
        "birth_date",
        "birth_year_only",
        "estimated_age",
        "has_welfare_card",
        "has_disability_card",
        "disability_types",
    )
    rows = rows.annotate(
        income_rows=ArraySubquery(
            IncomeSource.objects.filter(**same_case)
            .order_by()
            .values(json=JSONObject(kind="kind", amount="amount"))
        ),
        household_rows=ArraySubquery(
            HouseholdMember.objects.filter(**same_case)
            .order_by()
            .values(json=JSONObject(age="age", income="monthly_income"))
        ),
        dismissed_rules=ArraySubquery(
            AllowanceDismissal.objects.filter(**same_case).order_by().values("rule")
        ),
    )
    facts = []
    for pk, birth_date, year_only, estimated, welfare, card, types, inc, hh, gone in rows:
        # Case.age() is the one rule of age; it reads only the fields loaded here.
        person = Case(birth_date=birth_date, birth_year_only=year_only, estimated_age=estimated)
        facts.append(Facts(pk, person.age(on), welfare, card, types, inc, hh, set(gone)))
    return facts


@dataclass
class Flagged:
    """A case on the worklist: its findings and the money they add up to a month."""

    pk: int
    found: list[Finding]
    missed: Decimal
    case: Case | None = None


def flagged(cases: QuerySet[Case], on: datetime.date) -> list[Flagged]:
    """The cases with at least one undismissed finding, most money missed first."""
    rates = Rates(on)
    result = []
    for facts in facts_of(cases, on):
        found = findings(facts, rates)
        if found:
            result.append(Flagged(facts.pk, found, missed_per_month(found)))
    result.sort(key=lambda row: (-row.missed, row.pk))
    return result


def for_case(case: Case, on: datetime.date) -> tuple[list[Finding], QuerySet]:
    """The case page's section: its current findings and its dismissals (3 queries)."""
    facts = facts_of(Case.objects.filter(pk=case.pk), on)
    found = findings(facts[0], Rates(on)) if facts else []
    return found, case.allowance_dismissals.select_related("by")
