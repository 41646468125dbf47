"""docker-compose.yml describes the production shape; these tests hold it to the code.

No Docker engine is needed: the file is parsed, and the processes it would start are
started natively from this checkout (the modules they name must import; the Celery
worker must come up against Redis and answer a ping).
"""

import os
import shlex
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
APP_SERVICES = ("web", "worker", "beat")
IMPORT_TIMEOUT_SECONDS = 120
WORKER_READY_TIMEOUT_SECONDS = 60
WORKER_STOP_TIMEOUT_SECONDS = 20


def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def service(name: str) -> dict:
    return compose()["services"][name]


def shell_commands(name: str) -> list[list[str]]:
    """The commands a service runs, as word lists: `sh -c "a && exec b"` gives [a, b]."""
    command = service(name)["command"]
    words = shlex.split(command) if isinstance(command, str) else [str(word) for word in command]
    if words[:2] == ["sh", "-c"]:
        words = shlex.split(words[2])
    commands, current = [], []
    for word in words:
        if word in ("&&", ";"):
            commands.append(current)
            current = []
        else:
            current.append(word)
    commands.append(current)
    return [command[1:] if command[:1] == ["exec"] else command for command in commands if command]


def command_running(name: str, program: str) -> list[str]:
    found = [command for command in shell_commands(name) if command[:1] == [program]]
    assert found, f"{name} runs no {program} command: {shell_commands(name)}"
    return found[0]


def celery_app_name(command: list[str]) -> str:
    for index, word in enumerate(command):
        if word in ("-A", "--app") and index + 1 < len(command):
            return command[index + 1]
        if word.startswith("--app="):
            return word.split("=", 1)[1]
    raise AssertionError(f"no -A in {command}")


def daphne_application(command: list[str]) -> str:
    targets = [word for word in command[1:] if ":" in word and not word.startswith("-")]
    assert targets, f"no module:attribute in {command}"
    return targets[-1]


def environment(name: str) -> dict:
    env = service(name).get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return env


def native_env(**extra) -> dict:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    env.update(extra)
    return env


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=native_env(),
        capture_output=True,
        text=True,
        timeout=IMPORT_TIMEOUT_SECONDS,
    )


def celery_executable() -> str:
    return str(Path(sys.executable).with_name("celery"))


def answers_ping(app_name: str, node: str, env: dict) -> bool:
    command = [celery_executable(), "-A", app_name, "inspect", "ping", f"--destination={node}", "--timeout=2"]
    try:
        ping = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        return False
    return ping.returncode == 0 and node in ping.stdout and "pong" in ping.stdout


# --- the file ------------------------------------------------------------------------------


def test_the_compose_file_runs_postgres_redis_web_worker_and_beat():
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(compose()["services"])


def test_postgres_redis_and_web_each_have_a_health_check():
    assert "pg_isready" in str(service("postgres")["healthcheck"]["test"])
    assert "redis-cli" in str(service("redis")["healthcheck"]["test"])
    assert "ping" in str(service("redis")["healthcheck"]["test"])
    web_check = " ".join(str(part) for part in service("web")["healthcheck"]["test"])
    assert "urllib" in web_check
    assert "/healthz" in web_check


def test_web_migrates_then_serves_the_asgi_application_with_daphne():
    commands = shell_commands("web")
    assert commands[0][-3:] == ["manage.py", "migrate", "--noinput"]
    daphne = command_running("web", "daphne")
    assert daphne_application(daphne) == "config.asgi:application"
    assert commands.index(daphne) > 0


def test_worker_and_beat_run_celery_with_the_config_app():
    worker = command_running("worker", "celery")
    beat = command_running("beat", "celery")
    assert celery_app_name(worker) == "config"
    assert "worker" in worker
    assert celery_app_name(beat) == "config"
    assert "beat" in beat


def test_database_and_redis_urls_point_at_the_compose_services():
    for name in APP_SERVICES:
        env = environment(name)
        database = urlparse(env["DATABASE_URL"])
        redis = urlparse(env["REDIS_URL"])
        assert database.scheme in ("postgres", "postgresql")
        assert database.hostname == "postgres"
        assert redis.scheme == "redis"
        assert redis.hostname == "redis"


def test_the_app_services_wait_for_a_healthy_postgres_and_redis():
    for name in APP_SERVICES:
        depends_on = service(name)["depends_on"]
        for dependency in ("postgres", "redis"):
            assert depends_on[dependency]["condition"] == "service_healthy", (name, dependency)


def test_web_turns_debug_off_and_can_be_scaled_out():
    web = service("web")
    assert environment("web")["DJANGO_DEBUG"] == "false"
    assert "container_name" not in web
    # A fixed host port would let only one replica start; a range gives each its own.
    published = [str(port) for port in web["ports"]]
    assert published and all(port.split(":")[0].count("-") == 1 for port in published)


def test_web_and_worker_share_the_uploaded_media_volume():
    def media_volume(name):
        return {v.split(":")[0] for v in service(name)["volumes"] if v.split(":")[1] == "/app/var/media"}

    assert media_volume("web") == media_volume("worker") != set()
    assert media_volume("web") <= set(compose()["volumes"])


# --- the same processes, natively ---------------------------------------------------------


def test_the_modules_the_compose_commands_name_import_natively():
    module, attribute = daphne_application(command_running("web", "daphne")).split(":")
    asgi = run_python(
        f"import importlib; app = getattr(importlib.import_module({module!r}), {attribute!r}); "
        "assert callable(app), app"
    )
    assert asgi.returncode == 0, asgi.stderr[-3000:]

    app_name = celery_app_name(command_running("worker", "celery"))
    assert app_name == celery_app_name(command_running("beat", "celery"))
    celery = run_python(
        "from celery.app.utils import find_app; import config.celery; "
        f"app = find_app({app_name!r}); assert app is config.celery.app, app; "
        "assert app.conf.beat_schedule, 'beat would have nothing to schedule'"
    )
    assert celery.returncode == 0, celery.stderr[-3000:]


@pytest.mark.redis
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis: the compose worker's broker")
def test_the_compose_worker_command_starts_natively_and_answers_a_ping(tmp_path):
    compose_worker = command_running("worker", "celery")
    app_name = celery_app_name(compose_worker)
    node = f"puente-compose-test-{uuid.uuid4().hex[:8]}@localhost"
    # The compose command as written, quieter, in one process, with a node name and queue
    # of its own (other runs may share this Redis and its queues).
    node = f"puente-compose-test-{uuid.uuid4().hex[:8]}@localhost"
    arguments = [word for word in compose_worker[1:] if not word.startswith("--loglevel")]
    command = [celery_executable(), *arguments]
    command += [
        "--loglevel=warning",
        "--pool=solo",
        f"--hostname={node}",
        f"--queues={node.split('@')[0]}",
        "--without-mingle",
        "--without-gossip",
    ]
    log_path = tmp_path / "worker.log"
    env = native_env(REDIS_URL=os.environ["REDIS_URL"])
    with log_path.open("w") as log:
        worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + WORKER_READY_TIMEOUT_SECONDS
        answered = False
        while time.monotonic() < deadline and worker.poll() is None:
            if answers_ping(app_name, node, env):
                answered = True
                break
            time.sleep(1)
        log = log_path.read_text()[-3000:]
        assert answered, f"worker exited ({worker.poll()}) or did not answer a ping:\n{log}"
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=WORKER_STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=WORKER_STOP_TIMEOUT_SECONDS)
