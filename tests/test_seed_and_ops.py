import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

from network.seed import DEMO_ACCOUNTS, DEMO_PASSWORD

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=True)
def test_seed_demo_creates_the_demo_accounts_once_however_often_it_runs(capsys):
    User = get_user_model()
    call_command("seed_demo")
    first_run = User.objects.count()
    call_command("seed_demo")
    assert User.objects.count() == first_run
    for email, *_rest in DEMO_ACCOUNTS:
        user = User.objects.get(email=email)
        assert user.check_password(DEMO_PASSWORD)
        assert EmailAddress.objects.get(user=user).verified
    assert User.objects.get(email="admin@example.org").is_superuser
    assert "accounts" in capsys.readouterr().err  # the progress bar


@override_settings(DEBUG=True)
def test_the_demo_staff_can_log_in_with_the_printed_two_factor_code(client, capsys):
    call_command("seed_demo")
    capsys.readouterr()
    call_command("demo_totp")
    code = capsys.readouterr().out.split()[0]
    client.post("/accounts/login/", {"login": "admin@example.org", "password": DEMO_PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": code})
    assert client.get("/notifications/announce/").status_code == 200


def test_seed_demo_refuses_to_run_on_a_production_site():
    with pytest.raises(CommandError):
        call_command("seed_demo")


def test_production_logs_are_json_lines_with_level_and_logger():
    from tests.test_settings import run_with

    code = (
        "import django, logging; django.setup();"
        "logging.getLogger('network.realtime').warning('could not send %s', 'notification.created')"
    )
    result = run_with({"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "x" * 60}, code=code)
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "could not send notification.created"
    assert line["level"] == "WARNING"
    assert line["logger"] == "network.realtime"
    assert "time" in line
