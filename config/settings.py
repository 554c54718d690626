"""Excerpta settings: one module, driven by environment variables.

Defaults suit one researcher on a laptop: SQLite under var/, bound to 127.0.0.1.
A team server sets DATABASE_URL (PostgreSQL), EXCERPTA_SECRET_KEY, EXCERPTA_ALLOWED_HOSTS
and EXCERPTA_SECURE=1 behind HTTPS.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("EXCERPTA_VAR_DIR", BASE_DIR / "var"))


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def _owner_only(path: Path, mode: int) -> None:
    """Take group and others' permissions off `path` (a file or folder this user owns), so
    that it has `mode` at most (0o600 for a file, 0o700 for a folder): var/ and the
    database hold confidential transcripts. A path of another user's is left as it is."""
    if path.exists() and path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o077:
        path.chmod(mode)


def _private_sqlite(path: Path) -> None:
    """Make the SQLite database file `path` (empty, which SQLite takes for a new database)
    readable by this user alone before the first connection creates it with the umask's
    0644, and tighten one made so before; its -wal and -shm files take the database file's
    mode from SQLite itself, and are tightened too when an older run left them loose.
    `manage.py migrate` (make run) and `manage.py restore` into a new file both come here."""
    if str(path) in ("", ":memory:") or str(path).startswith("file:"):
        return
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    for companion in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        _owner_only(companion, 0o600)


def _secret_key() -> str:
    """The key from the environment, or one generated once and kept under var/.

    A laptop install must survive restarts without logging everyone out, and must never
    ship a key in the code.
    """
    if key := os.environ.get("EXCERPTA_SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


DEBUG = envbool("EXCERPTA_DEBUG", False)
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = envlist("EXCERPTA_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = envlist("EXCERPTA_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "simple_history",
    # Shared pieces; its AppConfig gives what a heavy request freed back to the OS once the
    # response has gone out (core/memory.py; issue 9, a worker's memory).
    "core",
    "interviews",
    "coding",
    "themes",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses what every middleware below and the views made, after all of them have
    # written the body. Below WhiteNoise, which serves static files compressed ahead of
    # time; below the benchmark's measurement middleware (inserted first), which then reads
    # the bytes that go on the wire.
    "config.middleware.PageCompression",
    # After WhiteNoise, so static files keep their long cache header.
    "config.middleware.private_pages",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CsrfViewMiddleware, the first to read a POST's body: an upload over the limits
    # gets a message where the researcher is instead of Django's bare 400.
    "core.upload_limits.UploadLimitsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Keeps the request's user for the history's records (interviews/history.py).
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.http.HtmxErrorMiddleware",
    # A Conflict no view caught (an undo entry not written, its action rolled back), or the
    # database busy past its timeout: a refusal with its message (409, 503), inside
    # HtmxErrorMiddleware, which leaves that refusal alone.
    "core.http.RefusalMiddleware",
    # Last, as django-axes asks: it turns a locked login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]
CSRF_FAILURE_VIEW = "core.views.csrf_failure"

# Development tools (the benchmark), installed only when asked for: the test settings, the
# benchmark's own subprocesses and `make benchmark` set EXCERPTA_DEVTOOLS=1.
if envbool("EXCERPTA_DEVTOOLS", False):
    INSTALLED_APPS.append("devtools")
# The benchmark reads per-request query counts and memory from response headers; never on
# by default.
if envbool("EXCERPTA_MEASUREMENT_HEADERS", False):
    if "devtools" not in INSTALLED_APPS:
        raise ImproperlyConfigured("EXCERPTA_MEASUREMENT_HEADERS=1 needs EXCERPTA_DEVTOOLS=1.")
    MIDDLEWARE.insert(0, "devtools.measurement.MeasurementHeadersMiddleware")

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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "interviews.pages.url_names",
            ],
        },
    }
]

# SQLite: WAL, IMMEDIATE transactions and a busy timeout, so concurrent writers wait for the
# lock instead of failing with "database is locked" (RELIABILITY.md, C1). No mmap_size.
SQLITE_PATH = Path(os.environ.get("EXCERPTA_SQLITE_PATH", VAR_DIR / "excerpta.sqlite3"))
# A page cache per connection, kept between requests (CONN_MAX_AGE below). Each thread of a
# worker has its own connection, so a worker holds up to `--threads` times this, and the
# benchmark's default-scale database (72 MB with its history) fills any size: at 8 MB a
# worker's heap in use was 59-73 MB, at 2 MB 43 MB (issue 9, a worker under 160 MB). What
# the cache misses, the OS's file cache has: a page read again from it costs a system call
# and a copy of 4 KB, a few ms over a pass of a big study's excerpts and codings (5 MB).
SQLITE_CACHE_MB = envint("EXCERPTA_SQLITE_CACHE_MB", 2)
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        f"PRAGMA cache_size=-{SQLITE_CACHE_MB * 1024};"
        # Deleted content is overwritten with zeros, not merely unlinked: an erased
        # respondent (themes.erasure) leaves no word in the file.
        " PRAGMA secure_delete=ON;"
    ),
}

if database_url := os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(database_url, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": dict(SQLITE_OPTIONS),
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
        }
    }

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    _private_sqlite(Path(DATABASES["default"]["NAME"]))
# var/ holds the database, its backups' default place and the secret key: this user's only.
_owner_only(VAR_DIR, 0o700)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The roll-up of codes into themes (themes.rollup.study_rollup) is cached per worker in its
# own memory (LocMemCache), under the study's revision: every write that changes it moves
# the revision in the same transaction, so a worker never reads a stale entry, whatever the
# other workers did. A shared cache (Redis, memcached) would save recomputing it once per
# worker, but is one more service to run for a team and none for a laptop; one roll-up of
# a 20,000-excerpt study holds about 1 MB. One entry per study (a new revision replaces
# it), at most EXCERPTA_ROLLUP_CACHE_STUDIES studies per worker, which keeps a worker's
# memory bounded. "default" stays Django's default, a small LocMemCache.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "rollup": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "excerpta-rollup",
        "TIMEOUT": None,
        "OPTIONS": {
            "MAX_ENTRIES": envint("EXCERPTA_ROLLUP_CACHE_STUDIES", 8),
            "CULL_FREQUENCY": 2,
        },
    },
    # Rendered regions of the themes pages (core.fragments), keyed by the study's revision
    # and the reader's role: tens of KB each, packed, so a worker holds a few MB at most.
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "excerpta-fragments",
        "TIMEOUT": 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 128, "CULL_FREQUENCY": 2},
    },
    # Comment threads of the theme pages, rendered (themes.views.theme._threads): under a KB
    # each, packed; room for every thread of a few busy studies, which their pages and
    # every comment redraw.
    "threads": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "excerpta-threads",
        "TIMEOUT": 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 4096, "CULL_FREQUENCY": 4},
    },
    # Charts drawn (themes.charts.images), keyed by what they show: the findings' PNG charts
    # weigh about 0.2 MB each at the default scale (48 of them held 10 MB of a worker), so
    # 16, the charts of a few versions of the findings, keep a worker's share to 3 MB.
    "charts": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "excerpta-charts",
        "TIMEOUT": 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 16, "CULL_FREQUENCY": 2},
    },
    # The retrieval page's results (themes.retrieval.cached_result): each filter's excerpt
    # ids in reading order, under the study's revision, so that its pages 2..n read a
    # slice. Kept apart from "default" so that many filters never push out the study
    # indexes there; a result of every excerpt of a 20,000-excerpt study is about 100 KB
    # pickled, so 64 entries bound a worker's share to a few MB.
    "retrieval": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "excerpta-retrieval",
        "OPTIONS": {"MAX_ENTRIES": 64, "CULL_FREQUENCY": 2},
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# Password reset links go out through Django's e-mail settings; by default the mail is
# printed to the console (stdout), which suits a laptop. A server sets an SMTP backend.
EMAIL_BACKEND = os.environ.get(
    "EXCERPTA_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("EXCERPTA_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EXCERPTA_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EXCERPTA_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EXCERPTA_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EXCERPTA_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("EXCERPTA_EMAIL_FROM", "excerpta@localhost")
PASSWORD_RESET_TIMEOUT = envint("EXCERPTA_PASSWORD_RESET_HOURS", 72) * 3600
LOGIN_REDIRECT_URL = "study_list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("EXCERPTA_TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = os.environ.get("EXCERPTA_STATIC_ROOT") or None
# WhiteNoise serves straight from the finders, so neither the laptop install nor the tests
# need a collectstatic step; a server may still run collectstatic for compression.
WHITENOISE_USE_FINDERS = True
if STATIC_ROOT:
    # A server runs `collectstatic`: file names carry a hash of their content, so WhiteNoise
    # can let browsers keep them for a year (and serve them compressed).
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
WHITENOISE_AUTOREFRESH = DEBUG

# Transcripts are confidential: short sessions, private upload files, strict headers.
SESSION_COOKIE_AGE = envint("EXCERPTA_SESSION_HOURS", 12) * 3600
SESSION_COOKIE_HTTPONLY = True
# Django's database sessions (the default SESSION_ENGINE): a logout or an expiry anywhere
# ends the session for every worker, and the undo history (coding.undo) is kept per
# session key. django-axes' backend first: it refuses a locked account and address before
# the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling (config/lockout.py): failures counted per account and address.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = envint("EXCERPTA_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("EXCERPTA_LOGIN_COOLOFF_MINUTES", 15))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.lockout.locked_out"
AXES_CLIENT_IP_CALLABLE = "config.lockout.client_ip"
AXES_VERBOSE = False
# How many proxies of ours append to X-Forwarded-For in front of the app (nginx: 1).
EXCERPTA_PROXY_COUNT = envint("EXCERPTA_PROXY_COUNT", 0)
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if envbool("EXCERPTA_SECURE", False):
    SECURE_SSL_REDIRECT = True
    # Probes from the proxy or the host call the health check over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("EXCERPTA_HSTS_SECONDS", 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Uploads: Django streams big files to disk without a cap, so the importer checks the size of
# every file itself against this limit (RELIABILITY.md, T13).
EXCERPTA_MAX_UPLOAD_BYTES = envint("EXCERPTA_MAX_UPLOAD_MB", 10) * 1024 * 1024
# And the whole of one upload (all its files), refused from its Content-Length before any of
# it is read (core.upload_limits): a worker holds the files it reads, and 200 files of 10 MB
# took one from 191 to 477 MB. 100 MB is 200 transcripts of 500 KB, ten times a one-hour
# interview's .docx with its logos; more files than that go in two uploads.
EXCERPTA_MAX_UPLOAD_BATCH_BYTES = envint("EXCERPTA_MAX_UPLOAD_BATCH_MB", 100) * 1024 * 1024
# Who may create studies: "any" logged-in user, or "staff" only (a team server).
EXCERPTA_STUDY_CREATORS = os.environ.get("EXCERPTA_STUDY_CREATORS", "any")
if EXCERPTA_STUDY_CREATORS not in {"any", "staff"}:
    raise ImproperlyConfigured(
        f"EXCERPTA_STUDY_CREATORS must be any or staff, not {EXCERPTA_STUDY_CREATORS!r}"
    )
# How many days a deleted excerpt or code waits in the study's bin before it is erased
# (coding.bin; `manage.py purge_bin` erases what is older, as every deletion does).
EXCERPTA_BIN_DAYS = envint("EXCERPTA_BIN_DAYS", 30)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = envint("EXCERPTA_MAX_FILES_PER_UPLOAD", 200)
# The import preview posts one form per file of its batch (interviews.forms.StagedFileForm:
# five fields when "import it again" is ticked) in one request, so a batch of as many files
# as one upload takes must fit in it: Django's default of 1,000 fields, a bound on the work
# of parsing a hostile body, refused a 200-file preview with its copies ticked to import
# again. The bound grows with the files one upload takes, not without limit.
DATA_UPLOAD_MAX_NUMBER_FIELDS = max(1000, 6 * DATA_UPLOAD_MAX_NUMBER_FILES + 100)

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"


def check_secret_key(key: str, *, debug: bool) -> None:
    """Refuse a weak secret key outside debug: the same rule as Django's `check --deploy`
    (at least 50 characters, at least 5 different ones, not Django's insecure default).

    Raises ImproperlyConfigured saying what is wrong and how to make a good key.
    """
    if debug:
        return
    problem = None
    if key.startswith("django-insecure"):
        problem = "is Django's insecure example key"
    elif len(key) < 50:
        problem = f"has {len(key)} characters; it needs at least 50"
    elif len(set(key)) < 5:
        problem = f"uses only {len(set(key))} different characters; it needs at least 5"
    if problem:
        raise ImproperlyConfigured(
            f"EXCERPTA_SECRET_KEY {problem}. Make one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )


check_secret_key(SECRET_KEY, debug=DEBUG)

# Everything to stdout, one line per record, for the service manager or container to collect.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s %(process)d: %(message)s"}
    },
    "filters": {"refusals_on_one_line": {"()": "core.logs.RefusalsOnOneLine"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "line",
            "filters": ["refusals_on_one_line"],
        }
    },
    "root": {"handlers": ["stdout"], "level": os.environ.get("EXCERPTA_LOG_LEVEL", "WARNING")},
    "loggers": {
        # Django's own handlers mail admins in production; the records go to stdout instead.
        "django": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
    },
}

# What one transcript may hold (interviews.importers): far beyond any real interview (a
# two-hour interview has about 20,000 words and 600 turns), low enough that an import stays
# under 10 s and 300 MB and the pages that show it stay usable.
EXCERPTA_MAX_TRANSCRIPT_CHARS = envint("EXCERPTA_MAX_TRANSCRIPT_CHARS", 2_000_000)
EXCERPTA_MAX_TRANSCRIPT_WORDS = envint("EXCERPTA_MAX_TRANSCRIPT_WORDS", 200_000)
EXCERPTA_MAX_TRANSCRIPT_TURNS = envint("EXCERPTA_MAX_TRANSCRIPT_TURNS", 5_000)
# The XML read from one .docx (document, notes, relationships), in bytes, and its paragraphs.
EXCERPTA_MAX_DOCX_XML_BYTES = envint("EXCERPTA_MAX_DOCX_XML_MB", 25) * 1024 * 1024
EXCERPTA_MAX_DOCX_PARAGRAPHS = envint("EXCERPTA_MAX_DOCX_PARAGRAPHS", 50_000)
