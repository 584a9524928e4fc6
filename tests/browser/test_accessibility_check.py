"""The axe check every browser test calls fails on what it must, and skips only rules
that could never fail it."""

import pytest

SERIOUS = """<!doctype html><html lang="th"><head><title>t</title></head><body><main>
<h1>หน้า</h1><input name="q"><p style="color:#bbb;background:#fff">จางเกินไป</p></main></body></html>"""
# Only moderate findings: no landmark, no <h1>, a skipped heading level.
MODERATE = """<!doctype html><html lang="th"><head><title>t</title></head><body>
<h3>หัวข้อ</h3><p>ข้อความ</p></body></html>"""


def test_a_missing_label_and_faint_text_fail_the_check(page, assert_accessible, accessibility):
    page.set_content(SERIOUS)
    with pytest.raises(AssertionError) as failed:
        assert_accessible(page)
    assert "label (critical)" in str(failed.value)
    assert "color-contrast (serious)" in str(failed.value)
    skipped = accessibility.options["rules"]
    assert "region" in skipped and "page-has-heading-one" in skipped
    assert "label" not in skipped and "color-contrast" not in skipped


def test_moderate_findings_do_not_fail_it(page, assert_accessible):
    page.set_content(MODERATE)
    assert_accessible(page)
