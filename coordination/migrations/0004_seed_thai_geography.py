import geothai
from django.db import migrations


def seed_thai_geography(apps, schema_editor):
    """Every province, district and subdistrict with DOPA codes, from geothai."""
    Province = apps.get_model("coordination", "Province")
    District = apps.get_model("coordination", "District")
    Subdistrict = apps.get_model("coordination", "Subdistrict")
    provinces, districts, subdistricts = [], [], []
    for p in geothai.provinces():
        provinces.append(Province(code=p.code, name_th=p.name_th, name_en=p.name_en))
        for d in geothai.districts(p.code):
            districts.append(
                District(code=d.code, name_th=d.name_th, name_en=d.name_en, province_id=p.code)
            )
            for s in geothai.subdistricts(d.code):
                subdistricts.append(
                    Subdistrict(
                        code=s.code,
                        name_th=s.name_th,
                        name_en=s.name_en,
                        district_id=d.code,
                        postal_codes=list(s.postal_codes),
                    )
                )
    Province.objects.bulk_create(provinces, ignore_conflicts=True)
    District.objects.bulk_create(districts, ignore_conflicts=True, batch_size=1000)
    Subdistrict.objects.bulk_create(subdistricts, ignore_conflicts=True, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("coordination", "0003_seed_allowance_rates")]
    operations = [migrations.RunPython(seed_thai_geography, migrations.RunPython.noop)]
