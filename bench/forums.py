"""Forum topic pages under load: `python -m bench.forums`.

Seeds a throw-away database (or the one DATABASE_URL names) with the demo data plus one
topic of 10 posts and one of 1,000, starts Daphne on it, and measures, logged in as
member@example.org, against the cheapest Django view on the same server:

- the topic with 10 posts,
- the topic with 1,000 posts, first page and last page.

Printed: the SQL queries one request of each page runs (counted with Django's
CaptureQueriesContext in a process on the same database and settings), requests per
second, the ratio to the baseline's, p50 and p95 in milliseconds. The query count must not
grow with the number of posts.
"""

import argparse
import json
import subprocess
import textwrap

from bench.load import fetch, log_in
from bench.load import measure as measure_page
from bench.server import PYTHON, ROOT, running_server

MEMBER = ("member@example.org", "puente-demo-2026")

# Runs in `manage.py shell` with the server's environment: creates (once) a topic per size
# in a "bench" category of the prevention network, which member@ belongs to.
SEED = """
import json, math
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from forums.models import Category, Post, Topic
from forums.rendering import render_post
from forums.services import category_refresh_counters, topic_create, topic_refresh_counters
from network.models import Network, User

sizes = json.loads(%(sizes)r)
network = Network.objects.get(slug="prevention")
category, _ = Category.objects.get_or_create(
    slug="bench", defaults={"network": network, "name": "Benchmark", "description": "Seeded by bench.forums"}
)
member = User.objects.get(username="member")
authors = list(User.objects.filter(username__in=["member", "officer", "moderator", "manager"]))
body = (
    "A reply with **Markdown**, a list:\\n\\n- community councils\\n- school programmes\\n\\n"
    "and a link to https://example.org/report.pdf for the figures."
)
found = []
for size in sizes:
    title = f"Benchmark topic with {size} posts"
    topic = Topic.objects.filter(category=category, title=title).first()
    if topic is None:
        topic = topic_create(author=member, category=category, title=title, body=body, language="en")
        html = render_post(body, topic=topic).html
        start = timezone.now() - timedelta(minutes=size)
        Post.objects.bulk_create(
            [
                Post(
                    topic=topic, author=authors[number %% len(authors)], number=number, body=body,
                    body_html=html, created_at=start + timedelta(minutes=number),
                )
                for number in range(2, size + 1)
            ],
            batch_size=500,
        )
        Topic.objects.filter(pk=topic.pk).update(last_post_number=size)
        topic.refresh_from_db()
        topic_refresh_counters(topic)
    pages = max(1, math.ceil(topic.post_count / settings.PUENTE_FORUMS_POSTS_PER_PAGE))
    found.append({"posts": topic.post_count, "url": topic.get_absolute_url(), "pages": pages})
category_refresh_counters(category)
print(json.dumps(found))
"""

# Counts the queries of one request per path, after a first one (sessions, caches, the
# member's reading position are then in their steady state).
COUNT = """
import json

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from network.models import User

client = Client(HTTP_HOST="127.0.0.1")
client.force_login(User.objects.get(email=%(email)r))
counts = {}
for path in json.loads(%(paths)r):
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path}: HTTP {response.status_code}")
    counts[path] = len(queries)
print(json.dumps(counts))
"""


def shell(env: dict, code: str):
    """Run `code` with `manage.py shell` on the server's database; return its last line as JSON."""
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py shell failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measured page")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--sizes", default="10,1000", help="posts per seeded topic, comma-separated")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]

    with running_server() as (base, env):
        topics = shell(env, SEED % {"sizes": json.dumps(sizes)})
        # An explicit page: without one, the topic page sends a member to their first unread post.
        cases = [("minimal view (baseline)", "/bench/minimal", None)]
        for topic in topics:
            cases.append(
                (f"topic, {topic['posts']:,} posts, page 1", f"{topic['url']}?page=1", topic["posts"])
            )
            if topic["pages"] > 1:
                last = f"{topic['url']}?page={topic['pages']}"
                cases.append((f"topic, {topic['posts']:,} posts, last page", last, topic["posts"]))
        topic_paths = [path for _label, path, posts in cases if posts is not None]
        queries = shell(env, COUNT % {"email": MEMBER[0], "paths": json.dumps(topic_paths)})

        cookie = log_in(base, *MEMBER)
        results = []
        for label, path, _posts in cases:
            fetch(base, path, cookie)  # warm up (and check it answers 200)
            found = measure_page(base, path, cookie, concurrency=args.concurrency, duration=args.duration)
            results.append((label, queries.get(path), found))

    baseline = results[0][2]["rps"]
    print(f"\n{args.concurrency} clients, {args.duration:.0f} s per page\n")
    print(f"{'page':<34} {'queries':>7} {'req/s':>8} {'ratio':>7} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}")
    for label, count, found in results:
        ratio = found["rps"] / baseline if baseline else float("nan")
        print(
            f"{label:<34} {'' if count is None else count:>7} {found['rps']:8.1f} {ratio:7.2f} "
            f"{found['p50']:8.1f} {found['p95']:8.1f} {found['errors']:7d}"
        )
    by_size = {}
    for topic in topics:
        by_size[topic["posts"]] = queries[f"{topic['url']}?page=1"]
    summary = ", ".join(f"{count} at {posts:,} posts" for posts, count in by_size.items())
    same = len(set(by_size.values())) == 1
    print(f"\nqueries per topic page: {summary} ({'constant' if same else 'NOT constant'})")


if __name__ == "__main__":
    main()
