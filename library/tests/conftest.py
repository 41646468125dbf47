import pytest

from tests.factories import NetworkFactory, UserFactory, member_of


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def vetted_member(db):
    return member_of(NetworkFactory(slug="prevention"))


@pytest.fixture
def unvetted_user(db):
    return UserFactory()
