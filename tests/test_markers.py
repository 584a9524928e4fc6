"""The `browser` marker selects the Playwright tests and only them."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def collected(marker: str, *paths: str) -> list[str]:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            "-m",
            marker,
            *paths,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return [line for line in result.stdout.splitlines() if "::" in line]


def test_the_browser_marker_selects_the_browser_tests_and_nothing_else():
    # A browser module and this one are enough to show it both ways: the browser tests
    # come with the marker and leave without it, and this test does the opposite (the
    # bug marked every test of the session; collecting the whole suite cost 5 s more).
    paths = ("tests/browser/test_pages_one_may_not_open.py", __file__)
    browser, rest = collected("browser", *paths), collected("not browser", *paths)
    assert browser and all(name.startswith("tests/browser/") for name in browser)
    assert rest == [
        "tests/test_markers.py::test_the_browser_marker_selects_the_browser_tests_and_nothing_else"
    ]
