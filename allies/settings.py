"""Settings for Allies, read from environment variables (see .env.example)."""

import datetime
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Missing environment variable {name}")
    return value


def env_bool(name: str, default: bool) -> bool:
    if name not in os.environ:
        return default
    value = os.environ[name].strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"Unexpected value {name}={os.environ[name]}")


def env_int(name: str, default: int) -> int:
    if name not in os.environ:
        return default
    try:
        return int(os.environ[name])
    except ValueError:
        raise ImproperlyConfigured(f"Unexpected value {name}={os.environ[name]}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_email(name: str, default: str = "") -> str:
    """An email address, or the default (empty: none)."""
    value = env_str(name, default).strip()
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise ImproperlyConfigured(f"Unexpected value {name}={value}") from None
    return value


DEBUG = env_bool("DEBUG", True)

if DEBUG:
    # Development only: a fixed key so sessions survive restarts; never used with DEBUG off.
    SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
else:
    SECRET_KEY = env_str("SECRET_KEY", "")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    # 50 is what Django's deployment check asks of a key (security.W009).
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("Set SECRET_KEY (at least 50 characters) when DEBUG is off")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Set ALLOWED_HOSTS when DEBUG is off")

SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Form posts must come from the site itself; by default that is SITE_URL's origin.
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "" if DEBUG else SITE_URL)

# How many reverse proxies (nginx, Caddy, a load balancer) stand in front of the app. With one
# or more, the scheme comes from X-Forwarded-Proto and the client's address from the right of
# X-Forwarded-For (see allies.security.client_ip); with 0 (the default) both headers are
# ignored, because anyone could send them.
TRUSTED_PROXY = env_int("TRUSTED_PROXY", 0)
if TRUSTED_PROXY < 0:
    raise ImproperlyConfigured(f"Unexpected value TRUSTED_PROXY={TRUSTED_PROXY}")
if TRUSTED_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INSTALLED_APPS = [
    "allies.apps.AlliesAdminConfig",  # Django admin, see allies/admin_site.py
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",  # numbers in words, in Dutch too ("vijf keer per jaar")
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "phonenumber_field",
    "csp",
    "allies.apps.AxesConfig",  # django-axes, named in the admin's language
    "simple_history",
    "allies",
    "circles",
    "meetings",
    "actions",
    "polls",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allies.middleware.PreferredLanguageMiddleware",
    "allies.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "allies.middleware.RefusedAccessLogMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "allies.urls"
WSGI_APPLICATION = "allies.wsgi.application"

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

# SQLite by default: WAL so readers never wait for the writer, IMMEDIATE transactions so two
# writers queue instead of failing with "database is locked", and a busy timeout to queue in.
SQLITE_BUSY_TIMEOUT_MS = 20_000
# A worker reuses its database connection for up to a minute, then opens a new one: opening one
# costs about 1 ms on SQLite (as much as the whole health check) and about 4 ms on PostgreSQL.
# Not in development, as Django advises: runserver starts a thread per request, and each thread's
# connection would stay open until the garbage collector comes by.
CONNECTION_MAX_AGE = 0 if DEBUG else 60
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=CONNECTION_MAX_AGE)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "CONN_MAX_AGE": CONNECTION_MAX_AGE,
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS};"
                    "PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "allies.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out sign-in stops before the password is even checked.
    "allies.security.SignInThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Passwords as NIST SP 800-63B-4 advises: at least 15 characters when the password is the only
# factor, no upper limit worth mentioning (long passphrases welcome), common and guessable ones
# (close to the person's name or email) refused, and no composition rules ("a digit and a
# capital"): hence no NumericPasswordValidator either.
# The texts they show come from Django: allies/django_texts.py keeps their informal Dutch.
PASSWORD_MIN_LENGTH = 15
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    # Also makes the check of Django's CommonPasswordValidator, so that one is left out.
    {"NAME": "allies.validators.PaddedCommonPasswordValidator"},
]

# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT failed sign-ins for the same
# username from the same address, that pair is locked for AXES_COOLOFF_TIME. Locking the pair,
# not the username alone, means a stranger cannot lock a member out by guessing at their name;
# the long, non-common passwords above make guessing from many addresses hopeless.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The pause ends AXES_COOLOFF_TIME after it began, as the lockout page says, even if the
# person tries again meanwhile.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "allies.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "allies.security.client_ip"
# Sign-in ignores case (PersonManager), so the count must too: "Bob" and "bOB" are one name.
AXES_USERNAME_CALLABLE = "allies.security.client_username"
# No configuration banner from axes at start; what it does is in the allies.security log.
AXES_VERBOSE = False
# Axes keeps the form a failure came with (admin: Axes -> Access attempts) and masks only
# "password" in it by itself. Any form whose password axes checks must name its password
# fields here, or they are stored as typed: allies.forms' ChangePasswordForm, and the profile,
# whose current password is asked for a new email address and whose form carries personal
# details too (dietary needs can reveal religion or health).
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "old_password",
    "new_password1",
    "new_password2",
    "current_password",
    "name",
    "email",
    "phone",
    "organisation",
    "dietary_needs",
]

# Password reset emails: at most one per account per PASSWORD_RESET_EMAIL_INTERVAL, so that no
# one can flood a member's inbox (or the sender's reputation) by asking again and again. Ten
# minutes is longer than an email normally takes to arrive, so asking again sooner would not
# bring the link sooner (the one on its way stays valid for days: PASSWORD_RESET_TIMEOUT), and
# it caps a flood at six an hour. Kept on the person's row: it holds across workers and restarts.
PASSWORD_RESET_EMAIL_INTERVAL = datetime.timedelta(minutes=10)
# And at most PASSWORD_RESET_ADDRESS_LIMIT requests from one client address per
# PASSWORD_RESET_ADDRESS_WINDOW, whatever email address they name, so that one client cannot
# send an email to every member in turn. Generous, since a town hall or a police station may
# put many people behind one address. Behind a proxy it needs TRUSTED_PROXY: otherwise every
# client has the proxy's address, and the limit holds for all of them together.
PASSWORD_RESET_ADDRESS_LIMIT = 20
PASSWORD_RESET_ADDRESS_WINDOW = datetime.timedelta(hours=1)
# Links to confirm a new email address: at most one per account per
# EMAIL_CHANGE_EMAIL_INTERVAL, since each goes to whatever address was typed, and someone
# signed in could otherwise make the site flood anyone's inbox. Shorter than the password
# reset's ten minutes, so that a typo in the new address can soon be put right; a flood is
# still capped at twelve an hour.
EMAIL_CHANGE_EMAIL_INTERVAL = datetime.timedelta(minutes=5)

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "nl")
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
FORMAT_MODULE_PATH = ["allies.formats"]
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"Unexpected value LANGUAGE_CODE={LANGUAGE_CODE}")
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

PHONENUMBER_DEFAULT_REGION = "NL"
PHONENUMBER_DB_FORMAT = "E164"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
]
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

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# In development each email is printed; in production it goes to the SMTP server. Printed
# there, the links in it that set a password would be in the logs (checks.check_email_backend).
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    f"django.core.mail.backends.{'console' if DEBUG else 'smtp'}.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Allies <allies@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# send_reminders: an action's owners are reminded this many days before its due date (a
# circle's dinner reminder is set per circle, Circle.reminder_days).
ACTION_REMINDER_DAYS = env_int("ACTION_REMINDER_DAYS", 3)

# Logs go to standard output (gunicorn and the process manager collect them). Sign-ins,
# failures, lockouts and refused accesses go to the "allies.security" logger.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"mask_secrets": {"()": "allies.logmask.MaskSecretsFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
            "filters": ["mask_secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Axes repeats every sign-in at INFO level; allies.security has them already.
        "axes": {"level": "WARNING"},
    },
}

# Privacy: how long personal data is kept once it is no longer needed (manage.py purge_expired).
DIETARY_NEEDS_RETENTION_DAYS = env_int("DIETARY_NEEDS_RETENTION_DAYS", 30)
CONTACT_DETAILS_RETENTION_DAYS = env_int("CONTACT_DETAILS_RETENTION_DAYS", 365)
# django-axes' records of sign-ins and failed ones: each with its address and browser.
SIGN_IN_RETENTION_DAYS = env_int("SIGN_IN_RETENTION_DAYS", 90)
# The privacy statement (/privacy/) names the organisation responsible for the personal data on
# the site (the controller under the GDPR) and the address where members ask about their data
# (its privacy officer's, say). Left empty, the page says the organisation has not filled them
# in yet, and `check --deploy` warns (allies.checks).
PRIVACY_CONTROLLER = env_str("PRIVACY_CONTROLLER", "").strip()
PRIVACY_CONTACT = env_email("PRIVACY_CONTACT")

# Content Security Policy on every page: only the site's own scripts, styles, fonts and images
# (Bootstrap's icons in its CSS are data: SVGs); no inline script or style, no plugins, no
# <base>, and no framing by other sites.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    },
}

CSRF_FAILURE_VIEW = "allies.views.csrf_failure"

if not DEBUG:
    # Production: HTTPS only, cookies never sent in the clear, HSTS for a year.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # The health check answers the load balancer on plain HTTP too.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    # Off only for a plain-HTTP test set-up on the loopback (make bench); check --deploy warns.
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = env_bool(
        "SECURE_COOKIES", True
    )
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    # The header only makes the site eligible for the browsers' preload list; nothing is
    # submitted by it.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["upgrade-insecure-requests"] = True
