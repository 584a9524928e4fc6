"""The dashboard: the centre's figures, its own only, each linked to its list."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from coordination.models import TargetGroup
from tests.factories import CaseFactory, HomeVisitFactory

pytestmark = pytest.mark.django_db


def test_the_dashboard_counts_the_centres_work(coordinator_client, center, team, other_center):
    today = timezone.localdate()
    disability = TargetGroup.objects.get(code="disability")
    overdue = CaseFactory(center=center, team=team, priority=4, opened_on=today)
    Case.objects.filter(pk=overdue.pk).update(next_visit_due=today - datetime.timedelta(days=1))
    visited = CaseFactory(center=center, team=None, target_groups=[disability], opened_on=today)
    HomeVisitFactory(case=visited, visited_at=timezone.now())
    CaseFactory(
        center=center, status="closed", closed_on=today, closure_reason="moved", opened_on=today
    )
    CaseFactory(center=other_center, priority=4)  # not ours
    response = coordinator_client.get(reverse("coordination:dashboard"))
    figures = response.context["figures"]
    assert figures == {
        "open": 2, "overdue": 1, "unassigned": 1, "never_visited": 1, "urgent": 1,
        "opened_this_month": 3, "closed_this_month": 1,
    }  # fmt: skip
    assert response.context["visits_this_month"] == 1
    assert {g.code: n for g, n in response.context["groups"]} == {
        "destitute": 0, "disability": 1, "elderly": 1, "women": 0, "children_youth": 0,
    }  # fmt: skip
    assert [(v, n) for v, _label, n in response.context["statuses"]] == [
        ("intake", 2),
        ("assessed", 0),
        ("in_assistance", 0),
        ("follow_up", 0),
    ]
    assert reverse("cases:case-list") + "?overdue=on" in response.content.decode()


def test_the_dashboard_keeps_its_queries_whatever_the_data(coordinator_client, center, team):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            coordinator_client.get(reverse("coordination:dashboard"))
        return len(captured)

    CaseFactory(center=center, team=team)
    few = queries()
    CaseFactory.create_batch(20, center=center, team=team)
    assert queries() == few


def test_volunteers_get_403_on_the_dashboard(volunteer_client):
    assert volunteer_client.get(reverse("coordination:dashboard")).status_code == 403
