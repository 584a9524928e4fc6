import datetime
from decimal import Decimal

from django.db import migrations

# DOMAIN.md, "One-off help often arranged": caps count per fiscal year (1 Oct – 30 Sep).
# Administrators edit these in the admin; a changed rule is a new row from its date.
SINCE = datetime.date(2019, 10, 1)  # FY2563, the first fiscal year of the Bueng Kum centre
CAPS = [
    ("emergency_grant", "case", None, None, Decimal(3000), "emergency grant up to 3,000 baht per case (2021)"),
    ("elderly_hardship", "case", Decimal(3000), 3, None, "older persons in hardship: 3,000 a time, 3 times a year (2020)"),
    ("disability_relief", "case", Decimal(3000), 3, None, "persons with disabilities: 3,000 a time, 3 times a year"),
    ("home_modification", "house", None, None, Decimal(40000), "home modification for older or disabled persons: 40,000 per house"),
]  # fmt: skip


def seed_caps(apps, schema_editor):
    AssistanceCap = apps.get_model("cases", "AssistanceCap")
    for kind, scope, per_time, times, total, source in CAPS:
        AssistanceCap.objects.get_or_create(
            kind=kind,
            effective_from=SINCE,
            defaults={
                "scope": scope,
                "max_per_time": per_time,
                "max_times": times,
                "max_total": total,
                "source": source,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0017_assistance_plan_conferences")]

    operations = [migrations.RunPython(seed_caps, migrations.RunPython.noop)]
