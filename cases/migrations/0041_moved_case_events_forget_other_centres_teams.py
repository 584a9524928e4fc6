from django.db import migrations

# A case moved to another centre kept, in its history, the teams of the centre it left
# (Case.bring_rows now forgets them). The events' guard (0012) fired on team_id and
# case_id, not on the event's own centre: it now fires on center_id too.
FORWARD = """
UPDATE cases_caseevent e SET team_id = NULL
FROM volunteers_team t, cases_case c
WHERE e.team_id = t.id AND e.case_id = c.id AND t.center_id <> c.center_id;

DROP TRIGGER same_centre_guard_case_event_team ON cases_caseevent;
CREATE TRIGGER same_centre_guard_case_event_team
    BEFORE INSERT OR UPDATE OF team_id, case_id, center_id ON cases_caseevent
    FOR EACH ROW EXECUTE FUNCTION same_centre_guard_case_event_team();
"""

BACKWARD = """
DROP TRIGGER same_centre_guard_case_event_team ON cases_caseevent;
CREATE TRIGGER same_centre_guard_case_event_team
    BEFORE INSERT OR UPDATE OF team_id, case_id ON cases_caseevent
    FOR EACH ROW EXECUTE FUNCTION same_centre_guard_case_event_team();
"""


class Migration(migrations.Migration):
    dependencies = [("cases", "0040_rows_follow_their_moved_case")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
