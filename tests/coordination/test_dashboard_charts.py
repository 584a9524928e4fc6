"""The dashboard's charts written in Python (cases.dashboard.chart_html) say what the
template they replaced (includes/_bar_chart.html) said: as parsed HTML, in Thai and in
English, bars and columns, with text that needs escaping."""

import pytest
from django.template import Context, Template
from django.test.html import parse_html
from django.utils.translation import override

from cases.dashboard import Bar, Chart, Dashboard, chart_html

pytestmark = pytest.mark.django_db

# templates/includes/_bar_chart.html before chart_html.
CHART_TEMPLATE = """{% load i18n %}
<figure class="chart mb-0" id="chart-{{ chart.key }}">
  <svg class="chart-svg{% if chart.vertical %} chart-columns{% endif %}" viewBox="0 0 {{ chart.width }} {{ chart.height }}" role="img" aria-labelledby="chart-{{ chart.key }}-title chart-{{ chart.key }}-desc" focusable="false">
    <title id="chart-{{ chart.key }}-title">{{ chart.title }}</title>
    <desc id="chart-{{ chart.key }}-desc">{{ chart.description }} {{ chart.summary }}</desc>
    {% if chart.vertical %}
    <line class="chart-axis" x1="0" x2="{{ chart.width }}" y1="{{ chart.COLUMN_TOP|add:chart.COLUMN_HEIGHT }}" y2="{{ chart.COLUMN_TOP|add:chart.COLUMN_HEIGHT }}"/>
    {% for shape in chart.bars %}
    <rect class="chart-bar" x="{{ shape.x }}" y="{{ shape.y }}" width="{{ shape.width }}" height="{{ shape.height }}"/>
    <text class="chart-value" x="{{ shape.centre }}" y="{{ shape.value_y }}" text-anchor="middle">{{ shape.bar.value }}</text>
    <text class="chart-label chart-label-small" x="{{ shape.centre }}" y="{{ shape.label_y }}" text-anchor="middle">{{ shape.month }}</text>
    {% if shape.year %}<text class="chart-label chart-label-small" x="{{ shape.centre }}" y="{{ shape.year_y }}" text-anchor="middle">{{ shape.year }}</text>{% endif %}
    {% endfor %}
    {% else %}
    {% for shape in chart.bars %}
    <text class="chart-label" x="0" y="{{ shape.label_y }}">{{ shape.bar.label }}</text>
    <rect class="chart-bar" x="0" y="{{ shape.y }}" width="{{ shape.width }}" height="{{ shape.height }}"/>
    <text class="chart-value" x="{{ shape.value_x }}" y="{{ shape.value_y }}">{{ shape.bar.value }}</text>
    {% endfor %}
    {% endif %}
  </svg>
  <figcaption class="small text-body-secondary">{{ chart.description }} {% blocktranslate with total=chart.total %}Total: {{ total }}.{% endblocktranslate %}</figcaption>
</figure>
<details class="chart-data">
  <summary>{% translate "Show the data as a table" %}</summary>
  <table class="table table-sm">
    <caption class="visually-hidden">{{ chart.title }}</caption>
    <thead><tr><th scope="col">{% translate "Item" %}</th><th scope="col" class="text-end">{{ chart.column }}</th></tr></thead>
    <tbody>
    {% for bar in chart.data %}<tr><th scope="row">{{ bar.label }}</th><td class="text-end"><a class="tap-target" href="{{ bar.url }}" aria-label="{{ bar.label }}: {{ bar.value }}">{{ bar.value }}</a></td></tr>{% endfor %}
    </tbody>
  </table>
</details>"""


def test_chart_html_writes_what_the_template_wrote(coordinator, center, team):
    from django.utils import timezone

    from tests.factories import CaseFactory

    CaseFactory(center=center, team=team)
    board = Dashboard(coordinator, timezone.localdate())
    odd = [Bar('<b>"ก"</b> & ข', 7, "/cases/?a=1&b=<2>"), Bar("ค", 0, "/cases/"), Bar("ง", 3, "/")]
    for language in ["th", "en"]:
        with override(language):
            charts = board.charts(board.team_load()) + [
                Chart("odd", "<i>ชื่อ</i>", "คำ & อธิบาย", "ค่า", odd),
                Chart("odd-columns", "T", "D", "C", odd, vertical=True),
                Chart("empty", "T", "D", "C", []),
            ]
            assert any(chart.vertical for chart in charts)
            for chart in charts:
                ours = parse_html(chart_html(chart))
                theirs = parse_html(Template(CHART_TEMPLATE).render(Context({"chart": chart})))
                assert ours == theirs, chart.key
    html = chart_html(charts[-3])
    assert "<b>" not in html and "<i>" not in html and "&lt;b&gt;" in html
