"""What the app writes in a case's history is written in the reader's language, whoever
caused it and in whatever language: help and its cap, a conference, a merge and its
undoing, a corrected visit. Each is made by the model method the pages call, then read
in Thai and in English."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from cases.models import Assistance, Case, CaseConference, CaseEvent, CaseMerge, HomeVisit
from tests.cases.test_assistance import give
from tests.factories import CaseFactory, HomeVisitFactory

K = CaseEvent.Kind


def lines(case: Case, language: str) -> dict[str, str]:
    with translation.override(language):
        return {event.kind: event.text for event in case.events.order_by("id")}


def test_help_over_its_cap_reads_in_each_language(case, coordinator):
    today = timezone.localdate()
    with translation.override("en"):
        give(case, Assistance.Kind.EMERGENCY_GRANT, "3000", today, coordinator)
        give(case, Assistance.Kind.EMERGENCY_GRANT, "2000", today, coordinator, reason="ไฟไหม้")
    thai, english = lines(case, "th"), lines(case, "en")
    assert thai[K.ASSISTANCE].endswith(" 3,000 บาท") and "baht" not in thai[K.ASSISTANCE]
    assert english[K.ASSISTANCE].endswith(" 3,000 baht")
    # The cap's sentence, then the reason typed.
    assert (
        "เกินเพดาน" in thai[K.ASSISTANCE_OVER_CAP]
        and "Over the cap" not in thai[K.ASSISTANCE_OVER_CAP]
    )
    assert "Over the cap" in english[K.ASSISTANCE_OVER_CAP]
    assert ": 1 time, 3,000 baht" in english[K.ASSISTANCE_OVER_CAP]  # not "1 times"
    assert thai[K.ASSISTANCE_OVER_CAP].endswith(" · ไฟไหม้")


def test_a_conference_reads_its_day_in_each_languages_era(case, coordinator):
    conference = CaseConference(
        center=case.center, held_on=datetime.date(2026, 1, 5), place="ห้อง 1"
    )
    with translation.override("th"):
        conference.record(by=coordinator, volunteers=[], cases=[case], attendees=[], decisions=[])
    assert lines(case, "th")[K.CONFERENCE] == "5 ม.ค. 2569 ห้อง 1"
    assert lines(case, "en")[K.CONFERENCE] == "5 Jan 2026 ห้อง 1"


def test_a_merge_and_its_undoing_read_in_each_language(center, coordinator):
    kept, duplicate = CaseFactory(center=center), CaseFactory(center=center)
    HomeVisitFactory(case=duplicate)
    with translation.override("en"):
        duplicate.close(Case.ClosureReason.DUPLICATE, by=coordinator, note="ซ้ำ", kept=kept)
        CaseMerge.objects.get().undo(by=coordinator)
    for case, merged in ((duplicate, "merged into"), (kept, "merged into this case")):
        assert merged in lines(case, "en")[K.MERGED]
        assert "merged" not in lines(case, "th")[K.MERGED]
    undone = lines(duplicate, "en")
    assert undone[K.MERGE_UNDONE] == undone[K.REOPENED]
    assert undone[K.MERGE_UNDONE] == f"merge of {duplicate.number} into {kept.number} undone"
    assert "undone" not in lines(duplicate, "th")[K.REOPENED]


def test_a_corrected_visit_names_its_fields_in_each_language(case, coordinator):
    visit = HomeVisit(case=case, author=coordinator, visited_at=timezone.now(), purpose="follow_up")
    visit.record(by=coordinator)
    visit.findings = "หลังคารั่ว"
    visit.correct(visit.version, by=coordinator, changed=["findings", "visit_date"])
    thai, english = lines(case, "th")[K.VISIT_CORRECTED], lines(case, "en")[K.VISIT_CORRECTED]
    assert "สิ่งที่พบ" in thai and str(timezone.localdate().year + 543) in thai
    assert "findings" not in thai.lower()
    assert str(timezone.localdate().year) in english and "สิ่งที่พบ" not in english


@pytest.mark.parametrize(
    "details", [{"place": "x"}, {"held_on": "not a day", "place": "x"}, ["a", "list"], {}]
)
def test_details_of_a_shape_not_known_fall_back_to_the_note(case, coordinator, details):
    """A shape from an older or a damaged row shows the note, never a 500."""
    event = case.log(K.CONFERENCE, by=coordinator, note="บันทึกเดิม", details=details)
    assert CaseEvent.objects.get(pk=event.pk).text == "บันทึกเดิม"


def test_anonymising_a_case_empties_what_its_events_were_made_of(case, coordinator):
    give(case, Assistance.Kind.GOODS, "250", timezone.localdate(), coordinator)
    case.anonymise()
    event = case.events.get(kind=K.ASSISTANCE)
    assert (event.details, event.note, event.text) == (None, "", "")


def test_an_amount_keeps_its_satang(case, coordinator):
    give(case, Assistance.Kind.GOODS, "250.50", timezone.localdate(), coordinator)
    assert Decimal(case.events.get().details["amount"]) == Decimal("250.50")
