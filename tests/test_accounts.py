"""Accounts: sign-up with mandatory verification, login by e-mail, rate limits, no
account enumeration, two-factor required for staff and moderators."""

import re
import time

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import translation

from network.permissions import MODERATORS_GROUP
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def signup(client, email, password="a-Long-pass-phrase-42", prefix=""):
    return client.post(
        f"{prefix}/accounts/signup/", {"email": email, "password1": password, "password2": password}
    )


def test_signing_up_requires_confirming_the_email_before_logging_in(client):
    response = signup(client, "new.officer@policia.example")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = get_user_model().objects.get(email="new.officer@policia.example")
    assert not EmailAddress.objects.get(user=user).verified
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1
    path = re.search(r"/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    login = client.post(
        "/accounts/login/", {"login": "new.officer@policia.example", "password": "a-Long-pass-phrase-42"}
    )
    assert login.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.id


def test_confirming_the_email_greets_the_new_member_with_a_notification(client):
    signup(client, "greet.me@example.org")
    link = re.search(r"/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    client.post(link)
    user = get_user_model().objects.get(email="greet.me@example.org")
    assert user.notifications.filter(verb="network.welcome").count() == 1


def test_a_member_signing_up_in_spanish_keeps_spanish(client):
    signup(client, "hablo@example.org", prefix="/es")
    assert get_user_model().objects.get(email="hablo@example.org").language == "es"
    assert "Puente" in mail.outbox[0].subject


def test_an_invalid_signup_is_explained_in_the_users_language_and_creates_nothing(client):
    response = client.post(
        "/es/accounts/signup/",
        {"email": "not-an-address", "password1": "a-Long-pass-phrase-42", "password2": "different-42-pass"},
    )
    assert response.status_code == 200
    with translation.override("es"):
        expected = translation.gettext("Enter a valid email address.")
    assert expected != "Enter a valid email address."
    assert expected in response.content.decode()
    assert not get_user_model().objects.filter(email="not-an-address").exists()


def test_signing_up_with_a_taken_email_looks_the_same_as_a_new_one(client):
    UserFactory(email="taken@example.org")
    taken = signup(client, "taken@example.org")
    fresh = signup(client, "fresh@example.org")
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"]
    assert get_user_model().objects.filter(email__iexact="taken@example.org").count() == 1


def test_password_reset_does_not_reveal_whether_an_account_exists(client, member):
    known = client.post("/accounts/password/reset/", {"email": member.email})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_logging_in_with_a_wrong_password_is_refused(client, member):
    response = client.post("/accounts/login/", {"login": member.email, "password": "wrong-password"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_repeated_failed_logins_are_rate_limited_even_with_the_right_password(client, member, password):
    for _attempt in range(5):
        client.post("/accounts/login/", {"login": member.email, "password": "wrong-password"})
    response = client.post("/es/accounts/login/", {"login": member.email, "password": password})
    assert "_auth_user_id" not in client.session
    with translation.override("es"):
        expected = translation.gettext("Too many failed login attempts. Try again later.")
    assert expected != "Too many failed login attempts. Try again later."
    assert expected in response.content.decode()


def test_logging_out_ends_the_session(member_client):
    response = member_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in member_client.session


@pytest.fixture
def moderator(db):
    user = UserFactory()
    group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    user.groups.add(group)
    return user


def test_a_moderator_without_two_factor_is_sent_to_set_it_up(client, moderator, password):
    client.post("/accounts/login/", {"login": moderator.email, "password": password})
    response = client.get("/notifications/")
    assert response.status_code == 302
    activate = response["Location"]
    assert activate.startswith("/accounts/2fa/totp/activate/")
    # Setting up two-factor asks for the password again (allauth's reauthentication).
    assert client.get(activate)["Location"].startswith("/accounts/reauthenticate/")
    client.post("/accounts/reauthenticate/", {"password": password})
    page = client.get(activate)
    assert page.status_code == 200
    assert b'name="code"' in page.content
    # Every other page stays closed until it is done.
    assert client.get("/").status_code == 302


def test_a_member_is_not_asked_for_two_factor(member_client):
    assert member_client.get("/notifications/").status_code == 200


def test_a_moderator_with_totp_must_enter_a_code_to_log_in(client, moderator, password):
    from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value

    secret = generate_totp_secret()
    TOTP.activate(moderator, secret)
    response = client.post("/accounts/login/", {"login": moderator.email, "password": password})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    client.post("/accounts/2fa/authenticate/", {"code": code})
    assert int(client.session["_auth_user_id"]) == moderator.id
    assert client.get("/notifications/").status_code == 200


def test_institutional_sign_in_is_configured_by_staff_without_code(client):
    """An OpenID Connect provider added as a SocialApp row shows up on the login page."""
    from allauth.socialaccount.models import SocialApp
    from django.contrib.sites.models import Site

    app = SocialApp.objects.create(
        provider="openid_connect",
        provider_id="policia-nacional",
        name="Policía Nacional",
        client_id="puente",
        secret="s3cret",
        settings={"server_url": "https://idp.policia.example/realms/main"},
    )
    app.sites.add(Site.objects.get_current())
    page = client.get("/accounts/login/").content.decode()
    assert "Policía Nacional" in page
    assert "/accounts/oidc/policia-nacional/login/" in page


@pytest.mark.parametrize("path", ["/cms/login/", "/django-admin/login/"])
def test_the_admin_login_forms_lead_to_the_login_with_two_factor(client, path):
    staff = UserFactory(is_staff=True, is_superuser=True)
    response = client.post(path, {"username": staff.username, "password": "correct-horse-battery-9"})
    assert "_auth_user_id" not in client.session
    assert client.get(path + "?next=/cms/")["Location"] == "/accounts/login/?next=%2Fcms%2F"
    assert response.status_code == 302


def test_the_cms_sends_visitors_to_the_platform_login(client):
    response = client.get("/cms/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
