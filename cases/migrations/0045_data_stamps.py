from django.db import migrations

# A centre's data stamp (coordination.DataStamp) moves on once for each transaction that
# changes what the centre's pages show, when it commits.
#
# - A constraint trigger, deferred: it runs at the commit, in the transaction, so the
#   stamp changes with the data, never before it, and the stamp's row is locked only for
#   the moment of the commit (an immediate UPDATE would hold it from a transaction's
#   first write to its end: every other write of the centre would wait, and two
#   transactions that lock rows in opposite orders would deadlock).
# - Once per centre and transaction, however many rows it wrote (an import's thousands):
#   the first of its triggers to fire for a centre marks it in a setting local to the
#   transaction, and the others see the mark.
# - The trigger's arguments say where a row names its centre:
#   ('center_id'): in a column of its own; a row that moves from a centre to another
#   moves both on;
#   ('volunteer_id', 'volunteers_volunteer'): through the row it belongs to (a
#   membership, a visit's volunteers, a case's target groups); if that row was deleted
#   in the same transaction, its own trigger moved the stamp on;
#   (): a table every centre reads (target groups, rates, caps, places): the stamp of
#   scope 0.
#   A centre column that is empty (a national administrator's login) is scope 0 too.
# - Commits of one centre take turns on its stamp's row, for the moment of the update.
#   A transaction that changes two centres' rows (a case or a volunteer moved by an
#   administrator) locks both; two such transactions, between the same two centres in
#   opposite orders and committing at the same moment, would deadlock, and PostgreSQL
#   would end one of them with an error. A row's own two centres are locked in one order.
FUNCTION = """
CREATE FUNCTION data_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    scopes bigint[] := '{}';
    one bigint;
    row_data jsonb;
BEGIN
    IF TG_NARGS = 0 THEN
        scopes := ARRAY[0];
    ELSE
        FOREACH row_data IN ARRAY ARRAY[
            CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END,
            CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END
        ] LOOP
            CONTINUE WHEN row_data IS NULL;
            IF TG_NARGS = 1 THEN
                scopes := scopes || coalesce((row_data ->> TG_ARGV[0])::bigint, 0);
            ELSE
                one := NULL;
                EXECUTE format('SELECT coalesce(center_id, 0) FROM %I WHERE id = $1', TG_ARGV[1])
                    INTO one USING (row_data ->> TG_ARGV[0])::bigint;
                IF one IS NOT NULL THEN
                    scopes := scopes || one;
                END IF;
            END IF;
        END LOOP;
    END IF;
    -- In one order (a row moved from A to B and another from B to A lock A first both).
    FOREACH one IN ARRAY ARRAY(SELECT DISTINCT unnest(scopes) ORDER BY 1) LOOP
        CONTINUE WHEN current_setting('data_stamp.s' || one, true) = 'moved';
        PERFORM set_config('data_stamp.s' || one, 'moved', true);
        INSERT INTO coordination_datastamp (scope, version) VALUES (one, 1)
            ON CONFLICT (scope) DO UPDATE SET version = coordination_datastamp.version + 1;
    END LOOP;
    RETURN NULL;
END
$$;
"""

# (table, the trigger's arguments)
STAMPED = [
    *[
        (table, ("center_id",))
        for table in (
            "coordination_agency", "volunteers_volunteer",
            "volunteers_team", "cases_case", "cases_householdmember", "cases_incomesource",
            "cases_debt", "cases_homevisit", "cases_visitphoto", "cases_referral",
            "cases_referralupdate", "cases_referralneeddismissal", "cases_assistance",
            "cases_plangoal", "cases_planaction", "cases_caseconference", "cases_caseevent",
            "cases_casemerge", "cases_allowancedismissal",
        )
    ],
    ("volunteers_teammembership", ("volunteer_id", "volunteers_volunteer")),
    ("coordination_user_groups", ("user_id", "coordination_user")),
    ("cases_case_target_groups", ("case_id", "cases_case")),
    ("cases_homevisit_volunteers", ("homevisit_id", "cases_homevisit")),
    ("cases_caseconference_cases", ("caseconference_id", "cases_caseconference")),
    ("cases_caseconference_volunteers", ("caseconference_id", "cases_caseconference")),
    ("cases_conferenceattendee", ("conference_id", "cases_caseconference")),
    *[
        (table, ())
        for table in (
            "coordination_targetgroup", "coordination_allowancerate", "cases_assistancecap",
            "coordination_province", "coordination_district", "coordination_subdistrict",
            "coordination_center",
        )
    ],
]  # fmt: skip

# A login's own columns change at every login (last_login) and password change: only
# what pages show of a person, and their centre and standing, moves the stamp (a
# national administrator's login would otherwise move every centre's, scope 0).
USER_SHOWN = "center_id, username, first_name, last_name, is_active, is_staff, is_superuser"

TRIGGER_NAME = "data_stamp"


def create(table: str, arguments: tuple[str, ...], update: str = "UPDATE") -> str:
    quoted = ", ".join(f"'{argument}'" for argument in arguments)
    return (
        f"CREATE CONSTRAINT TRIGGER {TRIGGER_NAME} AFTER INSERT OR {update} OR DELETE "
        f'ON "{table}" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW '
        f"EXECUTE FUNCTION data_stamp({quoted});"
    )


FORWARD = (
    FUNCTION
    + "\n".join(create(table, arguments) for table, arguments in STAMPED)
    + "\n"
    + create("coordination_user", ("center_id",), f"UPDATE OF {USER_SHOWN}")
)
BACKWARD = "\n".join(
    f'DROP TRIGGER {TRIGGER_NAME} ON "{table}";'
    for table in [*(table for table, _ in STAMPED), "coordination_user"]
) + ("\nDROP FUNCTION data_stamp();")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0044_admin_date_indexes"),
        ("coordination", "0022_data_stamps"),
        ("volunteers", "0002_change_history"),
    ]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
