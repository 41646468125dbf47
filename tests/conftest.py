import os
import shutil

import pytest
from django.conf import settings

from tests.factories import PASSWORD, UserFactory


def pytest_report_header(config):
    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    redis = "Redis" if settings.REDIS_URL else "no Redis (in-memory layer, local cache, eager tasks)"
    return f"puente: database={database}, {redis}"


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def member(db):
    return UserFactory()


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


def chromium_path() -> str | None:
    return os.environ.get("PUENTE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
