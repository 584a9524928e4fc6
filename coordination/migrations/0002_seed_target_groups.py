from django.db import migrations

# The ministry's five target groups; codes are stable, names are editable data.
TARGET_GROUPS = [
    ("destitute", "ผู้ยากไร้", "The destitute"),
    ("disability", "ผู้พิการ", "Persons with disabilities"),
    ("elderly", "ผู้สูงอายุ", "Older persons"),
    ("women", "สตรี", "Women"),
    ("children_youth", "เด็กและเยาวชน", "Children and youth"),
]


def seed_target_groups(apps, schema_editor):
    TargetGroup = apps.get_model("coordination", "TargetGroup")
    for position, (code, name_th, name_en) in enumerate(TARGET_GROUPS, start=1):
        TargetGroup.objects.update_or_create(
            code=code, defaults={"name_th": name_th, "name_en": name_en, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("coordination", "0001_initial")]
    operations = [migrations.RunPython(seed_target_groups, migrations.RunPython.noop)]
