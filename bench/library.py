"""The library search at scale: `python -m bench.library [--publications 20000]`.

On PostgreSQL (a throw-away database on the server DATABASE_URL or --database-url names,
default postgres://postgres@127.0.0.1:5432/puente_bench_library), seeds the demo library
plus `--publications` extra publications (`seed_demo --force --scale N`, bulk inserts and
search-index entries), starts Daphne and measures, as a visitor, against a publication's
detail page on the same server (the baseline):

- searches: a two-word accented query ("seguridad turística"), a common word matching
  thousands of publications, that word with a type and a language filter, a misspelled
  query that matches nothing (the suggestion path);
- the library index's first page and a filtered page.

Printed: requests per second and its ratio to the baseline's, p50 and p95 in milliseconds
and the p95 ratio (page p95 / baseline p95), and each page's result count.
"""

import argparse
import os
import re
from urllib.parse import urlencode

from bench.load import fetch, measure
from bench.server import fresh_postgres, running_server

SEEDERS = ["accounts", "networks", "library", "library-scale"]
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/puente_bench_library"


def result_count(page: str) -> str:
    found = re.search(r'<h2 id="(?:search-)?results-heading">\s*(.*?)\s*</h2>', page, re.S)
    return " ".join(found.group(1).split()) if found else ""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--publications", type=int, default=20_000)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measured page")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--database-url", default=os.environ.get("PUENTE_BENCH_DATABASE_URL", DEFAULT_DATABASE)
    )
    args = parser.parse_args(argv)

    with fresh_postgres(args.database_url) as database_url:
        os.environ["DATABASE_URL"] = database_url
        seed_args = ("--scale", str(args.publications), "--only", *SEEDERS)
        with running_server(seed_args, show_seed_progress=True) as (base, env):
            print(f"seeded in {env['PUENTE_SEED_SECONDS']} s", flush=True)
            cookie = "puente_language=en"
            detail = re.search(
                r'<h3 lang="[^"]+"><a href="(/library/[^"]+)"', fetch(base, "/library/", cookie)
            )
            baseline_path = detail.group(1) if detail else "/library/"
            search = "/search/?"
            cases = [
                ("publication page (baseline)", baseline_path),
                ("search: seguridad turística", search + urlencode({"q": "seguridad turística"})),
                ("search: violencia (common)", search + urlencode({"q": "violencia"})),
                (
                    "search: violencia + type + language",
                    search + urlencode({"q": "violencia", "type": "publication", "language": "es"}),
                ),
                ("search: no match (suggestions)", search + urlencode({"q": "segurdad turistca"})),
                ("library index, first page", "/library/"),
                (
                    "library index, topic + language",
                    "/library/?" + urlencode({"language": "es", "year": "2020"}),
                ),
            ]
            results = []
            for label, path in cases:
                summary = result_count(fetch(base, path, cookie))
                found = measure(base, path, cookie, concurrency=args.concurrency, duration=args.duration)
                results.append((label, summary, found))
        del os.environ["DATABASE_URL"]

    baseline = results[0][2]
    print(
        f"\n{args.publications:,} extra publications on PostgreSQL, {args.concurrency} clients, "
        f"{args.duration:.0f} s per page\n"
    )
    header = f"{'page':<38} {'req/s':>8} {'ratio':>7} {'p50 ms':>8} {'p95 ms':>8} {'p95 ×':>7}"
    print(f"{header} {'errors':>7}  results")
    for label, summary, found in results:
        ratio = found["rps"] / baseline["rps"] if baseline["rps"] else float("nan")
        p95_ratio = found["p95"] / baseline["p95"] if baseline["p95"] else float("nan")
        print(
            f"{label:<38} {found['rps']:8.1f} {ratio:7.2f} {found['p50']:8.1f} {found['p95']:8.1f} "
            f"{p95_ratio:7.2f} {found['errors']:7d}  {summary}"
        )


if __name__ == "__main__":
    main()
