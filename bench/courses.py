"""Courses at scale: `python -m bench.courses [--learners 200000]` (PostgreSQL only).

Creates a throw-away PostgreSQL database (DATABASE_URL's server; default the local one),
seeds the accounts, networks, institutions and `--learners` scale members as learners
(`seed_demo --scale N`: ten progress rows each, so 2,000,000 rows for 200,000 learners),
then measures on one connection:

- progress updates: `courses.services.complete_lesson` in a loop (the service with its
  permission read, upsert, counter update and completion check), as a ratio to the same
  upsert and counter update as raw SQL run by pgbench (one client, same duration);
- the DPS dashboard page (Django's test client, the whole view and template) and the
  learner's page, p50 and p95 over repeated requests, with their query counts;
- certificates generated per minute by one worker: the `issue_certificate` task run one
  after another in one process (PDF with QR code, written to the media storage).

Printed: a table. Absolute numbers depend on the machine; the ratio is what tells whether
the service got heavier than its SQL.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import textwrap
from pathlib import Path
from urllib.parse import urlparse

from bench.server import PYTHON, ROOT, fresh_postgres, running_server

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/puente_bench_courses"
SEEDERS = [
    "accounts",
    "networks",
    "institutions",
    "profiles",
    "profiles-institutions",
    "profiles-scale",
    "courses",
    "courses-scale",
]

# Runs in `manage.py shell` on the seeded database; prints one JSON line.
MEASURE = """
import json, statistics, time

from django.db import connection
from django.db.models import Max, Min
from django.test import Client
from django.test.utils import CaptureQueriesContext

from courses import services, tasks
from courses.models import Certificate, Enrolment, EnrolmentStatus, Lesson, LessonProgress
from courses.scale import SCALE_COURSE_PREFIX
from network.models import User

duration = %(duration)f
result = {
    "learners": Enrolment.objects.values("user").distinct().count(),
    "progress_rows": LessonProgress.objects.count(),
    "enrolments": Enrolment.objects.count(),
}

# --- progress updates through the service ---------------------------------------------------
lessons_of = {}
for lesson in Lesson.objects.filter(module__course__slug__startswith=SCALE_COURSE_PREFIX).order_by(
    "module__course_id", "module__position", "position"
):
    lessons_of.setdefault(lesson.module.course_id, []).append(lesson)
todo = []
open_enrolments = (
    Enrolment.objects.filter(status=EnrolmentStatus.ACTIVE, run__course__slug__startswith=SCALE_COURSE_PREFIX)
    .exclude(run__course__slug__endswith="on-site")
    .select_related("user", "run")
    .order_by("pk")[:20000]
)
for enrolment in open_enrolments:
    lessons = lessons_of[enrolment.run.course_id]
    todo.extend((enrolment.user, lesson) for lesson in lessons[enrolment.completed_lessons:])
with CaptureQueriesContext(connection) as queries:
    services.complete_lesson(*todo.pop())
result["progress_queries"] = len(queries)
done = 0
started = time.perf_counter()
while todo and time.perf_counter() - started < duration:
    services.complete_lesson(*todo.pop())
    done += 1
result["progress_per_second"] = done / (time.perf_counter() - started)

# --- pages ----------------------------------------------------------------------------------
class Counter:
    # An execute wrapper stays on the connection across the requests' reconnects.
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed(client, path, repeat=%(repeat)d):
    client.get(path)
    counter = Counter()
    with connection.execute_wrapper(counter):
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    times = []
    for _ in range(repeat):
        begin = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - begin) * 1000)
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    return {"p50": statistics.median(times), "p95": p95, "queries": counter.count}

staff = Client(HTTP_HOST="127.0.0.1")
staff.force_login(User.objects.get(username="admin"))
result["dashboard"] = timed(staff, "/courses/dashboard/")
this_year = str(time.localtime().tm_year)
result["dashboard_filtered"] = timed(staff, "/courses/dashboard/?country=MX&year=" + this_year)
learner = Client(HTTP_HOST="127.0.0.1")
scale_learner = Enrolment.objects.filter(user__username__startswith="scale-").order_by("pk").first().user
learner.force_login(scale_learner)
result["learner_page"] = timed(learner, "/courses/mine/")

# --- certificates by one worker -------------------------------------------------------------
without_pdf = Certificate.objects.filter(pdf="", enrolment__isnull=False).order_by("pk")
pending = list(without_pdf.values_list("enrolment_id", flat=True)[: %(certificates)d])
tasks.issue_certificate.apply(args=[pending.pop()])  # fonts and templates loaded once
started = time.perf_counter()
for enrolment_id in pending:
    tasks.issue_certificate.apply(args=[enrolment_id]).get()
elapsed = time.perf_counter() - started
result["certificates"] = len(pending)
result["certificates_per_minute"] = 60 * len(pending) / elapsed if elapsed else 0.0

ids = Enrolment.objects.aggregate(low=Min("pk"), high=Max("pk"))
lesson_ids = Lesson.objects.filter(module__course__slug__startswith=SCALE_COURSE_PREFIX).aggregate(
    low=Min("pk"), high=Max("pk")
)
result["enrolment_ids"] = [ids["low"], ids["high"]]
result["lesson_ids"] = [lesson_ids["low"], lesson_ids["high"]]
print(json.dumps(result))
"""

# The SQL of one progress update (what `complete_lesson` writes), for pgbench.
PGBENCH_SCRIPT = """
\\set e random({enrolment_low}, {enrolment_high})
\\set l random({lesson_low}, {lesson_high})
BEGIN;
INSERT INTO courses_lessonprogress (enrolment_id, lesson_id, completed_at) VALUES (:e, :l, now())
  ON CONFLICT (enrolment_id, lesson_id) DO NOTHING;
UPDATE courses_enrolment SET last_lesson_id = :l, last_activity_at = now(),
  completed_lessons = completed_lessons + 1 WHERE id = :e;
END;
"""


def shell(env: dict, code: str) -> dict:
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py shell failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def pgbench_tps(url: str, script: str, duration: float) -> float:
    """Transactions per second of `script` by one pgbench client."""
    pgbench = shutil.which("pgbench")
    if pgbench is None:
        raise RuntimeError("pgbench not found (Debian: apt-get install postgresql-client)")
    parts = urlparse(url)
    env = dict(os.environ)
    if parts.password:
        env["PGPASSWORD"] = parts.password
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as handle:
        handle.write(script)
    try:
        output = subprocess.run(
            [
                pgbench,
                "-n",
                "-c",
                "1",
                "-j",
                "1",
                "-T",
                str(max(1, int(duration))),
                "-f",
                handle.name,
                "-h",
                parts.hostname or "127.0.0.1",
                "-p",
                str(parts.port or 5432),
                "-U",
                parts.username or "postgres",
                parts.path.lstrip("/"),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        Path(handle.name).unlink(missing_ok=True)
    for line in output.splitlines():
        if line.startswith("tps ="):
            return float(line.split("=")[1].split()[0])
    raise RuntimeError(f"no tps in pgbench's output:\n{output}")


def report(learners: int, seconds: str, found: dict, baseline_tps: float) -> str:
    ratio = found["progress_per_second"] / baseline_tps if baseline_tps else float("nan")
    rows = [
        ("learners / enrolments", f"{found['learners']:,} / {found['enrolments']:,}"),
        ("progress rows", f"{found['progress_rows']:,}"),
        ("seed time", f"{seconds} s"),
        (
            "progress update, service",
            f"{found['progress_per_second']:,.0f} /s ({found['progress_queries']} queries)",
        ),
        ("progress update, raw SQL (pgbench)", f"{baseline_tps:,.0f} /s"),
        ("ratio service / raw SQL", f"{ratio:.2f}"),
    ]
    for key, label in (
        ("dashboard", "dashboard page"),
        ("dashboard_filtered", "dashboard, country + year"),
        ("learner_page", "learner's page (/courses/mine/)"),
    ):
        page = found[key]
        rows.append(
            (label, f"p50 {page['p50']:.0f} ms, p95 {page['p95']:.0f} ms ({page['queries']} queries)")
        )
    rows.append(
        (
            "certificates, one worker",
            f"{found['certificates_per_minute']:,.0f} per minute ({found['certificates']} PDFs)",
        )
    )
    width = max(len(label) for label, _value in rows)
    lines = [f"\nCourses with {learners:,} scale learners\n"]
    lines += [f"{label:<{width}}  {value}" for label, value in rows]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--learners", type=int, default=200_000, help="scale learners to seed (default 200000)"
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of progress updates per side")
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page")
    parser.add_argument("--certificates", type=int, default=40, help="PDFs to generate")
    args = parser.parse_args(argv)

    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE
    if not url.startswith("postgres"):
        raise SystemExit("bench.courses needs PostgreSQL (pgbench is the baseline): set DATABASE_URL")
    with fresh_postgres(url) as database, tempfile.TemporaryDirectory(prefix="puente-bench-media-") as media:
        os.environ.update(
            {
                "DATABASE_URL": database,
                "PUENTE_MEDIA_ROOT": media,
                # Tasks queued by the services go to an in-memory broker: the loop measures the
                # request's work, not a PDF drawn inline.
                "CELERY_TASK_ALWAYS_EAGER": "false",
                "CELERY_BROKER_URL": "memory://",
                "REDIS_URL": "",
            }
        )
        seed_args = ("--scale", str(args.learners), "--only", *SEEDERS)
        with running_server(seed_args, show_seed_progress=True) as (_base, env):
            found = shell(
                env,
                MEASURE
                % {"duration": args.duration, "repeat": args.repeat, "certificates": args.certificates + 1},
            )
            script = PGBENCH_SCRIPT.format(
                enrolment_low=found["enrolment_ids"][0],
                enrolment_high=found["enrolment_ids"][1],
                lesson_low=found["lesson_ids"][0],
                lesson_high=found["lesson_ids"][1],
            )
            baseline = pgbench_tps(database, script, args.duration)
            print(report(args.learners, env["PUENTE_SEED_SECONDS"], found, baseline))


if __name__ == "__main__":
    main()
