from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Built without blocking writes (see 0031_h2_referral_list_index).
    atomic = False

    dependencies = [("cases", "0033_referral_update_centre")]

    operations = [
        AddIndexConcurrently(
            model_name="referralupdate",
            index=models.Index(fields=["center", "on"], name="referralupdate_center_on"),
        ),
    ]
