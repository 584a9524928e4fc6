"""The roster import's pages: upload → preview of every row → confirm, as every import
goes (coordination/import_views.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from coordination.import_views import Importer
from volunteers.imports import COLUMNS, EXAMPLE, import_roster, read_roster

ROSTER = Importer(
    session_key="volunteer_import",
    page_url="volunteers:volunteer-import",
    confirm_url="volunteers:volunteer-import-confirm",
    template_url="volunteers:volunteer-import-template",
    done_url="volunteers:volunteer-list",
    columns=COLUMNS,
    read=read_roster,
    save=import_roster,
    template_file=("roster-template.xlsx", _("Volunteers"), EXAMPLE),
    title=_("Import volunteers"),
    file_label=_("Roster file (.xlsx or .csv)"),
    file_help=_("Up to 5,000 volunteers, headings as in the template."),
    upload_heading=_("Upload a roster"),
    intro=_(
        "An Excel (.xlsx) or CSV file, one volunteer per row, at most %(limit)s rows. "
        "Nothing is saved until you have seen every row and confirmed."
    ),
    hints=[
        _(
            "Dates as day/month/year in BE or CE (24/04/2562 or 24/04/2019); the team by "
            "its name in this centre."
        )
    ],
    ready=ngettext_lazy(
        "%(count)s volunteer is ready to import.",
        "%(count)s volunteers are ready to import.",
        "count",
    ),
    button=ngettext_lazy("Import %(count)s volunteer", "Import all %(count)s volunteers", "count"),
    done=_("%(count)d volunteers imported."),
    changed=_("Someone registered one of these volunteers meanwhile; nothing was imported."),
)

volunteer_import, volunteer_import_confirm, volunteer_import_template = ROSTER.views()
