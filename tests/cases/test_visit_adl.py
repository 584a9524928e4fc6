"""The Barthel ADL index on a visit: ten items with the ministry's choices, the total
counted from them, the dependency group, a typed total alone, or nothing at all."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from cases import barthel
from cases.forms import VisitForm
from cases.models import HomeVisit
from tests.factories import HomeVisitFactory

pytestmark = pytest.mark.django_db

# One answer per item, in the order of the ministry's form: 2+1+3+2+3+2+2+1+2+2 = 20.
ALL_BEST = {item.field: item.maximum for item in barthel.ITEMS}
# Bed-bound: fed (0), needs help grooming (0), needs a lot of help to sit (1), cannot use the
# toilet alone (0), cannot move (0), dressed by someone (0), no stairs (0), bathed (0),
# occasional accidents (1 + 1) = 3.
BED_BOUND = {
    "adl_feeding": 0,
    "adl_grooming": 0,
    "adl_transfer": 1,
    "adl_toilet": 0,
    "adl_mobility": 0,
    "adl_dressing": 0,
    "adl_stairs": 0,
    "adl_bathing": 0,
    "adl_bowels": 1,
    "adl_bladder": 1,
}


def visit_form(case, **changes) -> VisitForm:
    today = timezone.localdate()
    data = {
        "visit_date": f"{today.day:02d}/{today.month:02d}/{today.year + 543}",
        "visit_time": "00:01",
        "purpose": "follow_up",
        "next_visit_due": "",
    }
    data.update({key: "" if value is None else str(value) for key, value in changes.items()})
    return VisitForm(data, instance=HomeVisit(case=case, center=case.center), case=case)


def test_the_ten_items_have_the_ministrys_scores_in_its_order():
    assert [(item.field, item.maximum) for item in barthel.ITEMS] == [
        ("adl_feeding", 2),
        ("adl_grooming", 1),
        ("adl_transfer", 3),
        ("adl_toilet", 2),
        ("adl_mobility", 3),
        ("adl_dressing", 2),
        ("adl_stairs", 2),
        ("adl_bathing", 1),
        ("adl_bowels", 2),
        ("adl_bladder", 2),
    ]
    for item in barthel.ITEMS:
        assert [score for score, _text in item.choices] == list(range(item.maximum + 1))
    assert sum(item.maximum for item in barthel.ITEMS) == 20


def test_each_item_offers_its_choices_in_thai_with_the_score_in_front(case):
    with translation.override("th"):
        form = visit_form(case)
        choices = {name: list(form.fields[name].choices) for name in barthel.FIELDS}
        html = str(form["adl_feeding"])
        label = str(form.fields["adl_feeding"].label)
    assert label == "1. รับประทานอาหารเมื่อเตรียมสำรับไว้ให้เรียบร้อยต่อหน้า"
    assert [str(text) for _score, text in choices["adl_feeding"]] == [
        "0 – ไม่สามารถตักอาหารเข้าปากได้ ต้องมีคนป้อนให้",
        "1 – ตักอาหารเองได้แต่ต้องมีคนช่วย เช่น ช่วยใช้ช้อนตักเตรียมไว้ให้หรือตัดเป็นเล็ก ๆ ไว้ล่วงหน้า",
        "2 – ตักอาหารและช่วยตัวเองได้เป็นปกติ",
    ]
    assert [str(text) for _score, text in choices["adl_mobility"]][1] == (
        "1 – ต้องใช้รถเข็นช่วยตัวเองให้เคลื่อนที่ได้เอง (ไม่ต้องมีคนเข็นให้) และจะต้องเข้าออกมุมห้องหรือประตูได้"
    )
    assert [len(c) for c in choices.values()] == [3, 2, 4, 3, 4, 3, 3, 2, 3, 3]
    assert html.count('type="radio"') == 3


def test_each_item_offers_its_choices_in_english_too(case):
    with translation.override("en"):
        form = visit_form(case)
        assert [str(text) for _score, text in form.fields["adl_bladder"].choices] == [
            "0 – Incontinent, or has a catheter and cannot manage it",
            "1 – Occasional accident (less than once a day)",
            "2 – Continent",
        ]


def test_the_total_is_counted_from_the_items_and_saved_with_them(case):
    form = visit_form(case, **BED_BOUND)
    assert form.is_valid(), form.errors
    visit = form.save()
    visit.refresh_from_db()
    assert visit.adl_score == 3
    assert visit.adl_item_values() == list(BED_BOUND.values())
    assert visit.adl_group == "ติดเตียง"
    assert form.notices == []


def test_a_typed_total_that_disagrees_with_the_items_is_replaced_with_a_notice(case):
    form = visit_form(case, adl_score=15, **BED_BOUND)
    assert form.is_valid(), form.errors
    visit = form.save()
    visit.refresh_from_db()
    assert visit.adl_score == 3
    assert [str(n) for n in form.notices] == [
        "คะแนนรวม ADL ที่กรอก (15) ไม่ตรงกับผลรวมรายข้อ จึงบันทึกผลรวมรายข้อ (3) แทน"
    ]


def test_a_typed_total_out_of_range_is_ignored_when_the_items_are_answered(case):
    form = visit_form(case, adl_score=35, **ALL_BEST)
    assert form.is_valid(), form.errors
    assert form.save().adl_score == 20
    assert len(form.notices) == 1


def test_a_typed_total_alone_is_kept_without_items(case):
    form = visit_form(case, adl_score=7)
    assert form.is_valid(), form.errors
    visit = form.save()
    visit.refresh_from_db()
    assert visit.adl_score == 7
    assert visit.adl_item_values() == [None] * 10
    assert visit.adl_group == "ติดบ้าน"


def test_no_adl_at_all_records_none(case):
    form = visit_form(case)
    assert form.is_valid(), form.errors
    visit = form.save()
    visit.refresh_from_db()
    assert visit.adl_score is None
    assert visit.adl_item_values() == [None] * 10
    assert visit.adl_group == ""


def test_some_items_without_the_others_is_a_clear_error_and_nothing_is_saved(case):
    answered = {"adl_feeding": 2, "adl_grooming": 1, "adl_transfer": 3}
    with translation.override("th"):
        form = visit_form(case, **answered)
        assert not form.is_valid()
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
    missing = [name for name in barthel.FIELDS if name not in answered]
    assert sorted(name for name in errors if name in barthel.FIELDS) == sorted(missing)
    assert errors["adl_stairs"] == ["ยังไม่ได้เลือกคำตอบข้อนี้"]
    assert errors["__all__"] == [
        "ตอบแบบประเมิน ADL ให้ครบทั้ง 10 ข้อ หรือเว้นว่างทุกข้อ (กรอกเฉพาะคะแนนรวมได้)"
    ]
    assert not HomeVisit.objects.exists()


def test_a_score_outside_an_items_choices_is_refused(case):
    form = visit_form(case, **{**ALL_BEST, "adl_grooming": 2})
    assert not form.is_valid()
    assert "adl_grooming" in form.errors


@pytest.mark.parametrize(
    ("total", "group"),
    [
        (0, "bed-bound"),
        (4, "bed-bound"),
        (5, "housebound"),
        (11, "housebound"),
        (12, "independent"),
        (20, "independent"),
    ],
)
def test_the_dependency_groups_at_their_boundaries(case, total, group):
    with translation.override("en"):
        assert str(barthel.group(total)) == group
    visit = HomeVisitFactory(case=case, adl_score=total)
    with translation.override("th"):
        thai = {"bed-bound": "ติดเตียง", "housebound": "ติดบ้าน", "independent": "ติดสังคม"}
        assert str(visit.adl_group) == thai[group]


def test_the_model_counts_the_total_from_the_items_whatever_was_set(case):
    visit = HomeVisitFactory(case=case, adl_score=19, **BED_BOUND)
    visit.refresh_from_db()
    assert visit.adl_score == 3


def test_the_model_refuses_some_items_without_the_others(case):
    visit = HomeVisit(case=case, center=case.center, purpose="follow_up", visited_at=timezone.now())
    visit.adl_feeding = 1
    with pytest.raises(ValidationError) as raised:
        visit.full_clean()
    # Said once, in words: the database constraint behind it says the same.
    assert set(raised.value.messages) == {
        "ตอบแบบประเมิน ADL ให้ครบทั้ง 10 ข้อ หรือเว้นว่างทุกข้อ (กรอกเฉพาะคะแนนรวมได้)"
    }


def test_the_model_takes_the_items_total_over_a_typed_one_when_cleaned(case):
    visit = HomeVisit(
        case=case,
        center=case.center,
        purpose="follow_up",
        visited_at=timezone.now(),
        adl_score=17,
        **BED_BOUND,
    )
    visit.full_clean()
    assert visit.adl_score == 3


def test_postgresql_refuses_partial_items_a_wrong_total_and_scores_out_of_range(case):
    visit = HomeVisitFactory(case=case, **ALL_BEST)
    rows = HomeVisit.objects.filter(pk=visit.pk)
    for change in ({"adl_feeding": None}, {"adl_score": 19}, {"adl_transfer": 4}):
        with pytest.raises(IntegrityError), transaction.atomic():
            rows.update(**change)
    visit.refresh_from_db()
    assert (visit.adl_score, visit.adl_feeding, visit.adl_transfer) == (20, 2, 3)


def test_the_visit_page_shows_each_answer_and_the_group(coordinator_client, case):
    visit = HomeVisitFactory(
        case=case, visited_at=timezone.now() - datetime.timedelta(hours=1), **BED_BOUND
    )
    html = coordinator_client.get(reverse("cases:visit-detail", args=[visit.pk])).content.decode()
    assert "3 · ติดเตียง" in html
    assert "ลุกนั่งจากที่นอน หรือจากเตียงไปยังเก้าอี้:</span> 1 – ต้องการความช่วยเหลืออย่างมาก" in html
