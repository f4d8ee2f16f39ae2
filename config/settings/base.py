"""Settings for every environment; everything that varies comes from environment variables.

Development works with none set. Production sets at least DJANGO_DEBUG=false,
DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS (see README and docs).
"""

from ipaddress import ip_network
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from .env import env_bool, env_int, env_list, env_str, parse_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=false")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production-0123456789"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Ours, from infrastructure up to the public face (ARCHITECTURE.md's one import direction).
    "common",
    "accounts",
    "competition",
    "judging",
    "awards",
    "voting",
    "cms",
    # Before django_tasks_db: our `db_worker` (heartbeat, orphan recovery) overrides its own.
    "tasking",
    "messaging",
    "django_tasks_db",
    "crispy_forms",
    "crispy_bootstrap5",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "accounts.users.apps.WagtailUsersConfig",  # wagtail.users, with accounts.users' user admin
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # The image challenge of the vote's defences (voting/defences.py). Last: the apps listed
    # first win a translation, and its own zh_Hans would reword Django's and Wagtail's
    # ("这个字段是必须的" for every required field).
    "captcha",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Cache-Control: private, no-store on the pages of PRIVATE_URL_PREFIXES, whatever they say.
    "config.middleware.PrivatePagesNoStoreMiddleware",
    # Public pages for anonymous readers straight from the cache: a hit skips everything below,
    # and what it stores already carries the headers the middleware below adds (CSP...).
    "cms.middleware.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # After the CSP middleware so that it can pick the admin's policy first.
    "config.middleware.AdminCSPMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

# Pages that show one person's data (a team's, a judge's, the back office) or a log-in or
# password form: never stored by a proxy or a browser (config.middleware).
PRIVATE_URL_PREFIXES = ("/my/", "/judging/", "/accounts/", "/admin/")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "common.context_processors.platform",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": parse_database_url(DATABASE_URL)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
        }
    }
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets readers go on while one writer writes; IMMEDIATE avoids lock upgrades that
    # fail with "database is locked" under concurrent saves.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DJANGO_CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Wagtail's database search backend uses PostgreSQL's full-text search fields there.
    INSTALLED_APPS.append("django.contrib.postgres")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions ---------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    # Fails open (common/cache.py): with Redis down the site serves from the database, and
    # sessions (cached_db) are read from the database; short timeouts keep a dead Redis cheap
    # (REDIS_TIMEOUT seconds; a test stack on a loaded machine waits longer).
    REDIS_TIMEOUT = float(env_str("REDIS_TIMEOUT", "0.5"))
    CACHES = {
        "default": {
            "BACKEND": "common.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_AGE", 12 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# The CSRF token lives in a cookie, not the session: a form posted after the session expired
# still passes the CSRF check, so what the user typed can be rescued (see entry views).
CSRF_USE_SESSIONS = False

# --- Accounts -------------------------------------------------------------------------------
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "competition:dashboard"
LOGOUT_REDIRECT_URL = "/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed log-ins are counted per (username, address) pair: LOGIN_FAILURE_LIMIT failures
# within LOGIN_LOCKOUT_SECONDS lock that pair for LOGIN_LOCKOUT_SECONDS.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 15 * 60)
# Failed log-ins from one address across all accounts: LOGIN_ADDRESS_FAILURE_LIMIT within a
# window of LOGIN_LOCKOUT_SECONDS lock the address until the window ends (accounts/throttle.py).
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 30)
# Sign-up and password-reset requests per hour (accounts.throttle.count_account_mail): from one
# client address (a county office may sign up several teams), and to one e-mail address.
ACCOUNT_MAIL_PER_ADDRESS = env_int("ACCOUNT_MAIL_PER_ADDRESS", 10)
ACCOUNT_MAIL_PER_RECIPIENT = env_int("ACCOUNT_MAIL_PER_RECIPIENT", 3)

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# MEDIA_ROOT (the variable) names one folder holding two trees: public/ is served at
# MEDIA_URL (published images); private/ holds entry photos and attachments, which are never
# under a URL of their own and are served only through views that check who is asking. Behind
# nginx set PRIVATE_MEDIA_ACCEL_PREFIX (e.g. /_private/) to hand the bytes to nginx with
# X-Accel-Redirect after the check.
MEDIA_DIR = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_ROOT = MEDIA_DIR / "public"
MEDIA_URL = "/media/"
PRIVATE_MEDIA_ROOT = MEDIA_DIR / "private"
# Serve public/ from Django when no web server in front does (see config/urls.py).
SERVE_PUBLIC_MEDIA = env_bool("DJANGO_SERVE_MEDIA", True)
PRIVATE_MEDIA_ACCEL_PREFIX = env_str("PRIVATE_MEDIA_ACCEL_PREFIX")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "common.storage.PrivateFileStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# MEDIA_S3_BUCKET → media in S3-compatible object storage instead (README "Object storage
# (S3)"): public/ and private/ trees; private files still go out only through our views.
from .s3 import public_media_origins, s3_storages  # noqa: E402

_S3_STORAGES = s3_storages()
if _S3_STORAGES:
    STORAGES.update(_S3_STORAGES)
# Where public image URLs point when they are not on this site (for the CSP's img-src).
MEDIA_S3_ORIGINS = public_media_origins(_S3_STORAGES)
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# Whole request bodies above this size are refused before our own per-file checks run:
# 9 photos of 10 MB and 3 PDFs of 20 MB fit.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- E-mail ---------------------------------------------------------------------------------
_EMAIL_BACKEND = env_str(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = {"default": {"BACKEND": _EMAIL_BACKEND}}
if _EMAIL_BACKEND.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER"),
        "password": env_str("EMAIL_HOST_PASSWORD"),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "use_ssl": env_bool("EMAIL_USE_SSL", False),
        "timeout": 20,
    }
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "志愿服务项目大赛 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Messages (messaging/): SMS gateway and its limits -------------------------------------
# messaging.sms.console.ConsoleBackend (development) or messaging.sms.aliyun.AliyunBackend.
SMS_BACKEND = env_str("SMS_BACKEND", "messaging.sms.console.ConsoleBackend")
SMS_ALIYUN_ACCESS_KEY_ID = env_str("SMS_ALIYUN_ACCESS_KEY_ID")
SMS_ALIYUN_ACCESS_KEY_SECRET = env_str("SMS_ALIYUN_ACCESS_KEY_SECRET")
SMS_ALIYUN_SIGN_NAME = env_str("SMS_ALIYUN_SIGN_NAME")
SMS_ALIYUN_ENDPOINT = env_str("SMS_ALIYUN_ENDPOINT", "dysmsapi.aliyuncs.com")
SMS_ALIYUN_PROTOCOL = env_str("SMS_ALIYUN_PROTOCOL", "https")
# Checked when each SMS is sent: over a limit, the SMS is skipped with the reason shown.
SMS_PER_NUMBER_HOURLY = env_int("SMS_PER_NUMBER_HOURLY", 5)
SMS_PER_NUMBER_DAILY = env_int("SMS_PER_NUMBER_DAILY", 10)
SMS_DAILY_CAP = env_int("SMS_DAILY_CAP", 5000)
# Attempts per e-mail or SMS (with the task queue's growing delay) before it is marked failed.
MESSAGING_MAX_ATTEMPTS = env_int("MESSAGING_MAX_ATTEMPTS", 4)
# Messages per sending task (the queue's own cost per task is about that of an e-mail).
MESSAGING_TASK_BATCH = env_int("MESSAGING_TASK_BATCH", 20)
# SMS of one task waiting for the gateway at the same time.
MESSAGING_SMS_CONCURRENCY = env_int("MESSAGING_SMS_CONCURRENCY", 8)

# --- Public voting (voting/) ----------------------------------------------------------------
# The key of the hash that stands for a voter's mobile number (HMAC-SHA256; the number itself is
# never stored, docs/privacy.md). Set it in production and keep it for the whole contest: a new
# key makes every number a new voter. Unset, it is derived from DJANGO_SECRET_KEY.
VOTING_NUMBER_KEY = env_str("VOTING_NUMBER_KEY")
# A code is valid for VOTING_CODE_TTL seconds; a number is locked for VOTING_LOCK_MINUTES after
# VOTING_CODE_MAX_ATTEMPTS wrong codes; a new code no sooner than VOTING_CODE_RESEND_SECONDS.
VOTING_CODE_TTL = env_int("VOTING_CODE_TTL", 5 * 60)
VOTING_CODE_MAX_ATTEMPTS = env_int("VOTING_CODE_MAX_ATTEMPTS", 5)
VOTING_LOCK_MINUTES = env_int("VOTING_LOCK_MINUTES", 30)
VOTING_CODE_RESEND_SECONDS = env_int("VOTING_CODE_RESEND_SECONDS", 60)
# The code's SMS template at the provider (Alibaba: an approved "verification code" template
# with the variable ``code``).
VOTING_SMS_TEMPLATE_CODE = env_str("VOTING_SMS_TEMPLATE_CODE")
# How long a verified number may vote from the same browser without a new code.
VOTING_VERIFIED_HOURS = env_int("VOTING_VERIFIED_HOURS", 12)
# Rate limits of the vote (voting/defences.py): {"code"|"vote": {"address"|"subnet"|"device":
# (most, per seconds)}}, merged over the defaults there; and the accepted votes a day from the
# numbers of one 7-digit block per window.
VOTING_RATE_LIMITS: dict = {}
VOTING_PREFIX_DAILY_VOTES = env_int("VOTING_PREFIX_DAILY_VOTES", 500)
# Thresholds of the anomaly flags on votes (voting/flags.py, DEFAULT_THRESHOLDS there): a dict
# of some of burst_seconds (600), burst_subnet (10 votes of one /24 for one entry in that time),
# burst_address (5 from one address), sequence_seconds (1800), sequence_min (8 numbers of one
# block verified in that time), regular_run (6 votes), regular_cv (0.15), regular_max_mean
# (3600 s), views_ratio (1.5), views_slack (20), views_min_per_subnet (3); read at each run.
VOTING_FLAG_THRESHOLDS: dict = {}
# The image challenge (django-simple-captcha): 4 characters, valid 5 minutes.
CAPTCHA_LENGTH = 4
CAPTCHA_TIMEOUT = 5
CAPTCHA_IMAGE_SIZE = (120, 44)
CAPTCHA_FONT_SIZE = 30

# --- Background tasks -----------------------------------------------------------------------
# In-process (ImmediateBackend) unless DJANGO_TASKS_BACKEND=django_tasks_db.DatabaseBackend:
# then tasks are rows in the database run by `manage.py db_worker` (`make worker`), with
# retries, recovery of tasks whose worker died, and failures listed for organizers (tasking/).
TASKS = {
    "default": {
        "BACKEND": env_str("DJANGO_TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")
    }
}
# Attempts per task unless the task declares its own (tasking.retry), and the first retry's
# delay in seconds (doubled for each further attempt).
TASKS_MAX_ATTEMPTS = env_int("DJANGO_TASKS_MAX_ATTEMPTS", 3)
TASKS_RETRY_DELAY = env_int("DJANGO_TASKS_RETRY_DELAY", 30)
# A worker writes a heartbeat every TASKS_HEARTBEAT seconds; a task still "running" on a worker
# silent for TASKS_WORKER_DEAD_AFTER seconds is put back in the queue (or failed after its
# last attempt).
TASKS_HEARTBEAT = env_int("DJANGO_TASKS_HEARTBEAT", 15)
TASKS_WORKER_DEAD_AFTER = env_int("DJANGO_TASKS_WORKER_DEAD_AFTER", 300)

# --- Security -------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
# Behind a proxy that terminates TLS and sets X-Forwarded-Proto (and overwrites any the client
# sent): requests it marks https are secure. Never set it when clients can reach gunicorn.
if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Addresses or networks of the reverse proxies: X-Forwarded-For is believed only from them
# (common.http.client_address, which the log-in lock-out and rate limits key on).
TRUSTED_PROXIES = env_list("DJANGO_TRUSTED_PROXIES", [])
for _proxy in TRUSTED_PROXIES:
    try:
        ip_network(_proxy, strict=False)
    except ValueError as _error:
        _message = f"DJANGO_TRUSTED_PROXIES: {_proxy!r} is not an address or network"
        raise ImproperlyConfigured(_message) from _error
# Health probes talk plain HTTP to an app server: never redirected to https.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Public and team pages: nothing inline, nothing from elsewhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    # Published images may live in object storage (MEDIA_S3_*); private files never do.
    "img-src": [CSP.SELF, "data:", *MEDIA_S3_ORIGINS],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# The Wagtail admin uses inline styles and scripts of its own.
ADMIN_CSP = {
    **SECURE_CSP,
    "script-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:", *MEDIA_S3_ORIGINS],
    "frame-src": [CSP.SELF],
    "frame-ancestors": [CSP.SELF],
}
ADMIN_URL_PREFIXES = ("/admin/",)

# --- Logging --------------------------------------------------------------------------------
# To stderr; DJANGO_LOG_FORMAT=json writes one JSON object per line (config/logging.py), the
# default "text" one readable line per record.
LOG_FORMAT = env_str("DJANGO_LOG_FORMAT", "text").strip().lower() or "text"
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"DJANGO_LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "config.logging.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.security.DisallowedHost": {"level": "ERROR"},
        # WeasyPrint logs every laid-out page at INFO (hundreds of lines per compendium) and
        # fontTools every subset; their warnings (a missing image, a CSS error) still show.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Forms ----------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Wagtail --------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = env_str("PLATFORM_NAME", "志愿服务项目大赛")
# The public address of the site, e.g. https://contest.example.org (no path): links in e-mails,
# Wagtail's Site (host name and port, hence canonical and Open Graph addresses; set by `migrate`
# and `seed_demo`, checked by /healthz) and the admin's own links. `make run` sets it from PORT.
# WAGTAILADMIN_BASE_URL, its former name, is still read when SITE_URL is not set.
SITE_URL = (env_str("SITE_URL") or env_str("WAGTAILADMIN_BASE_URL") or "http://127.0.0.1:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILADMIN_LOGIN_URL = "accounts:login"
# Where a private document or page sends an anonymous reader: the same log-in (with the lock-out).
WAGTAIL_FRONTEND_LOGIN_URL = "accounts:login"
# One password reset for everyone, at /accounts/password/reset/ (it also lifts the lock-out).
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_I18N_ENABLED = False
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
# No Gravatar: the admin's CSP allows no images from elsewhere (and gravatar.com is often
# unreachable in China); users get Wagtail's default avatar instead.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# Documents only through Wagtail's serve view, which checks a private collection's restriction
# (never a redirect to the storage's own URL, never /media/documents/: config/views.py).
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "odt", "txt", "csv", "mp4", "webm"]
WAGTAILIMAGES_EXTENSIONS = ["jpg", "jpeg", "png", "webp", "avif"]
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000

# --- Benchmark --------------------------------------------------------------------------------
# `make bench` only: adds reference views at /bench/trivial/ and /bench/template/ (config/urls.py).
BENCH_VIEWS = env_bool("BENCH_VIEWS", False)

# --- Platform -------------------------------------------------------------------------------
PLATFORM_NAME = WAGTAIL_SITE_NAME
PLATFORM_NAME_EN = env_str("PLATFORM_NAME_EN", "Volunteer Service Project Competition")
# Our own upload limits (DESIGN §3 and the foundation issue).
ENTRY_PHOTO_MAX_BYTES = 10 * 1024 * 1024
# Pixels a photo may have *as decoded* (competition/uploads.py checks them from the header,
# before decoding). 25 MP: phones store 12 MP (4032×3024) by default, the newest 24 MP
# (5712×4284 = 24.5 MP); judges and the showcase see at most ENTRY_PHOTO_MAX_SIDE pixels on the
# long side, so more buys nothing. Larger JPEGs (48–200 MP "high resolution" modes) are still
# accepted: they are decoded at 1/2, 1/4 or 1/8 scale (Image.draft), which is what counts.
# A PNG or WebP above 25 MP is refused unread.
ENTRY_PHOTO_MAX_PIXELS = env_int("ENTRY_PHOTO_MAX_PIXELS", 25_000_000)
ENTRY_PHOTO_MAX_SIDE = 4096
# Pixels one request may decode across all its photos: nine 12 MP phone photos (108 MP) fit in
# one save; a request full of 25 MP PNGs is cut at the budget, the rest refused unread with a
# message to upload them in another save. Bounds one request's CPU time (see `make bench`).
ENTRY_UPLOAD_PIXEL_BUDGET = env_int("ENTRY_UPLOAD_PIXEL_BUDGET", 110_000_000)
# Photos and PDFs one account may upload per hour (counted in the database: every app server
# sees the same count). Nine photos and three PDFs per entry, several saves: 60 is generous.
ENTRY_UPLOADS_PER_HOUR = env_int("ENTRY_UPLOADS_PER_HOUR", 60)
ENTRY_PHOTOS_MAX = 9
ENTRY_PHOTOS_MIN = 1
ENTRY_PDF_MAX_BYTES = 20 * 1024 * 1024
ENTRY_PDFS_MAX = 3
