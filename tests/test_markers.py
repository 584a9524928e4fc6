"""The `browser` marker selects the Playwright tests and only them."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def collected(marker: str, *paths: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", marker, *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return [line for line in result.stdout.splitlines() if "::" in line]


def test_the_browser_marker_selects_the_browser_tests_and_nothing_else():
    # The whole suite once; the other way round, the browser folder and this module are
    # enough to show that the browser tests leave and the rest stays (a second collection
    # of the whole suite cost ten seconds).
    browser, rest = collected("browser"), collected("not browser", "tests/browser", __file__)
    assert browser and all(name.startswith("tests/browser/") for name in browser)
    assert rest and not any(name.startswith("tests/browser/") for name in rest)
    assert (
        "tests/test_markers.py::test_the_browser_marker_selects_the_browser_tests_and_nothing_else"
        in rest
    )
