from decimal import Decimal

import django.core.validators
from django.db import migrations, models


def set_child_grant_limit(apps, schema_editor):
    """The child support grant's means test of the 2022 regulation (DOMAIN.md)."""
    AllowanceRate = apps.get_model("coordination", "AllowanceRate")
    AllowanceRate.objects.filter(kind="child", income_limit_per_person_year__isnull=True).update(
        income_limit_per_person_year=Decimal(100000)
    )


class Migration(migrations.Migration):
    dependencies = [("coordination", "0017_agency_directory_kinds_and_seed")]

    operations = [
        migrations.AddField(
            model_name="allowancerate",
            name="income_limit_per_person_year",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                help_text="Empty when the allowance has no means test.",
                max_digits=11,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(
                        Decimal("0"), "An amount of money cannot be negative."
                    )
                ],
                verbose_name="household income limit (baht a person a year)",
            ),
        ),
        migrations.RunPython(set_child_grant_limit, migrations.RunPython.noop),
    ]
