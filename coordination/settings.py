"""The one settings module, configured by environment variables.

Safe defaults for development; production sets DJANGO_DEBUG=0, DJANGO_SECRET_KEY,
DJANGO_ALLOWED_HOSTS and DATABASE_URL (see README).
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from coordination.database import database_url, replica_database
from coordination.dbroles import connection_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise SystemExit(f"{name} must be 0 or 1, not {value!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    return [item.strip() for item in value.split(",") if item.strip()] or default


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {value!r}") from None


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # One line, no traceback: the operator must set it.
        raise SystemExit("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "development-only-not-secret"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])

INSTALLED_APPS = [
    "coordination",
    "volunteers",
    "cases",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "coordination.apps.LoginAttemptsConfig",  # django-axes, named in the reader's language
    # Two-factor sign-in: TOTP apps and printed backup codes (coordination/twofactor.py).
    "django_otp",
    "coordination.apps.AuthenticatorAppsConfig",  # django_otp.plugins.otp_totp
    "coordination.apps.BackupCodesConfig",  # django_otp.plugins.otp_static
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed (crispy's indentation and Thai's 3-byte letters: the visit form
    # is 37 kB as HTML, 7 kB gzipped). Below WhiteNoise, which serves static files
    # already compressed. Django pads gzip output against BREACH (since 4.2).
    "django.middleware.gzip.GZipMiddleware",
    # Outside the session: its save is a write, seen by the replica's read-your-writes.
    "coordination.routers.ReadYourWritesMiddleware",
    # The phone's background copies of pages leave the session and messages cookies be.
    "coordination.middleware.BackgroundCopyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "coordination.middleware.ThaiFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Which device verified this session (django-otp), then the second step: a session
    # past the password only reaches the code or enrolment page (deny by default).
    "django_otp.middleware.OTPMiddleware",
    "coordination.twofactor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "coordination.middleware.PrivatePagesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "coordination.middleware.CSPEverywhereMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "coordination.middleware.ExplainedNotAllowedMiddleware",
    # Last: it answers a locked-out login attempt.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username and address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading a request's user with their centre, roles and
    # volunteer row in one query. (Sessions name the backend that logged them in: those
    # of Django's own, before, log in again.)
    "coordination.backends.UserBackend",
]

ROOT_URLCONF = "coordination.urls"
WSGI_APPLICATION = "coordination.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        connection_url(database_url(BASE_DIR)),
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# A streaming replica for the reports, exports and dashboard (README, "Read replica").
# The router and its middleware do nothing without it.
if replica_url := os.environ.get("DATABASE_REPLICA_URL", "").strip():
    DATABASES["replica"] = replica_database(
        replica_url, conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60)
    )
DATABASE_ROUTERS = ["coordination.routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Each process's memory. What is kept: the missed-allowance worklist's answer for a
# centre (cases/allowances.py, Worklist), and what the centre's pages computed
# (coordination/stamps.py), each under a key made of the state of the data it was
# computed from: an entry is never stale, so the cache need not be shared between
# processes or hosts — and must not be: an entry assumes the code that made it, which a
# restart empties. At most 1,000 entries, the older ones culled (README, "What pages
# keep": their sizes).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": env_int("DJANGO_KEPT_ENTRIES", 1000)},
    }
}
# Off (0): every page computes its figures on every view (`make bench --cold` measures so).
KEEP_PAGES = env_bool("DJANGO_KEEP_PAGES", True)

AUTH_USER_MODEL = "coordination.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions: a working day at most, and none beyond closing the browser.
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "coordination.views.csrf_failure"

# Login protection (django-axes): 5 failures of one username from one address lock
# that pair for 15 minutes. Administrators unlock in the admin (Access attempts).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Not on a right password: the count of wrong second-factor codes must survive it.
# coordination.twofactor forgets the failures once the whole login succeeds.
AXES_RESET_ON_SUCCESS = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_CLIENT_IP_CALLABLE = "coordination.audit.client_ip"
# How many reverse proxies stand in front and append to X-Forwarded-For (0: none).
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 0)

# Two-factor sign-in (django-otp). The admin never shows a device's secret or QR code:
# a device is enrolled by its owner on our own page, and reset, never copied.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
OTP_TOTP_ISSUER = "อพม."

# Closed cases are anonymised this many days after closing (manage.py anonymise_closed_cases).
CASE_RETENTION_DAYS = env_int("DJANGO_CASE_RETENTION_DAYS", 5 * 365)

# Headers on every response, debug or not, so that tests see what production sends.
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("Thai")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"


def media_storage() -> dict:
    """Where uploads go (visit photos; roster files waiting for confirmation).
    DJANGO_MEDIA_STORAGE=filesystem (the default) keeps them under MEDIA_ROOT, one host's
    disk; =s3 puts them in an S3-compatible bucket (AWS, MinIO, Ceph...) through
    django-storages (`pip install ".[s3]"`), so every app host serves the same photos.
    Either way the bucket or folder is private: photos of people are streamed by the
    app after its visibility check (cases.views.visit_photo), never linked to."""
    kind = os.environ.get("DJANGO_MEDIA_STORAGE", "").strip().lower() or "filesystem"
    if kind == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise SystemExit(f"DJANGO_MEDIA_STORAGE must be filesystem or s3, not {kind!r}")
    bucket = os.environ.get("AWS_STORAGE_BUCKET_NAME", "").strip()
    if not bucket:
        raise SystemExit("DJANGO_MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            # MinIO or another S3-compatible store; unset for AWS itself.
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL", "").strip() or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME", "").strip() or None,
            # "path" for MinIO without per-bucket DNS names.
            "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE", "").strip() or None,
            # A folder inside the bucket, so one bucket can hold several deployments.
            "location": os.environ.get("AWS_LOCATION", "").strip(),
            # Private: no ACL is sent, so objects take the bucket's (private) default,
            # and no URL is ever signed — nothing links to a photo, the app streams it.
            "default_acl": None,
            "querystring_auth": False,
            # Names are random (visit_photo_path); a clash must not replace a photo.
            "file_overwrite": False,
            # The keys come from boto3's own chain: AWS_ACCESS_KEY_ID and
            # AWS_SECRET_ACCESS_KEY in the environment, or the host's instance role.
        },
    }


STORAGES = {
    "default": media_storage(),
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploads (visit photos) live outside static/ and are served only through views
# that check who may see the case.
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))

# In development WhiteNoise serves straight from the app and static folders.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Django's form renderer, with its inputs, text areas and selects written in Python.
FORM_RENDERER = "coordination.widgets.QuickFormRenderer"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    LANGUAGE_COOKIE_HTTPONLY = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
