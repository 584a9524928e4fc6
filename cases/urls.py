from django.urls import path

from cases import allowance_views, import_views, referrals, views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("new/", views.case_create, name="case-create"),
    path("assign/", views.case_bulk_assign, name="case-bulk-assign"),
    path("import/", import_views.case_import, name="case-import"),
    path("import/confirm/", import_views.case_import_confirm, name="case-import-confirm"),
    path("import/template.xlsx", import_views.case_import_template, name="case-import-template"),
    path("mine/", views.my_cases, name="my-cases"),
    path("follow-ups/", views.followup_list, name="followup-list"),
    path("<int:pk>/", views.case_detail, name="case-detail"),
    path("<int:pk>/edit/", views.case_edit, name="case-edit"),
    path("<int:pk>/assign/", views.case_assign, name="case-assign"),
    path("<int:pk>/status/", views.case_status, name="case-status"),
    path("<int:pk>/close/", views.case_close, name="case-close"),
    path("<int:pk>/reopen/", views.case_reopen, name="case-reopen"),
    path("<int:pk>/export/", views.case_export, name="case-export"),
    path("<int:pk>/print/", views.case_print, name="case-print"),
    path("<int:pk>/changes/", views.case_changes, name="case-changes"),
    path("<int:pk>/consent-form/", views.consent_form, name="case-consent-form"),
    path("<int:pk>/visits/new/", views.visit_create, name="visit-create"),
    path("visits/<int:pk>/", views.visit_detail, name="visit-detail"),
    path("visits/<int:pk>/edit/", views.visit_edit, name="visit-edit"),
    path("photos/<int:pk>/", views.visit_photo, name="visit-photo"),
    path("<int:pk>/undo-merge/", views.case_merge_undo, name="case-merge-undo"),
]
urlpatterns += [
    path("<int:pk>/assistance/new/", views.assistance_create, name="assistance-create"),
    path("assistance/", views.assistance_list, name="assistance-list"),
    path("<int:pk>/plan/", views.case_plan, name="case-plan"),
    path("conferences/", views.conference_list, name="conference-list"),
    path("conferences/new/", views.conference_create, name="conference-create"),
    path("conferences/<int:pk>/", views.conference_detail, name="conference-detail"),
    path("<int:pk>/referrals/new/", referrals.referral_create, name="referral-create"),
    path("referrals/", referrals.referral_list, name="referral-list"),
    path("referrals/<int:pk>/", referrals.referral_detail, name="referral-detail"),
    path("referrals/<int:pk>/status/", referrals.referral_status, name="referral-status"),
    path(
        "referrals/<int:pk>/outcome-read/",
        referrals.referral_outcome_read,
        name="referral-outcome-read",
    ),
    path("referrals/<int:pk>/letter/", referrals.referral_letter, name="referral-letter"),
    path(
        "visits/<int:pk>/dismiss-referral/",
        referrals.visit_referral_dismiss,
        name="visit-referral-dismiss",
    ),
    path("visits/", views.visit_list, name="visit-list"),
    path(
        "allowances/",
        allowance_views.missed_allowance_list,
        name="missed-allowance-list",
    ),
    path(
        "<int:pk>/allowances/dismiss/",
        allowance_views.case_allowance_dismiss,
        name="case-allowance-dismiss",
    ),
]
