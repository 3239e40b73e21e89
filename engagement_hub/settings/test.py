"""The test suite: real PostGIS and Redis, fast password hashing."""
from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {  # noqa: F405
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests use their own Redis database so they never consume the running hub's queue.
CELERY_BROKER_URL = env_str("HUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")  # noqa: F405
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
CACHES = {"default": redis_cache(CELERY_BROKER_URL, key_prefix="hub-test-cache")}  # noqa: F405
# WhiteNoise warns when the collected-static folder is missing; tests serve from the finders.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
