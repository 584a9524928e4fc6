"""`make bench`'s table (cases/bench.py): the share of the trivial view is of the mean of
its first and last runs, so that the machine's drift over a run does not tilt it."""

import argparse
import datetime

from cases.bench import Page, Result, table


def result(page: Page, rate: float) -> Result:
    return Result(page, 10, 20, 30, rate, unexpected=0, queries=4, kilobytes=1)


def test_the_shares_are_of_the_trivial_views_mean_over_its_two_runs():
    trivial = Page("trivial view (home → redirect)", "/", expected=302)
    again = Page("trivial view (home → redirect), again at the end", "/", expected=302)
    rows = [
        result(trivial, 600),
        result(Page("case list", "/cases/"), 100),
        result(again, 400),
    ]
    args = argparse.Namespace(scale="small", threads=2, connections=16, duration=10, cold=False)
    written = table(rows, args, datetime.datetime(2026, 11, 27, 8, 0, tzinfo=datetime.UTC))
    assert "nothing kept" not in written
    cold = table(
        rows,
        argparse.Namespace(**{**vars(args), "cold": True}),
        datetime.datetime(2026, 11, 27, 8, 0, tzinfo=datetime.UTC),
    )
    assert "nothing kept (--cold)" in cold.splitlines()[0]
    lines = written.splitlines()
    assert "| case list | 10 | 20 | 30 | 100.0 | 0 | 4 | 1 | 20.0 % |" in lines
    assert (
        "| trivial view (home → redirect) | 10 | 20 | 30 | 600.0 | 0 | 4 | 1 | 120.0 % |" in lines
    )
    assert any(line.startswith("| trivial view (home → redirect), again") for line in lines)
    assert "first and the last" in written
