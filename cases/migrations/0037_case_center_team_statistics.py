from django.db import migrations


class Migration(migrations.Migration):
    """A case's team says its centre: PostgreSQL's planner takes the two conditions as
    independent and multiplies their chances, so "centre 1 and team 1" came to one case
    of a team's 961 (1 in 928 centres times 1 in 4,640 teams, national scale). It then
    looped over them as if they were one: a volunteer's planned actions read every open
    case of their team. Extended statistics tell it the team decides the centre.
    (Django has no model option for them: plain SQL.)"""

    dependencies = [
        ("cases", "0036_household_self_care_not_asked"),
    ]

    operations = [
        migrations.RunSQL(
            [
                "CREATE STATISTICS case_center_team (dependencies) ON center_id, team_id "
                "FROM cases_case",
                # Filled by the next ANALYZE: now, not whenever autovacuum comes (a
                # sample of 30,000 rows, a second or two for a country's cases).
                "ANALYZE cases_case",
            ],
            "DROP STATISTICS case_center_team",
        ),
    ]
