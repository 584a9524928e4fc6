"""A case's team, a membership's volunteer and team, and a visit's volunteers belong
to one centre: the models' validation says so in the user's language, and PostgreSQL
refuses it whoever writes (triggers of migration cases/0011_same_centre_guards)."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from cases.models import Case, CaseEvent
from tests.factories import CaseFactory, HomeVisitFactory, TeamFactory, VolunteerFactory
from volunteers.models import Team, TeamMembership, Volunteer

pytestmark = pytest.mark.django_db


def refused_by_the_database(write) -> bool:
    try:
        with transaction.atomic():
            write()
    except IntegrityError as error:
        return "same_centre_guard" in str(error)
    return False


def test_a_case_cannot_take_another_centres_team(case, other_center):
    foreign_team = TeamFactory(center=other_center)
    case.team = foreign_team
    with pytest.raises(ValidationError) as error:
        case.full_clean()
    assert "team" in error.value.message_dict
    assert refused_by_the_database(
        lambda: Case.objects.filter(pk=case.pk).update(team=foreign_team)
    )
    assert refused_by_the_database(lambda: CaseFactory(center=case.center, team=foreign_team))
    assert Case.objects.get(pk=case.pk).team.center == case.center


def test_a_membership_joins_a_volunteer_and_a_team_of_one_centre(team, other_center):
    stranger = VolunteerFactory(center=other_center)
    with pytest.raises(ValidationError):
        stranger.join_team(team)  # join_team runs full_clean()
    assert refused_by_the_database(
        lambda: TeamMembership.objects.create(volunteer=stranger, team=team, joined_on="2025-01-01")
    )
    assert not team.memberships.exists()


def test_a_visit_records_only_its_own_centres_volunteers(case, other_center):
    visit = HomeVisitFactory(case=case)
    stranger = VolunteerFactory(center=other_center)
    with pytest.raises(ValidationError) as error:
        visit.check_volunteers([stranger])
    assert "volunteers" in error.value.message_dict
    visit.check_volunteers([VolunteerFactory(center=case.center)])  # no error
    assert refused_by_the_database(lambda: visit.volunteers.add(stranger))
    assert not visit.volunteers.exists()


def test_a_volunteer_or_team_with_links_cannot_move_to_another_centre(
    case, team, volunteer_on_team, other_center
):
    visit = HomeVisitFactory(case=case)
    visit.volunteers.add(volunteer_on_team)
    assert refused_by_the_database(
        lambda: Volunteer.objects.filter(pk=volunteer_on_team.pk).update(center=other_center)
    )
    assert refused_by_the_database(
        lambda: Team.objects.filter(pk=team.pk).update(center=other_center)
    )
    lone = VolunteerFactory(center=case.center)  # no links: moving is allowed
    Volunteer.objects.filter(pk=lone.pk).update(center=other_center)
    assert Volunteer.objects.get(pk=lone.pk).center == other_center


def test_a_case_event_names_only_a_team_of_the_cases_centre(case, other_center):
    foreign_team = TeamFactory(center=other_center)
    assert refused_by_the_database(
        lambda: case.log(CaseEvent.Kind.ASSIGNED, by=None, team=foreign_team)
    )
    case.log(CaseEvent.Kind.ASSIGNED, by=None, team=case.team)  # its own team: fine


# Links that need no guard: a user is an actor, not a centre's data (an administrator
# works across centres); a case's rows take their centre from the case when saved and
# are seen through the case (visible_to), so their own `center` only leads indexes.
DERIVED = {"case", "visit"}


def centre_scoped(model) -> bool:
    return any(field.name == "center" for field in model._meta.concrete_fields)


def links_between_centres() -> list[tuple[str, str]]:
    """(table, column) of every link from one centre's row to another centre-scoped row:
    foreign keys and many-to-many tables of models with a centre, and link models whose
    two sides both have one (a membership)."""
    found = []
    for model in apps.get_models():
        if model.__name__.startswith("Historical"):
            continue
        targets = [
            field
            for field in model._meta.get_fields()
            if (field.many_to_one or field.many_to_many)
            and field.concrete
            and field.name != "center"
            and centre_scoped(field.related_model)
            and field.related_model._meta.label != "coordination.User"
        ]
        if centre_scoped(model):
            for field in targets:
                if field.name in DERIVED:
                    continue
                if field.many_to_many:
                    found.append((field.m2m_db_table(), field.m2m_reverse_name()))
                else:
                    found.append((model._meta.db_table, field.column))
        elif len(targets) >= 2:
            found += [(model._meta.db_table, field.column) for field in targets]
    return found


def test_every_link_between_centres_is_guarded_by_the_database():
    """A new foreign key between two centres' rows fails here until a trigger guards it."""
    links = links_between_centres()
    assert ("cases_case", "team_id") in links and ("volunteers_teammembership", "team_id") in links
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, p.prosrc FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_proc p ON p.oid = t.tgfoid WHERE t.tgname LIKE 'same_centre_guard%%'"
        )
        guards = cursor.fetchall()
    unguarded = [
        (table, column)
        for table, column in links
        if not any(table == guarded and f"NEW.{column}" in source for guarded, source in guards)
    ]
    assert unguarded == []


def test_plans_assistance_and_conferences_name_only_their_own_centres_rows(
    case, coordinator, other_center
):
    """Migration cases/0016: whoever writes, bypassing the forms and clean()."""
    import datetime

    from cases.models import Assistance, CaseConference, PlanAction
    from coordination.models import Agency

    due = datetime.date(2026, 1, 9)
    theirs_team = TeamFactory(center=other_center)
    theirs_volunteer = VolunteerFactory(center=other_center)
    theirs_agency = Agency.objects.create(center=other_center, name="อื่น", kind="ngo")
    national = Agency.objects.create(center=None, name="1300", kind="hotline")
    theirs_conference = CaseConference.objects.create(
        center=other_center, held_on=due, place="x", created_by=coordinator
    )
    for owner in (
        {"owner_team": theirs_team},
        {"owner_volunteer": theirs_volunteer},
        {"owner_agency": theirs_agency},
        {"owner_agency": national, "conference": theirs_conference},
    ):
        assert refused_by_the_database(
            lambda owner=owner: PlanAction.objects.create(case=case, what="x", due_on=due, **owner)
        ), owner
    PlanAction.objects.create(case=case, what="ได้", due_on=due, owner_agency=national)

    def help_from(agency):
        return lambda: Assistance.objects.create(
            case=case, kind="goods", given_on=due, fiscal_year=2569, provider=agency, by=coordinator
        )

    assert refused_by_the_database(help_from(theirs_agency))
    help_from(national)()
    # Help after a referral names one of the same case's referrals.
    from tests.factories import ReferralFactory

    another_case = ReferralFactory(case=CaseFactory(center=case.center))
    assert refused_by_the_database(
        lambda: Assistance.objects.create(
            case=case, kind="legal_advice", given_on=due, fiscal_year=2569, by=coordinator,
            referral=another_case,
        )
    )  # fmt: skip
    Assistance.objects.create(
        case=case, kind="legal_advice", given_on=due, fiscal_year=2569, by=coordinator,
        referral=ReferralFactory(case=case),
    )  # fmt: skip

    ours = CaseConference.objects.create(
        center=case.center, held_on=due, place="x", created_by=coordinator
    )
    assert refused_by_the_database(lambda: ours.volunteers.add(theirs_volunteer))
    assert refused_by_the_database(lambda: ours.cases.add(CaseFactory(center=other_center)))
    ours.cases.add(case)
