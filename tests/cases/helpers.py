"""Hand-made form data for view tests of intake and edit (bad input, edge cases).
Pages as a person submits them are tested in tests/forms/, with django-webtest."""

from coordination.models import TargetGroup


def formset(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def intake_data(household=None, incomes=None, debts=None, **changes) -> dict:
    elderly = TargetGroup.objects.get(code="elderly").pk
    disability = TargetGroup.objects.get(code="disability").pk
    data = {
        "prefix": "mrs",
        "first_name": "บุญเรือน",
        "last_name": "มีสุข",
        "sex": "female",
        "birth_date": "01/01/2483",
        "birth_year_only": "on",
        "national_id": "",
        "phone": "",
        "disability_types": ["3"],
        "reg_house_no": "11",
        "reg_soi": "เจริญกาญน์ 1",
        "reg_road": "เสรีไทย",
        "reg_province": "10",
        "reg_district": "1027",
        "reg_subdistrict": "102701",
        "reg_postal_code": "10240",
        "current_same_as_registered": "on",
        "target_groups": [str(elderly), str(disability)],
        "problems": "ธนาคารกำลังจะยึดบ้าน",
        "housing": "own_at_risk",
        "priority": "3",
        "opened_on": "24/04/2562",
        "consent_given_by": "ผู้ประสบปัญหา",
        "consent_method": "verbal",
        "consent_purposes": ["assistance", "referral"],
    }
    data.update(changes)
    data.update(formset("household", household if household is not None else []))
    data.update(formset("incomes", incomes if incomes is not None else []))
    data.update(formset("debts", debts if debts is not None else []))
    return {k: v for k, v in data.items() if v is not None}
