"""HTTP load for the benchmarks: log in through the real form, measure a page."""

import http.client
import re
import statistics
import threading
import time
from urllib.parse import urlencode, urlparse


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
