"""Missed allowances (เบี้ยที่อาจตกหล่น): who appears eligible for an allowance they do
not receive, or receive below the rate their age or status now gives.

The rates, their age bands and the child grant's means test are AllowanceRate rows an
administrator edits (effective-dated); the rules below say only how a person's
recorded facts meet them. Each rule is one clause of `findings()`, the one home of
the logic: the case page and the centre's worklist both call it.

Cost: five queries whatever the number of cases (the rates in force; the cases' own
fields; their incomes, households and dismissals each aggregated per case by
PostgreSQL), then Python applies the rules to a few numbers per case. The worklist
sorts by money missed over one centre's open cases, so its work grows with one centre
(a few thousand rows), never with the country: a national administrator picks a
centre first.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import overload

from django.contrib.postgres.aggregates import ArrayAgg, StringAgg
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Sum, TextField, Value
from django.db.models.functions import MD5, Cast, Concat
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.models import (
    AllowanceDismissal,
    AllowanceRule,
    Case,
    CaseQuerySet,
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

    @property
    def missed(self) -> Decimal:
        return max(self.expected - self.received, ZERO)

    @property
    def label(self) -> str:
        return str(self.rule.label)

    @property
    def to_do(self) -> str:
        return str(TO_DO[self.rule])


@dataclass
class Facts:
    """What the rules read of one case, as `facts_of` gathers it."""

    pk: int
    age: int | None
    has_welfare_card: bool
    has_disability_card: bool
    disability_types: list[int]
    # Monthly amounts recorded per income kind, and all income of the household a month.
    received: dict[str, Decimal] = field(default_factory=dict)
    household_income: Decimal = ZERO
    household_size: int = 1
    # Ages of household members young enough for a child rate (the rest do not matter).
    child_ages: list[int] = field(default_factory=list)
    dismissed: set[str] = field(default_factory=set)

    def got(self, kind: str) -> Decimal:
        return self.received.get(kind, ZERO)

    def income_per_person_year(self) -> Decimal:
        """Household income a person a year, the means tests' measure."""
        return self.household_income * 12 / self.household_size


class Rates:
    """The rates in force on a day, read once."""

    def __init__(self, on: datetime.date) -> None:
        self.on = on
        self.rows = list(AllowanceRate.objects.in_force(on))
        self.by_kind: dict[str, list[AllowanceRate]] = {kind: [] for kind in Kind.values}
        for row in self.rows:
            self.by_kind[row.kind].append(row)

    @staticmethod
    def covers(row: AllowanceRate, age: int | None) -> bool:
        if age is None:
            return row.age_from is None and row.age_to is None
        return (row.age_from is None or age >= row.age_from) and (
            row.age_to is None or age <= row.age_to
        )

    def rate(self, kind: str, age: int | None, welfare_card: bool = False) -> Decimal:
        """The highest rate of `kind` the age and the card give; 0 if none applies."""
        return max(
            (
                row.monthly_amount
                for row in self.by_kind[kind]
                if (welfare_card or not row.welfare_card_holders) and self.covers(row, age)
            ),
            default=ZERO,
        )

    def child_rate(self, age: int | None, income_per_person_year: Decimal) -> Decimal:
        if age is None:
            return ZERO
        return max(
            (
                row.monthly_amount
                for row in self.by_kind[Kind.CHILD]
                if self.covers(row, age)
                and (
                    row.income_limit_per_person_year is None
                    or income_per_person_year <= row.income_limit_per_person_year
                )
            ),
            default=ZERO,
        )

    def oldest_child_age(self) -> int | None:
        """The highest age any child rate covers; None when a band is open-ended."""
        ages = [row.age_to for row in self.by_kind[Kind.CHILD]]
        return None if None in ages else max(ages, default=-1)  # type: ignore[type-var]


def findings(facts: Facts, rates: Rates, *, with_dismissed: bool = False) -> list[Finding]:
    """The rules. Each yields at most one finding; a dismissed rule none."""
    found: list[Finding] = []

    def flag(rule: AllowanceRule, expected: Decimal, received: Decimal) -> None:
        if with_dismissed or rule not in facts.dismissed:
            found.append(Finding(rule, expected, received))

    age = facts.age
    # Older persons: the band of their age today, however old the recorded amount is.
    elderly = rates.rate(Kind.ELDERLY, age)
    got = facts.got(IncomeSource.Kind.ELDERLY_ALLOWANCE)
    if elderly and not got:
        flag(AllowanceRule.ELDERLY_MISSING, elderly, got)
    elif got and got < elderly:
        flag(AllowanceRule.ELDERLY_RATE, elderly, got)

    # Disability: the card makes one eligible; the age or the welfare card sets the rate.
    disability = rates.rate(Kind.DISABILITY, age, facts.has_welfare_card)
    got = facts.got(IncomeSource.Kind.DISABILITY_ALLOWANCE)
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
    got = facts.got(IncomeSource.Kind.CHILD_GRANT)
    ages = [a for a in (age, *facts.child_ages) if a is not None]
    if rates.by_kind[Kind.CHILD] and ages:
        income = facts.income_per_person_year()
        child = sum((rates.child_rate(a, income) for a in ages), ZERO)
        if got < child:
            flag(AllowanceRule.CHILD_GRANT, child, got)
    return found


def missed_per_month(found: Iterable[Finding]) -> Decimal:
    return sum((f.missed for f in found), ZERO)


# What Case.age() reads. (Issue 12's estimated age with its date adds `estimated_age_on`
# to the case and to Case.age(): add it here too, or age() fails loudly on the row.)
AGE_FIELDS = ("birth_date", "birth_year_only", "estimated_age", "estimated_age_on")


def facts_of(cases: QuerySet[Case], rates: Rates) -> list[Facts]:
    """Four queries whatever the number of cases: the cases' own fields, then their
    incomes, households and dismissals each summed per case by PostgreSQL (a hash
    aggregate over the centre's rows, not a subquery per case)."""
    ids = cases.order_by().values("pk")
    rows = cases.order_by().values_list(
        "pk", "has_welfare_card", "has_disability_card", "disability_types", *AGE_FIELDS
    )
    by_kind = {kind.value: Sum("amount", filter=Q(kind=kind)) for kind in RECEIVED_AS.values()}
    incomes = {
        row["case_id"]: row
        for row in IncomeSource.objects.filter(case__in=ids)
        .order_by()
        .values("case_id")
        .annotate(total=Sum("amount"), **by_kind)
    }
    oldest = rates.oldest_child_age()
    young = Q() if oldest is None else Q(age__lte=oldest)
    households = {
        row["case_id"]: row
        for row in HouseholdMember.objects.filter(case__in=ids)
        .order_by()
        .values("case_id")
        .annotate(
            size=Count("pk"),
            income=Sum("monthly_income"),
            child_ages=ArrayAgg("age", filter=young & Q(age__isnull=False), default=Value([])),
        )
    }
    dismissed: dict[int, set[str]] = {}
    for case_id, rule in AllowanceDismissal.objects.filter(case__in=ids).values_list(
        "case_id", "rule"
    ):
        dismissed.setdefault(case_id, set()).add(rule)

    facts = []
    for pk, welfare, card, types, *age_values in rows:
        # Case.age() is the one rule of age, run on just the fields it reads: a model
        # instance per row would cost more than the rest of the work together.
        person = SimpleNamespace(**dict(zip(AGE_FIELDS, age_values, strict=True)))
        income = incomes.get(pk, {})
        household = households.get(pk, {})
        facts.append(
            Facts(
                pk=pk,
                age=Case.age(person, rates.on),  # type: ignore[arg-type]
                has_welfare_card=welfare,
                has_disability_card=card,
                disability_types=types,
                received={k.value: income.get(k.value) or ZERO for k in RECEIVED_AS.values()},
                household_income=(income.get("total") or ZERO) + (household.get("income") or ZERO),
                household_size=1 + household.get("size", 0),
                child_ages=household.get("child_ages", []),
                dismissed=dismissed.get(pk, set()),
            )
        )
    return facts


@dataclass
class Flagged:
    """A case on the worklist: its findings and the money they add up to a month."""

    pk: int
    found: list[Finding]
    missed: Decimal
    case: Case | None = None


def flagged(cases: QuerySet[Case], on: datetime.date, rates: Rates | None = None) -> list[Flagged]:
    """The cases with at least one undismissed finding, most money missed first."""
    rates = rates or Rates(on)
    result = []
    for facts in facts_of(cases, rates):
        found = findings(facts, rates)
        if found:
            result.append(Flagged(facts.pk, found, missed_per_month(found)))
    result.sort(key=lambda row: (-row.missed, row.pk))
    return result


# One flagged case as the cache keeps it: its pk and its findings' (rule, expected,
# received), plain values that unpickle fast (dataclasses with enums took 9 ms for a
# centre's 1,457 rows, these 0.4 ms).
Compact = tuple[int, tuple[tuple[str, Decimal, Decimal], ...]]


class Worklist(Sequence[Flagged]):
    """A centre's flagged open cases, most money missed first, as its worklist pages
    through them and exports them.

    The rules run over every open case of the centre (a hundred milliseconds for one of
    3,000 cases at national scale), and the answer depends on the day (ages) as well as
    on the rows, so no index can serve it. Each page of the list and the export read
    the same answer, kept in Django's cache (each process's memory) under a key made of
    everything it was computed from:
    - the centre and the day;
    - the rates in force, as read;
    - the centre's open cases, each its id and version. A change to a case's own facts,
      household or incomes moves its version on (docs/architecture.md, convention 13:
      the edit page's lock relies on it too); a case closed, reopened or moved to
      another centre leaves or joins the set;
    - the flags dismissed on those cases, by id (a dismissal is never changed, only
      added or deleted).
    Both sets are written whole into the key (as digests), so two states never share
    one: an entry is never stale, whichever process made it. Reading them is one pass
    over the centre's open cases, whatever its history."""

    TIMEOUT = 24 * 60 * 60

    def __init__(self, cases: CaseQuerySet, center_id: int, on: datetime.date) -> None:
        self.open_cases = cases.filter(center_id=center_id).open()
        self.center_id, self.on = center_id, on
        self.rates = Rates(on)
        key = self.key()
        answer: tuple[list[Compact], Decimal] | None = cache.get(key)
        if answer is None:
            answer = self.evaluate()
            cache.set(key, answer, self.TIMEOUT)
        self.rows, self.total_missed = answer

    def key(self) -> str:
        cases = self.open_cases.order_by().aggregate(
            state=MD5(StringAgg(Concat("pk", Value(":"), "version", output_field=TextField()),
                                ",", order_by="pk"))
        )  # fmt: skip
        dismissals = AllowanceDismissal.objects.filter(case__in=self.open_cases.values("pk"))
        dismissed = dismissals.order_by().aggregate(
            state=MD5(StringAgg(Cast("pk", TextField()), ",", order_by="pk"))
        )
        rates = [
            (r.pk, r.kind, r.age_from, r.age_to, r.welfare_card_holders, r.monthly_amount,
             r.income_limit_per_person_year)
            for r in self.rates.rows
        ]  # fmt: skip
        state = repr((self.center_id, self.on, rates, cases["state"], dismissed["state"]))
        return "allowances:" + hashlib.sha256(state.encode()).hexdigest()

    def evaluate(self) -> tuple[list[Compact], Decimal]:
        rows = flagged(self.open_cases, self.on, self.rates)
        kept = [
            (row.pk, tuple((f.rule.value, f.expected, f.received) for f in row.found))
            for row in rows
        ]
        return kept, sum((row.missed for row in rows), ZERO)

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, index: int) -> Flagged: ...

    @overload
    def __getitem__(self, index: slice) -> list[Flagged]: ...

    def __getitem__(self, index: int | slice) -> Flagged | list[Flagged]:
        """Flagged rows, made from the kept values only for the rows asked for (a page)."""
        if isinstance(index, slice):
            return [self.expand(row) for row in self.rows[index]]
        return self.expand(self.rows[index])

    def with_cases(self, rows: list[Flagged]) -> list[Flagged]:
        """The rows with their cases (and teams), read from the centre's open cases: a
        case closed or moved to another centre since is left out, never shown."""
        cases = self.open_cases.select_related("team").in_bulk([row.pk for row in rows])
        for row in rows:
            row.case = cases.get(row.pk)
        return [row for row in rows if row.case is not None]

    @staticmethod
    def expand(row: Compact) -> Flagged:
        pk, kept = row
        found = [Finding(AllowanceRule(rule), *amounts) for rule, *amounts in kept]
        return Flagged(pk, found, missed_per_month(found))


def for_case(case: Case, on: datetime.date) -> tuple[list[Finding], QuerySet]:
    """The case page's section: its current findings and its dismissals (3 queries)."""
    rates = Rates(on)
    facts = facts_of(Case.objects.filter(pk=case.pk), rates)
    found = findings(facts[0], rates) if facts else []
    return found, AllowanceDismissal.objects.filter(case=case).select_related("by")


def facts_of_case(
    case: Case,
    incomes: Iterable[IncomeSource],
    household: Iterable[HouseholdMember],
    dismissed: set[str],
    rates: Rates,
) -> Facts:
    """facts_of() for one case whose incomes and household members a page has read
    already: the same sums, made in Python instead of four queries (the case page reads
    them for its own tables; tests/cases/test_missed_allowances.py compares the two)."""
    oldest = rates.oldest_child_age()
    received = {kind.value: ZERO for kind in RECEIVED_AS.values()}
    total = ZERO
    for income in incomes:
        total += income.amount
        if income.kind in received:
            received[income.kind] += income.amount
    members = list(household)
    return Facts(
        pk=case.pk,
        age=case.age(rates.on),
        has_welfare_card=case.has_welfare_card,
        has_disability_card=case.has_disability_card,
        disability_types=case.disability_types,
        received=received,
        household_income=total + sum((m.monthly_income for m in members), ZERO),
        household_size=1 + len(members),
        child_ages=[
            m.age for m in members if m.age is not None and (oldest is None or m.age <= oldest)
        ],
        dismissed=dismissed,
    )


def for_case_page(
    case: Case,
    on: datetime.date,
    incomes: Iterable[IncomeSource],
    household: Iterable[HouseholdMember],
) -> tuple[list[Finding], list[AllowanceDismissal]]:
    """for_case() from the incomes and household members the case page shows: two
    queries (the rates, the dismissals) instead of six."""
    rates = Rates(on)
    dismissals = list(AllowanceDismissal.objects.filter(case=case).select_related("by"))
    facts = facts_of_case(case, incomes, household, {d.rule for d in dismissals}, rates)
    return findings(facts, rates), dismissals
