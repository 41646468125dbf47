"""`make bench`: page throughput as ratios to a minimal Django view on the same server.

Absolute numbers depend on the machine and what else it runs; the ratios compare pages
measured in the same run, which is what tells whether a page got heavier.
"""

from bench.load import log_in, measure
from bench.server import running_server

CONCURRENCY = 8
DURATION_SECONDS = 5.0


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
        results = [
            (label, measure(base, path, cookie, concurrency=CONCURRENCY, duration=DURATION_SECONDS))
            for label, path, cookie in cases
        ]
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
