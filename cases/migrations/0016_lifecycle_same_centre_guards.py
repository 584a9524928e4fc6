from django.db import migrations

# A duplicate names the case kept, and a merge the case it moved rows to: of the same
# centre, whoever writes (see 0011_same_centre_guards).
FORWARD = """
CREATE FUNCTION same_centre_guard_case_duplicate_of() RETURNS trigger AS $$
BEGIN
    IF NEW.duplicate_of_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM cases_case k WHERE k.id = NEW.duplicate_of_id AND k.center_id = NEW.center_id
    ) THEN
        RAISE EXCEPTION 'same_centre_guard: case % and the case % it duplicates are of different centres',
            NEW.id, NEW.duplicate_of_id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER same_centre_guard_case_duplicate_of
    BEFORE INSERT OR UPDATE OF duplicate_of_id, center_id ON cases_case
    FOR EACH ROW EXECUTE FUNCTION same_centre_guard_case_duplicate_of();

CREATE FUNCTION same_centre_guard_case_merge_kept() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM cases_case k WHERE k.id = NEW.kept_id AND k.center_id = NEW.center_id
    ) THEN
        RAISE EXCEPTION 'same_centre_guard: merge % into case % of another centre',
            NEW.id, NEW.kept_id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER same_centre_guard_case_merge_kept
    BEFORE INSERT OR UPDATE OF kept_id, center_id ON cases_casemerge
    FOR EACH ROW EXECUTE FUNCTION same_centre_guard_case_merge_kept();
"""

BACKWARD = """
DROP TRIGGER same_centre_guard_case_merge_kept ON cases_casemerge;
DROP FUNCTION same_centre_guard_case_merge_kept();
DROP TRIGGER same_centre_guard_case_duplicate_of ON cases_case;
DROP FUNCTION same_centre_guard_case_duplicate_of();
"""


class Migration(migrations.Migration):
    dependencies = [("cases", "0015_lifecycle_date_the_estimated_ages")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
