"""Queries compiled once per process for placeholder values (coordination/compiled.py)."""

import pytest

from coordination.compiled import filled_in


def test_each_placeholder_takes_its_value_and_other_parameters_stay():
    params = (2_147_483_645, "leader", 1, [2_147_483_645], 2_147_483_644, 2_147_483_645)
    values = {2_147_483_645: 7, 2_147_483_644: 25}
    assert filled_in(params, values) == [7, "leader", 1, [2_147_483_645], 25, 7]


def test_a_placeholder_missing_from_the_parameters_is_an_error_not_a_query():
    with pytest.raises(ValueError, match="2147483644"):
        filled_in((2_147_483_645, "leader"), {2_147_483_645: 7, 2_147_483_644: 25})
