"""Settings follow the environment: the embedded default with nothing set, PostgreSQL and
Redis when their URLs are given, and a production configuration that Django's deploy
checks accept."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "db": settings.DATABASES["default"]["ENGINE"],
    "db_name": str(settings.DATABASES["default"]["NAME"]),
    "cache": settings.CACHES["default"]["BACKEND"],
    "layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "debug": settings.DEBUG,
}))
"""
ENV_KEYS = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER", "DJANGO_DEBUG")


def run_with(env_overrides: dict, settings_module="config.settings.base", code=PROBE):
    env = {
        k: v for k, v in os.environ.items() if k not in ENV_KEYS and not k.startswith(("PUENTE_", "DJANGO_"))
    }
    env.update({"DJANGO_SETTINGS_MODULE": settings_module, "PUENTE_VAR_DIR": "/tmp/puente-settings-test"})
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def probe(env_overrides: dict) -> dict:
    result = run_with(env_overrides)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_nothing_set_gives_the_embedded_default():
    found = probe({"DJANGO_DEBUG": "true"})
    assert found["db"] == "django.db.backends.sqlite3"
    assert found["db_name"].endswith("db.sqlite3")
    assert found["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert found["layer"] == "channels.layers.InMemoryChannelLayer"
    assert found["eager"] is True
    assert found["debug"] is True


def test_database_and_redis_urls_switch_to_postgres_redis_and_real_workers():
    found = probe(
        {
            "DJANGO_DEBUG": "true",
            "DATABASE_URL": "postgres://puente@db.internal:5432/puente",
            "REDIS_URL": "redis://cache.internal:6379/0",
        }
    )
    assert found["db"] == "django.db.backends.postgresql"
    assert found["db_name"] == "puente"
    assert found["cache"] == "config.cache.ResilientRedisCache"
    assert found["layer"] == "channels_redis.core.RedisChannelLayer"
    assert found["eager"] is False
    assert found["broker"] == "redis://cache.internal:6379/0"


def test_production_without_a_secret_key_refuses_to_start():
    result = run_with({"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": ""})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_a_malformed_boolean_is_reported_by_name():
    result = run_with({"DJANGO_DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DJANGO_DEBUG" in result.stderr


@pytest.mark.timeout(180)
def test_production_settings_pass_the_deploy_checks_without_warnings():
    env = {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "k" * 20 + "-production-like-secret-" + "z9" * 20,
        "DJANGO_ALLOWED_HOSTS": "puente.example.org",
        "PUENTE_SITE_URL": "https://puente.example.org",
    }
    code = (
        "import sys, django; django.setup(); from django.core.management import call_command;"
        "call_command('check', deploy=True, fail_level='WARNING')"
    )
    result = run_with(env, code=code)
    assert result.returncode == 0, result.stdout + result.stderr
