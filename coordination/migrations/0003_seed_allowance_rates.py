import datetime
from decimal import Decimal

from django.db import migrations

# Monthly rates of DOMAIN.md (kept as data: regulations change them).
# (kind, age_from, age_to, welfare_card_holders, amount, effective_from, note)
RATES = [
    ("elderly", 60, 69, False, 600, datetime.date(2009, 10, 1), "ระเบียบกระทรวงมหาดไทย พ.ศ. 2552"),
    ("elderly", 70, 79, False, 700, datetime.date(2009, 10, 1), "ระเบียบกระทรวงมหาดไทย พ.ศ. 2552"),
    ("elderly", 80, 89, False, 800, datetime.date(2009, 10, 1), "ระเบียบกระทรวงมหาดไทย พ.ศ. 2552"),
    ("elderly", 90, None, False, 1000, datetime.date(2009, 10, 1), "ระเบียบกระทรวงมหาดไทย พ.ศ. 2552"),
    ("disability", 18, None, False, 800, datetime.date(2009, 10, 1), "เบี้ยความพิการ"),
    ("disability", 0, 17, False, 1000, datetime.date(2020, 10, 1), "อายุต่ำกว่า 18 ปี"),
    ("disability", None, None, True, 1000, datetime.date(2020, 10, 1), "ผู้ถือบัตรสวัสดิการแห่งรัฐ"),
    ("child", 0, 6, False, 600, datetime.date(2022, 1, 1), "ระเบียบ พ.ศ. 2565; รายได้ครัวเรือน ≤ 100,000 บาท/คน/ปี"),
]


def seed_allowance_rates(apps, schema_editor):
    AllowanceRate = apps.get_model("coordination", "AllowanceRate")
    for kind, age_from, age_to, card, amount, effective_from, note in RATES:
        AllowanceRate.objects.get_or_create(
            kind=kind,
            age_from=age_from,
            age_to=age_to,
            welfare_card_holders=card,
            effective_from=effective_from,
            defaults={"monthly_amount": Decimal(amount), "note": note},
        )


class Migration(migrations.Migration):
    dependencies = [("coordination", "0002_seed_target_groups")]
    operations = [migrations.RunPython(seed_allowance_rates, migrations.RunPython.noop)]
