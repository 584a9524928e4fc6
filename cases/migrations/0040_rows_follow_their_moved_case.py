"""A case moved to another centre before its rows followed it (Case.bring_rows): its
household, incomes, debts, events and dismissed flags are brought to its centre, as a
move now brings them. The work its old centre did (visits, referrals, help, plans,
merges) stays there, as a case with such work no longer moves."""

from django.db import migrations

TABLES = [
    "cases_householdmember",
    "cases_incomesource",
    "cases_debt",
    "cases_caseevent",
    "cases_allowancedismissal",
]

SQL = """
UPDATE {table} AS row SET center_id = "case".center_id
FROM cases_case AS "case"
WHERE row.case_id = "case".id AND row.center_id <> "case".center_id
"""


class Migration(migrations.Migration):
    dependencies = [("cases", "0039_caseevent_details")]

    operations = [
        migrations.RunSQL(SQL.format(table=table), reverse_sql=migrations.RunSQL.noop)
        for table in TABLES
    ]
