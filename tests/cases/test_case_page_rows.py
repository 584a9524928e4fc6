"""The case page's rows written in Python (cases/templatetags/case_rows.py) say what the
template's loops said: each tag against the loop it replaced, as parsed HTML, in Thai and
in English, with text that needs escaping."""

import datetime

import pytest
from django.template import Context, Template
from django.test.html import parse_html
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
