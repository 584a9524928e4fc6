"""The admin's dates are typed and shown in the Buddhist Era, as everywhere else in the
app. Its own date fields read 27/12/2569 as the year 2569 of the Common Era and saved
it: a visit due "27 ธ.ค. 3112"."""

import datetime

from django.urls import reverse
from django.utils import timezone

from cases.models import HomeVisit
from tests.factories import (
    CaseFactory,
    HomeVisitFactory,
    TeamFactory,
    UserFactory,
    VolunteerFactory,
)
from tests.forms.rendered import submit_and_follow


def test_a_centre_administrator_types_buddhist_era_dates_and_the_days_are_saved(app, center):
    administrator = UserFactory(
        username="centre-admin", center=center, is_staff=True, role="centre_admin"
    )
    visited = timezone.make_aware(datetime.datetime(2026, 11, 20, 9, 30))
    visit = HomeVisitFactory(
        case=CaseFactory(center=center),
        visited_at=visited,
        next_visit_due=datetime.date(2026, 12, 1),
    )
    page = app.get(reverse("admin:cases_homevisit_change", args=[visit.pk]), user=administrator)
    rendered = page.forms["homevisit_form"]
    # Shown as the rest of the app shows them.
    assert rendered["next_visit_due"].value == "01/12/2569"
    assert (rendered["visited_at_0"].value, rendered["visited_at_1"].value) == (
        "20/11/2569",
        "09:30",
    )

    rendered["next_visit_due"] = "27/12/2569"
    rendered["visited_at_0"] = "๑๙/๑๑/๒๕๖๙"  # Thai digits, as a Thai keyboard types them
    rendered["visited_at_1"] = "14:05"
    submit_and_follow(rendered)

    visit = HomeVisit.objects.get(pk=visit.pk)
    assert visit.next_visit_due == datetime.date(2026, 12, 27)
    assert timezone.localtime(visit.visited_at).replace(tzinfo=None) == datetime.datetime(
        2026, 11, 19, 14, 5
    )


def test_a_date_that_is_not_one_is_refused_in_thai_and_nothing_is_saved(app, center):
    administrator = UserFactory(
        username="centre-admin", center=center, is_staff=True, role="centre_admin"
    )
    visit = HomeVisitFactory(case=CaseFactory(center=center))
    due = visit.next_visit_due
    page = app.get(reverse("admin:cases_homevisit_change", args=[visit.pk]), user=administrator)
    rendered = page.forms["homevisit_form"]
    rendered["next_visit_due"] = "31/02/2569"
    answer = rendered.submit()

    assert answer.status_int == 200
    assert "กรุณากรอกวันที่ที่มีอยู่จริง" in answer.text
    assert HomeVisit.objects.get(pk=visit.pk).next_visit_due == due


def test_the_admins_lists_show_buddhist_era_dates_and_sort_by_them(app, center):
    """Django writes a list's dates in the Common Era ("27 พฤศจิกายน 2026"): the lists
    write them as the app does, and a date's column still sorts by the date."""
    administrator = UserFactory(
        username="centre-admin", center=center, is_staff=True, role="centre_admin"
    )
    later = CaseFactory(center=center, opened_on=datetime.date(2026, 11, 27))
    earlier = CaseFactory(center=center, opened_on=datetime.date(2019, 4, 24))
    HomeVisitFactory(
        case=earlier,
        visited_at=timezone.make_aware(datetime.datetime(2026, 11, 20, 9, 30)),
        next_visit_due=None,
    )
    cases = reverse("admin:cases_case_changelist")
    page = app.get(cases, user=administrator)
    opened = [cell.text for cell in page.html.select("td.field-opened_on")]
    assert sorted(opened) == ["24 เม.ย. 2562", "27 พ.ย. 2569"]
    assert "2026" not in page.html.select_one("#result_list").text

    # Sorted by that column (its number in the header's link), one way then the other:
    # the dates' order, not their text's.
    link = page.html.select_one("th.column-opened_on div.text a")["href"]
    column = link.removeprefix("?o=").split(".")[0].lstrip("-")
    for order, expected in ((column, [earlier, later]), (f"-{column}", [later, earlier])):
        page = app.get(f"{cases}?o={order}", user=administrator)
        numbers = [cell.text for cell in page.html.select("th.field-number")]
        assert numbers == [case.number for case in expected]

    # The drill-down by date above the list: its years too, and where it leads.
    years = page.html.select("nav.toplinks a")
    assert [a.text for a in years] == ["2562", "2569"]
    page = app.get(cases + years[0]["href"], user=administrator)
    assert [a.text for a in page.html.select("nav.toplinks a")][-1] == "เมษายน 2562"
    assert [cell.text for cell in page.html.select("td.field-opened_on")] == ["24 เม.ย. 2562"]

    visits = app.get(reverse("admin:cases_homevisit_changelist"), user=administrator)
    assert visits.html.select_one("td.field-visited_at").text == "20 พ.ย. 2569 09:30 น."
    assert visits.html.select_one("td.field-next_visit_due").text == "20 ธ.ค. 2569"
    VolunteerFactory(center=center).join_team(TeamFactory(center=center))
    members = app.get(reverse("admin:volunteers_teammembership_changelist"), user=administrator)
    assert members.html.select_one("td.field-left_on").text == "-"  # not left: the empty mark
