"""The volunteer list's rows written in Python (volunteers/templatetags/volunteer_rows.py)
say what the template's loop said, as parsed HTML, in Thai and in English, with text
that needs escaping, a leader, several teams, none, and no subdistrict."""

import pytest

from coordination.models import Subdistrict
from tests.factories import TeamFactory, VolunteerFactory
from tests.rows import assert_written_as_the_loop
from volunteers.models import Volunteer
from volunteers.templatetags.volunteer_rows import volunteer_list_rows
from volunteers.views import open_memberships

pytestmark = pytest.mark.django_db

# The loop of templates/volunteers/volunteer_list.html before volunteer_list_rows.
ROWS_LOOP = """{% load i18n thai %}{% for volunteer in page_obj %}
    <tr>
      <td data-label="{% translate "Name" %}"><a href="{% url 'volunteers:volunteer-detail' volunteer.pk %}">{{ volunteer.full_name }}</a></td>
      <td data-label="{% translate "National ID number" %}">{{ volunteer.national_id|masked_id }}</td>
      <td data-label="{% translate "Phone" %}">{{ volunteer.phone }}</td>
      <td data-label="{% translate "Teams" %}">{% for m in volunteer.open_memberships %}{{ m.team.name }}{% if m.role == "leader" %} ({% translate "leader" %}){% endif %}{% if not forloop.last %}, {% endif %}{% empty %}–{% endfor %}</td>
      <td data-label="{% translate "Subdistrict" %}">{{ volunteer.subdistrict|default:"–" }}</td>
      <td data-label="{% translate "Status" %}">{{ volunteer.get_status_display }}</td>
    </tr>
  {% endfor %}"""


def test_volunteer_list_rows_write_what_the_template_wrote(center):
    elders = TeamFactory(center=center, name='ผู้สูงอายุ <"ก">&')
    children = TeamFactory(center=center, name="เด็ก")
    leader = VolunteerFactory(
        center=center,
        first_name="สม<ศรี>",
        last_name='"ดี" & มาก',
        phone="08<b>1",
        subdistrict=Subdistrict.objects.order_by("pk").first(),
    )
    leader.join_team(elders, role="leader")
    leader.join_team(children)
    VolunteerFactory(center=center, status=Volunteer.Status.INACTIVE, national_id="")
    rows = list(
        Volunteer.objects.filter(center=center)
        .select_related("subdistrict")
        .prefetch_related(open_memberships())
        .order_by("pk")
    )
    assert_written_as_the_loop(lambda: volunteer_list_rows(rows), ROWS_LOOP, {"page_obj": rows})
    written = volunteer_list_rows(rows)
    assert written.count("<tr>") == 2
    assert "สม&lt;ศรี&gt;" in written and "&lt;&quot;ก&quot;&gt;&amp;" in written
    assert "08&lt;b&gt;1" in written
