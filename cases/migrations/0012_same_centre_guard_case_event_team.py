from django.db import migrations

# A case's history names the team it was assigned to: of the case's centre too
# (see 0011_same_centre_guards).
FORWARD = """
CREATE FUNCTION same_centre_guard_case_event_team() RETURNS trigger AS $$
BEGIN
    IF NEW.team_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM volunteers_team t JOIN cases_case c ON c.center_id = t.center_id
        WHERE t.id = NEW.team_id AND c.id = NEW.case_id
    ) THEN
        RAISE EXCEPTION 'same_centre_guard: event of case % and team % are of different centres',
            NEW.case_id, NEW.team_id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER same_centre_guard_case_event_team
    BEFORE INSERT OR UPDATE OF team_id, case_id ON cases_caseevent
    FOR EACH ROW EXECUTE FUNCTION same_centre_guard_case_event_team();
"""

BACKWARD = """
DROP TRIGGER same_centre_guard_case_event_team ON cases_caseevent;
DROP FUNCTION same_centre_guard_case_event_team();
"""


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_same_centre_guards")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
