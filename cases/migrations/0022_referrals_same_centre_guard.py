from django.db import migrations

# A referral goes to a national agency (no centre) or one of its own case's centre, and
# the visit it came from is one of its own case's (see 0011_same_centre_guards). An
# agency with referrals cannot then move to another centre.
FORWARD = """
CREATE FUNCTION same_centre_guard_referral() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM coordination_agency a
        WHERE a.id = NEW.agency_id AND (a.center_id IS NULL OR a.center_id = NEW.center_id)
    ) THEN
        RAISE EXCEPTION 'same_centre_guard: referral % and agency % are of different centres',
            NEW.id, NEW.agency_id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.visit_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM cases_homevisit h WHERE h.id = NEW.visit_id AND h.case_id = NEW.case_id
    ) THEN
        RAISE EXCEPTION 'same_centre_guard: referral % and visit % are of different cases',
            NEW.id, NEW.visit_id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER same_centre_guard_referral
    BEFORE INSERT OR UPDATE OF agency_id, visit_id, case_id, center_id ON cases_referral
    FOR EACH ROW EXECUTE FUNCTION same_centre_guard_referral();

CREATE FUNCTION same_centre_guard_agency_moves() RETURNS trigger AS $$
BEGIN
    IF NEW.center_id IS NOT NULL AND EXISTS (
        SELECT 1 FROM cases_referral r WHERE r.agency_id = NEW.id AND r.center_id <> NEW.center_id
    ) THEN
        RAISE EXCEPTION 'same_centre_guard: agency % has referrals of another centre',
            NEW.id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER same_centre_guard_agency_moves
    BEFORE UPDATE OF center_id ON coordination_agency
    FOR EACH ROW WHEN (OLD.center_id IS DISTINCT FROM NEW.center_id)
    EXECUTE FUNCTION same_centre_guard_agency_moves();
"""

BACKWARD = """
DROP TRIGGER same_centre_guard_agency_moves ON coordination_agency;
DROP FUNCTION same_centre_guard_agency_moves();
DROP TRIGGER same_centre_guard_referral ON cases_referral;
DROP FUNCTION same_centre_guard_referral();
"""


class Migration(migrations.Migration):
    dependencies = [("cases", "0021_referrals_letter_updates_dismissals")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
