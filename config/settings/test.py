"""Test settings: the base settings with fast hashing, mail kept in memory and no TLS redirect.

The database, cache and channel layer follow the environment exactly as in base: with
DATABASE_URL and REDIS_URL set (CI) the suite runs on PostgreSQL and Redis.
"""

import os
import uuid

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-key-" + "x" * 50)
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("PUENTE_LOG_FORMAT", "text")
os.environ.setdefault("PUENTE_LOG_LEVEL", "WARNING")
# Test runs share one Redis: keep each run's keys and groups apart.
_run = os.environ.setdefault("PUENTE_TEST_RUN_ID", uuid.uuid4().hex[:8])
os.environ.setdefault("PUENTE_CACHE_PREFIX", f"puente-test-{_run}")
os.environ.setdefault("PUENTE_CHANNEL_PREFIX", f"puente-test-{_run}")
os.environ.setdefault("PUENTE_FANOUT_PREFIX", f"puente-test-{_run}")
# Presence goes out at once in tests: a throttled announcement would fire from a timer
# thread after its test ended. The two-process test runs its servers with the throttle.
os.environ.setdefault("PUENTE_CHAT_PRESENCE_INTERVAL_MS", "0")

from .base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# An explicit EMAIL_BACKEND wins (the browser tests read mail from the file backend).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static/ straight from the finders: tests need no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# Unit tests run tasks in-process; the test that proves delivery through a real worker
# starts one against Redis itself.
CELERY_TASK_ALWAYS_EAGER = True
