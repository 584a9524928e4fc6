"""{% pk_url %} gives what {% url %} gives, for every view it is used for."""

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse, set_script_prefix

VIEWS = [
    "cases:case-detail",
    "cases:visit-create",
    "cases:case-assign",
    "volunteers:team-detail",
    "cases:referral-detail",
    "cases:visit-detail",
    "cases:visit-referral-dismiss",
]


@pytest.mark.parametrize("viewname", VIEWS)
@pytest.mark.parametrize("pk", [1, 42, 2147483647, 90000000001])
def test_pk_url_is_the_url_tag(viewname, pk):
    ours = Template("{% load rows %}{% pk_url viewname pk %}").render(
        Context({"viewname": viewname, "pk": pk})
    )
    assert ours == reverse(viewname, args=[pk])


def test_pk_url_follows_the_script_prefix():
    try:
        set_script_prefix("/centre/")
        assert (
            Template("{% load rows %}{% pk_url 'cases:case-detail' 7 %}").render(Context())
            == "/centre/cases/7/"
        )
    finally:
        set_script_prefix("/")
    assert (
        Template("{% load rows %}{% pk_url 'cases:case-detail' 7 %}").render(Context())
        == "/cases/7/"
    )


def test_pk_url_refuses_what_url_refuses():
    with pytest.raises(NoReverseMatch):
        Template("{% load rows %}{% pk_url 'cases:no-such-page' 7 %}").render(Context())
    with pytest.raises((TypeError, ValueError)):
        Template("{% load rows %}{% pk_url 'cases:case-detail' pk %}").render(
            Context({"pk": "7/../admin"})
        )


@pytest.mark.django_db
def test_model_options_is_the_template_loop(center):
    from tests.factories import TeamFactory

    teams = [TeamFactory(center=center, name=name) for name in ("ทีม <ก>", "Team & B")]
    loop = Template(
        '{% for team in teams %}<option value="{{ team.pk }}"{% if team.pk == chosen %}'
        " selected{% endif %}>{{ team.name }}</option>{% endfor %}"
    )
    ours = Template("{% load rows %}{% model_options teams chosen %}")
    for chosen in (teams[1].pk, None, 0):
        context = {"teams": teams, "chosen": chosen}
        assert ours.render(Context(context)) == loop.render(Context(context))
    assert "&lt;ก&gt;" in ours.render(Context({"teams": teams, "chosen": None}))
