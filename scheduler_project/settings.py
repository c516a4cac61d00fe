"""Settings for Residency Scheduler, read from the environment.

With no environment set, everything runs on one machine with no servers to install: SQLite in
``var/`` and a Celery broker on kombu's filesystem transport. ``DATABASE_URL`` and ``REDIS_URL``
switch to PostgreSQL and Redis; production differs only by environment values.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# A development key is only acceptable while DEBUG is on; production must set its own.
SECRET_KEY = env_str("SECRET_KEY", "dev-insecure-key-change-me" if DEBUG else None)
if not DEBUG and SECRET_KEY.startswith("dev-insecure"):
    raise ImproperlyConfigured("SECRET_KEY must be set to a real secret when DEBUG is off.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "console.apps.ConsoleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_celery_beat",
    "django_htmx",
    "template_partials",
    "auditlog",
    "django_prometheus",
    "console",
    "people",
    "rotations",
    "scheduling",
    "swaps",
    "conflicts",
    "resilience",
    "analytics",
    # API
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "api",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "scheduler_project.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # API: turns a django-axes lockout into a readable response (keep it last of the auth ones).
    "axes.middleware.AxesMiddleware",
    # A database or Redis outage inside a view: a 503 that says nothing was changed.
    "scheduler_project.outages.OutageMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Sign-in budgets per address and per username (people/login_guard.py), on every door.
    "people.login_guard.LoginGuardBackend",
    # API: django-axes refuses locked-out credentials before any other backend is asked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "scheduler_project.urls"
WSGI_APPLICATION = "scheduler_project.wsgi.application"

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
                "people.context_processors.doors",
                "people.context_processors.notifications",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
try:
    # Persistent connections are checked before reuse: a restarted database costs no request.
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # The worker and the web server write to one SQLite file: wait for locks instead of failing.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"timeout": 30, "transaction_mode": "IMMEDIATE"}
    # A file, not memory, so a real Celery worker in another process can reach the test data;
    # one per test process, so concurrent test runs never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "America/New_York")
try:
    ZoneInfo(TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE={TIME_ZONE!r} is not an IANA time zone.") from None
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Hashed names need `collectstatic` first (the Docker image runs it); development and tests
# serve the files as they are.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "pages:dashboard"

# Email: the console backend unless a host is configured.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "scheduler@localhost")
# Notifications (people.delivery): links in emails and webhooks start with SITE_URL; a webhook
# answer slower than NOTIFY_WEBHOOK_TIMEOUT seconds is a failure (retried with backoff).
SITE_URL = env_str("SITE_URL", "http://localhost:8000").rstrip("/")
NOTIFY_WEBHOOK_TIMEOUT = float(env_str("NOTIFY_WEBHOOK_TIMEOUT", "5"))
NOTIFY_MAX_RETRIES = env_int("NOTIFY_MAX_RETRIES", 5)
# Housekeeping: read notifications older than this many days are deleted; invitations expire.
NOTIFICATION_RETENTION_DAYS = env_int("NOTIFICATION_RETENTION_DAYS", 90)
INVITATION_TTL_HOURS = env_int("INVITATION_TTL_HOURS", 72)

# Celery: Redis when REDIS_URL is set, otherwise a broker that needs no server.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"REDIS_URL={REDIS_URL!r} is not a redis:// URL.")
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
else:
    _broker_dir = VAR_DIR / "celery-broker"
    for _folder in ("processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        # Exchange bindings; kombu's default is a "control" folder in the working directory.
        "control_folder": str(_broker_dir / "control"),
        # The worker polls the folder; a quarter second keeps "queued" short for the coordinator.
        "polling_interval": 0.25,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    # A run whose worker died would otherwise stay "running" forever.
    "fail-stale-runs": {"task": "scheduling.fail_stale_runs", "schedule": 60.0},
    "purge-idempotency-keys": {"task": "api.purge_idempotency_keys", "schedule": 3600.0},
    "expire-import-previews": {"task": "api.expire_import_previews", "schedule": 3600.0},
    # Notifications (people.tasks): each is idempotent, so a missed or doubled beat is harmless.
    "send-daily-digests": {"task": "people.send_digests", "schedule": 3600.0},
    "certification-reminders": {"task": "people.certification_reminders", "schedule": 6 * 3600.0},
    "purge-notifications": {"task": "people.purge_notifications", "schedule": 24 * 3600.0},
    "purge-expired-tokens": {"task": "api.purge_expired_tokens", "schedule": 24 * 3600.0},
    # Resilience: the level every 15 minutes, N-1/N-2 nightly, fallbacks weekly.
    "resilience-snapshots": {"task": "resilience.take_snapshots", "schedule": 900.0},
    "resilience-contingency": {
        "task": "resilience.nightly_contingency",
        "schedule": crontab(hour=2, minute=0),
    },
    "resilience-fallbacks": {
        "task": "resilience.refresh_fallbacks",
        "schedule": crontab(hour=3, minute=0, day_of_week=0),
    },
    # Conflicts over the next 90 days, every night (changes trigger their own detection).
    "detect-conflicts-ahead": {
        "task": "conflicts.detect_ahead",
        "schedule": crontab(hour=2, minute=30),
    },
}

# One cache for every process (API throttles, feed caches) when Redis is configured; otherwise
# each process keeps its own in memory, which is right for the single-machine default.
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }

AUDITLOG_INCLUDE_ALL_MODELS = False

# API ------------------------------------------------------------------------------------------
# DRF for integrators: session auth for the browser, JWT (simplejwt) for integrators, one error
# shape, one pagination style, per-user throttling; drf-spectacular for the OpenAPI schema.
# How many reverse proxies stand in front of the app (0: clients connect directly).
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.tokens.CheckedJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttles.ApiUserThrottle"],
    # Client addresses come from REMOTE_ADDR unless TRUSTED_PROXIES proxies stand in front
    # (then from X-Forwarded-For, that many hops in): a client cannot pick its own address.
    "NUM_PROXIES": TRUSTED_PROXIES,
    "DEFAULT_THROTTLE_RATES": {
        "api_user": env_str("API_USER_THROTTLE", "600/minute"),
        "login": env_str("API_LOGIN_THROTTLE", "5/minute"),
    },
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON bodies only; the import endpoints (file uploads) opt in to multipart themselves.
    "DEFAULT_PARSER_CLASSES": ["api.parsers.BoundedJSONParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
API_MAX_UPLOAD_BYTES = env_int("API_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
# Imports are read by a worker (an ImportJob), within these bounds, checked while reading:
# rows across all sheets; a workbook's declared uncompressed size (all its zip members) and the
# compression ratio of any member over 1 MB, both before any XML is parsed; the job's time.
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 50_000)
IMPORT_MAX_EXPANDED_BYTES = env_int("IMPORT_MAX_EXPANDED_BYTES", 64 * 1024 * 1024)
IMPORT_MAX_COMPRESSION_RATIO = env_int("IMPORT_MAX_COMPRESSION_RATIO", 100)
IMPORT_TIME_LIMIT_SECONDS = env_int("IMPORT_TIME_LIMIT_SECONDS", 600)
# A preview not applied within this many hours fails and its file is dropped.
IMPORT_PREVIEW_HOURS = env_int("IMPORT_PREVIEW_HOURS", 24)
# A session ends this long after login, however often its refresh token is rotated.
JWT_ABSOLUTE_LIFETIME = timedelta(days=env_int("JWT_ABSOLUTE_LIFETIME_DAYS", 30))
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=7),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "SIGNING_KEY": SECRET_KEY,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Residency Scheduler API",
    "DESCRIPTION": "Programs, people, rotations, the schedule and solver runs. See docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.drop_backend_integer_limits",
    ],
    "ENUM_NAME_OVERRIDES": {
        "PersonKindEnum": "people.models.Person.Kind",
        "AbsenceKindEnum": "people.models.Absence.Kind",
        "AbsenceStatusEnum": "people.models.Absence.Status",
        "RequestKindEnum": "people.models.Request.Kind",
        "RequestStatusEnum": "people.models.Request.Status",
        "RotationKindEnum": "rotations.models.Rotation.Kind",
        "RunKindEnum": "scheduling.models.ScheduleRun.Kind",
        "RunStatusEnum": "scheduling.models.ScheduleRun.Status",
        "MembershipRoleEnum": "people.models.Membership.Role",
        "ProgramRuleKindEnum": "people.models.ProgramRule.Kind",
        "StandingPreferenceKindEnum": "people.models.StandingPreference.Kind",
    },
}
# Five wrong passwords for one username from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
# The same client address as the API's throttles: X-Forwarded-For only behind trusted proxies.
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXIES or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if TRUSTED_PROXIES else ("REMOTE_ADDR",)
)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Password spraying: failed sign-ins from one address, any usernames, within the window.
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 20)
# Distributed guessing: failed sign-ins for one username from any addresses. Above
# AXES_FAILURE_LIMIT, so no single address can pause an account for everyone.
LOGIN_USERNAME_FAILURE_LIMIT = env_int("LOGIN_USERNAME_FAILURE_LIMIT", 20)
LOGIN_GUARD_WINDOW = timedelta(minutes=15)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "filters": {"redact": {"()": "scheduler_project.logsafe.RedactSecrets"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # runserver's request lines go through the same redacting handler.
    "loggers": {"django.server": {"handlers": ["console"], "propagate": False}},
}

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
# Prometheus scrapers send this as a bearer token; empty: only scrapers on this machine.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # The directive only matters once the domain is submitted to the browsers' preload list.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    # Trust X-Forwarded-Proto only behind a proxy that sets it (gunicorn exposed directly would
    # let any client claim HTTPS).
    if env_bool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
