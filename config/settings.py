"""PowerShare settings: one file, driven by the environment.

Every secret comes from the environment (or from a file named by NAME_FILE). There are no
production defaults for secrets: with debug off, a missing DJANGO_SECRET_KEY stops start-up.
`make run` writes a git-ignored `.env` with DJANGO_DEBUG=1 and a fresh local key; variables
already in the environment win over that file.
"""

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def _load_dotenv(path: Path) -> list[str]:
    """Read KEY=VALUE lines from a local .env file without overriding the real environment.
    Returns the names it set, so `check --deploy` can warn that a development file was used."""
    if not path.is_file():
        return []
    used = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        if key.strip() not in os.environ:
            os.environ[key.strip()] = value.strip().strip("'\"")
            used.append(key.strip())
    return used


SETTINGS_FROM_DOTENV = (
    _load_dotenv(BASE_DIR / ".env") if os.environ.get("POWERSHARE_READ_DOTENV", "1") == "1" else []
)


def env(name: str, default: str | None = None) -> str | None:
    """A setting from the environment, or from the file named by NAME_FILE (for secrets)."""
    if name in os.environ:
        return os.environ[name]
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text().strip()
    return default


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is not set. Set it (or DJANGO_SECRET_KEY_FILE) to a long random "
        "value; for local use, `make run` writes one into .env for you."
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

SITE_NAME = "PowerShare"
# The public address of the service (https://powershare.example.gov.scot), used for the links in
# emails. Without it, links use the address the request came to (one of DJANGO_ALLOWED_HOSTS).
SITE_URL = (env("POWERSHARE_SITE_URL", "") or "").rstrip("/")
SITE_PHASE = env("POWERSHARE_PHASE", "alpha")

INSTALLED_APPS = [
    "powershare.system",  # before django_tasks_db: our db_worker adds a heartbeat
    "powershare.accounts",
    "powershare.support",
    "powershare.people",
    "powershare.privacy",
    "powershare.engagement",
    "powershare.accountability",
    "powershare.payments",
    "powershare.learning",
    "powershare.evaluation",
    "powershare.improvement",
    "powershare.national",
    "powershare.portal",
    "powershare.audit",
    "powershare.api",
    "powershare.lib",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "auditlog",
    "axes",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "powershare.api.middleware.ApiErrorShapeMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "powershare.accounts.middleware.TwoFactorRequiredMiddleware",
    "powershare.accounts.middleware.PrivateResponsesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "powershare.accounts.context_processors.navigation",
                "powershare.learning.context_processors.learning",
            ],
            "builtins": ["powershare.lib.templatetags.design_system"],
        },
    }
]

FORM_RENDERER = "powershare.lib.forms.DesignSystemFormRenderer"

# Database: SQLite in the project folder by default; DATABASE_URL=postgres://… switches.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=0 if DEBUG else 60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server and the worker read while the other writes; IMMEDIATE
        # transactions take the write lock up front, so they wait instead of failing.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    # PostgreSQL's JIT compiles the plan of any query it thinks costly: 75-95 ms each time on
    # the national benchmark's list pages, far more than running them (docs/benchmarks.md).
    # PowerShare's queries are short and many, so it is off for PowerShare's connections.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = (_options.get("options", "") + " -c jit=off").strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2  # two hours

SESSION_COOKIE_AGE = 60 * 60 * 8  # signed out 8 hours after signing in, unless extended
SESSION_WARNING_SECONDS = 5 * 60  # pages offer "Stay signed in" this long before that
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Lockout after repeated failed sign-ins (django-axes): five wrong passwords in a row pause the
# account, from wherever they come, for half an hour. Counting per account rather than per
# address keeps a council's shared office address from locking everyone out; resetting the
# password by email lifts the pause at once (ADR 6).
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(env("AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "powershare.accounts.security.sign_in_name"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "PowerShare"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
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
WHITENOISE_USE_FINDERS = DEBUG
# Uploaded files live outside the web root and are only served through views that check access.
MEDIA_ROOT = Path(env("POWERSHARE_MEDIA_ROOT", str(BASE_DIR / "var" / "uploads")))

# People marked as having left the register longer ago than this appear on the retention review
# list, for a decision to keep or erase their record.
PEOPLE_RETENTION_MONTHS = int(env("POWERSHARE_PEOPLE_RETENTION_MONTHS", "24"))
# Bulk capture of contributions sends 7 fields a row, up to 200 rows in one form.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1500
# How long a withdrawn contribution's words are kept (hidden everywhere) before they are erased.
CONTRIBUTION_PURGE_DAYS = int(env("POWERSHARE_CONTRIBUTION_PURGE_DAYS", "30"))

# Background work: Django's Tasks framework, stored in the database, run by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
WORKER_HEARTBEAT_SECONDS = 30
WORKER_STALE_AFTER_SECONDS = int(env("POWERSHARE_WORKER_STALE_AFTER", "180"))


# Email: EMAIL_URL (smtp://user:password@host:587?tls=true, or smtps://… for SSL) or the usual
# EMAIL_HOST/EMAIL_PORT/EMAIL_HOST_USER/EMAIL_HOST_PASSWORD/EMAIL_USE_TLS variables. With neither
# set, emails are printed to the console.
def _mailer() -> dict:
    if env("EMAIL_FILE_PATH"):  # each message a file in this folder (benchmarks, staging)
        return {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": env("EMAIL_FILE_PATH")},
        }
    url = env("EMAIL_URL")
    if url:
        parsed = urlparse(url)
        query = {
            k: v[-1].lower() in {"1", "true", "yes"} for k, v in parse_qs(parsed.query).items()
        }
        use_ssl = parsed.scheme == "smtps" or query.get("ssl", False)
        options = {
            "host": parsed.hostname or "localhost",
            "port": parsed.port or (465 if use_ssl else 587),
            "username": unquote(parsed.username or ""),
            "password": unquote(parsed.password or ""),
            "use_ssl": use_ssl,
            "use_tls": not use_ssl and query.get("tls", True),
        }
    elif env("EMAIL_HOST"):
        use_ssl = env_bool("EMAIL_USE_SSL", False)
        options = {
            "host": env("EMAIL_HOST"),
            "port": int(env("EMAIL_PORT", "465" if use_ssl else "587")),
            "username": env("EMAIL_HOST_USER", ""),
            "password": env("EMAIL_HOST_PASSWORD", ""),
            "use_ssl": use_ssl,
            "use_tls": not use_ssl and env_bool("EMAIL_USE_TLS", True),
        }
    else:
        # Printed, not sent. `check --deploy` refuses this, so a live service must set one.
        return {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    return {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}


MAILERS = {"default": _mailer()}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "PowerShare <no-reply@powershare.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security headers. HTTPS settings are on whenever debug is off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(env("DJANGO_SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env_bool("DJANGO_BEHIND_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        # Sign-in records take the client's address from the header your proxy sets.
        AXES_CLIENT_IP_CALLABLE = "powershare.accounts.security.client_address"
CSRF_FAILURE_VIEW = "powershare.system.errors.csrf_failure"
SILENCED_SYSTEM_CHECKS = [
    # axes.W006 warns when lockouts do not count per address. Ours count per account on
    # purpose (see AXES_LOCKOUT_PARAMETERS and ADR 6), which rotating addresses, browsers or
    # cookies cannot get round.
    "axes.W006",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # WeasyPrint logs every rendering step at INFO.
        "weasyprint.progress": {"level": "WARNING"},
    },
}

# Audit log: models register themselves (apps.py), excluding secrets such as password hashes.
# Addresses are not kept in the change log: a forwarded-for header can claim anything.
AUDITLOG_DISABLE_REMOTE_ADDR = True
PROXY_COUNT = int(env("DJANGO_PROXY_COUNT", "1"))
AUDITLOG_INCLUDE_ALL_MODELS = False
# Masked (personal) fields are hidden whole, not half (powershare/audit/masking.py).
AUDITLOG_MASK_CALLABLE = "powershare.audit.masking.mask_completely"

NINJA_PAGINATION_PER_PAGE = 50
