"""The dashboard's caseload rows and charts, written in Python (cases.dashboard's
load_rows_html and chart_html)."""

from django import template

from cases.dashboard import Chart, LoadRow, chart_html, load_rows_html

register = template.Library()


@register.simple_tag
def load_rows(rows: list[LoadRow], open_heading: str, visits_heading: str) -> str:
    return load_rows_html(rows, open_heading, visits_heading)


@register.simple_tag
def bar_chart(chart: Chart) -> str:
    return chart_html(chart)
