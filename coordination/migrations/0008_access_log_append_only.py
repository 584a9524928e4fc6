from django.db import migrations

# The database itself refuses to change or remove a log entry, whoever asks.
FORWARD = """
CREATE FUNCTION coordination_accesslog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the access log is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER accesslog_append_only
    BEFORE UPDATE OR DELETE ON coordination_accesslog
    FOR EACH ROW EXECUTE FUNCTION coordination_accesslog_append_only();
"""

BACKWARD = """
DROP TRIGGER accesslog_append_only ON coordination_accesslog;
DROP FUNCTION coordination_accesslog_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("coordination", "0007_access_log")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
