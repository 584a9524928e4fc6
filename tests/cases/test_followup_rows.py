"""The follow-up worklist's rows written in Python (case_rows.followup_rows) say what the
template's loop said, as parsed HTML, in Thai and in English, with text that needs
escaping; and the worklist page shows them."""

import datetime

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.test.html import parse_html
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from cases.models import Case
from cases.templatetags.case_rows import followup_rows
from cases.views import FOLLOWUP_ROW_COLUMNS
from tests.factories import CaseFactory, TeamFactory
from volunteers.models import Team

pytestmark = pytest.mark.django_db

# The loop of templates/cases/followup_list.html before followup_rows.
FOLLOWUP_LOOP = """{% load i18n rows thai %}
  {% translate "Case" as l_case %}{% translate "Team" as l_team %}{% translate "Last visit" as l_last %}{% translate "Next visit due" as l_next %}{% translate "Reassign" as l_reassign %}{% translate "none yet" as l_none_yet %}{% translate "never" as l_never %}{% translate "Move" as l_move %}
  {% with next_path=request.get_full_path %}
  {% for case in page_obj %}
    <tr>
      <td data-label="{{ l_case }}"><a href="{% pk_url 'cases:case-detail' case.pk %}">{{ case.number }} {{ case.full_name }}</a></td>
      <td data-label="{{ l_team }}">{{ case.team.name|default:l_none_yet }}</td>
      <td data-label="{{ l_last }}">{{ case.last_visit_at|be_date|default:l_never }}</td>
      <td data-label="{{ l_next }}">{% if case.next_visit_due %}{% with days=case.days_overdue %}<span class="{% if days %}overdue{% endif %}">{{ case.next_visit_due|be_date }}</span>{% if days %}<br><span class="overdue small">{% blocktranslate count days=days %}{{ days }} day overdue{% plural %}{{ days }} days overdue{% endblocktranslate %}</span>{% endif %}{% endwith %}{% else %}–{% endif %}</td>
      <td data-label="{{ l_reassign }}">
        <form method="post" action="{% pk_url 'cases:case-assign' case.pk %}" class="d-flex flex-wrap gap-2 flex-grow-1">
          {% csrf_token %}
          <input type="hidden" name="next" value="{{ next_path }}">
          <label class="visually-hidden" for="team-{{ case.pk }}">{% blocktranslate with number=case.number %}New team for {{ number }}{% endblocktranslate %}</label>
          <select class="form-select form-select-sm" name="team" id="team-{{ case.pk }}">
            {% model_options teams case.team_id %}
          </select>
          <button type="submit" class="btn btn-sm btn-outline-primary">{{ l_move }}</button>
        </form>
      </td>
    </tr>
  {% endfor %}
  {% endwith %}"""


def test_followup_rows_write_what_the_template_wrote(center, team):
    today = timezone.localdate()
    odd_team = TeamFactory(center=center, name='ทีม <พิเศษ> & "ก"')
    now = timezone.now()
    cases = [
        CaseFactory(center=center, team=odd_team, first_name="<b>สม</b>", last_name="ใจ & ดี"),
        CaseFactory(center=center, team=None),  # no team, never visited
        CaseFactory(center=center, team=team),  # due later: not overdue
        CaseFactory(center=center, team=team),  # one day overdue: the singular
    ]
    Case.objects.filter(pk=cases[0].pk).update(
        last_visit_at=now - datetime.timedelta(days=40),
        next_visit_due=today - datetime.timedelta(days=10),
    )
    Case.objects.filter(pk=cases[2].pk).update(next_visit_due=today + datetime.timedelta(days=3))
    Case.objects.filter(pk=cases[3].pk).update(
        last_visit_at=now - datetime.timedelta(days=20),
        next_visit_due=today - datetime.timedelta(days=1),
    )
    request = RequestFactory().get("/cases/follow-ups/", {"show": "overdue", "q": '"<x>'})
    teams = list(Team.objects.filter(center=center).order_by("name"))
    whole = list(Case.objects.filter(pk__in=[c.pk for c in cases]).select_related("team"))
    few = list(
        Case.objects.filter(pk__in=[c.pk for c in cases])
        .select_related("team")
        .only(*FOLLOWUP_ROW_COLUMNS)
    )
    for language in ["th", "en"]:
        with override(language):
            context = {"request": request, "csrf_token": "token<&>", "teams": teams}
            theirs = Template(FOLLOWUP_LOOP).render(Context({**context, "page_obj": whole}))
            ours = followup_rows(Context(context), few, teams)
            assert parse_html(ours) == parse_html(theirs)
    assert "&lt;b&gt;สม&lt;/b&gt;" in ours and "&lt;พิเศษ&gt;" in ours
    assert "1 day overdue" in ours and "10 days overdue" in ours and "never" in ours


def test_the_worklist_page_shows_its_rows_and_the_empty_line(coordinator_client, center, team):
    url = reverse("cases:followup-list")
    empty = coordinator_client.get(url).content.decode()
    assert "ไม่มีรายการ: ทุกกรณีในกลุ่มนี้เป็นไปตามกำหนด" in empty
    case = CaseFactory(center=center, team=team, first_name="บุญมี", last_name="ทดสอบ")
    Case.objects.filter(pk=case.pk).update(
        next_visit_due=timezone.localdate() - datetime.timedelta(days=2)
    )
    html = coordinator_client.get(url).content.decode()
    assert f'action="{reverse("cases:case-assign", args=[case.pk])}"' in html
    assert "เกินกำหนด 2 วัน" in html
    assert f'<option value="{team.pk}" selected>{team.name}</option>' in html
    assert "ไม่มีรายการ" not in html


# The loop of templates/cases/_plan_actions_due.html before plan_action_rows.
PLAN_ACTIONS_LOOP = """{% load i18n rows thai %}
  {% translate "Overdue" as l_overdue %}{% translate "Owner" as l_owner %}{% translate "due on" as l_due_on %}
  {% for action in plan_actions.rows %}
    <li class="list-group-item" data-plan-action="{{ action.pk }}">
      <strong>{{ action.what }}</strong>
      {% if action.due_on < plan_actions.today %}<span class="badge text-bg-danger">{{ l_overdue }}</span>{% endif %}<br>
      <a href="{% pk_url 'cases:case-detail' action.case_id %}">{{ action.case.number }} {{ action.case.full_name }}</a>
      · {{ l_owner }}: {{ action.owner_name }} · {{ l_due_on }} {{ action.due_on|be_date }}
    </li>
  {% endfor %}"""


def test_plan_action_rows_write_what_the_template_wrote(center, team, coordinator):
    from cases.models import PlanAction
    from cases.templatetags.case_rows import plan_action_rows
    from cases.views import actions_due_for
    from coordination.models import Agency
    from tests.factories import VolunteerFactory

    today = timezone.localdate()
    case = CaseFactory(center=center, team=team, first_name="<i>ก</i>", last_name="&")
    volunteer = VolunteerFactory(center=center, prefix="mrs", first_name="ดวง", last_name="ดี")
    agency = Agency.objects.create(center=center, name="หน่วย <งาน>", kind="ngo")
    for what, owner, due in [
        ("โทร <หา> & นัด", {"owner_team": team}, today - datetime.timedelta(days=3)),
        ("พาไปลงทะเบียน", {"owner_volunteer": volunteer}, today),
        ('ยื่น "คำขอ"', {"owner_agency": agency}, today + datetime.timedelta(days=2)),
    ]:
        PlanAction.objects.create(case=case, what=what, due_on=due, **owner)
    for language in ["th", "en"]:
        with override(language):
            plan_actions = actions_due_for(coordinator)
            assert len(plan_actions["rows"]) == 3
            # The loop read the actions as model instances, their case and owner joined.
            instances = PlanAction.objects.for_rows().order_by("due_on", "id")
            theirs = Template(PLAN_ACTIONS_LOOP).render(
                Context({"plan_actions": {**plan_actions, "rows": instances}})
            )
            ours = plan_action_rows(plan_actions["rows"], plan_actions["today"])
            assert parse_html(ours) == parse_html(theirs)
    assert (
        ours.count("Overdue") == 1 and "&lt;i&gt;ก&lt;/i&gt;" in ours and "Owner: Mrs ดวง ดี" in ours
    )


# The loops of templates/cases/_followup_referrals.html before worklist_referral_rows and
# worklist_need_rows.
OVERDUE_LOOP = """{% load i18n rows thai %}{% for referral in overdue_referrals %}
    <li class="list-group-item overdue-item"><a href="{% pk_url 'cases:referral-detail' referral.pk %}">{{ referral.case.number }} {{ referral.case.full_name }} → {{ referral.agency.name }}</a>
      <br><span class="small">{{ referral.get_status_display }} · <span class="overdue">{% blocktranslate with date=referral.reply_by|be_date %}reply was due by {{ date }}{% endblocktranslate %}</span></span></li>
  {% endfor %}"""
UNREAD_LOOP = """{% load i18n rows thai %}{% for referral in unread_outcomes %}
    <li class="list-group-item"><a href="{% pk_url 'cases:referral-detail' referral.pk %}">{{ referral.case.number }} {{ referral.case.full_name }} → {{ referral.agency.name }}</a>
      <br><span class="small">{{ referral.get_status_display }}: {{ referral.outcome|truncatewords:20 }}</span></li>
  {% endfor %}"""
NEEDS_LOOP = """{% load i18n rows thai %}
  {% translate "Refer" as l_refer %}{% translate "Dismiss the need" as l_dismiss_need %}{% translate "Dismiss" as l_dismiss %}
  {% with reason_label=dismiss_form.reason.label %}
  {% for visit in visits_needing_referral %}
    <li class="list-group-item"><a href="{% pk_url 'cases:visit-detail' visit.pk %}">{{ visit.case.number }} {{ visit.case.full_name }} · {{ visit.visited_at|be_date }}</a>
      {% if visit.needs %}<br><span class="small">{{ visit.needs|truncatewords:20 }}</span>{% endif %}
      <div class="d-flex flex-wrap gap-2 mt-2 align-items-start">
        <a class="btn btn-sm btn-primary" href="{% pk_url 'cases:referral-create' visit.case_id %}?visit={{ visit.pk }}">{{ l_refer }}</a>
        <details>
          <summary class="btn btn-sm btn-outline-secondary">{{ l_dismiss_need }}</summary>
          <form method="post" action="{% pk_url 'cases:visit-referral-dismiss' visit.pk %}" class="mt-2">{% csrf_token %}
            <input type="hidden" name="next" value="followup">
            <label class="form-label" for="dismiss-reason-{{ visit.pk }}">{{ reason_label }}</label>
            <input type="text" class="form-control" name="reason" id="dismiss-reason-{{ visit.pk }}" maxlength="500" required>
            <button type="submit" class="btn btn-sm btn-outline-danger mt-2">{{ l_dismiss }}</button>
          </form>
        </details>
      </div>
    </li>
  {% endfor %}
  {% endwith %}"""


def test_the_referral_tab_rows_write_what_the_template_wrote(center, team, coordinator):
    from cases.models import ReferralStatus
    from cases.referrals import worklist_referral_counts, worklist_referrals
    from cases.templatetags.case_rows import worklist_need_rows, worklist_referral_rows
    from tests.factories import HomeVisitFactory, ReferralFactory, agency_of

    case = CaseFactory(center=center, team=team, first_name="<b>ก</b>", last_name='"ข" & ค')
    agency = agency_of(center, "หน่วยงาน <ช่วย> & เหลือ")
    ReferralFactory(case=case, agency=agency)  # overdue
    answered = ReferralFactory(case=case, agency=agency, reply_by=timezone.localdate())
    outcome = " ".join(["ผล<b>&"] * 25)
    answered.change_status(ReferralStatus.DECLINED, by=None, on=answered.sent_on, outcome=outcome)
    HomeVisitFactory(case=case, referral_needed=True, needs=" ".join(["ต้องการ<i>"] * 25))
    HomeVisitFactory(case=case, referral_needed=True, needs="")
    cases = Case.objects.visible_to(coordinator).open()
    for language in ["th", "en"]:
        with override(language):
            counts = worklist_referral_counts(coordinator, cases)
            assert counts == {"overdue": 1, "unread": 1, "needing": 2}
            context = {
                "csrf_token": "token<&>",
                **worklist_referrals(coordinator, cases, counts, {}),
            }
            theirs = Template(OVERDUE_LOOP + UNREAD_LOOP + NEEDS_LOOP).render(Context(context))
            ours = (
                worklist_referral_rows(context["overdue_referrals"], True)
                + worklist_referral_rows(context["unread_outcomes"], False)
                + worklist_need_rows(Context(context), context["visits_needing_referral"])
            )
            assert parse_html(ours) == parse_html(theirs)
    assert "&lt;ช่วย&gt;" in ours and "reply was due by" in ours and " …" in ours
    assert ours.count('name="csrfmiddlewaretoken" value="token&lt;&amp;&gt;"') == 2
