"""The case page's rows written in Python (cases/templatetags/case_rows.py) say what the
template's loops said: each tag against the loop it replaced, as parsed HTML, in Thai and
in English, with text that needs escaping."""

import datetime

import pytest
from django.template import Context, Template
from django.test.html import parse_html
from django.utils import timezone
from django.utils.translation import override

from cases.models import HomeVisit, VisitPhoto
from cases.templatetags.case_rows import visit_rows
from cases.views import timelines_of, with_present_and_photos
from tests.factories import HomeVisitFactory, VolunteerFactory
from tests.images import phone_photo, upload

pytestmark = pytest.mark.django_db

# The loop of templates/cases/case_detail.html before visit_rows.
VISITS_LOOP = """{% load i18n thai %}{% for visit in visits %}
      <li class="border-start border-3 ps-3 mb-3">
        <a href="{% url 'cases:visit-detail' visit.pk %}"><strong>{{ visit.visited_at|be_datetime }}</strong></a> · {{ visit.get_purpose_display }}
        <div class="small text-muted">{% for v in visit.volunteers.all %}{{ v.full_name }}{% if not forloop.last %}, {% endif %}{% endfor %}{% if visit.other_participants %}; {{ visit.other_participants }}{% endif %}</div>
        <p class="mb-1">{{ visit.findings|truncatewords:40 }}</p>
        {% if visit.adl_score is not None %}<div class="small">{% translate "ADL" %} {{ visit.adl_score }} · {{ visit.adl_group }}</div>{% endif %}
        {% if visit.photos.all %}<div class="d-flex flex-wrap gap-1 mt-1">{% for photo in visit.photos.all %}<a href="{% url 'cases:visit-photo' photo.pk %}"><img src="{% url 'cases:visit-photo' photo.pk %}?size=thumb" alt="{% blocktranslate with n=forloop.counter date=visit.visited_at|be_date %}Photo {{ n }} of the visit of {{ date }}{% endblocktranslate %}" width="96" height="{% widthratio photo.height photo.width 96 %}" loading="lazy" class="rounded border"></a>{% endfor %}</div>{% endif %}
      </li>
    {% endfor %}"""


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def day(number: int) -> datetime.datetime:
    return datetime.datetime(2025, 11, number, 10, 0, tzinfo=datetime.UTC)


def test_visit_rows_write_what_the_template_wrote(case, tmp_path):
    lots = " ".join(["คำ<b>&"] * 45)
    full = HomeVisitFactory(
        case=case,
        visited_at=day(3),
        findings=lots,
        other_participants='ผู้ใหญ่ <บ้าน> & "ลูก"',
        adl_score=7,
    )
    full.volunteers.add(
        VolunteerFactory(center=case.center, prefix="mr", first_name="ข<ก>", last_name="ค"),
        VolunteerFactory(center=case.center, prefix="other", first_name="A", last_name="B"),
    )
    for size in [(1200, 900), (900, 1200)]:
        VisitPhoto.objects.create(
            center=case.center, visit=full, image=upload(phone_photo(tmp_path / "p.jpg", size=size))
        )
    HomeVisitFactory(case=case, visited_at=day(2), findings="", purpose="follow_up")
    HomeVisitFactory(case=case, visited_at=day(1), findings="short")
    for language in ["th", "en"]:
        with override(language):
            page = timelines_of(case, {})["visits"]
            ours = parse_html(visit_rows(page))
            theirs = parse_html(
                Template(VISITS_LOOP).render(
                    Context({"visits": HomeVisit.objects.filter(case=case).order_by("-visited_at")})
                )
            )
            assert ours == theirs
            assert len(page) == 3
    assert 'width="96" height="72"' in visit_rows(page) and 'height="128"' in visit_rows(page)


def test_the_names_present_and_the_photos_take_two_queries_for_a_page(
    case, django_assert_num_queries
):
    visits = [HomeVisitFactory(case=case) for _ in range(3)]
    for visit in visits:
        visit.volunteers.add(VolunteerFactory(center=case.center))
    with django_assert_num_queries(2):
        with_present_and_photos(visits)
    assert [len(v.present) for v in visits] == [1, 1, 1] and visits[0].photo_sizes == []


CHANGES_LOOP = """{% load i18n thai %}{% for change in changes %}
      <li class="mb-2"><strong>{{ change.at|be_datetime }}</strong> · {% blocktranslate with kind=change.kind subject=change.subject %}{{ subject }} {{ kind }}{% endblocktranslate %}{% if change.user %} · <span class="text-muted">{{ change.user.get_full_name|default:change.user.username }}</span>{% endif %}
        {% if change.fields %}<ul class="mb-0">{% for label, old, new in change.fields %}<li>{{ label }}: {{ old|truncatechars:80 }} → {{ new|truncatechars:80 }}</li>{% endfor %}</ul>{% endif %}
      </li>
    {% endfor %}"""


def later(minutes: int) -> datetime.datetime:
    """A record's time after the records made now (their creation)."""
    return timezone.now() + datetime.timedelta(minutes=minutes)


def test_change_rows_write_what_the_template_wrote(case, coordinator):
    from cases.history import backdate, case_history
    from cases.templatetags.case_rows import change_rows

    visit = HomeVisitFactory(case=case, visited_at=day(1), findings="<เดิม> " + "ก" * 100)
    for number, findings in enumerate(['ใหม่ & "แก้"', "อีก"], 1):
        visit.findings = findings
        backdate(visit, later(number), by=coordinator if number == 1 else None)
        visit.save()
    case.problems = "<b>ปัญหา</b>"
    backdate(case, later(3), by=coordinator)
    case.save()
    for language in ["th", "en"]:
        with override(language):
            changes = case_history(case)
            ours = parse_html(change_rows(changes))
            theirs = parse_html(Template(CHANGES_LOOP).render(Context({"changes": changes})))
            assert ours == theirs
    assert "&lt;b&gt;ปัญหา&lt;/b&gt;" in change_rows(changes) and "…" in change_rows(changes)


def test_the_newest_changes_are_the_newest_of_the_whole_history(case, coordinator):
    """Records are compared newest first and only until the page's number is found."""
    from cases.history import backdate, case_history

    # At most five records of each kind: the limit of five per kind reads them all.
    for number in range(1, 3):
        visit = HomeVisitFactory(case=case, visited_at=day(number), findings=f"พบ {number}")
        visit.findings = f"พบ {number} แก้"
        backdate(visit, later(3 * number))
        visit.save()
    for number in range(1, 3):
        case.problems = f"ปัญหา {number}"
        backdate(case, later(2 * number + 1))
        case.save()
    assert case.history.count() <= 5 and HomeVisit.history.filter(case_id=case.pk).count() <= 5
    whole = case_history(case)
    assert len(whole) >= 7
    assert case_history(case, limit=5) == whole[:5]
    assert [c.at for c in whole] == sorted((c.at for c in whole), reverse=True)


MEMBERS_LOOP = """{% load i18n %}{% translate "team leader" as leader %}{% for m in team_members %}<li class="list-group-item">{% if m.url %}<a href="{{ m.url }}">{{ m.name }}</a>{% else %}{{ m.name }}{% endif %}{% if m.role == "leader" %} · {{ leader }}{% endif %}{% if m.volunteer.phone %} · <a href="tel:{{ m.volunteer.phone }}">{{ m.volunteer.phone }}</a>{% endif %}</li>
      {% endfor %}"""


def test_member_rows_write_what_the_template_wrote(case, coordinator, volunteer_on_team):
    from cases.templatetags.case_rows import member_rows
    from cases.views import team_members_of

    VolunteerFactory(center=case.center, first_name="<ผู้นำ>", phone="").join_team(
        case.team, role="leader"
    )
    for viewer in [coordinator, volunteer_on_team.user]:
        for language in ["th", "en"]:
            with override(language):
                members = team_members_of(case, viewer)
                ours = parse_html(member_rows(members))
                theirs = parse_html(
                    Template(MEMBERS_LOOP).render(Context({"team_members": members}))
                )
                assert ours == theirs and len(members) == 2
    assert "/volunteers/" in member_rows(team_members_of(case, coordinator))


NEEDS_LOOP = """{% load i18n thai %}{% for visit in visits_needing_referral %}
    <li class="border-start border-3 border-warning ps-3 mb-3">
      <a href="{% url 'cases:visit-detail' visit.pk %}">{{ visit.visited_at|be_date }}</a>{% if visit.needs %}: {{ visit.needs|truncatewords:30 }}{% endif %}
      {% if can_refer %}
      <div class="d-flex flex-wrap gap-2 mt-2 align-items-start">
        <a class="btn btn-sm btn-primary" href="{% url 'cases:referral-create' case.pk %}?visit={{ visit.pk }}">{% translate "Refer" %}</a>
        <details>
          <summary class="btn btn-sm btn-outline-secondary">{% translate "Dismiss the need" %}</summary>
          <form method="post" action="{% url 'cases:visit-referral-dismiss' visit.pk %}" class="mt-2">{% csrf_token %}
            <label class="form-label" for="dismiss-reason-{{ visit.pk }}">{{ dismiss_form.reason.label }}</label>
            <input type="text" class="form-control" name="reason" id="dismiss-reason-{{ visit.pk }}" maxlength="500" required>
            <button type="submit" class="btn btn-sm btn-outline-danger mt-2">{% translate "Dismiss" %}</button>
          </form>
        </details>
      </div>
      {% endif %}
    </li>
    {% endfor %}"""


def test_referral_need_rows_write_what_the_template_wrote(case, coordinator, volunteer_on_team):
    from cases.referrals import case_referrals
    from cases.templatetags.case_rows import referral_need_rows

    HomeVisitFactory(case=case, visited_at=day(1), referral_needed=True, needs="<ขอ> " * 40)
    HomeVisitFactory(case=case, visited_at=day(2), referral_needed=True, needs="")
    for viewer in [coordinator, volunteer_on_team.user]:
        for language in ["th", "en"]:
            with override(language):
                context = Context(
                    {"case": case, "csrf_token": "tok<en>", **case_referrals(case, viewer)}
                )
                assert len(context["visits_needing_referral"]) == 2
                ours = parse_html(referral_need_rows(context, context["visits_needing_referral"]))
                theirs = parse_html(Template(NEEDS_LOOP).render(context))
                assert ours == theirs
    coordinators = Context({"case": case, "csrf_token": "t", **case_referrals(case, coordinator)})
    html = referral_need_rows(coordinators, coordinators["visits_needing_referral"])
    assert 'name="csrfmiddlewaretoken" value="t"' in html and "&lt;ขอ&gt;" in html


def test_what_stops_closing_is_read_from_the_referrals_the_page_has_read(case, coordinator):
    """The case page names the open referrals that stop closing from its referral list:
    the same blockers, in the same order, as close_blockers() queries itself."""
    from cases.referrals import case_referrals
    from tests.factories import ReferralFactory

    first = ReferralFactory(case=case, sent_on=datetime.date(2025, 11, 3))
    ReferralFactory(case=case, sent_on=datetime.date(2025, 11, 5))
    done = ReferralFactory(case=case, sent_on=datetime.date(2025, 11, 4))
    done.status = "cancelled"
    done.save()
    loaded = case_referrals(case, coordinator)["referrals_open"]
    for language in ["th", "en"]:
        with override(language):
            expected = [str(b) for b in case.close_blockers()]
            assert [str(b) for b in case.close_blockers(open_referrals=loaded)] == expected
            assert len(expected) == 2 and first.letter_number in expected[1]
