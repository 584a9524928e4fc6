import django.db.models.deletion
from django.db import migrations, models

# A referral's updates carry its centre, as every large table does: the monthly report
# reads a month's answers on a (centre, date) index instead of every update of the
# centre's referrals, and a distribution by centre can place them with their referral.
# Filled from the referrals in one statement; the database then refuses an update of
# another centre than its referral's (see 0011_same_centre_guards).
# The new key checked at once: a deferred check still pending would refuse the ALTER
# TABLE that follows ("pending trigger events").
FILL = """
SET CONSTRAINTS ALL IMMEDIATE;
UPDATE cases_referralupdate u SET center_id = r.center_id
FROM cases_referral r WHERE r.id = u.referral_id;
SET CONSTRAINTS ALL DEFERRED;
"""

GUARD = """
CREATE FUNCTION same_centre_guard_referral_update() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM cases_referral r WHERE r.id = NEW.referral_id AND r.center_id = NEW.center_id
    ) THEN
        RAISE EXCEPTION 'same_centre_guard: update of referral % is not of its centre %',
            NEW.referral_id, NEW.center_id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER same_centre_guard_referral_update
    BEFORE INSERT OR UPDATE OF referral_id, center_id ON cases_referralupdate
    FOR EACH ROW EXECUTE FUNCTION same_centre_guard_referral_update();
"""

UNGUARD = """
DROP TRIGGER same_centre_guard_referral_update ON cases_referralupdate;
DROP FUNCTION same_centre_guard_referral_update();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0032_h2_visit_centre_index"),
        ("coordination", "0020_access_log_columns_default_empty"),
    ]

    operations = [
        migrations.AddField(
            model_name="referralupdate",
            name="center",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="coordination.center",
                verbose_name="coordination centre",
            ),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="referralupdate",
            name="center",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="coordination.center",
                verbose_name="coordination centre",
            ),
        ),
        migrations.RunSQL(GUARD, UNGUARD),
    ]
