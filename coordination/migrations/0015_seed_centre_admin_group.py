from django.contrib.auth.management import create_permissions
from django.db import migrations

# A centre administrator is staff bound to a centre and a member of this group: the
# model permissions the admin asks for. Which rows they reach (their centre's only) and
# that centre-wide data stays read-only is coordination.admin.centre_rows' rule, not this.
PERMISSIONS = {
    "coordination": {
        "center": ["view", "change"],
        "user": ["view", "add", "change"],
        "agency": ["view", "add", "change", "delete"],
        "accesslog": ["view"],
        "targetgroup": ["view"],
        "allowancerate": ["view"],
        "province": ["view"],
        "district": ["view"],
        "subdistrict": ["view"],
    },
    "volunteers": {
        "volunteer": ["view", "add", "change", "delete"],
        "team": ["view", "add", "change", "delete"],
        "teammembership": ["view", "add", "change", "delete"],
    },
    "cases": {
        "case": ["view", "add", "change"],
        "householdmember": ["view", "add", "change", "delete"],
        "incomesource": ["view", "add", "change", "delete"],
        "homevisit": ["view", "add", "change", "delete"],
        "caseevent": ["view"],
        "visitphoto": ["view", "delete"],
    },
}


def seed_centre_admin_group(apps, schema_editor):
    for app_label in PERMISSIONS:
        app_config = apps.get_app_config(app_label)
        # Historical app configs have no models module, which create_permissions skips.
        historical = getattr(app_config, "models_module", None) is None
        if historical:
            app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        if historical:
            app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="centre_admin")
    wanted = [
        (app_label, f"{action}_{model}")
        for app_label, models in PERMISSIONS.items()
        for model, actions in models.items()
        for action in actions
    ]
    permissions = [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in wanted
    ]
    group.permissions.set(permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("coordination", "0014_access_log_second_factor_actions"),
        ("volunteers", "0002_change_history"),
        ("cases", "0012_same_centre_guard_case_event_team"),
    ]
    operations = [migrations.RunPython(seed_centre_admin_group, migrations.RunPython.noop)]
