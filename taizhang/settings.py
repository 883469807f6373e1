"""Settings for Taizhang, read from the environment.

SQLite is the default so a newcomer needs nothing; PostgreSQL is chosen by
``DATABASE_URL``. DEBUG is off unless ``TAIZHANG_DEBUG=1``; production gives its secret
key and allowed hosts through the environment; ``taizhang demo`` sets ``TAIZHANG_DEMO=1``.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("TAIZHANG_VAR_DIR", Path.cwd() / "var"))


def envbool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Off unless asked for: a deployment that forgets a setting must not show tracebacks.
# TAIZHANG_DEBUG=1 is for development; the demo (``taizhang demo``) sets TAIZHANG_DEMO=1,
# which runs as production does (Chinese error pages, no tracebacks) over plain HTTP on
# the loopback address, with a secret key of its own kept in var/.
DEBUG = envbool("TAIZHANG_DEBUG", False)
DEMO = envbool("TAIZHANG_DEMO", False)


def _demo_secret_key() -> str:
    """The demo's own key, made once: created readable by its owner only, and by one process
    (O_EXCL), so two starting together read the same key."""
    import secrets

    path = VAR_DIR / "demo-secret-key"
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text(encoding="ascii").strip()


SECRET_KEY = os.environ.get("TAIZHANG_SECRET_KEY") or (
    "dev-only-insecure-key-set-TAIZHANG_SECRET_KEY-in-production" if DEBUG
    else _demo_secret_key() if DEMO else ""
)
if not SECRET_KEY:
    # A missing key in production must stop the server, not fall back to a known one.
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "TAIZHANG_SECRET_KEY 未设置:生产环境必须设置;开发时可设 TAIZHANG_DEBUG=1,演示请用 taizhang demo")

ALLOWED_HOSTS = envlist("TAIZHANG_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG or DEMO else "")
if DEMO and not DEBUG and set(ALLOWED_HOSTS) - {"127.0.0.1", "localhost", "::1", "[::1]"}:
    # The demo serves plain HTTP without HSTS or secure cookies: never for a real host name.
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("TAIZHANG_DEMO 只用于本机演示(127.0.0.1),不能与对外的 TAIZHANG_ALLOWED_HOSTS 一起使用")
CSRF_TRUSTED_ORIGINS = envlist("TAIZHANG_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "simple_history",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "taizhang.core",
    "taizhang.accounts",
    "taizhang.regions",
    "taizhang.projects",
    "taizhang.monitoring",
    "taizhang.reporting",
    "taizhang.enterprises",
    "taizhang.indicators",
    "taizhang.parks",
    "taizhang.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "taizhang.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "taizhang.core.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "taizhang.urls"
WSGI_APPLICATION = "taizhang.wsgi.application"

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
                "taizhang.reporting.todos.todo_count",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'taizhang.sqlite3'}",
        conn_max_age=envint("TAIZHANG_DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL lets pages read while an import writes; a busy timeout instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "taizhang.accounts.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "taizhang.accounts.passwords.MinimumLengthValidator"},
    {"NAME": "taizhang.accounts.passwords.CommonPasswordValidator"},
    {"NAME": "taizhang.accounts.passwords.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("TAIZHANG_STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or DEMO  # served from the source folders (the demo needs no collectstatic)
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or DEMO
MEDIA_ROOT = Path(os.environ.get("TAIZHANG_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"

# Uploads: refuse anything big before it reaches memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("TAIZHANG_SESSION_AGE", 8 * 3600)
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    # HTTPS everywhere but in the demo, which serves plain HTTP on the loopback address
    SESSION_COOKIE_SECURE = envbool("TAIZHANG_SECURE_COOKIES", not DEMO)
    CSRF_COOKIE_SECURE = envbool("TAIZHANG_SECURE_COOKIES", not DEMO)
    SECURE_SSL_REDIRECT = envbool("TAIZHANG_SSL_REDIRECT", not DEMO)
    SECURE_HSTS_SECONDS = envint("TAIZHANG_HSTS_SECONDS", 0 if DEMO else 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("TAIZHANG_HSTS_PRELOAD", False)
    # The browsers' preload list is for public domains; an intranet host cannot be on it.
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PARSER_CLASSES": [
        "taizhang.core.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"login": os.environ.get("TAIZHANG_LOGIN_RATE", "10/min")},
    # X-Forwarded-For is not believed unless a trusted proxy sits in front (see TRUSTED_PROXIES).
    "NUM_PROXIES": 1 if os.environ.get("TAIZHANG_TRUSTED_PROXIES") else 0,
}

# Failed logins allowed per user name and address before a pause (accounts.views.LoginView).
LOGIN_FAILURE_LIMIT = envint("TAIZHANG_LOGIN_FAILURE_LIMIT", 5)
# Failures from one address (over any user names) after which names that failed there are paused.
LOGIN_ADDRESS_FAILURE_LIMIT = envint("TAIZHANG_LOGIN_ADDRESS_FAILURE_LIMIT", 20)
# Proxies whose X-Forwarded-For is believed (nginx in front of gunicorn); nobody else's is.
TRUSTED_PROXIES = envlist("TAIZHANG_TRUSTED_PROXIES", "")
LOGIN_LOCKOUT_SECONDS = envint("TAIZHANG_LOGIN_LOCKOUT_SECONDS", 15 * 60)
SPECTACULAR_SETTINGS = {
    "TITLE": "Taizhang API",
    "DESCRIPTION": "台账: regions, projects, stages, plans, progress and problems",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # API docs from our own static files (drf-spectacular-sidecar): no CDN on an intranet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # several apps have a "source" of their own: each its own name in the schema
    "ENUM_NAME_OVERRIDES": {"StageEnum": "taizhang.projects.choices.Stage",
                            "ProjectSourceEnum": "taizhang.projects.choices.DataSource",
                            "EnterpriseSourceEnum": "taizhang.enterprises.choices.Source",
                            "SpaceSourceEnum": "taizhang.parks.choices.Source",
                            "IndicatorValueSourceEnum": "taizhang.indicators.choices.Source",
                            "OrderSourceEnum": "taizhang.reporting.choices.OrderSource"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "taizhang.core.openapi.document_errors",
    ],
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TAIZHANG_LOG_LEVEL", "WARNING")},
}

#: Imports of more rows than this are written by a background job, so no proxy times out.
TAIZHANG_IMPORT_BACKGROUND_ROWS = int(os.environ.get("TAIZHANG_IMPORT_BACKGROUND_ROWS", "2000"))
#: Redis for background jobs (RQ); without it jobs run on a thread of the web process.
TAIZHANG_REDIS_URL = os.environ.get("TAIZHANG_REDIS_URL", "")

#: Figures kept between requests while the ledger is unchanged (``monitoring.kept``): at most
#: this many project lines per process, and computed again after writes once they pause.
TAIZHANG_KEPT_LINES = envint("TAIZHANG_KEPT_LINES", 20000)
TAIZHANG_KEEP_AHEAD = envbool("TAIZHANG_KEEP_AHEAD", True)

# Shared by every worker: the database by default, Redis when configured.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "taizhang_cache"}}
if TAIZHANG_REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": TAIZHANG_REDIS_URL}}
