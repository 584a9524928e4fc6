"""Files of cases for the import tests, made the way Excel and people make them (the
writing helpers are the roster's: tests/volunteers/roster_files.py)."""

from cases.imports import COLUMNS
from tests.factories import national_id

HEADINGS = [column.thai for column in COLUMNS]
# Keyword names for person(): Python folds some Thai letters of identifiers (NFKC), so
# the Thai headings cannot be keyword arguments.
KEYS = [column.key for column in COLUMNS]


def person(n: int, **changes) -> list:
    row = {
        "national_id": national_id(7000 + n),
        "prefix": "นาง",
        "first_name": f"บุญมี{n}",
        "last_name": "ทองดี",
        "sex": "หญิง",
        "birth_date": "12/03/2483",
        "estimated_age": "",
        "phone": "0812345678",
        "house_no": "45/2",
        "moo": "",
        "subdistrict": "คลองกุ่ม",
        "target_groups": "ผู้สูงอายุ",
        "team": "",
        "problems": "อยู่ลำพัง",
        "consent_given_by": "",
        "consent_method": "",
        "consent_purposes": "",
    }
    assert set(changes) <= set(row), set(changes) - set(row)
    row.update(changes)
    return [row[key] for key in KEYS]
