"""PolicyCoder settings: one module; environments differ only by environment variables."""

import datetime
import os
import sys
from collections.abc import Collection, Mapping
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def secret_key(environ: Mapping[str, str], debug: bool) -> str:
    """SECRET_KEY from the environment; a development key only with DEBUG on, else refuse to start."""
    key = environ.get("SECRET_KEY", "").strip()
    if key:
        return key
    if debug:
        return "django-insecure-dev-key-only-for-debug"
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set it in the environment (a long random string, see the README's Production "
        "section), or DEBUG=1 on a development machine. `make run` and `make test` generate one in .secret_key."
    )


def conn_max_age(environ: Mapping[str, str], loaded_modules: Collection[str]) -> int:
    """Seconds a database connection is kept: CONN_MAX_AGE when set, else 60 under gunicorn and 0 elsewhere.

    Persistent connections suit gunicorn's fixed pool of worker processes; under the threaded development server
    every request thread would keep its own connection and exhaust the database server's connections."""
    value = environ.get("CONN_MAX_AGE", "").strip()
    if value:
        return int(value)
    return 60 if "gunicorn" in loaded_modules else 0


def postgresql_database(settings_dict: dict, *, transaction_pooling: bool) -> dict:
    """A PostgreSQL alias through config.postgresql (Django's backend, with the health check skipped on a connection
    in steady use). Behind PgBouncer in transaction mode (PGBOUNCER_TRANSACTION_MODE=1) no session state survives
    a transaction: server-side cursors (Django's iterator()) and the hot paths' prepared statements are turned off."""
    if settings_dict["ENGINE"] not in ("django.db.backends.postgresql", "config.postgresql"):
        return settings_dict
    settings_dict = {**settings_dict, "ENGINE": "config.postgresql"}
    if transaction_pooling:
        settings_dict.update(DISABLE_SERVER_SIDE_CURSORS=True, PREPARED_STATEMENTS=False)
    return settings_dict


def object_storage(environ: Mapping[str, str]) -> dict | None:
    """STORAGES["default"] on S3-compatible object storage (django-storages), or None for local disk (MEDIA_ROOT).

    STORAGE_URL=s3://[KEY:SECRET@]BUCKET[/PREFIX][?endpoint_url=…&region_name=…&addressing_style=path] names it in
    one variable; else AWS_STORAGE_BUCKET_NAME with AWS_S3_ENDPOINT_URL, AWS_S3_REGION_NAME, AWS_LOCATION and
    AWS_S3_ADDRESSING_STYLE. Keys come from the URL, else AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or boto3's own
    chain: an instance role). Files are never public: downloads pass through the app, which checks permissions."""
    url = environ.get("STORAGE_URL", "").strip()
    options: dict[str, object] = {}
    if url:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.hostname:
            raise ImproperlyConfigured("STORAGE_URL must look like s3://bucket/prefix?endpoint_url=https://…")
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        unknown = set(query) - {"endpoint_url", "region_name", "addressing_style"}
        if unknown:
            raise ImproperlyConfigured(f"STORAGE_URL: unknown parameter(s) {', '.join(sorted(unknown))}")
        options = {"bucket_name": parts.hostname, "location": unquote(parts.path).strip("/"), **query}
        if parts.username:
            options["access_key"] = unquote(parts.username)
            options["secret_key"] = unquote(parts.password or "")
    elif environ.get("AWS_STORAGE_BUCKET_NAME", "").strip():
        names = {
            "bucket_name": "AWS_STORAGE_BUCKET_NAME",
            "endpoint_url": "AWS_S3_ENDPOINT_URL",
            "region_name": "AWS_S3_REGION_NAME",
            "location": "AWS_LOCATION",
            "addressing_style": "AWS_S3_ADDRESSING_STYLE",
        }
        options = {key: environ[name].strip() for key, name in names.items() if environ.get(name, "").strip()}
    else:
        return None
    if "access_key" not in options and environ.get("AWS_ACCESS_KEY_ID"):
        options["access_key"] = environ["AWS_ACCESS_KEY_ID"]
        options["secret_key"] = environ.get("AWS_SECRET_ACCESS_KEY", "")
    # Names are unique (a uuid each), never overwritten; no ACL header (MinIO and most S3 clones ignore or refuse it).
    # A file opened for reading is buffered in memory up to 2 MB, then in a temporary file (django-storages' default
    # keeps a whole object in memory).
    options.update(default_acl=None, file_overwrite=False, querystring_auth=True, max_memory_size=2 * 1024 * 1024)
    # An unreachable store answers within seconds (config.storage turns it into a 503), not after boto3's retries.
    # django-storages ignores its addressing_style option once a client config is given: it goes in the config.
    from botocore.config import Config  # boto3 is loaded only when object storage is configured

    options["client_config"] = Config(
        s3={"addressing_style": options.pop("addressing_style", None)},
        connect_timeout=5,
        read_timeout=60,
        retries={"max_attempts": 3, "mode": "standard"},
    )
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = secret_key(os.environ, DEBUG)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "rest_framework.authtoken",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "policies",
    "framework",
    "coding",
    "django_tasks",
    "django_tasks_db",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.ControlCharacterMiddleware",  # before anything reads a cookie, the body or the database
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last but one: turns a locked-out login into accounts.throttle.lockout_response
    "config.routers.ReplicaReadsMiddleware",  # only marks the heavy read pages' requests for the read replica
    "config.storage.StorageUnavailableMiddleware",  # the object store unreachable: 503 with a message
]

ROOT_URLCONF = "config.urls"

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

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=conn_max_age(os.environ, sys.modules),
        conn_health_checks=True,
    )
}
TRANSACTION_POOLING = env_bool("PGBOUNCER_TRANSACTION_MODE", False)
DATABASES["default"] = postgresql_database(DATABASES["default"], transaction_pooling=TRANSACTION_POOLING)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while a coder writes; a busy timeout instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

# A read replica (PostgreSQL streaming replication, or a managed database's read endpoint): DATABASE_REPLICA_URL makes
# it the alias "replica", and config.routers sends the reads of the heavy read pages below to it (GET/HEAD only;
# writes, migrations and reads inside a transaction stay on the primary).
READ_REPLICA = ""
if os.environ.get("DATABASE_REPLICA_URL", "").strip():
    READ_REPLICA = "replica"
    DATABASES[READ_REPLICA] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"].strip(),
        conn_max_age=conn_max_age(os.environ, sys.modules),
        conn_health_checks=True,
    )
    DATABASES[READ_REPLICA] = postgresql_database(DATABASES[READ_REPLICA], transaction_pooling=TRANSACTION_POOLING)
DATABASE_ROUTERS = ["config.routers.ReplicaRouter"]
REPLICA_VIEWS = frozenset(
    {
        "coding:matrix",
        "coding:matrix-cell",
        "coding:matrix-csv",
        "coding:matrix-xlsx",
        "coding:matrix-svg",
        "coding:framework-summary",
        "coding:summary-csv",
        "coding:summary-xlsx",
        "coding:summary-figure",
        "policies:word-frequency",
        "policies:word-frequency-csv",
        "policies:word-frequency-xlsx",
        "api:matrix",
        "api:word-frequency",
    }
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out account or address before any password check
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.tokens.RevokeTokensOnPasswordChange"},  # not a check: a changed password revokes API tokens
]

# Login throttling (django-axes, counted in the database so every gunicorn worker shares the counts): after
# LOGIN_FAILURE_LIMIT failed logins for one account, or from one address, within LOGIN_COOLOFF_MINUTES, that account
# or address is locked for LOGIN_COOLOFF_MINUTES (login page and /api/auth/token/ alike; the API answers 429).
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "10"))
LOGIN_COOLOFF_MINUTES = int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15"))
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = datetime.timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "accounts.throttle.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.throttle.client_ip"
# API tokens expire this many hours after they are issued; /api/auth/token/ then issues a new one.
TOKEN_TTL_HOURS = int(os.environ.get("TOKEN_TTL_HOURS", "720"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    # Original uploads: local disk under MEDIA_ROOT, or object storage when STORAGE_URL / AWS_* are set (several
    # machines then share them). Every read and write goes through the storage API, never a path on disk.
    "default": object_storage(os.environ) or {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "config.staticfiles.ManifestStaticFilesStorage"  # whitenoise's, with ES module imports hashed too
            if env_bool("STATIC_MANIFEST", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not env_bool("STATIC_MANIFEST", False)
WHITENOISE_AUTOREFRESH = env_bool("WHITENOISE_AUTOREFRESH", DEBUG)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "policies:project-list"
LOGOUT_REDIRECT_URL = "login"

# Upload limits: one uploaded file (a .zip counts as one) and the unpacked size of a .zip.
MAX_UPLOAD_MB = int(os.environ.get("MAX_UPLOAD_MB", "20"))
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
MAX_ZIP_UNPACKED_MB = int(os.environ.get("MAX_ZIP_UNPACKED_MB", "200"))
MAX_ZIP_ENTRIES = int(os.environ.get("MAX_ZIP_ENTRIES", "1000"))
# What one .docx or .pdf may unpack to (its zip parts, its PDF streams): larger is refused as a decompression bomb.
MAX_INFLATED_MB = int(os.environ.get("MAX_INFLATED_MB", "100"))
# One request as a whole: how many files, and how many MB of files together (nginx's client_max_body_size a bit more).
MAX_UPLOAD_FILES = int(os.environ.get("MAX_UPLOAD_FILES", "50"))
MAX_REQUEST_MB = int(os.environ.get("MAX_REQUEST_MB", "200"))
MAX_REQUEST_BYTES = MAX_REQUEST_MB * 1024 * 1024
# REFI-QDA project import (.qdpx): the largest file accepted and unpacked, and the most entries in its zip
QDPX_MAX_MB = int(os.environ.get("QDPX_MAX_MB", "200"))
QDPX_MAX_ENTRIES = int(os.environ.get("QDPX_MAX_ENTRIES", "50000"))
UPLOAD_LIMITS_MB = {"api:project-import": QDPX_MAX_MB, "coding:project-import": QDPX_MAX_MB}  # view → larger limit
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 1000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_HANDLERS = ["policies.uploads.SizeLimitedUploadHandler"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: DRF takes the first class's WWW-Authenticate, so unauthenticated requests get 401, not 403.
        "accounts.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "policies.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PolicyCoder API",
    "DESCRIPTION": "Qualitative coding of Chinese policy documents.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Background work (segmenting large imports, re-segmenting after a dictionary edit): django-tasks with its database
# backend, run by `manage.py db_worker`. TASKS_BACKEND=immediate runs tasks inside the request (the tests do this).
TASKS_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS = {"default": {"BACKEND": TASKS_BACKENDS[os.environ.get("TASKS_BACKEND", "database")], "QUEUES": ["default"]}}
# Each db_worker process records a heartbeat this often; a worker not heard from within the lease is taken for dead:
# the pages say no worker is running, and a segmentation it left running is queued again for the next worker.
WORKER_HEARTBEAT_SECONDS = float(os.environ.get("WORKER_HEARTBEAT_SECONDS", "10"))
WORKER_LEASE_SECONDS = float(os.environ.get("WORKER_LEASE_SECONDS", "60"))
# Imports of up to this many characters are segmented in the request; larger ones go to the task worker. The default
# sends every import to the worker: segmenting in the request cost 9 ms a 20,000-character document on PostgreSQL,
# which took API imports below 50 documents a second; the worker catches up within seconds.
SEGMENT_INLINE_CHARS = int(os.environ.get("SEGMENT_INLINE_CHARS", "0"))

# Browser security. The Content-Security-Policy (django-csp 4.x) lets pages run only the app's own script files: no
# inline <script>, no event-handler attributes, no eval; data for scripts travels in json_script blocks (type
# application/json, never executed). Inline style *attributes* are allowed (heatmap cells, node colours, indents are
# computed per row), <style> elements are not (style-src-attr needs Firefox 108+, Safari 15.4+, any Chromium of
# 2019 on). The API docs loosen this in config/api.py, and say why there.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
# Powerful browser features the app never uses, off for every page (and for any frame inside one).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
SECURE_REFERRER_POLICY = "same-origin"  # Django's default, stated: other sites never see a project's URLs
SECURE_CONTENT_TYPE_NOSNIFF = True  # Django's default, stated: a CSV or JSON answer is never sniffed into HTML
X_FRAME_OPTIONS = "DENY"  # for browsers without frame-ancestors

# HTTPS switches: off unless set, so the app serves plain HTTP on loopback.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Reverse proxies in front of the app that append the client's address to X-Forwarded-For (login throttling counts
# per address): 1 behind the documented TLS proxy, 0 when clients connect directly.
PROXY_COUNT = int(os.environ.get("PROXY_COUNT") or (1 if env_bool("SECURE_PROXY_SSL_HEADER", False) else 0))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
