"""The case import's pages: upload → preview of every row → confirm, as every import
goes (coordination/import_views.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from cases.imports import COLUMNS, EXAMPLE, import_cases, read_cases
from coordination.import_views import Importer

CASES = Importer(
    session_key="case_import",
    page_url="cases:case-import",
    confirm_url="cases:case-import-confirm",
    template_url="cases:case-import-template",
    done_url="cases:case-list",
    columns=COLUMNS,
    read=read_cases,
    save=import_cases,
    template_file=("cases-template.xlsx", _("Cases"), EXAMPLE),
    title=_("Import cases"),
    file_label=_("File of cases (.xlsx or .csv)"),
    file_help=_("Up to 5,000 people, headings as in the template."),
    upload_heading=_("Upload a file of cases"),
    intro=_(
        "An Excel (.xlsx) or CSV file, one person per row, at most %(limit)s rows. Nothing "
        "is saved until you have seen every row and confirmed; each row is then opened as "
        "a case, as intake opens one."
    ),
    hints=[
        _(
            "Needed: prefix, first name, sex and at least one target group (several "
            "separated by commas). Dates as day/month/year in BE or CE (12/03/2483 or "
            "12/03/1940), or the year alone; or an estimated age instead. The subdistrict "
            "by its name in this centre's district, the team by its name in this centre. "
            "Consent is optional, but a method needs who gave it and the purposes."
        )
    ],
    ready=ngettext_lazy(
        "%(count)s case is ready to open.", "%(count)s cases are ready to open.", "count"
    ),
    button=ngettext_lazy("Open %(count)s case", "Open all %(count)s cases", "count"),
    done=_("%(count)d cases imported."),
    changed=_("Someone opened a case for one of these people meanwhile; nothing was imported."),
)

case_import, case_import_confirm, case_import_template = CASES.views()
