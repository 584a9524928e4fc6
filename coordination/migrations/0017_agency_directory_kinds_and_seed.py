from django.db import migrations

# The national agencies of ../shared/DOMAIN.md, shared by every centre (no centre). Those
# it names that are local (a district office's welfare unit, hospitals, shelters, legal
# aid) are each centre's own: the demo centre has Bueng Kum's (loaddemo).
NATIONAL = [
    {
        "name": "ศูนย์ช่วยเหลือสังคม สายด่วน 1300",
        "kind": "hotline",
        "phone": "1300",
        "area": "ทั่วประเทศ",
        "services": "รับแจ้งและช่วยเหลือผู้ประสบปัญหาทางสังคม ตลอด 24 ชั่วโมง",
    },
    {
        "name": "สายด่วนคนพิการ 1479",
        "kind": "hotline",
        "phone": "1479",
        "area": "ทั่วประเทศ",
        "services": "คำปรึกษาและรับเรื่องของคนพิการ สิทธิและสวัสดิการคนพิการ",
    },
    {
        "name": "ศูนย์บริการคนพิการ กรุงเทพมหานคร",
        "kind": "disability_service",
        "area": "กรุงเทพมหานคร",
        "services": "ออกบัตรประจำตัวคนพิการ",
    },
]


def map_old_kinds(apps, schema_editor):
    """`government` is no longer a kind: a disability service centre filed under it
    becomes one, anything else `other`. Every other stored value is still a kind."""
    Agency = apps.get_model("coordination", "Agency")
    old = Agency.objects.filter(kind="government")
    old.filter(name__contains="บริการคนพิการ").update(kind="disability_service")
    old.update(kind="other")


def seed_national_agencies(apps, schema_editor):
    # get_or_create by name: running again (or after the demo made them) adds nothing,
    # and what an administrator changed since is left alone.
    Agency = apps.get_model("coordination", "Agency")
    for agency in NATIONAL:
        Agency.objects.get_or_create(
            center=None, name=agency["name"], defaults=agency
        )


class Migration(migrations.Migration):
    dependencies = [("coordination", "0016_agency_directory")]
    operations = [
        migrations.RunPython(map_old_kinds, migrations.RunPython.noop),
        migrations.RunPython(seed_national_agencies, migrations.RunPython.noop),
    ]
