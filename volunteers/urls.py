from django.urls import path

from volunteers import account_views, import_views, views

app_name = "volunteers"
# The volunteer page, team list and team page show cases: they are in
# cases/team_pages.py, and coordination/urls.py adds them to this namespace.
urlpatterns = [
    path("", views.volunteer_list, name="volunteer-list"),
    path("me/", views.my_profile, name="my-profile"),
    path("new/", views.volunteer_create, name="volunteer-create"),
    path("<int:pk>/edit/", views.volunteer_edit, name="volunteer-edit"),
    path("<int:pk>/status/", views.volunteer_status, name="volunteer-status"),
    path("<int:pk>/account/", account_views.volunteer_account, name="volunteer-account"),
    path("teams/new/", views.team_create, name="team-create"),
    path("teams/<int:pk>/members/", views.team_add_member, name="team-add-member"),
    path(
        "teams/<int:pk>/members/<int:membership_pk>/end/",
        views.team_end_membership,
        name="team-end-membership",
    ),
    path(
        "teams/<int:pk>/members/<int:membership_pk>/leader/",
        views.team_make_leader,
        name="team-make-leader",
    ),
    path("import/", import_views.volunteer_import, name="volunteer-import"),
    path(
        "import/confirm/",
        import_views.volunteer_import_confirm,
        name="volunteer-import-confirm",
    ),
    path(
        "import/template.xlsx",
        import_views.volunteer_import_template,
        name="volunteer-import-template",
    ),
]
