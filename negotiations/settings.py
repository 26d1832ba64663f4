"""Parley settings, read from the environment.

Safe defaults make a first local run work with nothing set (SQLite, DEBUG on);
with DEBUG off, unsafe values are refused at start-up rather than served.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", True)
_INSECURE_KEY = "django-insecure-parley-local-development-only"
SECRET_KEY = os.environ.get("SECRET_KEY", _INSECURE_KEY)
# Loopback is always allowed so the container's health check (which asks 127.0.0.1) works
# whatever public host names are configured.
ALLOWED_HOSTS = [*envlist("ALLOWED_HOSTS", "localhost"), "127.0.0.1", "[::1]"]
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

if not DEBUG and SECRET_KEY == _INSECURE_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY: the built-in key is for local development only.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.syndication",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "csp",
    "axes",
    "negotiations",
    "positions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # WhiteNoise answers static files itself (precompressed): they never reach GZip below.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses pages and feeds, with random padding against BREACH (docs/deployment.md).
    "negotiations.compression.PageGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # ?release= and ?known_on=: reads go to a frozen snapshot (docs/releases.md).
    "negotiations.reading.ReadingMiddleware",
    # Last, as django-axes requires: turns a locked-out log-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "negotiations.urls"
WSGI_APPLICATION = "negotiations.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# DATABASE_URL unset: a SQLite file beside manage.py, the embedded default.
# postgres://user@host:port/name: PostgreSQL through psycopg 3.
# Persistent connections with health checks, not a pool: a database restart costs no request
# once it is back (docs/deployment.md, "Database connections"; tests/test_faults.py).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# Reads of a release or past day go to its snapshot database (docs/releases.md).
DATABASE_ROUTERS = ["negotiations.routers.SnapshotRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A shared cache (Redis) when several web processes run; per-process memory otherwise.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
# Without collectstatic (development, tests) WhiteNoise finds files through the finders.
WHITENOISE_USE_FINDERS = DEBUG or not STATIC_ROOT.exists()
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- HTTPS and browser protections (docs/deployment.md, "Security") -----------------------------
# With DEBUG off everything is on; each piece has a variable to turn it off for a deployment that
# needs it. With DEBUG on (local runs) Parley stays plain HTTP.
# TLS ends at the proxy in front, which must set X-Forwarded-Proto (and X-Forwarded-For).
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    # The container's health check asks http://127.0.0.1:8000/healthz, without the proxy.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 63072000)  # two years
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES", True)
# No page script reads the CSRF cookie (forms carry the token), so scripts may not read it at all.
CSRF_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4): only this site's own files; no inline script or style,
# no style attributes. Pages that must run an inline-initialised library (API docs) use a nonce.
# To allow another source, add it to the one directive that needs it (docs/deployment.md).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
    }
}

# --- Log-in protection (django-axes; docs/deployment.md, "Locked-out log-ins") -----------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# A user name is locked from one address after this many wrong passwords in a row; someone
# guessing from elsewhere cannot lock the real user out. Unlock: manage.py axes_reset_username.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_HOURS", 1) or None  # 0: locked until reset by hand
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "negotiations.security.client_ip"
# How many proxies in front append to X-Forwarded-For; 0 means clients connect directly.
TRUSTED_PROXIES = envint("TRUSTED_PROXIES", 0 if DEBUG else 1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes announces itself at every start (and so in every manage.py command's output);
    # its warnings about failed and locked-out log-ins still show.
    "loggers": {"axes.apps": {"level": "WARNING"}},
}

# --- REST API (see docs/api.md) ---------------------------------------------------------------
# Anonymous reading per client address; counts live in the cache (shared when REDIS_URL is set).
API_ANON_RATE = os.environ.get("API_ANON_RATE", "120/minute")

REST_FRAMEWORK = {
    # Token first: an anonymous write is answered 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "negotiations.api.renderers.JSONRenderer",  # orjson; the same bytes as DRF's
        "negotiations.api.renderers.CSVRenderer",
        # DRF's browsable API; its fixed inline styles pass by hash (negotiations/security.py).
        "negotiations.security.StrictBrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "negotiations.api.filters.StrictFilterBackend",
        "negotiations.api.filters.WordSearchFilter",
        "negotiations.api.filters.StrictOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "negotiations.api.pagination.ChronologicalCursorPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["negotiations.api.throttling.AnonymousRateThrottle"],
    "EXCEPTION_HANDLER": "negotiations.api.errors.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Parley API",
    "DESCRIPTION": (
        "Demands, concessions and positions in negotiations, round by round. "
        "Anonymous reading is throttled; writes need a token or session with model permissions. "
        "Every GET answers JSON or CSV (?format=csv)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Relations are objects when read and slugs when written: separate request components.
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "DemandStatusEnum": "positions.models.Demand.Status",
        "ConcessionStatusEnum": "positions.models.Concession.Status",
        "PartyKindEnum": "negotiations.models.Party.Kind",
        "RoundKindEnum": "negotiations.models.Round.Kind",
        "SourceKindEnum": "negotiations.models.Source.Kind",
        "PlanStatusEnum": "positions.plan_models.Plan.Status",
        "PlanPointStatusEnum": "positions.plan_models.PlanPoint.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "negotiations.api.schema.describe_csv",
    ],
}
