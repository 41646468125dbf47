"""A real Daphne server on a throw-away database, for benchmarks."""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DAPHNE = str(Path(PYTHON).with_name("daphne"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_path: Path, port: int) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "bench-" + "s" * 60,
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SESSION_COOKIE_SECURE": "false",
            "DJANGO_CSRF_COOKIE_SECURE": "false",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PUENTE_SITE_URL": f"http://127.0.0.1:{port}",
            "PUENTE_LOG_LEVEL": "WARNING",
            "PUENTE_BENCH_VIEWS": "1",
        }
    )
    if not env.get("DATABASE_URL"):
        env["DATABASE_URL"] = f"sqlite:///{database_path}"
    return env


@contextmanager
def running_server(seed_args: tuple[str, ...] = (), *, show_seed_progress: bool = False):
    """Migrate and seed a fresh database (`seed_demo --force` plus `seed_args`), start
    Daphne, yield (base_url, env)."""
    with tempfile.TemporaryDirectory(prefix="puente-bench-") as tmp:
        port = free_port()
        env = server_env(Path(tmp) / "bench.sqlite3", port)
        # With DEBUG off, templates need the static files' manifest (as `make run` builds it).
        for command in (["collectstatic", "--noinput", "-v", "0"], ["migrate", "--noinput", "-v", "0"]):
            subprocess.run(
                [PYTHON, "manage.py", *command],
                cwd=ROOT,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        started = time.monotonic()
        subprocess.run(
            [PYTHON, "manage.py", "seed_demo", "--force", *seed_args],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=None if show_seed_progress else subprocess.DEVNULL,
        )
        env["PUENTE_SEED_SECONDS"] = f"{time.monotonic() - started:.0f}"
        process = subprocess.Popen(
            [DAPHNE, "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=2)
                    break
                except OSError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise RuntimeError("the benchmark server did not start") from None
                    time.sleep(0.3)
            yield base, env
        finally:
            process.terminate()
            process.wait(timeout=20)


@contextmanager
def fresh_postgres(url: str):
    """Drop and create the PostgreSQL database `url` names; yield its URL; drop it after."""
    import psycopg

    name = urlparse(url).path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise ValueError(f"a plain database name, please: {name!r}")
    maintenance = url.rsplit("/", 1)[0] + "/postgres"

    def run(statement: str) -> None:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(statement)

    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    run(f'CREATE DATABASE "{name}"')
    try:
        yield url
    finally:
        run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
