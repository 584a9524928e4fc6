"""The dashboard's caseload rows, written in Python (cases.dashboard.load_rows_html)."""

from django import template

from cases.dashboard import LoadRow, load_rows_html

register = template.Library()


@register.simple_tag
def load_rows(rows: list[LoadRow], open_heading: str, visits_heading: str) -> str:
    return load_rows_html(rows, open_heading, visits_heading)
