from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from coordination import twofactor, views

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
    path("places/", views.place_options, name="place-options"),
    path("dashboard/", include(([path("", views.dashboard, name="dashboard")], "coordination"))),
    # Public like the login page it serves: one may read the login page in English.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("health/", views.health, name="health"),
    path("volunteers/", include("volunteers.urls")),
    path("cases/", include("cases.urls")),
    path("admin/", admin.site.urls),
]
