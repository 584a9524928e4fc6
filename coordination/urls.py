from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

# The root URLconf wires every app together, so it alone may import the apps above
# coordination (tests/test_dependencies.py allows it): the dashboard shows cases.
from cases import offline, report_views, team_pages
from cases import views as case_views
from coordination import account_views, agency_views, pwa, twofactor, views
from volunteers import urls as volunteer_urls

volunteer_pages = [
    *volunteer_urls.urlpatterns,
    path("<int:pk>/", team_pages.volunteer_detail, name="volunteer-detail"),
    path("teams/", team_pages.team_list, name="team-list"),
    path("teams/<int:pk>/", team_pages.team_detail, name="team-detail"),
]

# The coordination namespace: one include, as a second one of the same name would hide it.
coordination_pages = [
    path("dashboard/", case_views.dashboard, name="dashboard"),
    path("dashboard/report/", report_views.report_monthly, name="report-monthly"),
    path("agencies/", agency_views.agency_list, name="agency-list"),
    path("agencies/new/", agency_views.agency_create, name="agency-create"),
    path("agencies/<int:pk>/", agency_views.agency_detail, name="agency-detail"),
    path("agencies/<int:pk>/edit/", agency_views.agency_edit, name="agency-edit"),
    path("agencies/<int:pk>/deactivate/", agency_views.agency_deactivate, name="agency-deactivate"),
    path("agencies/<int:pk>/reactivate/", agency_views.agency_reactivate, name="agency-reactivate"),
]

# 403 and 404 use Django's handlers, which render 403.html and 404.html with the request.
handler400 = views.bad_request

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The second step of the login, and setting up the authenticator app.
    path("login/code/", twofactor.login_code, name="login-code"),
    path("account/two-factor/", twofactor.two_factor_enrol, name="two-factor-enrol"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password/set/<str:uidb64>/<str:token>/",
        account_views.password_set,
        name="password-set",
    ),
    path("places/", views.place_options, name="place-options"),
    path("", include((coordination_pages, "coordination"))),
    # Public like the login page it serves: one may read the login page in English.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("health/", views.health, name="health"),
    # The installable app (coordination/pwa.py): the worker must sit at the root to
    # control every page.
    path("sw.js", pwa.service_worker, name="service-worker"),
    path("manifest.webmanifest", pwa.manifest, name="web-manifest"),
    path("offline/pages/", offline.offline_pages, name="offline-pages"),
    path("volunteers/", include((volunteer_pages, volunteer_urls.app_name))),
    path("cases/", include("cases.urls")),
    path("admin/", admin.site.urls),
]
