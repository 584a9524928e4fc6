from django.db import migrations

# As 0019: the database refuses what the forms and clean() refuse in words. Help given
# after a referral names a referral of the same case (and so of the same centre).
FORWARD = """
CREATE OR REPLACE FUNCTION same_centre_guard_assistance() RETURNS trigger AS $$
BEGIN
    IF NEW.provider_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM coordination_agency a
        WHERE a.id = NEW.provider_id AND (a.center_id IS NULL OR a.center_id = NEW.center_id)
    ) THEN
        RAISE EXCEPTION 'same_centre_guard: assistance % and agency % are of different centres',
            NEW.id, NEW.provider_id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.referral_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM cases_referral r
        WHERE r.id = NEW.referral_id AND r.case_id = NEW.case_id AND r.center_id = NEW.center_id
    ) THEN
        RAISE EXCEPTION 'same_centre_guard: assistance % names referral % of another case',
            NEW.id, NEW.referral_id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER same_centre_guard_assistance ON cases_assistance;
CREATE TRIGGER same_centre_guard_assistance
    BEFORE INSERT OR UPDATE OF provider_id, referral_id, case_id, center_id ON cases_assistance
    FOR EACH ROW EXECUTE FUNCTION same_centre_guard_assistance();
"""

BACKWARD = """
CREATE OR REPLACE FUNCTION same_centre_guard_assistance() RETURNS trigger AS $$
BEGIN
    IF NEW.provider_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM coordination_agency a
        WHERE a.id = NEW.provider_id AND (a.center_id IS NULL OR a.center_id = NEW.center_id)
    ) THEN
        RAISE EXCEPTION 'same_centre_guard: assistance % and agency % are of different centres',
            NEW.id, NEW.provider_id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER same_centre_guard_assistance ON cases_assistance;
CREATE TRIGGER same_centre_guard_assistance
    BEFORE INSERT OR UPDATE OF provider_id, center_id ON cases_assistance
    FOR EACH ROW EXECUTE FUNCTION same_centre_guard_assistance();
"""


class Migration(migrations.Migration):
    dependencies = [("cases", "0026_assistance_after_a_referral")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
