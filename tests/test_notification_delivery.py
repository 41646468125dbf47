"""Notifications reach members: by e-mail (at once or in a daily digest) and on the page."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.utils import translation

from network.models import Notification, NotificationPreference
from network.selectors import notification_text
from network.services import UnknownNotificationType, notify
from network.tasks import send_daily_digests, send_notification_email
from tests.factories import UserFactory

ANNOUNCEMENT = "network.announcement"


def announce(user, title: str, actor=None, url: str = "") -> Notification:
    return notify(user=user, verb=ANNOUNCEMENT, actor=actor, url=url, params={"title": title})


def prefer(user, delivery: str, verb: str = ANNOUNCEMENT) -> None:
    NotificationPreference.objects.update_or_create(user=user, verb=verb, defaults={"delivery": delivery})


def rendered(notification: Notification, language: str) -> str:
    with translation.override(language):
        return notification_text(notification)


# --- e-mail ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_immediate_notification_is_emailed_once_in_the_members_language(
    django_capture_on_commit_callbacks,
):
    member = UserFactory(language="fr")
    actor = UserFactory(display_name="Dana Lopez")
    prefer(member, "immediate")

    with django_capture_on_commit_callbacks(execute=True):
        notification = announce(member, "Semaine de la sécurité routière", actor=actor)

    french = rendered(notification, "fr")
    assert french != rendered(notification, "en"), (
        "no French translation of the announcement (compilemessages?)"
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [member.email]
    assert french in message.subject
    assert french in message.body
    assert "Bonjour" in message.body
    notification.refresh_from_db()
    assert notification.emailed_at is not None

    assert send_notification_email(notification.id) is False
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_member_who_turned_a_notification_type_off_gets_no_email(django_capture_on_commit_callbacks):
    member = UserFactory()
    prefer(member, "off")

    with django_capture_on_commit_callbacks(execute=True):
        notification = announce(member, "Quiet please")

    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.emailed_at is None
    assert Notification.objects.filter(recipient=member).count() == 1  # still shown on the site


@pytest.mark.django_db
def test_a_daily_digest_member_gets_one_summary_listing_everything_and_only_once(
    django_capture_on_commit_callbacks,
):
    member = UserFactory()
    prefer(member, "daily")

    with django_capture_on_commit_callbacks(execute=True):
        first = announce(member, "Budget meeting")
        second = announce(member, "New course opens")
    assert mail.outbox == []

    assert send_daily_digests() == 1
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == [member.email]
    assert digest.subject == "[Puente] Your daily summary: 2 new notifications"
    assert rendered(first, "en") in digest.body
    assert rendered(second, "en") in digest.body
    assert digest.body.index("Budget meeting") < digest.body.index("New course opens")

    assert send_daily_digests() == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_notifying_of_an_unknown_type_is_refused_and_stores_nothing():
    member = UserFactory()
    with pytest.raises(UnknownNotificationType):
        notify(user=member, verb="network.no-such-thing", params={"title": "x"})
    assert not Notification.objects.exists()
    assert mail.outbox == []


# --- the notifications page -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_notifications_page_lists_the_members_notifications(member, member_client):
    actor = UserFactory(display_name="Dana Lopez")
    announce(member, "Road safety week", actor=actor)
    announce(UserFactory(), "Somebody else's news", actor=actor)

    response = member_client.get("/notifications/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "Announcement from Dana Lopez: Road safety week" in content
    assert "Somebody else" not in content


@pytest.mark.django_db
def test_opening_a_notification_marks_it_read_and_follows_its_link(member, member_client):
    notification = announce(member, "Read me", url="/notifications/preferences/")

    response = member_client.post(f"/notifications/{notification.id}/open/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/notifications/preferences/"
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.django_db
def test_opening_another_members_notification_is_refused_and_leaves_it_unread(member, member_client):
    theirs = announce(UserFactory(), "Private", url="/notifications/preferences/")

    response = member_client.post(f"/notifications/{theirs.id}/open/", follow=True)

    assert response.redirect_chain == [("/notifications/", 302)]
    assert "That notification does not exist." in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.django_db
def test_marking_all_as_read_marks_only_the_members_own_notifications(member, member_client):
    mine = [announce(member, f"Mine {n}") for n in range(3)]
    theirs = announce(UserFactory(), "Theirs")

    response = member_client.post("/notifications/read-all/")

    assert response.status_code == 302
    assert not Notification.objects.filter(id__in=[n.id for n in mine], read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


# --- a real Celery worker -------------------------------------------------------------------


def _test_database_url() -> str | None:
    """The URL of the database this test run uses (pytest-django's test database)."""
    database = connection.settings_dict
    if database["ENGINE"] != "django.db.backends.postgresql":
        return None
    user = database.get("USER") or ""
    password = database.get("PASSWORD") or ""
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = database.get("HOST") or "localhost"
    port = database.get("PORT") or "5432"
    return f"postgres://{credentials}{host}:{port}/{database['NAME']}"


def _mail_containing(folder: Path, text: str) -> str | None:
    for path in sorted(folder.glob("*")):
        content = path.read_text(errors="replace")
        if text in content:
            return content
    return None


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_celery_worker_emails_a_notification(tmp_path):
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs Redis: a real worker needs a broker")
    if not os.environ.get("DATABASE_URL"):
        pytest.skip(
            "needs DATABASE_URL: the SQLite test database is in memory, a worker process can't see it"
        )
    database_url = _test_database_url()
    if database_url is None:
        pytest.skip("needs PostgreSQL: a worker process must reach the test database")

    from config.celery import app

    queue = f"puente-test-{uuid.uuid4().hex[:10]}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "worker-test-key-" + "y" * 50,
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ["REDIS_URL"],
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "PUENTE_LOG_FORMAT": "text",
    }
    env.pop("EMAIL_HOST", None)
    celery = Path(sys.executable).with_name("celery")
    log_path = tmp_path / "worker.log"
    saved = (app.conf.task_always_eager, app.conf.task_default_queue)
    worker = None
    try:
        with log_path.open("w") as log:
            worker = subprocess.Popen(
                [
                    str(celery),
                    "-A",
                    "config",
                    "worker",
                    "--pool=solo",
                    "--concurrency=1",
                    "--loglevel=warning",
                    "-Q",
                    queue,
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        app.conf.task_always_eager = False
        app.conf.task_default_queue = queue

        member = UserFactory()
        actor = UserFactory(display_name="Dana Lopez")
        prefer(member, "immediate")
        title = f"Worker check {uuid.uuid4().hex[:8]}"
        notification = announce(member, title, actor=actor)  # the e-mail task is queued on commit

        deadline = time.monotonic() + 60
        message = None
        while time.monotonic() < deadline:
            message = message or _mail_containing(mail_dir, title)
            notification.refresh_from_db()
            if message and notification.emailed_at:
                break
            assert worker.poll() is None, "the worker stopped:\n" + log_path.read_text()
            time.sleep(0.5)

        worker_log = log_path.read_text()
        assert message is not None, "no e-mail within 60 s; worker log:\n" + worker_log
        assert f"Announcement from Dana Lopez: {title}" in message
        assert member.email in message
        assert notification.emailed_at is not None
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = saved
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait(timeout=10)
