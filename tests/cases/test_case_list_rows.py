"""The rows of the case list and of "my cases" written in Python
(cases/templatetags/case_rows.py: `case_list_rows`, `my_case_rows`) say what the
templates' loops said, as parsed HTML, in Thai and in English, with text that needs
escaping, every kind of cell filled and empty."""

import datetime

import pytest
from django.utils import timezone

from cases.models import Case
from cases.templatetags.case_rows import case_list_rows, my_case_rows
from cases.views import list_rows
from coordination.models import TargetGroup
from tests.factories import CaseFactory, TeamFactory
from tests.rows import assert_written_as_the_loop

pytestmark = pytest.mark.django_db

# The loop of templates/cases/case_list.html before case_list_rows, with the labels it
# translated once above it.
ROWS_LOOP = """{% load i18n rows thai %}
    {% translate "Case number" as l_number %}
    {% translate "Name" as l_name %}
    {% translate "National ID number" as l_id %}
    {% translate "Target groups" as l_groups %}
    {% translate "Team" as l_team %}
    {% translate "Status" as l_status %}
    {% translate "Opened" as l_opened %}
    {% translate "Last visit" as l_last %}
    {% translate "Next visit due" as l_next %}
    {% translate "overdue" as l_overdue %}
    {% for case in page_obj %}
      <tr>
        <td><label class="check-target"><input class="form-check-input" type="checkbox" name="cases" value="{{ case.pk }}"><span class="visually-hidden">{% blocktranslate with number=case.number %}Select case {{ number }}{% endblocktranslate %}</span></label></td>
        <td data-label="{{ l_number }}"><a href="{% pk_url 'cases:case-detail' case.pk %}">{{ case.number }}</a>{% if case.priority >= 3 %} <span class="badge text-bg-warning">{{ case.get_priority_display }}</span>{% endif %}</td>
        <td data-label="{{ l_name }}">{{ case.full_name }}</td>
        <td data-label="{{ l_id }}">{{ case.national_id|masked_id|default:"–" }}</td>
        <td data-label="{{ l_groups }}">{{ case.group_names|join:", " }}</td>
        <td data-label="{{ l_team }}">{% if case.team %}<a href="{% pk_url 'volunteers:team-detail' case.team_id %}">{{ case.team.name }}</a>{% else %}<span class="text-danger">{% translate "none yet" %}</span>{% endif %}</td>
        <td data-label="{{ l_status }}">{{ case.get_status_display }}</td>
        <td data-label="{{ l_opened }}">{{ case.opened_on|be_date }}</td>
        <td data-label="{{ l_last }}">{{ case.last_visit_at|be_date|default:"–" }}</td>
        <td data-label="{{ l_next }}">{% if case.next_visit_due %}{% with overdue=case.is_overdue %}<span class="{% if overdue %}overdue{% endif %}">{{ case.next_visit_due|be_date }}{% if overdue %} ({{ l_overdue }}){% endif %}</span>{% endwith %}{% else %}–{% endif %}</td>
      </tr>
    {% endfor %}"""


def test_case_list_rows_write_what_the_template_wrote(center, team):
    today = timezone.localdate()
    other_team = TeamFactory(center=center, name='ทีม <"ข">&')
    CaseFactory(
        center=center,
        team=team,
        first_name="สม<ใจ>",
        last_name='"ดี" & มาก',
        national_id="1101700203451",
        priority=Case.Priority.URGENT,
        status=Case.Status.IN_ASSISTANCE,
        next_visit_due=today - datetime.timedelta(days=3),
        last_visit_at=timezone.now() - datetime.timedelta(days=40),
        target_groups=list(TargetGroup.objects.all()[:3]),
    )
    CaseFactory(
        center=center,
        team=other_team,
        priority=Case.Priority.HIGH,
        next_visit_due=today + datetime.timedelta(days=5),
    )
    CaseFactory(center=center, priority=Case.Priority.LOW)  # no team, no visit, no ID
    rows = list_rows(Case.objects.filter(center=center).order_by("number"))
    assert_written_as_the_loop(lambda: case_list_rows(rows), ROWS_LOOP, {"page_obj": rows})
    written = case_list_rows(rows)
    assert written.count("<tr>") == 3
    assert "&lt;ใจ&gt;" in written and "&lt;&quot;ข&quot;&gt;&amp;" in written
    assert "overdue" in written or "เกินกำหนด" in written


# The loop of templates/cases/my_cases.html before my_case_rows.
MY_CASES_LOOP = """{% load i18n rows thai %}
{% translate "Overdue" as l_overdue %}{% translate "Next visit due" as l_next %}{% translate "not set" as l_not_set %}{% translate "never visited" as l_never %}{% translate "Log a visit" as log_label %}
{% for case in page_obj %}
  {% with since=case.last_visit_at|days_since overdue=case.is_overdue %}
  <li class="list-group-item{% if overdue %} overdue-item{% endif %}">
    <a class="fw-bold" href="{% pk_url 'cases:case-detail' case.pk %}">{{ case.full_name }}</a>
    <span class="text-muted">{{ case.number }} · {{ case.team.name }}</span><br>
    {% if overdue %}<span class="badge text-bg-danger">{{ l_overdue }}</span>{% else %}{{ l_next }}:{% endif %}
    {{ case.next_visit_due|be_date|default:l_not_set }} ·
    {% if since is None %}{{ l_never }}{% else %}{% blocktranslate count days=since %}last visit {{ days }} day ago{% plural %}last visit {{ days }} days ago{% endblocktranslate %}{% endif %}
    <div class="mt-2"><a class="btn btn-primary btn-sm" href="{% pk_url 'cases:visit-create' case.pk %}" aria-label="{{ log_label }}: {{ case.full_name }}">{{ log_label }}</a></div>
  </li>
  {% endwith %}
{% endfor %}"""


def test_my_case_rows_write_what_the_template_wrote(center, team):
    now, today = timezone.now(), timezone.localdate()
    other_team = TeamFactory(center=center, name='ทีม <"ข">&')
    CaseFactory(
        center=center,
        team=other_team,
        first_name="สม<ใจ>",
        next_visit_due=today - datetime.timedelta(days=2),
        last_visit_at=now - datetime.timedelta(days=1),
    )
    CaseFactory(center=center, team=team, next_visit_due=today + datetime.timedelta(days=9),
                last_visit_at=now - datetime.timedelta(days=12))  # fmt: skip
    CaseFactory(center=center, team=team)  # never visited, no date set
    cases = list(Case.objects.filter(center=center).select_related("team").order_by("number"))
    assert_written_as_the_loop(lambda: my_case_rows(cases), MY_CASES_LOOP, {"page_obj": cases})
    written = my_case_rows(cases)
    assert written.count("<li") == 3 and written.count("overdue-item") == 1
    assert "สม&lt;ใจ&gt;" in written and "&lt;&quot;ข&quot;&gt;&amp;" in written
