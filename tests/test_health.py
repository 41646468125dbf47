import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

BROKEN_REDIS = "redis://127.0.0.1:1/0"


def test_healthz_reports_every_part_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "cache": "ok", "channel_layer": "ok"}


@pytest.fixture
def broken_redis():
    """Point the cache and the channel layer at a port where no Redis listens.

    Django and Channels drop their cached backends when these settings change."""
    with override_settings(
        REDIS_URL=BROKEN_REDIS,
        CACHES={
            "default": {
                "BACKEND": "config.cache.ResilientRedisCache",
                "LOCATION": BROKEN_REDIS,
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            }
        },
        CHANNEL_LAYERS={
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [BROKEN_REDIS]},
            }
        },
    ):
        yield


@pytest.mark.timeout(60)
def test_a_broken_redis_makes_healthz_fail_and_name_the_parts(client, broken_redis):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["failing"] == ["cache", "channel_layer"]
    assert body["checks"]["database"] == "ok"


@pytest.mark.timeout(60)
def test_pages_that_do_not_need_redis_keep_working_when_it_is_down(client, broken_redis, member, password):
    assert client.get("/").status_code == 200
    assert client.get("/accounts/login/").status_code == 200
    response = client.post("/accounts/login/", {"login": member.email, "password": password})
    assert response.status_code == 302
    assert client.get("/notifications/").status_code == 200


@pytest.mark.timeout(60)
def test_a_notification_is_still_stored_when_the_channel_layer_is_down(
    broken_redis, member, django_capture_on_commit_callbacks
):
    from network.models import Notification
    from network.services import notify

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(user=member, verb="network.announcement", params={"title": "Still stored"})
    assert callbacks, "the live push runs after commit"
    assert Notification.objects.filter(recipient=member).count() == 1


def test_cache_objects_of_different_sockets_share_the_process_redis_connections(settings):
    """Django makes a cache object per async context (per WebSocket): they must not each
    open connections of their own."""
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
            "KEY_PREFIX": "shared-pool-test",
        }
    }
    one, two = caches.create_connection("default"), caches.create_connection("default")
    assert one is not two
    pool_of_one = one._cache.get_client(write=True).connection_pool
    assert pool_of_one is two._cache.get_client(write=True).connection_pool
