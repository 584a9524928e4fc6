"""Roles are checked by group name (User.is_coordinator, is_volunteer) through the one
role_required decorator; row access by visible_to. The model permissions 0005 gave the
two groups were checked by nothing, and a second, silent description of the roles: they
go. The groups stay: they are the roles. See docs/architecture.md, "Who sees what"."""

from django.db import migrations

ROLES = ["coordinator", "volunteer"]


def drop_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.clear()


class Migration(migrations.Migration):
    dependencies = [("coordination", "0011_accesslog_no_truncate")]
    # Not reversed: 0005 says what the permissions were, should anyone want them back.
    operations = [migrations.RunPython(drop_permissions, migrations.RunPython.noop)]
