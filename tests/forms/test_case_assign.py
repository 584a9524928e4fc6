"""Giving a case to a team, from each page that offers it, as a coordinator does."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseEvent
from tests.factories import CaseFactory, TeamFactory
from tests.forms.rendered import (
    assert_renders_every_field,
    confirm_and_follow,
    form_posting_to,
    form_with_field,
    submit_and_follow,
)

LIST = reverse("cases:case-list")


def test_a_coordinator_assigns_a_case_on_its_assign_page(app, case, coordinator):
    other = TeamFactory(center=case.center, name="ทีมคนพิการ")
    response = app.get(reverse("cases:case-assign", args=[case.pk]), user=coordinator)
    rendered = form_with_field(response, "team")
    assert_renders_every_field(rendered, response.context["form"])
    assert rendered["team"].value == str(case.team_id)  # the current team is preselected

    rendered["team"] = str(other.pk)
    page = submit_and_follow(rendered)

    assert page.request.path == reverse("cases:case-detail", args=[case.pk])
    case.refresh_from_db()
    assert case.team == other
    assert case.events.filter(kind=CaseEvent.Kind.ASSIGNED, team=other, by=coordinator).exists()


def test_the_assign_page_proposes_the_team_of_the_first_target_group(app, center, coordinator):
    elderly_team = TeamFactory(center=center, name="ทีมผู้สูงอายุ")
    unassigned = CaseFactory(center=center, team=None)
    rendered = form_with_field(
        app.get(reverse("cases:case-assign", args=[unassigned.pk]), user=coordinator), "team"
    )
    assert rendered["team"].value == str(elderly_team.pk)

    submit_and_follow(rendered)  # the coordinator accepts the proposal as it stands
    unassigned.refresh_from_db()
    assert unassigned.team == elderly_team


def test_the_confirmation_names_each_cases_team_or_says_it_has_none(app, center, team, coordinator):
    other = TeamFactory(center=center, name="ทีมเด็ก")
    unassigned = CaseFactory(center=center, team=None)
    moving = CaseFactory(center=center, team=other)
    response = app.get(reverse("cases:case-list"), user=coordinator)
    rendered = form_posting_to(response, reverse("cases:case-bulk-assign"))
    rendered["cases"] = [str(unassigned.pk)]
    rendered["team"] = str(team.pk)
    asking = rendered.submit().text
    # Not "now with no team", nor previous teams that do not exist.
    assert f"{unassigned.number} {unassigned.full_name} ยังไม่มีทีมรับผิดชอบ" in asking
    assert "ปัจจุบันอยู่กับ" not in asking and "ทีมเดิม" not in asking

    rendered["cases"] = [str(unassigned.pk), str(moving.pk)]
    asking = rendered.submit().text
    assert f"{moving.number} {moving.full_name} ปัจจุบันอยู่กับทีมเด็ก" in asking
    assert "ทีมเดิมจะไม่เห็นกรณีเหล่านี้ในรายการงานอีก" in asking
    assert team.cases.count() == 0  # asked, not done


def test_a_coordinator_assigns_the_cases_ticked_in_the_list(app, center, team, coordinator):
    first, second, untouched = (CaseFactory(center=center, team=None) for _ in range(3))
    response = app.get(reverse("cases:case-list"), user=coordinator)
    rendered = form_posting_to(response, reverse("cases:case-bulk-assign"))
    # Only the team and the ticked cases: the list page renders its own inputs.
    assert {"team", "cases"} <= set(rendered.fields)
    rendered["cases"] = [str(first.pk), str(second.pk)]  # ticks these boxes, no others
    rendered["team"] = str(team.pk)
    page = confirm_and_follow(rendered)

    assert page.request.path == reverse("cases:case-list")
    assert "มอบหมาย 2 กรณีให้" in page.text
    assert {c.pk for c in team.cases.all()} == {first.pk, second.pk}
    untouched.refresh_from_db()
    assert untouched.team is None


def test_a_coordinator_moves_an_overdue_case_from_the_worklist_and_returns_to_it(
    app, center, team, coordinator
):
    other = TeamFactory(center=center, name="ทีมเด็ก")
    overdue = CaseFactory(
        center=center, team=team, next_visit_due=timezone.localdate() - datetime.timedelta(days=3)
    )
    response = app.get(reverse("cases:followup-list"), user=coordinator)
    rendered = form_posting_to(response, reverse("cases:case-assign", args=[overdue.pk]))
    assert {"team", "next"} <= set(rendered.fields)  # AssignForm's one field, and where to return
    rendered["team"] = str(other.pk)
    page = submit_and_follow(rendered)

    assert page.request.path == reverse("cases:followup-list")
    overdue.refresh_from_db()
    assert overdue.team == other


@pytest.mark.parametrize(
    "target",
    ["followup-list", "https://example.com/cases/", "//example.com/cases/", "javascript:alert(1)"],
)
def test_a_return_address_that_is_not_a_page_of_ours_ends_on_the_case(
    app, center, team, coordinator, target
):
    """A bare word was taken for a URL name by redirect(): none matched, and the answer
    was a 500. Another site's address is never followed."""
    other = TeamFactory(center=center, name="ทีมเด็ก")
    case = CaseFactory(
        center=center, team=team, next_visit_due=timezone.localdate() - datetime.timedelta(days=3)
    )
    response = app.get(reverse("cases:followup-list"), user=coordinator)
    rendered = form_posting_to(response, reverse("cases:case-assign", args=[case.pk]))
    rendered["team"] = str(other.pk)
    rendered["next"].force_value(target)  # as an edited page would send it
    answer = rendered.submit()

    assert answer.status_int == 302
    assert answer.location == reverse("cases:case-detail", args=[case.pk])
    case.refresh_from_db()
    assert case.team == other


def test_assigning_with_no_case_ticked_says_so_and_keeps_the_lists_filters(
    app, coordinator, center, team
):
    """Through the page as rendered: a team chosen, no case ticked."""
    CaseFactory(center=center, team=team)
    target = TeamFactory(center=center, name="ทีมใหม่")
    page = app.get(LIST, {"team": team.pk, "status": "all"}, user=coordinator)
    form = next(f for f in page.forms.values() if "cases" in f.fields)
    form["team"] = str(target.pk)
    back = form.submit().follow()
    assert back.request.path == LIST
    assert (back.request.GET["team"], back.request.GET["status"]) == (str(team.pk), "all")
    assert "ติ๊กเลือกกรณีที่จะมอบหมายก่อน" in back.text
    assert not Case.objects.filter(team=target).exists()


def test_a_bulk_assignment_returns_to_the_list_as_it_was_filtered(app, coordinator, center, team):
    case = CaseFactory(center=center, team=team)
    target = TeamFactory(center=center, name="ทีมใหม่")
    page = app.get(LIST, {"team": team.pk}, user=coordinator)
    form = next(f for f in page.forms.values() if "cases" in f.fields)
    form["team"] = str(target.pk)
    form.get("cases", index=0).checked = True
    done = confirm_and_follow(form)
    assert done.request.path == LIST and done.request.GET["team"] == str(team.pk)
    assert Case.objects.get(pk=case.pk).team == target
