"""Settings for every environment, read from the environment once.

With nothing set this is the embedded default: SQLite, an in-memory channel layer, a
local-memory cache and Celery tasks run eagerly in the web process. `DATABASE_URL` moves
the data to PostgreSQL; `REDIS_URL` moves the cache, the channel layer and the Celery
broker to Redis (then run `make worker`).
"""

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("PUENTE_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-for-the-embedded-demo"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
SITE_URL = env_str("PUENTE_SITE_URL", "http://localhost:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [SITE_URL])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.locales",
    "wagtail",
    "modelcluster",
    "taggit",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "allauth.mfa",
    "channels",
    "network",
    "network.profiles",
    "network.institutions",
    "network.events",
    "network.assistance",
    "library",
    "forums",
    "forums.moderation",
    "courses",
    "chat",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "network.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "network.middleware.PreferredLanguageRedirectMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "network.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = "config.wsgi.application"

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
                "network.context_processors.site_chrome",
            ],
        },
    }
]

# --- data -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0, conn_health_checks=True)}
    # Web processes: a pool of PostgreSQL connections per process, so a socket's sends and
    # an HTTP request's queries do not each open a connection (about 5 ms) or keep one per
    # thread. Off by default: a forking Celery worker must not inherit a pool.
    DB_POOL_MAX_SIZE = env_int("PUENTE_DB_POOL_MAX_SIZE", 0)
    if DB_POOL_MAX_SIZE and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": DB_POOL_MAX_SIZE,
            "timeout": 10,
        }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": VAR_DIR / "db.sqlite3"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while Daphne's threads write; IMMEDIATE avoids
        # "database is locked" on read-then-write transactions.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif "postgresql" in DATABASES["default"]["ENGINE"] and env_bool("PUENTE_POSTGRES_JIT_OFF", True):
    # JIT compilation costs ~80 ms on every facet count over a large library (its cost
    # estimate crosses jit_above_cost) and wins nothing on these short queries.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "network.User"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("PUENTE_CACHE_PREFIX", "puente"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": env_list("CHANNEL_REDIS_URLS", [REDIS_URL]),
                "prefix": env_str("PUENTE_CHANNEL_PREFIX", "puente"),
                "capacity": 1000,
                "expiry": 30,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Sessions live in the database so that pages keep working when Redis is down.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14

# --- background work ----------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that is down must not hang a web request for long: give up quickly.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2}
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_BEAT_SCHEDULE = {
    # A fixed time of day, so that restarting beat never postpones the digest.
    "notification-daily-digest": {
        "task": "network.tasks.send_daily_digests",
        "schedule": crontab(hour=env_int("PUENTE_DIGEST_HOUR_UTC", 11), minute=0),
    },
    "profiles-create-missing": {
        "task": "profiles.create_missing_profiles",
        "schedule": crontab(minute="*/10"),
    },
    "events-send-reminders": {
        "task": "network.events.tasks.send_event_reminders",
        "schedule": crontab(minute="*/15"),
    },
    "forums-purge-unattached-uploads": {
        "task": "forums.purge_unattached_uploads",
        "schedule": crontab(minute=30),
    },
}

# --- accounts -----------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SITE_ID = 1
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_ADAPTER = "network.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
# Words that are URLs of their own under /network/members/.
ACCOUNT_USERNAME_BLACKLIST = ["me", "admin", "edit", "photo", "root", "staff", "support"]
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Puente] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# allauth's defaults, stated so they are visible: they count in the cache, which is
# Redis (shared by every web process) as soon as REDIS_URL is set.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
# Behind a load balancer, per-IP rate limits must count the client, not the proxy.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("PUENTE_TRUSTED_PROXY_COUNT", 0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Puente"
SOCIALACCOUNT_ADAPTER = "network.adapters.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_ONLY = False
# Institutions' identity providers are SocialApp rows (provider "openid_connect" or
# "saml") that staff add in /django-admin/: no code change, no deploy.
SOCIALACCOUNT_PROVIDERS: dict = {"openid_connect": {"OAUTH_PKCE_ENABLED": True}, "saml": {}}
PUENTE_TWO_FACTOR_REQUIRED_FOR_STAFF = env_bool("PUENTE_TWO_FACTOR_REQUIRED_FOR_STAFF", True)

# --- languages ----------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("pt-br", "Português (Brasil)"),
    ("fr", "Français"),
]
LANGUAGE_NAMES_TRANSLATED = {
    "en": _("English"),
    "es": _("Spanish"),
    "pt-br": _("Portuguese"),
    "fr": _("French"),
}
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "puente_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# --- static and uploaded files ------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("PUENTE_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- e-mail -------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Puente <no-reply@puente.example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Wagtail ------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Puente"
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
if "postgresql" in DATABASES["default"]["ENGINE"]:
    # Accent-free, unstemmed full text (one index serves four languages); created by
    # library migration 0006 (extensions unaccent and pg_trgm).
    WAGTAILSEARCH_BACKENDS["default"]["SEARCH_CONFIG"] = env_str("PUENTE_SEARCH_CONFIG", "puente_text")
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# Documents are always downloads (never rendered in the browser), of known types, checked by content.
WAGTAILDOCS_INLINE_CONTENT_TYPES: list[str] = []
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "csv", "odt", "ods", "pptx"]
WAGTAILDOCS_DOCUMENT_FORM_BASE = "library.forms.LibraryDocumentForm"
# Private pages and documents send visitors to the platform login (with two-factor), not Wagtail's.
WAGTAIL_FRONTEND_LOGIN_URL = "/accounts/login/"
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# --- real time ----------------------------------------------------------------------------
PUENTE_WS_MAX_FRAME_BYTES = env_int("PUENTE_WS_MAX_FRAME_BYTES", 64 * 1024)
PUENTE_WS_HEARTBEAT_SECONDS = env_int("PUENTE_WS_HEARTBEAT_SECONDS", 25)
# Fan-out frames written straight to Daphne's transports, encoded once per process
# (false: every frame through channels, Daphne and autobahn, as any other send).
PUENTE_WS_DIRECT_WRITES = env_bool("PUENTE_WS_DIRECT_WRITES", True)
# The Redis pub/sub channel of the sockets' fan-out is "<prefix>:fanout:<db>" (network/fanout.py).
PUENTE_FANOUT_PREFIX = env_str("PUENTE_FANOUT_PREFIX", "puente")

# A trivial view for `make bench` to measure against (never on a real site).
PUENTE_BENCH_VIEWS = env_bool("PUENTE_BENCH_VIEWS", False)

# --- security -----------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    # Load balancers probe over plain HTTP inside the private network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("DJANGO_CSRF_COOKIE_SECURE", True)
    LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
    if env_bool("DJANGO_TRUST_X_FORWARDED_PROTO", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- logging ------------------------------------------------------------------------------
LOG_FORMAT = env_str("PUENTE_LOG_FORMAT", "text" if DEBUG else "json")
LOG_LEVEL = env_str("PUENTE_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(process)d",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)-7s %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
        "asyncio": {"level": "WARNING"},
    },
}

# --- Forums -------------------------------------------------------------------------------
# Posting rate limits per member (replies and new topics count together for posts; new
# topics also have their own limit). Moderators of the category are not limited.
PUENTE_FORUMS_POSTS_PER_MINUTE = env_int("PUENTE_FORUMS_POSTS_PER_MINUTE", 6)
PUENTE_FORUMS_TOPICS_PER_HOUR = env_int("PUENTE_FORUMS_TOPICS_PER_HOUR", 10)
PUENTE_FORUMS_MAX_POST_CHARS = env_int("PUENTE_FORUMS_MAX_POST_CHARS", 50_000)
PUENTE_FORUMS_POSTS_PER_PAGE = env_int("PUENTE_FORUMS_POSTS_PER_PAGE", 20)
PUENTE_FORUMS_TOPICS_PER_PAGE = env_int("PUENTE_FORUMS_TOPICS_PER_PAGE", 30)

# --- Chat ---------------------------------------------------------------------------------
# Sending limit per member: N messages per window (room moderators are not limited).
PUENTE_CHAT_MESSAGES_PER_WINDOW = env_int("PUENTE_CHAT_MESSAGES_PER_WINDOW", 20)
PUENTE_CHAT_RATE_WINDOW_SECONDS = env_int("PUENTE_CHAT_RATE_WINDOW_SECONDS", 10)
PUENTE_CHAT_MAX_MESSAGE_CHARS = env_int("PUENTE_CHAT_MAX_MESSAGE_CHARS", 4000)
# Seconds before a socket that vanished without closing stops counting as online.
PUENTE_CHAT_PRESENCE_TTL = env_int("PUENTE_CHAT_PRESENCE_TTL", 60)
# At most one `presence` event per room and process in this many milliseconds.
PUENTE_CHAT_PRESENCE_INTERVAL_MS = env_int("PUENTE_CHAT_PRESENCE_INTERVAL_MS", 1000)
# At most one typing event per member and room in this many seconds.
PUENTE_CHAT_TYPING_SECONDS = env_int("PUENTE_CHAT_TYPING_SECONDS", 3)

# --- Courses ------------------------------------------------------------------------------
PUENTE_COURSES_VIRTUAL_TARGET = env_int("PUENTE_COURSES_VIRTUAL_TARGET", 200_000)
PUENTE_COURSES_ON_SITE_TARGET = env_int("PUENTE_COURSES_ON_SITE_TARGET", 340)
# Seconds after a quiz's deadline during which a submission still counts (network latency).
PUENTE_COURSES_QUIZ_GRACE_SECONDS = env_int("PUENTE_COURSES_QUIZ_GRACE_SECONDS", 30)
# Exercise files (PDF, DOCX, ODT, PNG, JPEG) and bulk-enrolment CSVs: size caps in bytes.
PUENTE_COURSES_SUBMISSION_MAX_BYTES = env_int("PUENTE_COURSES_SUBMISSION_MAX_BYTES", 10 * 1024 * 1024)
PUENTE_COURSES_BULK_CSV_MAX_BYTES = env_int("PUENTE_COURSES_BULK_CSV_MAX_BYTES", 5 * 1024 * 1024)
