"""Fixtures every test in the project gets (tests/, network/, library/ ...)."""

import pytest
from django.conf import settings


@pytest.fixture(autouse=True)
def _english_until_a_test_says_otherwise():
    """The active language is per thread: a test that activates one must not leak it."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and used TOTP codes live in the cache: start every test with none."""
    from django.core.cache import cache

    if settings.REDIS_URL:
        # Only this run's keys: the Redis server is shared with the Celery broker.
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(f"{settings.CACHES['default']['KEY_PREFIX']}:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()
    yield
