"""Production: every secret from the environment, HTTPS only. Must pass
`manage.py check --deploy --fail-level WARNING` (tests/test_deploy_checks.py runs it)."""
from engagement_hub.env import env_bool, env_int, env_secret, env_str

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = env_secret("HUB_SECRET_KEY")  # no default: refuse to start without one (or HUB_SECRET_KEY_FILE)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("HUB_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("HUB_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_AGE = 60 * 60 * 8  # one shift
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
STORAGES = {  # noqa: F405
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
EMAIL_BACKEND = env_str("HUB_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("HUB_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("HUB_EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("HUB_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("HUB_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("HUB_EMAIL_USE_TLS", True)
# No development defaults for secrets on a live system.
DATABASES["default"]["PASSWORD"] = env_str("HUB_DB_PASSWORD")  # noqa: F405
