"""End-to-end browser tests: Debian's chromium, driven by Playwright, against a real Daphne.

The session starts one server process on a fresh database (a temporary SQLite file, or a
`puente_browser_<random>` database on the PostgreSQL server of DATABASE_URL), migrated and
seeded with the demo data, with e-mail written to files and, when REDIS_URL is set, the
cache and channel layer in Redis under a prefix of its own. Everything is removed at the end.

Without chromium the tests are skipped, unless PUENTE_REQUIRE_BROWSER=1 (CI), where they fail.
"""

from __future__ import annotations

import email
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.support import (
    ADMIN_EMAIL,
    AXE_PATH,
    MEMBER_EMAIL,
    NO_AXE,
    NO_CHROMIUM,
    ROOT,
    log_in,
    skip_or_fail,
)
from tests.conftest import chromium_path

# The virtualenv's daphne (the one next to the Python running the tests).
DAPHNE = Path(sys.executable).parent / "daphne"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SERVER_START_TIMEOUT = 60
MAIL_SEPARATOR = "\n" + "-" * 79 + "\n"


# --- the server ---------------------------------------------------------------------------


@dataclass
class Server:
    url: str
    env: dict
    mail_dir: Path
    log_path: Path
    process: subprocess.Popen | None = None

    def manage(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """Run `manage.py <args>` against the server's database and settings."""
        result = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise AssertionError(
                f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
            )
        return result

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def messages_to(self, address: str) -> list[email.message.Message]:
        """The e-mails the file backend wrote for `address`, oldest first."""
        found = []
        for path in sorted(self.mail_dir.glob("*"), key=lambda p: p.stat().st_mtime):
            for chunk in path.read_text(errors="replace").split(MAIL_SEPARATOR):
                if not chunk.strip():
                    continue
                message = email.message_from_string(chunk.lstrip("\n"))
                if address.lower() in (message.get("To") or "").lower():
                    found.append(message)
        return found


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _PostgresDatabase:
    """A throw-away database on the PostgreSQL server of `url`."""

    def __init__(self, url: str):
        self.parts = urllib.parse.urlsplit(url)
        self.name = f"puente_browser_{secrets.token_hex(4)}"
        self.url = urllib.parse.urlunsplit(self.parts._replace(path="/" + self.name))

    def _admin_connection(self):
        import psycopg

        errors = []
        given = self.parts.path.lstrip("/")
        for dbname in dict.fromkeys(["postgres", given]):
            if not dbname:
                continue
            conninfo = urllib.parse.urlunsplit(self.parts._replace(scheme="postgresql", path="/" + dbname))
            try:
                return psycopg.connect(conninfo, autocommit=True, connect_timeout=10)
            except psycopg.Error as exc:
                errors.append(f"{dbname}: {exc}")
        raise RuntimeError(
            "cannot reach PostgreSQL to create the browser-test database: " + "; ".join(errors)
        )

    def create(self):
        with self._admin_connection() as connection:
            connection.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self):
        from psycopg import sql

        with self._admin_connection() as connection:
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                [self.name],
            )
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(self.name)))


def _wait_until_healthy(server: Server) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    last = "no answer"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"daphne exited with {server.process.returncode} before answering:\n{server.log_tail()}"
            )
        try:
            with urllib.request.urlopen(server.url + "/healthz", timeout=5) as response:
                if response.status == 200:
                    return
                last = f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}: {exc.read()[:300]!r}"
        except OSError as exc:
            last = str(exc)
        time.sleep(0.25)
    raise RuntimeError(
        f"daphne did not answer /healthz within {SERVER_START_TIMEOUT} s ({last}):\n{server.log_tail()}"
    )


def _check_static_files(server: Server) -> None:
    """The server process itself serves our CSS and JS (WhiteNoise, from the finders)."""
    for path in ("/static/css/puente.css", "/static/js/puente.js"):
        try:
            with urllib.request.urlopen(server.url + path, timeout=10) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        if status != 200:
            raise RuntimeError(f"the server answers {status} for {path}: static files are not served")


def _forget_redis_keys(redis_url: str, prefix: str) -> None:
    """Remove the server's cache and channel-layer keys (they would expire on their own)."""
    import redis

    try:
        client = redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=5)
        keys = list(client.scan_iter(f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
    except redis.RedisError as exc:
        sys.stderr.write(f"could not remove the browser tests' Redis keys ({prefix}*): {exc}\n")


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    path = chromium_path()
    if not path:
        skip_or_fail(NO_CHROMIUM)
    return path


@pytest.fixture(scope="session")
def server(chromium_executable, tmp_path_factory, request):
    """A Daphne process on a fresh, seeded database; yields a `Server` (its base URL in `.url`)."""
    workdir = tmp_path_factory.mktemp("puente-browser")
    mail_dir = workdir / "mail"
    mail_dir.mkdir()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    run_id = secrets.token_hex(4)

    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        # Production-like pages (our 404 page, not Django's debug one); seeding uses --force.
        DJANGO_DEBUG="false",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_CSRF_TRUSTED_ORIGINS=url,
        PUENTE_SITE_URL=url,
        PUENTE_VAR_DIR=str(workdir / "var"),
        PUENTE_MEDIA_ROOT=str(workdir / "media"),
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
        PUENTE_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.pop("EMAIL_HOST", None)  # the file backend only applies without SMTP
    if env.get("REDIS_URL"):
        # Real time goes through Redis, under keys and groups of this server only.
        env["PUENTE_CACHE_PREFIX"] = f"puente-browser-{run_id}"
        env["PUENTE_CHANNEL_PREFIX"] = f"puente-browser-{run_id}"
        env["PUENTE_FANOUT_PREFIX"] = f"puente-browser-{run_id}"

    postgres = None
    database_url = env.get("DATABASE_URL", "")
    if database_url:
        if not database_url.startswith(("postgres://", "postgresql://", "pgsql://")):
            raise RuntimeError(
                f"browser tests support PostgreSQL or SQLite, not {database_url.split(':')[0]}"
            )
        postgres = _PostgresDatabase(database_url)
        postgres.create()
        env["DATABASE_URL"] = postgres.url
    else:
        # The embedded default: SQLite in PUENTE_VAR_DIR, with the WAL and IMMEDIATE
        # options base.py gives it (a sqlite:// DATABASE_URL would drop them).
        env.pop("DATABASE_URL", None)

    log_path = workdir / "daphne.log"
    srv = Server(url=url, env=env, mail_dir=mail_dir, log_path=log_path)
    log = None
    try:
        srv.manage("migrate", "--noinput", timeout=300)
        srv.manage("seed_demo", "--force", timeout=300)
        log = open(log_path, "wb")  # noqa: SIM115 (closed in the finally below)
        srv.process = subprocess.Popen(
            [
                *([str(DAPHNE)] if DAPHNE.exists() else [sys.executable, "-m", "daphne"]),
                *("-b", "127.0.0.1", "-p", str(port), "config.asgi:application"),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _wait_until_healthy(srv)
        _check_static_files(srv)
        yield srv
    finally:
        if srv.process is not None and srv.process.poll() is None:
            srv.process.terminate()
            try:
                srv.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                srv.process.kill()
                srv.process.wait(timeout=10)
        if log is not None:
            log.close()
        if request.session.testsfailed:
            sys.stderr.write(f"\n--- last lines of the server log ({log_path}) ---\n{srv.log_tail()}\n")
        if postgres is not None:
            postgres.drop()
        if env.get("REDIS_URL"):
            _forget_redis_keys(env["REDIS_URL"], f"puente-browser-{run_id}")


# --- the browser --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance, chromium_executable):
    browser = playwright_instance.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser, server):
    """Open browser contexts (closed after the test); keyword arguments go to new_context."""
    contexts = []

    def make(**options):
        options.setdefault("locale", "en-US")
        context = browser.new_context(base_url=server.url, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture(scope="session")
def member_state(browser, server):
    """The seeded member's logged-in cookies, to open contexts with (one login per run)."""
    context = browser.new_context(base_url=server.url, locale="en-US")
    try:
        page = context.new_page()
        log_in(page, MEMBER_EMAIL)
        return context.storage_state()
    finally:
        context.close()


@pytest.fixture(scope="session")
def admin_state(browser, server):
    """The seeded admin's logged-in cookies, two-factor passed (one login per run: a TOTP
    code is accepted once)."""
    from network.seed import DEMO_TOTP_SECRET

    context = browser.new_context(base_url=server.url, locale="en-US")
    try:
        page = context.new_page()
        log_in(page, ADMIN_EMAIL, totp_secret=DEMO_TOTP_SECRET)
        return context.storage_state()
    finally:
        context.close()


@pytest.fixture(scope="session")
def axe_path() -> Path:
    if not AXE_PATH.is_file():
        skip_or_fail(NO_AXE)
    return AXE_PATH
