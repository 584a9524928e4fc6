from django.db import migrations

# Row triggers do not fire on TRUNCATE: a statement-level trigger refuses it too, to
# everyone but a superuser. A superuser can drop any trigger anyway, and the test
# suite's flush (as the embedded server's superuser) empties every table between
# tests. The app's own role has no TRUNCATE privilege at all (coordination/dbroles.py).
FORWARD = """
CREATE FUNCTION coordination_accesslog_no_truncate() RETURNS trigger AS $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the access log is append-only: it cannot be truncated';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER accesslog_no_truncate
    BEFORE TRUNCATE ON coordination_accesslog
    FOR EACH STATEMENT EXECUTE FUNCTION coordination_accesslog_no_truncate();
"""

BACKWARD = """
DROP TRIGGER accesslog_no_truncate ON coordination_accesslog;
DROP FUNCTION coordination_accesslog_no_truncate();
"""


class Migration(migrations.Migration):
    dependencies = [("coordination", "0010_center_followup_interval")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
