from django.db import migrations

# The database refuses links between centres, whoever writes: a case's team, a
# membership's volunteer and team, a visit's volunteers, all of one centre. A foreign
# key cannot say it (Django has no composite foreign keys), so triggers do. The models'
# clean() and the forms say the same in the user's language; these are the backstop.
FORWARD = """
CREATE FUNCTION same_centre_guard_case_team() RETURNS trigger AS $$
BEGIN
    IF NEW.team_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM volunteers_team t WHERE t.id = NEW.team_id AND t.center_id = NEW.center_id
    ) THEN
        RAISE EXCEPTION 'same_centre_guard: case % and its team % are of different centres',
            NEW.id, NEW.team_id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER same_centre_guard_case_team
    BEFORE INSERT OR UPDATE OF team_id, center_id ON cases_case
    FOR EACH ROW EXECUTE FUNCTION same_centre_guard_case_team();

CREATE FUNCTION same_centre_guard_membership() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM volunteers_volunteer v JOIN volunteers_team t ON t.center_id = v.center_id
        WHERE v.id = NEW.volunteer_id AND t.id = NEW.team_id
    ) THEN
        RAISE EXCEPTION 'same_centre_guard: volunteer % and team % are of different centres',
            NEW.volunteer_id, NEW.team_id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER same_centre_guard_membership
    BEFORE INSERT OR UPDATE OF volunteer_id, team_id ON volunteers_teammembership
    FOR EACH ROW EXECUTE FUNCTION same_centre_guard_membership();

CREATE FUNCTION same_centre_guard_visit_volunteer() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM cases_homevisit h JOIN volunteers_volunteer v ON v.center_id = h.center_id
        WHERE h.id = NEW.homevisit_id AND v.id = NEW.volunteer_id
    ) THEN
        RAISE EXCEPTION 'same_centre_guard: visit % and volunteer % are of different centres',
            NEW.homevisit_id, NEW.volunteer_id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER same_centre_guard_visit_volunteer
    BEFORE INSERT OR UPDATE ON cases_homevisit_volunteers
    FOR EACH ROW EXECUTE FUNCTION same_centre_guard_visit_volunteer();

-- Moving a volunteer or a team to another centre would break the links from the other side.
CREATE FUNCTION same_centre_guard_volunteer_moves() RETURNS trigger AS $$
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

CREATE TRIGGER same_centre_guard_volunteer_moves
    BEFORE UPDATE OF center_id ON volunteers_volunteer
    FOR EACH ROW WHEN (OLD.center_id IS DISTINCT FROM NEW.center_id)
    EXECUTE FUNCTION same_centre_guard_volunteer_moves();

CREATE FUNCTION same_centre_guard_team_moves() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM volunteers_teammembership m JOIN volunteers_volunteer v ON v.id = m.volunteer_id
        WHERE m.team_id = NEW.id AND v.center_id <> NEW.center_id
    ) OR EXISTS (
        SELECT 1 FROM cases_case c WHERE c.team_id = NEW.id AND c.center_id <> NEW.center_id
    ) THEN
        RAISE EXCEPTION 'same_centre_guard: team % has members or cases in another centre',
            NEW.id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER same_centre_guard_team_moves
    BEFORE UPDATE OF center_id ON volunteers_team
    FOR EACH ROW WHEN (OLD.center_id IS DISTINCT FROM NEW.center_id)
    EXECUTE FUNCTION same_centre_guard_team_moves();
"""

BACKWARD = """
DROP TRIGGER same_centre_guard_team_moves ON volunteers_team;
DROP FUNCTION same_centre_guard_team_moves();
DROP TRIGGER same_centre_guard_volunteer_moves ON volunteers_volunteer;
DROP FUNCTION same_centre_guard_volunteer_moves();
DROP TRIGGER same_centre_guard_visit_volunteer ON cases_homevisit_volunteers;
DROP FUNCTION same_centre_guard_visit_volunteer();
DROP TRIGGER same_centre_guard_membership ON volunteers_teammembership;
DROP FUNCTION same_centre_guard_membership();
DROP TRIGGER same_centre_guard_case_team ON cases_case;
DROP FUNCTION same_centre_guard_case_team();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_visit_barthel_items"),
        ("volunteers", "0002_change_history"),
    ]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
