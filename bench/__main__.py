"""`make bench`: page throughput as ratios to a minimal Django view on the same server.

Absolute numbers depend on the machine and what else it runs; the ratios compare pages
measured in the same run, which is what tells whether a page got heavier.
"""

import http.client
import re
import statistics
import threading
import time
from urllib.parse import urlparse

from bench.server import running_server

CONCURRENCY = 8
DURATION_SECONDS = 5.0


def log_in(base: str, email: str, password: str) -> str:
    """Log in through the real form; return the session cookie."""
    url = urlparse(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    connection.request("GET", "/accounts/login/")
    response = connection.getresponse()
    page = response.read().decode()
    csrf_cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie", "")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = f"csrfmiddlewaretoken={token}&login={email}&password={password}"
    connection.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf_cookie}",
            "Referer": base + "/accounts/login/",
        },
    )
    response = connection.getresponse()
    response.read()
    session = re.search(r"sessionid=([^;]+)", response.getheader("Set-Cookie", "")).group(1)
    return f"sessionid={session}"


def measure(base: str, path: str, cookie: str = "") -> dict:
    """Requests per second and latency percentiles with CONCURRENCY keep-alive clients."""
    url = urlparse(base)
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + DURATION_SECONDS

    def client():
        nonlocal errors
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
        mine = []
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
                ok = False
            if ok:
                mine.append(time.perf_counter() - started)
            else:
                with lock:
                    errors += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(CONCURRENCY)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    count = len(latencies)
    return {
        "rps": count / DURATION_SECONDS,
        "p50": statistics.median(latencies) * 1000 if count else float("nan"),
        "p95": latencies[int(count * 0.95) - 1] * 1000 if count else float("nan"),
        "errors": errors,
    }


def main():
    with running_server() as (base, _env):
        cookie = log_in(base, "member@example.org", "puente-demo-2026")
        cases = [
            ("minimal view (baseline)", "/bench/minimal", ""),
            ("home page, visitor", "/", ""),
            ("login page, visitor", "/accounts/login/", ""),
            ("notifications, member", "/notifications/", cookie),
            ("healthz", "/healthz", ""),
        ]
        results = [(label, measure(base, path, cookie)) for label, path, cookie in cases]
    baseline = results[0][1]["rps"]
    print(f"{'page':<26} {'req/s':>8} {'ratio':>7} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}")
    for label, found in results:
        ratio = found["rps"] / baseline if baseline else float("nan")
        print(
            f"{label:<26} {found['rps']:8.1f} {ratio:7.2f} {found['p50']:8.1f} {found['p95']:8.1f} "
            f"{found['errors']:7d}"
        )


if __name__ == "__main__":
    main()
