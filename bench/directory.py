"""The members directory at scale: `python -m bench.directory [--members 200000]`.

Seeds a throw-away database (or the one DATABASE_URL names, which must exist and may be
empty) with the demo data plus `--members` extra members (`seed_demo --force --scale N`),
starts Daphne on it, logs in as member@example.org (in both networks, so every member is
visible) and measures, against the cheapest Django view on the same server:

- the directory's first page,
- the next page (keyset cursor),
- a search for a common surname,
- a filter on country and area of expertise,
- that search with both filters.

Printed: requests per second, the ratio to the baseline's, p50 and p95 in milliseconds.
"""

import argparse
import http.client
import re
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode, urlparse

from bench.server import DAPHNE, PYTHON, ROOT, free_port, server_env

SURNAME = "garcia"  # ~1.5% of the seeded members carry it (García), in any case or accent
COUNTRY = "MX"
TOPIC = "community-policing"
SEEDERS = ["accounts", "networks", "institutions", "profiles", "profiles-institutions", "profiles-scale"]


@contextmanager
def seeded_server(members: int, all_seeders: bool = False):
    """Migrate and seed (demo data plus `members` extra members), start Daphne, yield base URL."""
    with tempfile.TemporaryDirectory(prefix="puente-bench-") as tmp:
        port = free_port()
        env = server_env(Path(tmp) / "bench.sqlite3", port)
        print(f"database: {env['DATABASE_URL'].split('@')[-1]}", flush=True)
        # With DEBUG off, templates need the static files' manifest (as `make run` builds it).
        for command in (["collectstatic", "--noinput", "-v", "0"], ["migrate", "--noinput", "-v", "0"]):
            subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True)
        seed = [PYTHON, "manage.py", "seed_demo", "--force", "--scale", str(members)]
        if not all_seeders:
            seed += ["--only", *SEEDERS]
        started = time.monotonic()
        # The seeders draw their progress bars on stderr: let them through.
        subprocess.run(seed, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        print(f"seeded in {time.monotonic() - started:.0f} s", flush=True)
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
            yield base
        finally:
            process.terminate()
            process.wait(timeout=20)


def log_in(base: str, email: str, password: str) -> str:
    """Log in through the real form; return the Cookie header value."""
    url = urlparse(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    connection.request("GET", "/accounts/login/")
    response = connection.getresponse()
    page = response.read().decode()
    csrf_cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie", "")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    connection.request(
        "POST",
        "/accounts/login/",
        body=urlencode({"csrfmiddlewaretoken": token, "login": email, "password": password}),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf_cookie}",
            "Referer": base + "/accounts/login/",
        },
    )
    response = connection.getresponse()
    response.read()
    session = re.search(r"sessionid=([^;]+)", response.getheader("Set-Cookie", "")).group(1)
    # English pages: the member's own language would redirect every request to /es/.
    return f"sessionid={session}; puente_language=en"


def fetch(base: str, path: str, cookie: str) -> str:
    url = urlparse(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    connection.request("GET", path, headers={"Cookie": cookie})
    response = connection.getresponse()
    body = response.read().decode()
    if response.status != 200:
        raise RuntimeError(f"{path}: HTTP {response.status}")
    return body


def measure(base: str, path: str, cookie: str, *, concurrency: int, duration: float) -> dict:
    """Requests per second and latency percentiles with `concurrency` keep-alive clients."""
    url = urlparse(base)
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def client():
        nonlocal errors
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        mine = []
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Cookie": cookie})
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
                ok = False
            if ok:
                mine.append(time.perf_counter() - started)
            else:
                with lock:
                    errors += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    count = len(latencies)
    return {
        "rps": count / duration,
        "p50": statistics.median(latencies) * 1000 if count else float("nan"),
        "p95": latencies[max(0, int(count * 0.95) - 1)] * 1000 if count else float("nan"),
        "errors": errors,
        "count": count,
    }


def result_summary(page: str) -> str:
    found = re.search(r'<h2 id="results-heading" class="results-count">\s*(.*?)\s*</h2>', page, re.S)
    return " ".join(found.group(1).split()) if found else "?"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=200_000, help="extra members to seed (default 200000)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measured page")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--all-seeders", action="store_true", help="run every app's seeder, not only ours")
    args = parser.parse_args(argv)

    with seeded_server(args.members, all_seeders=args.all_seeders) as base:
        cookie = log_in(base, "member@example.org", "puente-demo-2026")
        directory = "/network/members/"
        first_page = fetch(base, directory, cookie)
        next_link = re.search(r'<a rel="next" href="([^"]+)"', first_page)
        next_path = directory + next_link.group(1).replace("&amp;", "&") if next_link else directory
        cases = [
            ("minimal view (baseline)", "/bench/minimal"),
            ("directory, first page", directory),
            ("directory, next page", next_path),
            (f"search q={SURNAME}", directory + "?" + urlencode({"q": SURNAME})),
            ("filter country + expertise", directory + "?" + urlencode({"country": COUNTRY, "topic": TOPIC})),
            (
                "search + both filters",
                directory + "?" + urlencode({"q": SURNAME, "country": COUNTRY, "topic": TOPIC}),
            ),
        ]
        results = []
        for label, path in cases:
            summary = result_summary(fetch(base, path, cookie)) if path.startswith(directory) else ""
            fetch(base, path, cookie)  # warm up
            found = measure(base, path, cookie, concurrency=args.concurrency, duration=args.duration)
            results.append((label, summary, found))

    baseline = results[0][2]["rps"]
    print(f"\n{args.members:,} extra members, {args.concurrency} clients, {args.duration:.0f} s per page\n")
    print(f"{'page':<38} {'req/s':>8} {'ratio':>7} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}  results")
    for label, summary, found in results:
        ratio = found["rps"] / baseline if baseline else float("nan")
        print(
            f"{label:<38} {found['rps']:8.1f} {ratio:7.2f} {found['p50']:8.1f} {found['p95']:8.1f} "
            f"{found['errors']:7d}  {summary}"
        )


if __name__ == "__main__":
    main()
