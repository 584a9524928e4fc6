"""The agency page's referral section, for a template of the coordination app.

`coordination` sits below `cases` and may not import it (tests/test_dependencies.py),
so its agency page cannot call `cases.referrals.agency_referrals` from its view. Its
template can: `{% load referral_sections %}{% agency_referrals_section agency %}`."""

from django import template

from cases.referrals import agency_referrals

register = template.Library()


@register.inclusion_tag("cases/_agency_referrals.html", takes_context=True)
def agency_referrals_section(context: template.Context, agency) -> dict:
    # Whoever reads the page: the referrals seen are their own centre's.
    return agency_referrals(agency, context["request"].user)
