"""The team page's rows written in Python (cases/templatetags/team_rows.py) say what the
template's loops said: each tag against the loop it replaced, as parsed HTML, in Thai and
in English, with text that needs escaping."""

import datetime

import pytest
from django.template import Context, Template
from django.test.html import parse_html
from django.utils import timezone
from django.utils.translation import override

from cases.team_pages import add_member_figures, add_member_rows
from cases.templatetags.team_rows import team_case_rows, team_member_rows
from tests.factories import CaseFactory, HomeVisitFactory, VolunteerFactory
from volunteers.models import TeamMembership

pytestmark = pytest.mark.django_db

# The loops of templates/volunteers/team_detail.html before the tags.
MEMBERS_LOOP = """{% load i18n thai %}{% translate "Make leader" as make_leader %}{% translate "Remove" as remove %}
  {% for m in current %}
    <li class="list-group-item d-flex flex-wrap gap-2 justify-content-between align-items-center">
      <div><a href="{{ m.volunteer_url }}">{{ m.name }}</a> · {{ m.get_role_display }} · <span class="text-muted">{% translate "since" %} {{ m.joined_on|be_date }}</span>
        <br><span class="small">{{ m.figures }} ·
        {{ m.last_visit }}</span></div>
      <div class="d-flex flex-wrap gap-3">
        {% if m.role != "leader" %}
        <form method="post" action="{{ m.make_leader_url }}">{% csrf_token %}<button class="btn btn-sm btn-outline-primary" type="submit">{{ make_leader }}<span class="visually-hidden">: {{ m.name }}</span></button></form>
        {% endif %}
        <form method="post" action="{{ m.end_url }}">{% csrf_token %}<button class="btn btn-sm btn-outline-danger" type="submit">{{ remove }}<span class="visually-hidden">: {{ m.name }}</span></button></form>
      </div>
    </li>
  {% endfor %}"""
CASES_LOOP = """{% load i18n thai %}{% for case in cases %}
    <li class="list-group-item"><a href="{% url 'cases:case-detail' case.pk %}">{{ case.number }} {{ case.full_name }}</a> · {{ case.get_status_display }}
      {% if case.next_visit_due %}· <span class="{% if case.is_overdue %}overdue{% endif %}">{% translate "next visit" %} {{ case.next_visit_due|be_date }}</span>{% endif %}</li>
  {% endfor %}"""


def test_team_member_rows_write_what_the_template_wrote(center, team):
    leader = VolunteerFactory(center=center, prefix="mrs", first_name="<b>ผู้นำ</b>", last_name="&")
    leader.join_team(team, role=TeamMembership.Role.LEADER, on=datetime.date(2025, 1, 2))
    member = VolunteerFactory(center=center, first_name='ส"มา"ชิก')
    member.join_team(team, on=datetime.date(2024, 6, 30))
    case = CaseFactory(center=center, team=team)
    HomeVisitFactory(case=case, visited_at=timezone.now()).volunteers.add(member)
    current = list(
        TeamMembership.objects.filter(team=team).select_related("volunteer").order_by("role")
    )
    for language in ["th", "en"]:
        with override(language):
            add_member_figures(current, center.pk)
            add_member_rows(current, team)
            context = Context({"current": current, "csrf_token": "tok<en>"})
            ours = parse_html(team_member_rows(context, current))
            theirs = parse_html(Template(MEMBERS_LOOP).render(context))
            assert ours == theirs
    html = team_member_rows(Context({"csrf_token": "t"}), current)
    # The leader has no "Make leader"; each row removes; names are text, never markup.
    assert html.count('name="csrfmiddlewaretoken" value="t"') == 3
    assert "&lt;b&gt;ผู้นำ&lt;/b&gt;" in html and "<b>" not in html


def test_team_case_rows_write_what_the_template_wrote(center, team):
    today = timezone.localdate()
    CaseFactory(center=center, team=team, first_name="<i>ก</i>", next_visit_due=today)
    CaseFactory(
        center=center, team=team, status="follow_up", next_visit_due=today - datetime.timedelta(1)
    )
    CaseFactory(center=center, team=team, next_visit_due=None)
    cases = list(team.cases.order_by("pk"))
    for language in ["th", "en"]:
        with override(language):
            ours = parse_html(team_case_rows(cases))
            theirs = parse_html(Template(CASES_LOOP).render(Context({"cases": cases})))
            assert ours == theirs
    html = team_case_rows(cases)
    assert html.count('class="overdue"') == 1 and "&lt;i&gt;ก&lt;/i&gt;" in html
