"""Keys unique per centre, not in the whole country (cases/migrations/0028, docs/scaling.md):
a table distributed by centre can only enforce keys that include the centre. Within a
centre the database still refuses a duplicate; across centres the same value is allowed,
and every lookup by number or token stays inside the centre, so another centre's never
matches."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from cases.models import Case, CaseMerge, HomeVisit
from tests.factories import CaseFactory, HomeVisitFactory
from tests.forms.rendered import confirm_and_follow, form_posting_to, form_with_field

NUMBER = "1027-2569-0099"


def numbered(case: Case, number: str) -> Case:
    """The app never gives one number twice; only an update by hand can."""
    Case.objects.filter(pk=case.pk).update(number=number)
    case.refresh_from_db()
    return case


def test_a_case_number_is_unique_in_its_centre_only(center, other_center):
    ours = numbered(CaseFactory(center=center), NUMBER)
    theirs = numbered(CaseFactory(center=other_center), NUMBER)  # allowed: another centre
    assert {ours.center_id, theirs.center_id} == {center.pk, other_center.pk}
    second = CaseFactory(center=center)
    with pytest.raises(IntegrityError, match="case_number_unique_per_center"), transaction.atomic():
        numbered(second, NUMBER)
    second.refresh_from_db()
    assert second.number != NUMBER


def test_a_duplicate_case_number_is_said_in_thai_and_english(center):
    numbered(CaseFactory(center=center), NUMBER)
    second = CaseFactory(center=center)
    second.number = NUMBER
    for language, said in (
        ("th", "มีกรณีที่ใช้เลขที่กรณีนี้อยู่แล้วในศูนย์นี้"),
        ("en", "A case with this number already exists in this centre."),
    ):
        with translation.override(language), pytest.raises(ValidationError) as error:
            second.validate_constraints()
        assert error.value.messages == [said]


def test_a_submission_token_is_unique_in_its_centre_only(center, other_center):
    token = uuid.uuid4()
    HomeVisitFactory(case=CaseFactory(center=center), submission_token=token)
    HomeVisitFactory(case=CaseFactory(center=other_center), submission_token=token)  # allowed
    assert HomeVisit.objects.filter(submission_token=token).count() == 2
    with (
        pytest.raises(IntegrityError, match="visit_submission_token_unique_per_center"),
        transaction.atomic(),
    ):
        HomeVisitFactory(case=CaseFactory(center=center), submission_token=token)
    # Visits without a token (logged by a coordinator's import, the demo) are many.
    HomeVisitFactory(case=CaseFactory(center=center), submission_token=None)
    HomeVisitFactory(case=CaseFactory(center=center), submission_token=None)


def test_one_active_merge_per_duplicate_still_holds(center, coordinator):
    kept, other, duplicate = (CaseFactory(center=center) for _ in range(3))
    CaseMerge.objects.create(case=duplicate, kept=kept, merged_by=coordinator)
    with (
        pytest.raises(IntegrityError, match="case_merge_one_active_per_duplicate"),
        transaction.atomic(),
    ):
        CaseMerge.objects.create(case=duplicate, kept=other, merged_by=coordinator)


def test_another_centres_token_saves_a_new_visit_here_and_never_leads_to_theirs(
    django_app, case, volunteer_on_team, other_center
):
    """The form's own token is random; one equal to another centre's visit's (posted by
    hand) is simply this centre's new token: the visit is saved here, theirs untouched."""
    theirs = HomeVisitFactory(case=CaseFactory(center=other_center), submission_token=uuid.uuid4())
    page = django_app.get(
        reverse("cases:visit-create", args=[case.pk]), user=volunteer_on_team.user
    )
    rendered = form_with_field(page, "findings")
    rendered["findings"] = "หลังคารั่ว"
    rendered["submission_token"].force_value(str(theirs.submission_token))
    response = rendered.submit()
    ours = HomeVisit.objects.get(case=case)
    assert response.status_int == 302
    assert response.location.endswith(reverse("cases:visit-detail", args=[ours.pk]))
    assert (ours.center_id, ours.submission_token) == (case.center_id, theirs.submission_token)
    theirs.refresh_from_db()
    assert theirs.findings != "หลังคารั่ว"
    # The same post again (a resubmission) finds the visit just saved, here.
    again = rendered.submit()
    assert again.location.endswith(reverse("cases:visit-detail", args=[ours.pk]))
    assert HomeVisit.objects.filter(case=case).count() == 1


def test_the_kept_case_is_found_by_number_in_this_centre_only(
    django_app, center, other_center, coordinator
):
    kept = numbered(CaseFactory(center=center, status=Case.Status.ASSESSED), NUMBER)
    theirs = numbered(CaseFactory(center=other_center, status=Case.Status.ASSESSED), NUMBER)
    duplicate = CaseFactory(center=center)
    page = django_app.get(reverse("cases:case-detail", args=[duplicate.pk]), user=coordinator)
    rendered = form_posting_to(page, reverse("cases:case-close", args=[duplicate.pk]))
    rendered["close-reason"] = Case.ClosureReason.DUPLICATE
    rendered["close-kept_case"] = NUMBER
    rendered["close-note"] = "รับเรื่องซ้ำ"
    confirm_and_follow(rendered)
    duplicate.refresh_from_db()
    assert duplicate.duplicate_of == kept
    assert CaseMerge.objects.get().kept == kept
    assert not theirs.merged_in.exists()


def test_the_case_search_by_number_finds_this_centres_case_only(
    client, center, other_center, coordinator
):
    ours = numbered(CaseFactory(center=center, first_name="สมศรี"), NUMBER)
    numbered(CaseFactory(center=other_center, first_name="บุญมา"), NUMBER)
    client.force_login(coordinator)
    response = client.get(reverse("cases:case-list"), {"q": NUMBER})
    listed = list(response.context["page_obj"])
    assert listed == [ours]
    assert "บุญมา" not in response.content.decode()
