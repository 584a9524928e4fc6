"""Dates in the Buddhist Era on Thai pages; input in BE or CE, Thai or Arabic digits."""

import datetime

import pytest
from django import forms
from django.utils import translation

from coordination import dates
from coordination.fields import ThaiDateField
from coordination.templatetags.thai import be_date, be_datetime


@pytest.mark.parametrize(
    "typed",
    [
        "24/04/2562",
        "24/04/2019",
        "2019-04-24",
        "2562-04-24",
        "๒๔/๐๔/๒๕๖๒",
        "24-4-2562",
        "24.04.2019",
    ],
)
def test_every_usual_way_of_writing_24_april_2019_is_understood(typed):
    assert ThaiDateField().clean(typed) == datetime.date(2019, 4, 24)


@pytest.mark.parametrize("typed", ["24/04/62", "24/4/19"])
def test_a_two_digit_year_is_refused_as_ambiguous(typed):
    with translation.override("th"), pytest.raises(forms.ValidationError) as error:
        ThaiDateField().clean(typed)
    assert error.value.code == "ambiguous"
    assert "ปี" in error.value.messages[0]


@pytest.mark.parametrize(
    "typed", ["31/02/2562", "00/01/2562", "1/13/2562", "tomorrow", "12/12/0012", "1/1/9999"]
)
def test_impossible_dates_are_a_form_error_not_a_crash(typed):
    with pytest.raises(forms.ValidationError) as error:
        ThaiDateField().clean(typed)
    assert error.value.code == "invalid"


def test_thai_pages_show_buddhist_era_dates_and_english_pages_common_era():
    day = datetime.date(2019, 4, 24)
    with translation.override("th"):
        assert be_date(day) == "24 เม.ย. 2562"
        assert dates.format_date_input(day) == "24/04/2562"
    with translation.override("en"):
        assert be_date(day) == "24 Apr 2019"
        assert dates.format_date_input(day) == "24/04/2019"


def test_times_are_shown_in_bangkok_time():
    moment = datetime.datetime(2019, 4, 24, 3, 0, tzinfo=datetime.UTC)  # 10:00 in Bangkok
    with translation.override("th"):
        assert be_datetime(moment) == "24 เม.ย. 2562 10:00 น."
    with translation.override("en"):
        assert be_datetime(moment) == "24 Apr 2019, 10:00"


def test_the_date_input_round_trips_a_be_date():
    field = ThaiDateField()
    with translation.override("th"):
        shown = field.widget.format_value(datetime.date(2019, 4, 24))
    assert field.clean(shown) == datetime.date(2019, 4, 24)
