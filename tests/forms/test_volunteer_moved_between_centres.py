"""A national administrator moves a volunteer to another centre in the admin (entered at
the wrong centre). One who has worked at their centre stays there: their visits, teams
and conferences are that centre's records. They are marked left there and entered at
the other centre (a national ID is unique per centre). One who has not moves, login and
all."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from cases.models import CaseConference, PlanAction
from tests.factories import HomeVisitFactory, UserFactory, VolunteerFactory
from tests.forms.rendered import admin_form
from volunteers.models import Volunteer


def move_form(app, volunteer, to):
    administrator = UserFactory(username="root", is_staff=True, is_superuser=True)
    change = admin_form(
        app, reverse("admin:volunteers_volunteer_change", args=[volunteer.pk]), administrator
    )
    change["center"].force_value(str(to.pk))
    return change


@pytest.mark.parametrize("work", ["a visit", "a team", "a conference", "a planned action"])
def test_a_volunteer_who_worked_at_their_centre_does_not_move_and_is_told_why(
    app, center, other_center, team, case, coordinator, work
):
    volunteer = VolunteerFactory(center=center, first_name="ทำงานแล้ว")
    if work == "a visit":
        HomeVisitFactory(case=case).volunteers.add(volunteer)
    elif work == "a team":
        volunteer.join_team(team)
    elif work == "a conference":
        conference = CaseConference.objects.create(
            center=center, held_on=datetime.date(2026, 11, 2), place="ศูนย์", created_by=coordinator
        )
        conference.volunteers.add(volunteer)
    else:  # its case's plan would lose its owner: not offered at the other centre
        PlanAction.objects.create(
            case=case, what="โทรติดตาม", owner_volunteer=volunteer, due_on=datetime.date(2026, 12, 1)
        )
    refused = move_form(app, volunteer, other_center).submit("_save")

    assert refused.status_int == 200
    said = " ".join(e.text for e in refused.html.select(".errorlist"))
    assert "ทำเครื่องหมายว่าออกแล้ว" in said and "เพิ่มเป็น อพม. ของศูนย์ที่จะย้ายไป" in said, said
    assert Volunteer.objects.get(pk=volunteer.pk).center_id == center.pk


def test_a_volunteer_entered_at_the_wrong_centre_moves_with_their_login(app, center, other_center):
    account = UserFactory(username="somsri", center=center, role="volunteer")
    volunteer = VolunteerFactory(center=center, user=account)
    move_form(app, volunteer, other_center).submit("_save").follow()

    volunteer.refresh_from_db()
    account.refresh_from_db()
    assert volunteer.center_id == other_center.pk and account.center_id == other_center.pk


def test_the_database_refuses_the_move_of_a_volunteer_who_owns_a_planned_action(
    center, other_center, case
):
    volunteer = VolunteerFactory(center=center)
    PlanAction.objects.create(
        case=case, what="โทรติดตาม", owner_volunteer=volunteer, due_on=datetime.date(2026, 12, 1)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Volunteer.objects.filter(pk=volunteer.pk).update(center=other_center)


def test_a_coordinators_login_on_the_roll_stays_with_their_centre_when_the_record_moves(
    app, center, other_center, coordinator
):
    volunteer = VolunteerFactory(center=center, user=coordinator)
    move_form(app, volunteer, other_center).submit("_save").follow()
    coordinator.refresh_from_db()
    assert Volunteer.objects.get(pk=volunteer.pk).center_id == other_center.pk
    assert coordinator.center_id == center.pk  # their work as coordinator is there
