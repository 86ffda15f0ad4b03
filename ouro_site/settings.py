"""One settings module, driven by environment variables, with a zero-config default."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from ouro_site.env import (
    database_from_url,
    env_bool,
    env_file,
    env_int,
    env_list,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    # Zero-config: a key generated once and kept in the data folder.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        from secrets import token_urlsafe

        key_file.write_text(token_urlsafe(50))
        key_file.chmod(0o600)
    SECRET_KEY = key_file.read_text().strip()
if len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long")

SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [SITE_URL])

CREDENTIAL_KEYS = env_list("CREDENTIAL_KEYS", [])
if not CREDENTIAL_KEYS:
    key_file = DATA_DIR / "credential_keys"
    if not key_file.exists():
        from cryptography.fernet import Fernet

        key_file.write_text(Fernet.generate_key().decode())
        key_file.chmod(0o600)
    CREDENTIAL_KEYS = [line.strip() for line in key_file.read_text().split(",") if line.strip()]
for _key in CREDENTIAL_KEYS:
    try:
        from cryptography.fernet import Fernet

        Fernet(_key)
    except Exception:
        raise ImproperlyConfigured(
            "CREDENTIAL_KEYS must be a comma-separated list of Fernet keys "
            "(32 url-safe base64-encoded bytes each)"
        ) from None

UPSTREAM_ALLOW_PRIVATE_IPS = env_bool("UPSTREAM_ALLOW_PRIVATE_IPS", False)
UPSTREAM_CONNECT_TIMEOUT = env_int("UPSTREAM_CONNECT_TIMEOUT", 10, minimum=1)
UPSTREAM_READ_TIMEOUT = env_int("UPSTREAM_READ_TIMEOUT", 60, minimum=1)
# The most one upstream call may take in all: connect, headers and the whole body, whatever the
# pace it sends at; a route may set a lower one.
UPSTREAM_TOTAL_TIMEOUT = env_int("UPSTREAM_TOTAL_TIMEOUT", 120, minimum=1)
# Calls to one service at once, per process (web or worker): one slow upstream cannot take
# every thread. Sync runs over it answer 429; queued runs wait in the queue.
UPSTREAM_MAX_CONCURRENCY_PER_SERVICE = env_int("UPSTREAM_MAX_CONCURRENCY_PER_SERVICE", 4, minimum=1)
# How long a host name's resolved addresses are reused (each call still vets them); 0: never.
UPSTREAM_DNS_CACHE_SECONDS = env_int("UPSTREAM_DNS_CACHE_SECONDS", 30, minimum=0)
UPSTREAM_MAX_RESPONSE_BYTES = env_int("UPSTREAM_MAX_RESPONSE_BYTES", 20 * 1024 * 1024, minimum=1024)
# The authorities upstream TLS certificates are checked against: Mozilla's (certifi), unless a
# PEM bundle is named (say, with an internal CA's certificate).
UPSTREAM_CA_BUNDLE = env_file("UPSTREAM_CA_BUNDLE")
# Threads per web process that run sync actions for API calls (each waits for its upstream).
SYNC_RUN_THREADS = env_int("SYNC_RUN_THREADS", 16, minimum=1)
SPEC_MAX_BYTES = env_int("SPEC_MAX_BYTES", 16 * 1024 * 1024, minimum=1024)

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL must start with redis://, not {REDIS_URL!r}")
TASKS_EAGER = env_bool("TASKS_EAGER", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "huey.contrib.djhuey",
    "apps.core",
    "apps.accounts",
    "apps.assets",
    "apps.services",
    "apps.routes",
    "apps.actions",
    "apps.posts",
    "apps.billing",
    "apps.social",
    "apps.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "apps.api.middleware.ApiRequestMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "ouro_site.urls"
WSGI_APPLICATION = "ouro_site.wsgi.application"
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["apps.core.templatetags.when"],  # {{ moment|when }} everywhere
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": database_from_url("DATABASE_URL", env_str("DATABASE_URL"), str(DATA_DIR))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Files in an S3-compatible bucket (AWS, MinIO, R2, ...) when a bucket is named.
if env_str("S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET"),
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "region_name": env_str("S3_REGION") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
            "location": env_str("S3_PREFIX"),
            "default_acl": None,
            "file_overwrite": False,
        },
    }
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_REQUEST_BYTES", 64 * 1024 * 1024, minimum=1024)
FILE_UPLOAD_MAX_BYTES = env_int("FILE_UPLOAD_MAX_BYTES", 50 * 1024 * 1024, minimum=1024)
# Read-only SQL over a dataset loads its rows into an in-memory database of its own: datasets up
# to this many rows, queries up to this many seconds.
DATASET_QUERY_MAX_ROWS = env_int("DATASET_QUERY_MAX_ROWS", 200_000, minimum=1)
DATASET_QUERY_TIMEOUT_SECONDS = env_int("DATASET_QUERY_TIMEOUT_SECONDS", 10, minimum=1)

SESSION_COOKIE_HTTPONLY = True
SESSION_ENGINE = "django.contrib.sessions.backends.db"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
# Failed log-ins are counted (apps/accounts/throttle.py) in the "throttle" cache, shared by
# every web process: a database table (made by a migration) on the embedded default, Redis
# scaled out. API requests are counted in "default": memory per process, or Redis.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "ouro_throttle",
        "OPTIONS": {"MAX_ENTRIES": 20000},
    },
}
# Scaled out, the shared Redis is also the cache, and sessions are read from it (written
# through to the database): a page or poll does not query the session table.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "apps.core.cache.RedisCache",  # clear() leaves the queue's keys alone
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "ouro-cache",
        },
        "throttle": {
            "BACKEND": "apps.core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "ouro-throttle",
        },
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# API requests per minute per key (429 with Retry-After beyond it); 0: no limit.
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 600, minimum=0)
# Reverse proxies in front of the web processes, each adding the address it saw to
# X-Forwarded-For: the client's address (the log-in limit per address) is read from it.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)

SITE_HTTPS = SITE_URL.startswith("https://")
SESSION_COOKIE_SECURE = SITE_HTTPS
CSRF_COOKIE_SECURE = SITE_HTTPS
if SITE_HTTPS:
    # Browsers are told to come back over https only; behind a TLS-terminating proxy, its
    # X-Forwarded-Proto says a request came in over https (without one, the scheme is the
    # server's own).
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600, minimum=0)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Every page: scripts, styles and fonts only from this site's own files (no inline script,
# style attribute or handler; htmx and KaTeX are served from /static); images also from any
# https address (a post may show one). Signed file downloads keep their own "sandbox".
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "https:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "media-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# API tokens: access tokens (JWT) are short-lived and re-exchanged by the client.
ACCESS_TOKEN_TTL_SECONDS = env_int("ACCESS_TOKEN_TTL_SECONDS", 3600, minimum=60)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["apps.api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["apps.api.throttling.ApiKeyRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["apps.api.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "apps.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "apps.api.schema.ApiAutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

# The API's own OpenAPI 3.1 document (/api/schema, read at /api/docs), generated from the code;
# what the views cannot tell drf-spectacular is declared in apps/api/schema.py.
SPECTACULAR_SETTINGS = {
    "TITLE": "Ouro Routes API",
    "DESCRIPTION": (
        "The HTTP API the official Ouro clients (`ouro-py`, `ouro-mcp`) speak. Send an API key "
        "(the *API keys* page) as `Authorization: <key>`, or the access token "
        '`POST /users/get-token` exchanges it for. Answers are `{"data": ...}` (lists add '
        "`pagination` and take `limit`, at most 200, and `offset`); errors are "
        '`{"data": null, "error": {"message", "code", "status"}}` with the HTTP status.'
    ),
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SCHEMA_PATH_PREFIX": "/api",
    "SCHEMA_PATH_PREFIX_TRIM": True,
    "SERVERS": [{"url": "/api"}],
    "COMPONENT_SPLIT_REQUEST": True,
    # Request bodies' enums (apps.api.schema.field) are named once for each set of values.
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    "ENUM_NAME_OVERRIDES": {
        "AssetVisibilityEnum": "apps.api.schema.VISIBILITIES",
        "VisibilityEnum": "apps.accounts.api_views.TEAM_VISIBILITIES",  # teams, services
        "RoleEnum": "apps.accounts.api_views.ROLES",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.api.schema.add_error_responses",
    ],
}

# Background work: Django's tasks API on huey. Embedded: SqliteHuey in the data folder;
# scaled out: RedisHuey when REDIS_URL is set.
HUEY = {
    "name": env_str("HUEY_NAME", "ouro"),
    "immediate": TASKS_EAGER,
    "consumer": {
        "workers": env_int("HUEY_WORKERS", 4, minimum=1),
        "worker_type": "thread",
        # An idle SQLite queue is polled ten times a second per worker thread (a cheap read):
        # with four threads a click waits about 25 ms for its run to start (p50), at most a
        # tenth of a second. Redis wakes a waiting worker at once.
        "initial_delay": 0.05,
        "backoff": 1.2,
        "max_delay": 0.1,
    },
}
if REDIS_URL:
    HUEY["huey_class"] = "huey.RedisHuey"
    HUEY["url"] = REDIS_URL
else:
    HUEY["huey_class"] = "apps.core.queue.SqliteHuey"
    HUEY["filename"] = str(DATA_DIR / "queue.sqlite3")
TASKS = {"default": {"BACKEND": "apps.actions.task_backend.HueyTaskBackend"}}
# A worker process renews the heartbeat of the runs it holds every sixth of this (10 s by
# default); a run whose worker has been silent this long is ended by the reaper, which runs in
# a thread of every worker process (apps/actions/liveness.py), as "the worker running it stopped".
WORKER_HEARTBEAT_TIMEOUT_SECONDS = env_int("WORKER_HEARTBEAT_TIMEOUT_SECONDS", 60, minimum=3)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
