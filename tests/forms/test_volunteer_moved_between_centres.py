"""A national administrator moves a volunteer to another centre in the admin (entered at
the wrong centre). One who has worked at their centre stays there: their visits, teams
and conferences are that centre's records. They are marked left there and entered at
the other centre (a national ID is unique per centre). One who has not moves, login and
all."""

import pytest
from django.urls import reverse

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


@pytest.mark.parametrize("work", ["a visit", "a team"])
def test_a_volunteer_who_worked_at_their_centre_does_not_move_and_is_told_why(
    app, center, other_center, team, case, work
):
    volunteer = VolunteerFactory(center=center, first_name="ทำงานแล้ว")
    if work == "a visit":
        HomeVisitFactory(case=case).volunteers.add(volunteer)
    else:
        volunteer.join_team(team)
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
