"""Dismissing a missed-allowance flag from the case page, as a coordinator does it."""

from django.urls import reverse

from cases.models import AllowanceDismissal
from tests.forms.rendered import assert_renders_every_field, form_with_field, submit_and_follow


def test_a_coordinator_dismisses_a_flag_from_the_case_page_with_a_reason(app, case, coordinator):
    # The cast's case is 80 or over with no allowance recorded: flagged.
    detail = app.get(reverse("cases:case-detail", args=[case.pk]), user=coordinator)
    page = detail.click(href=reverse("cases:case-allowance-dismiss", args=[case.pk]))
    rendered = form_with_field(page, "reason")
    assert_renders_every_field(rendered, page.context["form"])
    assert rendered["rule"].value == "elderly_missing"  # the flag the link was for
    # Its own words, not the referral screen's "confirm: no referral needed".
    assert "ยกเลิกการแจ้ง</button>" in page.text and "ยืนยันไม่ส่งต่อ" not in page.text

    rendered["reason"] = "ไม่มีสิทธิ์: รับบำนาญข้าราชการ"
    after = submit_and_follow(rendered)

    assert after.request.path == reverse("cases:case-detail", args=[case.pk])
    dismissal = AllowanceDismissal.objects.get()
    assert (dismissal.case, dismissal.rule, dismissal.by) == (case, "elderly_missing", coordinator)
    assert dismissal.reason == "ไม่มีสิทธิ์: รับบำนาญข้าราชการ"
    assert after.context["allowances"][0] == []


def test_a_dismissal_without_a_reason_is_refused_on_the_page(app, case, coordinator):
    page = app.get(reverse("cases:case-allowance-dismiss", args=[case.pk]), user=coordinator)
    rendered = form_with_field(page, "reason")
    rendered["rule"] = "elderly_missing"
    refused = rendered.submit()
    assert refused.status_code == 200
    assert refused.context["form"].errors["reason"]
    assert not AllowanceDismissal.objects.exists()
