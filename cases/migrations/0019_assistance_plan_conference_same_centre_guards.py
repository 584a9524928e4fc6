from django.db import migrations

# As 0011_same_centre_guards: the database refuses links between centres whoever
# writes. Help's provider and an action's agency: the case's centre's or a national
# one (no centre); an action's team, volunteer and conference, a conference's
# volunteers and cases: the same centre. The forms and clean() say it in words.
FORWARD = """
CREATE FUNCTION same_centre_guard_assistance() RETURNS trigger AS $$
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

CREATE TRIGGER same_centre_guard_assistance
    BEFORE INSERT OR UPDATE OF provider_id, center_id ON cases_assistance
    FOR EACH ROW EXECUTE FUNCTION same_centre_guard_assistance();

CREATE FUNCTION same_centre_guard_plan_action() RETURNS trigger AS $$
BEGIN
    IF (NEW.owner_team_id IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM volunteers_team t
            WHERE t.id = NEW.owner_team_id AND t.center_id = NEW.center_id))
       OR (NEW.owner_volunteer_id IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM volunteers_volunteer v
            WHERE v.id = NEW.owner_volunteer_id AND v.center_id = NEW.center_id))
       OR (NEW.owner_agency_id IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM coordination_agency a WHERE a.id = NEW.owner_agency_id
            AND (a.center_id IS NULL OR a.center_id = NEW.center_id)))
       OR (NEW.conference_id IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM cases_caseconference c
            WHERE c.id = NEW.conference_id AND c.center_id = NEW.center_id))
    THEN
        RAISE EXCEPTION 'same_centre_guard: planned action % names another centre''s owner or conference',
            NEW.id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER same_centre_guard_plan_action
    BEFORE INSERT OR UPDATE OF owner_team_id, owner_volunteer_id, owner_agency_id, conference_id,
        center_id ON cases_planaction
    FOR EACH ROW EXECUTE FUNCTION same_centre_guard_plan_action();

CREATE FUNCTION same_centre_guard_conference_volunteer() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM cases_caseconference c JOIN volunteers_volunteer v ON v.center_id = c.center_id
        WHERE c.id = NEW.caseconference_id AND v.id = NEW.volunteer_id
    ) THEN
        RAISE EXCEPTION 'same_centre_guard: conference % and volunteer % are of different centres',
            NEW.caseconference_id, NEW.volunteer_id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER same_centre_guard_conference_volunteer
    BEFORE INSERT OR UPDATE ON cases_caseconference_volunteers
    FOR EACH ROW EXECUTE FUNCTION same_centre_guard_conference_volunteer();

CREATE FUNCTION same_centre_guard_conference_case() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM cases_caseconference c JOIN cases_case k ON k.center_id = c.center_id
        WHERE c.id = NEW.caseconference_id AND k.id = NEW.case_id
    ) THEN
        RAISE EXCEPTION 'same_centre_guard: conference % and case % are of different centres',
            NEW.caseconference_id, NEW.case_id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER same_centre_guard_conference_case
    BEFORE INSERT OR UPDATE ON cases_caseconference_cases
    FOR EACH ROW EXECUTE FUNCTION same_centre_guard_conference_case();
"""

BACKWARD = """
DROP TRIGGER same_centre_guard_conference_case ON cases_caseconference_cases;
DROP FUNCTION same_centre_guard_conference_case();
DROP TRIGGER same_centre_guard_conference_volunteer ON cases_caseconference_volunteers;
DROP FUNCTION same_centre_guard_conference_volunteer();
DROP TRIGGER same_centre_guard_plan_action ON cases_planaction;
DROP FUNCTION same_centre_guard_plan_action();
DROP TRIGGER same_centre_guard_assistance ON cases_assistance;
DROP FUNCTION same_centre_guard_assistance();
"""


class Migration(migrations.Migration):
    dependencies = [("cases", "0018_assistance_seed_caps")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
