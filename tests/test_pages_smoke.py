import pytest

pytestmark = pytest.mark.django_db


def test_home_page_answers_in_english_for_a_visitor(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b'<html lang="en">' in response.content
