import django.db.models.deletion
from django.db import migrations, models

# A volunteer who owns planned actions or sat in case conferences stays with their
# centre (Volunteer.WORK_DONE says it on the admin's form); the database's guard on a
# volunteer's move (0011) checked only their teams and visits.
FORWARD = """
CREATE OR REPLACE FUNCTION same_centre_guard_volunteer_moves() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM volunteers_teammembership m JOIN volunteers_team t ON t.id = m.team_id
        WHERE m.volunteer_id = NEW.id AND t.center_id <> NEW.center_id
    ) OR EXISTS (
        SELECT 1 FROM cases_homevisit_volunteers hv JOIN cases_homevisit h ON h.id = hv.homevisit_id
        WHERE hv.volunteer_id = NEW.id AND h.center_id <> NEW.center_id
    ) OR EXISTS (
        SELECT 1 FROM cases_planaction a
        WHERE a.owner_volunteer_id = NEW.id AND a.center_id <> NEW.center_id
    ) OR EXISTS (
        SELECT 1 FROM cases_caseconference_volunteers cv
        JOIN cases_caseconference c ON c.id = cv.caseconference_id
        WHERE cv.volunteer_id = NEW.id AND c.center_id <> NEW.center_id
    ) THEN
        RAISE EXCEPTION 'same_centre_guard: volunteer % has work in another centre',
            NEW.id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

BACKWARD = """
CREATE OR REPLACE FUNCTION same_centre_guard_volunteer_moves() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM volunteers_teammembership m JOIN volunteers_team t ON t.id = m.team_id
        WHERE m.volunteer_id = NEW.id AND t.center_id <> NEW.center_id
    ) OR EXISTS (
        SELECT 1 FROM cases_homevisit_volunteers hv JOIN cases_homevisit h ON h.id = hv.homevisit_id
        WHERE hv.volunteer_id = NEW.id AND h.center_id <> NEW.center_id
    ) THEN
        RAISE EXCEPTION 'same_centre_guard: volunteer % has teams or visits in another centre',
            NEW.id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0042_referral_legal_basis"),
        ("volunteers", "0002_change_history"),
    ]

    operations = [
        migrations.AlterField(
            model_name="planaction",
            name="owner_volunteer",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="owned_actions",
                to="volunteers.volunteer",
                verbose_name="volunteer",
            ),
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
