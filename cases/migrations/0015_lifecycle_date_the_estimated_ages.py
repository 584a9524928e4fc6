"""Existing estimated ages were made when their case was created: that day becomes the
estimate's reference date, from which the age shown now grows (Case.age())."""

from django.db import migrations
from django.db.models.functions import TruncDate


def date_the_estimates(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    # The creation day in the centre's time zone (TruncDate follows the current one).
    Case.objects.filter(estimated_age__isnull=False, estimated_age_on__isnull=True).update(
        estimated_age_on=TruncDate("created_at")
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0014_lifecycle_merge_debts_carer")]

    operations = [migrations.RunPython(date_the_estimates, migrations.RunPython.noop)]
