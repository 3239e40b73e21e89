"""Settings shared by every environment. Everything that differs between machines
comes from the environment, with defaults that suit a developer's machine."""
import datetime
from pathlib import Path
from urllib.parse import urlsplit

from celery.schedules import crontab
from csp.constants import NONE, SELF

from cluster.config import sentinel_master, transaction_pooling
from cluster.redis_cache import redis_cache
from engagement_hub.env import env_bool, env_float, env_int, env_list, env_secret, env_str
from filestore.config import file_storages
from read_routing.config import standby_database

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# HUB_SECRET_KEY, or HUB_SECRET_KEY_FILE naming a file that holds it (scripts/hub start makes var/secret_key once).
SECRET_KEY = env_secret("HUB_SECRET_KEY", "local-development-only-key-not-for-production-use-0123456789")
DEBUG = env_bool("HUB_DEBUG", False)
ALLOWED_HOSTS = env_list("HUB_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("HUB_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "input_rules.apps.HubAdminConfig",  # django.contrib.admin, with our site: see input_rules/admin.py
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
    "pgtrigger",
    "pghistory",
    "guardian",
    "import_export",
    "axes",
    "django_filters",
    "access",
    "hub_ui",
    "crm",
    "geo",
    "partners",
    "partners.responses",  # the police's answers to partner concerns: their own records (issue 12)
    "sharing_protocols",
    "reports",
    "publication",
    "finder",
    "jobs",
    "digital",
    "retention",
    "subject_access",
    "documents",
    "input_rules",
    "notifications",
    "home",
    "read_routing",
    "demo",
    "row_security",  # PostgreSQL row-level security on the sensitive tables (row_security/policies.py)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Text the database cannot store (a NUL byte) anywhere in a request is refused here, before a session is looked up.
    "input_rules.middleware.UnstorableInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Resolves each reader's sharing grants once per request, and forgets them at its end (access/grants.py).
    "access.grants.GrantScopeMiddleware",
    # Hands that reader to PostgreSQL, whose row-level security is the second lock (row_security/).
    "row_security.middleware.RowSecurityMiddleware",
    # Runs the listed read-only pages as named work that may read from a standby (read_routing/middleware.py).
    "read_routing.middleware.StandbyReadsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Puts the signed-in user and URL into the history of every change (pghistory triggers).
    "pghistory.middleware.HistoryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: answers a locked-out sign-in with the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "engagement_hub.urls"
WSGI_APPLICATION = "engagement_hub.wsgi.application"

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
                "engagement_hub.navigation.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.contrib.gis.db.backends.postgis",
        "NAME": env_str("HUB_DB_NAME", "engagement_hub"),
        "USER": env_str("HUB_DB_USER", "engagement_hub"),
        "PASSWORD": env_str("HUB_DB_PASSWORD", "engagement_hub_local"),
        "HOST": env_str("HUB_DB_HOST", "127.0.0.1"),
        "PORT": env_int("HUB_DB_PORT", 5432),
        "CONN_MAX_AGE": env_int("HUB_DB_CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,  # a connection kept across a PostgreSQL restart is checked and replaced, not used dead
        # Through PgBouncer in transaction mode (HUB_DB_TRANSACTION_POOLING, cluster/config.py) a named cursor would not outlive its transaction.
        "DISABLE_SERVER_SIDE_CURSORS": transaction_pooling(),
        # Connecting gives up after this many seconds (a request answers 503) rather than hanging on an unreachable server.
        "OPTIONS": {"connect_timeout": env_int("HUB_DB_CONNECT_TIMEOUT", 5)},
        # The application role is not a superuser, so it cannot create the PostGIS
        # extension: test databases are copied from a template that already has it
        # (the set-up script makes it).
        "TEST": {"TEMPLATE": env_str("HUB_DB_TEMPLATE", "engagement_hub_template")},
    }
}
# A streaming hot standby when HUB_DB_STANDBY_HOST is set: named read-only work reads from it once it has
# replayed the latest change to anyone's grants (read_routing/). Without it, the primary answers everything.
DATABASES.update(standby_database(DATABASES["default"]))
DATABASE_ROUTERS = ["read_routing.router.StandbyRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "crm.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out sign-in before the password is checked
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username, or from one
# address, that username or address is refused for the lockout period, whatever the password. Attempts on a
# username that does not exist count and lock the same way, so the answer never says whether an account exists.
AXES_FAILURE_LIMIT = env_int("HUB_SIGN_IN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("HUB_SIGN_IN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: per account and per address
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "engagement_hub.security.sign_in_locked_out"
AXES_USERNAME_CALLABLE = "engagement_hub.security.sign_in_username"  # cut to the length axes stores
# The address is the connection's own (REMOTE_ADDR, axes' default): a client-supplied X-Forwarded-For is never believed.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Guardian: no anonymous user row; the public pages never consult object permissions.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("HUB_STATIC_ROOT", str(BASE_DIR / "var" / "static")))  # collectstatic writes here
# Front-end packages come from npm (package.json) and are served from here; no CDN.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
    ("leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
]
# Files on this machine's disk, or in an S3 bucket with HUB_FILE_STORAGE=s3 (filestore/config.py, README "Files").
STORAGES = {
    **file_storages(),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# With S3: downloads are a redirect to a signed URL, valid HUB_S3_URL_SECONDS, issued after the permission check
# (true), or streamed through the hub (false).
FILE_DOWNLOADS_PRESIGNED = env_bool("HUB_S3_PRESIGNED_DOWNLOADS", False)
MEDIA_ROOT = Path(env_str("HUB_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))

EMAIL_BACKEND = env_str("HUB_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("HUB_DEFAULT_FROM_EMAIL", "engagement-hub@localhost")
# Where the hub is reached, for the links in its emails (notifications, unsubscribe).
HUB_BASE_URL = env_str("HUB_BASE_URL", "http://127.0.0.1:8000")

# Celery: ids not objects, prefetch one task at a time, JSON only.
CELERY_BROKER_URL = env_str("HUB_REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = env_str("HUB_CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("HUB_CELERY_TASK_TIME_LIMIT", 30 * 60)
# A broker that is down or frozen must not hang the page that queues work: short connection and
# socket timeouts and one quick retry, then the job waits in its outbox row (jobs.dispatch) and the
# sweeper sends it when the broker is back. About 3 seconds at worst (README, "Background jobs").
CELERY_BROKER_CONNECTION_TIMEOUT = env_float("HUB_BROKER_CONNECT_TIMEOUT", 2.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    "socket_timeout": env_float("HUB_BROKER_SOCKET_TIMEOUT", 1.0),
    # A task taken by a worker that then dies is given out again after this; longer than any task
    # runs. The job sweeper recovers such jobs far sooner (JOB_STALE_SECONDS).
    "visibility_timeout": 2 * 60 * 60,
    **sentinel_master(CELERY_BROKER_URL),  # Redis behind Sentinel: the master's name (cluster/config.py)
}
# Django's cache is the broker's Redis (or its Sentinels), shared by every web node and worker, so a limit kept in it
# (the public question form's per address) is one limit for the hub, not one per process (cluster/redis_cache.py).
CACHES = {"default": redis_cache(env_str("HUB_CACHE_URL", CELERY_BROKER_URL))}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = CELERY_BROKER_CONNECTION_TIMEOUT
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5},
                                          **sentinel_master(CELERY_RESULT_BACKEND)}
# Reports build on their own queue, in their own worker (scripts/hub), with their own limits:
# WeasyPrint does not give memory back, so that worker's children are replaced when they grow.
CELERY_TASK_ROUTES = {"reports.tasks.*": {"queue": "reports"}, "documents.tasks.*": {"queue": "reports"}}  # documents: agreements, packages
REPORT_TIME_LIMIT = env_int("HUB_REPORT_TIME_LIMIT", 15 * 60)
REPORT_WORKER_MAX_MEMORY_KB = env_int("HUB_REPORT_WORKER_MAX_MEMORY_KB", 600_000)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Background jobs: re-send what waits in the outbox, take up again what a dead worker left (jobs.sweeper).
    "sweep-jobs": {"task": "jobs.tasks.sweep_jobs", "schedule": env_float("HUB_JOB_SWEEP_SECONDS", 60.0)},
    "clear-expired-sessions": {
        "task": "crm.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=15),
    },
    "flag-protocol-reviews-due": {
        "task": "sharing_protocols.tasks.flag_protocol_reviews_due",
        "schedule": crontab(hour=6, minute=0),
    },
    # Signed protocol versions whose start date has come replace the ones in force, just after midnight.
    "bring-signed-protocols-into-force": {
        "task": "sharing_protocols.tasks.bring_signed_protocols_into_force",
        "schedule": crontab(hour=0, minute=1),
    },
    "verify-disclosure-log": {
        "task": "sharing_protocols.tasks.verify_disclosure_log",
        "schedule": crontab(hour=2, minute=30),
    },
    # After the review flags (06:00): each IG user is emailed what waits for them.
    "email-governance-what-waits": {
        "task": "sharing_protocols.tasks.email_governance_what_waits",
        "schedule": crontab(hour=6, minute=15),
    },
    # Partner concerns are collated centrally once a day, before the early turn's briefing.
    "collate-partner-concerns": {
        "task": "partners.collation.tasks.collate_partner_concerns",
        "schedule": crontab(hour=5, minute=30),
    },
    # Publication: screen new public wording often; build the open-data release monthly.
    "publication-screen-pending": {
        "task": "publication.tasks.screen_pending_texts",
        "schedule": crontab(minute="*/5"),
    },
    # Notifications: the daily digest for those who chose one, after the collation.
    "notifications-daily-digests": {
        "task": "notifications.tasks.send_daily_digests",
        "schedule": crontab(hour=7, minute=0),
    },
    # Partner organisations are told 30 days before an Open311 API key stops working.
    "partners-warn-expiring-api-keys": {
        "task": "partners.tasks.warn_expiring_api_keys",
        "schedule": crontab(hour=6, minute=45),  # before the daily digests (07:00)
    },
    "publication-monthly-release": {
        "task": "publication.tasks.scheduled_release",
        "schedule": crontab(day_of_month=1, hour=4, minute=30),
    },
    # Retention: act on what earlier dry runs listed (after the notice period), then list what is newly due.
    "retention-nightly": {
        "task": "retention.tasks.enforce_retention",
        "schedule": crontab(hour=2, minute=30),
    },
    "subject-access-reminders": {
        "task": "subject_access.tasks.remind_deadlines",
        "schedule": crontab(hour=7, minute=0),
    },
}

# Background jobs (jobs/): a worker's heartbeat every JOB_HEARTBEAT_SECONDS; a job open with no beat for
# JOB_STALE_SECONDS had its worker die and is queued again by the sweeper, at most JOB_MAX_RESTARTS
# times, then failed. A job never handed to the broker is sent again after JOB_OUTBOX_GRACE_SECONDS,
# one handed over but not taken up after JOB_PICKUP_SECONDS; one that cannot start for
# JOB_GIVE_UP_SECONDS is failed.
JOB_HEARTBEAT_SECONDS = env_float("HUB_JOB_HEARTBEAT_SECONDS", 10.0)
JOB_STALE_SECONDS = env_float("HUB_JOB_STALE_SECONDS", 60.0)
JOB_MAX_RESTARTS = env_int("HUB_JOB_MAX_RESTARTS", 2)
JOB_OUTBOX_GRACE_SECONDS = env_float("HUB_JOB_OUTBOX_GRACE_SECONDS", 10.0)
JOB_PICKUP_SECONDS = env_float("HUB_JOB_PICKUP_SECONDS", 30 * 60.0)
JOB_GIVE_UP_SECONDS = env_float("HUB_JOB_GIVE_UP_SECONDS", 24 * 60 * 60.0)

# Sharing protocols: how long before its review date a protocol is flagged.
PROTOCOL_REVIEW_NOTICE_DAYS = env_int("HUB_PROTOCOL_REVIEW_NOTICE_DAYS", 30)

# Maps. Tiles are optional: with no URL the map draws the boundaries on a blank ground.
MAP_TILE_URL = env_str("HUB_MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = env_str("HUB_MAP_TILE_ATTRIBUTION", "")


def _tile_origin(url: str) -> list[str]:
    """The tile server's origin, for the Content-Security-Policy's img-src ({s} subdomains become a wildcard)."""
    if not url:
        return []
    parts = urlsplit(url.replace("{s}", "*"))
    return [f"{parts.scheme}://{parts.netloc}"]


# Content-Security-Policy (django-csp): our own scripts and styles only, no inline script or style attribute
# (tests/browser/test_content_security_policy_in_browser.py walks the pages and fails on any violation).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *_tile_origin(MAP_TILE_URL)],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

SILENCED_SYSTEM_CHECKS = [
    # gis.W001: Debian 12 ships GDAL 3.6, older than Django 5.2 wants. We accept the
    # warning because the hub never takes a spatial reference from a user: every
    # geometry is read as WGS84 (EPSG:4326) and only transformed to EPSG:27700 by us.
    "gis.W001",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # API keys and passwords never reach a log, whichever logger a request's URL goes through.
    "filters": {"redact_secrets": {"()": "engagement_hub.security.RedactSecretsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]}},
    "root": {"handlers": ["console"], "level": env_str("HUB_LOG_LEVEL", "INFO")},
}
GEO_MAX_UPLOAD_BYTES = env_int("HUB_GEO_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)

# Bulk files of partner concerns (partners.imports): refused beyond these, with a message saying which.
CONCERN_IMPORT_MAX_BYTES = env_int("HUB_CONCERN_IMPORT_MAX_BYTES", 50 * 1024 * 1024)
CONCERN_IMPORT_MAX_ROWS = env_int("HUB_CONCERN_IMPORT_MAX_ROWS", 1_000_000)
CONCERN_IMPORT_MAX_CELL_CHARS = env_int("HUB_CONCERN_IMPORT_MAX_CELL_CHARS", 5000)
# An XLSX is a zip: refused before it is opened if it would expand past this, or is compressed more than this ratio.
CONCERN_IMPORT_MAX_XLSX_UNCOMPRESSED_BYTES = env_int("HUB_CONCERN_IMPORT_MAX_XLSX_UNCOMPRESSED_BYTES", 500 * 1024 * 1024)
CONCERN_IMPORT_MAX_XLSX_RATIO = env_int("HUB_CONCERN_IMPORT_MAX_XLSX_RATIO", 100)
CONCERN_IMPORT_PROGRESS_EVERY = env_int("HUB_CONCERN_IMPORT_PROGRESS_EVERY", 5000)

# The dates the hub accepts anywhere (forms, filters, imports, Open311): earlier or later ones are refused, naming the field.
EARLIEST_DATE = datetime.date.fromisoformat(env_str("HUB_EARLIEST_DATE", "1900-01-01"))
LATEST_DATE = datetime.date.fromisoformat(env_str("HUB_LATEST_DATE", "2999-12-31"))

# Demo data (scripts/hub start): one login per role, all with this password.
DEMO_PASSWORD = env_str("HUB_DEMO_PASSWORD", "engagement-hub-demo")

# Engagement effectiveness (the guidance: rethink meetings with low turnout, that miss a
# sector of the community, or that raise the same issues again and again).
ENGAGEMENT_LOW_TURNOUT = env_int("HUB_ENGAGEMENT_LOW_TURNOUT", 5)
ENGAGEMENT_REPEATED_ISSUE_MEETINGS = env_int("HUB_ENGAGEMENT_REPEATED_ISSUE_MEETINGS", 3)
ENGAGEMENT_SIGNAL_MONTHS = env_int("HUB_ENGAGEMENT_SIGNAL_MONTHS", 6)
# A priority with no action, or no new action or change, for this many weeks is on its officer's home page.
HUB_PRIORITY_STALE_WEEKS = env_int("HUB_PRIORITY_STALE_WEEKS", 4)
BEAT_MEETING_INTERVAL_DAYS = env_int("HUB_BEAT_MEETING_INTERVAL_DAYS", 56)  # force policy: one every eight weeks

# The daily collation of partner concerns. Near-duplicates: same category, reported by different
# partners, within this distance (metres, EPSG:27700) and this many days of each other. Hot spots and
# rising topics compare the last period with the one before: at least the minimum count, and a rise
# of at least the percentage (a count of 10 against 6 is a rise of 67%).
COLLATION_DUPLICATE_METRES = env_int("HUB_COLLATION_DUPLICATE_METRES", 150)
COLLATION_DUPLICATE_DAYS = env_int("HUB_COLLATION_DUPLICATE_DAYS", 7)
COLLATION_PERIOD_DAYS = env_int("HUB_COLLATION_PERIOD_DAYS", 28)
COLLATION_HOT_SPOT_MIN_COUNT = env_int("HUB_COLLATION_HOT_SPOT_MIN_COUNT", 5)
COLLATION_HOT_SPOT_RISE_PERCENT = env_int("HUB_COLLATION_HOT_SPOT_RISE_PERCENT", 50)
COLLATION_RISING_TOPIC_MIN_COUNT = env_int("HUB_COLLATION_RISING_TOPIC_MIN_COUNT", 3)
COLLATION_RISING_TOPIC_RISE_PERCENT = env_int("HUB_COLLATION_RISING_TOPIC_RISE_PERCENT", 50)

# Open data (publication): concern and engagement counts are rounded to multiples of the base by cell key
# (publication/cell_key.py); a release holds the last closed quarters; releases are kept by version.
OPEN_DATA_ROUNDING_BASE = env_int("HUB_OPEN_DATA_ROUNDING_BASE", 5)
OPEN_DATA_QUARTERS = env_int("HUB_OPEN_DATA_QUARTERS", 4)
# Record keys are an HMAC under this secret (empty: derived from SECRET_KEY). Published quarters never change, so
# changing it alters only quarters not yet released.
OPEN_DATA_RECORD_KEY_SECRET = env_str("HUB_OPEN_DATA_RECORD_KEY_SECRET", "")
# The domain in iCalendar UIDs (meeting-<id>@<domain>): fixed, so UIDs never change with the address a feed is read from.
CALENDAR_UID_DOMAIN = env_str("HUB_CALENDAR_UID_DOMAIN", "engagement-hub.invalid")
OPEN_DATA_DIR = Path(env_str("HUB_OPEN_DATA_DIR", str(BASE_DIR / "var" / "open-data")))

# Retention (retention/): what a dry run lists is acted on only this many days later, in batches of this size.
RETENTION_NOTICE_DAYS = env_int("HUB_RETENTION_NOTICE_DAYS", 7)
RETENTION_BATCH_SIZE = env_int("HUB_RETENTION_BATCH_SIZE", 200)
# Subject access (subject_access/): a search matching more records than this is refused with a message to narrow it;
# reminders when a request is due within this many days.
SUBJECT_ACCESS_MAX_MATCHES = env_int("HUB_SUBJECT_ACCESS_MAX_MATCHES", 500)
SUBJECT_ACCESS_REMINDER_DAYS = env_int("HUB_SUBJECT_ACCESS_REMINDER_DAYS", 7)
