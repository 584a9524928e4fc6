from django.contrib.auth.management import create_permissions
from django.db import migrations

# Model permissions of each role. Row-level scoping (own centre, own teams) is
# enforced by the QuerySet helpers, not here.
ROLES = {
    "coordinator": {
        "coordination": {"center": ["view"], "targetgroup": ["view"], "agency": ["view", "add", "change"],
                         "allowancerate": ["view"], "province": ["view"], "district": ["view"],
                         "subdistrict": ["view"]},
        "volunteers": {"volunteer": ["view", "add", "change"], "team": ["view", "add", "change"],
                       "teammembership": ["view", "add", "change"]},
        "cases": {"case": ["view", "add", "change"], "householdmember": ["view", "add", "change", "delete"],
                  "incomesource": ["view", "add", "change", "delete"], "homevisit": ["view", "add", "change"]},
    },
    "volunteer": {
        "coordination": {"targetgroup": ["view"], "agency": ["view"], "allowancerate": ["view"],
                         "province": ["view"], "district": ["view"], "subdistrict": ["view"]},
        "volunteers": {"volunteer": ["view"], "team": ["view"]},
        "cases": {"case": ["view"], "householdmember": ["view"], "incomesource": ["view", "add", "change"],
                  "homevisit": ["view", "add", "change"]},
    },
}


def seed_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; make them now.
    for app_label in ("coordination", "volunteers", "cases"):
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
    for role, by_app in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        codenames = [
            f"{action}_{model}"
            for models in by_app.values()
            for model, actions in models.items()
            for action in actions
        ]
        permissions = Permission.objects.filter(
            content_type__app_label__in=by_app.keys(), codename__in=codenames
        )
        group.permissions.set(permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("coordination", "0004_seed_thai_geography"),
        ("volunteers", "0001_initial"),
        ("cases", "0002_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(seed_roles, migrations.RunPython.noop)]
