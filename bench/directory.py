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
import re
from contextlib import contextmanager
from urllib.parse import urlencode

from bench.load import fetch, log_in, measure
from bench.server import running_server

SURNAME = "garcia"  # ~1.5% of the seeded members carry it (García), in any case or accent
COUNTRY = "MX"
TOPIC = "community-policing"
SEEDERS = ["accounts", "networks", "institutions", "profiles", "profiles-institutions", "profiles-scale"]


@contextmanager
def seeded_server(members: int, all_seeders: bool = False):
    """Demo data plus `members` extra members on a fresh database; yield the base URL."""
    seed_args = ("--scale", str(members)) + (() if all_seeders else ("--only", *SEEDERS))
    with running_server(seed_args, show_seed_progress=True) as (base, env):
        print(f"database: {env['DATABASE_URL'].split('@')[-1]}", flush=True)
        print(f"seeded in {env['PUENTE_SEED_SECONDS']} s", flush=True)
        yield base


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
