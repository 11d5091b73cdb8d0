"""`make bench`: the key pages, then every other page, at a small and at a national size, on
SQLite and PostgreSQL, then a load test against gunicorn. Databases are built once and cached
(bench/.cache)."""

import concurrent.futures
import datetime
import hashlib
import json
import os
import statistics
import subprocess
import sys
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
PYTHON = sys.executable
SIZES = {"small": 20, "national": int(os.environ.get("BENCH_NATIONAL_CIRCLES", "2000"))}
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "4"))
RUNS = int(os.environ.get("BENCH_RUNS", "10"))
FLOOR = "floor (/healthz)"
GROUPS = ("key", "sweep")  # the key pages, and every other page (bench/pages.py)
SAME_SPEED = 1.3  # the bound for a page's national time against its small time
PG_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
BENCH_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-" + "x" * 40,
    "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
    "LOG_LEVEL": "WARNING",
    # Plain HTTP on the loopback, no TLS proxy in front: no redirect, cookies the load's
    # clients send back.
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_COOKIES": "0",
}


# Statistics for the planners and, on PostgreSQL, the visibility map that index-only scans need:
# what autovacuum keeps up on a live site, and a freshly loaded database does not have yet.
ANALYZE = (
    "from django.db import connection; connection.cursor().execute("
    "'VACUUM ANALYZE' if connection.vendor == 'postgresql' else 'ANALYZE')"
)


def fingerprint(circles: int) -> str:
    """Changes when the generator changes, so a stale database is rebuilt, and with the month:
    the generated dinners and polls are dated from the day of the build, and a database two
    months old has no dinner ahead. A new migration (an index, say) is applied to the cached
    database instead: see database_env."""
    digest = hashlib.sha256(f"{circles} {datetime.date.today():%Y-%m}".encode())
    digest.update((ROOT / "allies" / "management" / "commands" / "seed_demo.py").read_bytes())
    return digest.hexdigest()[:16]


def manage(env, *args, capture=False):
    return subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **BENCH_ENV, **env},
        check=True,
        capture_output=capture,
        text=True,
    )


def pg_database_url(name: str) -> str:
    parts = urllib.parse.urlsplit(PG_URL)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def pg_available() -> bool:
    probe = "import psycopg,sys; psycopg.connect(sys.argv[1], connect_timeout=3).close()"
    result = subprocess.run([PYTHON, "-c", probe, PG_URL], capture_output=True, check=False)  # noqa: S603
    return result.returncode == 0


def pg_recreate(name: str):
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def database_env(backend: str, size: str) -> dict:
    """The environment selecting this database, built (or rebuilt) when needed."""
    CACHE.mkdir(parents=True, exist_ok=True)
    circles = SIZES[size]
    stamp = CACHE / f"{backend}-{size}.stamp"
    wanted = fingerprint(circles)
    if backend == "sqlite":
        path = CACHE / f"{size}.sqlite3"
        env = {"SQLITE_PATH": str(path), "DATABASE_URL": ""}
    else:
        name = f"allies_bench_{size}"
        env = {"DATABASE_URL": pg_database_url(name)}
    stale = not (stamp.exists() and stamp.read_text() == wanted)
    if stale:
        print(f"building the {size} database on {backend} ({circles} circles)...", flush=True)
        if backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        else:
            pg_recreate(name)
    manage(env, "migrate", "--no-input", capture=True)
    if stale:
        manage(env, "seed_demo", "--circles", str(circles))
        stamp.write_text(wanted)
    # Without statistics, PostgreSQL planned the health query at 111 ms instead of 2.6 ms.
    manage(env, "shell", "--command", ANALYZE, capture=True)
    return env


def measure(env, explain: bool) -> dict:
    """One round (bench/measure.py): each key page BENCH_RUNS times and every other page
    BENCH_SWEEP_RUNS times, with its query count, and with the plans of its queries if
    `explain`."""
    result = subprocess.run(  # noqa: S603 (our own script)
        [PYTHON, str(ROOT / "bench" / "measure.py")],
        cwd=ROOT,
        env={**os.environ, **BENCH_ENV, **env, "BENCH_EXPLAIN": "1" if explain else "0"},
        check=False,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise SystemExit(f"measuring failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure_side_by_side(envs: dict) -> tuple[dict, list]:
    """Both sizes in alternating rounds, so that a slow minute of the machine (another
    process, the database's housekeeping) weighs on both and not on one side of the ratio.
    By group (the key pages, the sweep of every other page), size and page: the query count
    (the most any round saw), median and p95 in ms; and the URL names that are no page."""
    merged = {group: {size: {} for size in envs} for group in GROUPS}
    not_pages = set()
    for round_number in range(ROUNDS):
        for size, env in envs.items():
            result = measure(env, explain=round_number == 0)
            if not merged["key"][size]:
                print(f"{size}: {result['database']}", flush=True)
            not_pages.update(result["not_pages"])
            for group in GROUPS:
                for page, row in result[group].items():
                    into = merged[group][size].setdefault(
                        page,
                        {
                            "as": row.get("as"),
                            "rows": row.get("rows"),
                            "times": [],
                            "queries": 0,
                            "scans": set(),
                        },
                    )
                    into["times"].extend(row["times"])
                    into["queries"] = max(into["queries"], row["queries"])
                    into["scans"].update(row["full_scans"])
    summary = {
        group: {
            size: {
                page: {
                    "as": row["as"],
                    "rows": row["rows"],
                    "queries": row["queries"],
                    "runs": len(row["times"]),
                    "median_ms": statistics.median(row["times"]),
                    "p95_ms": p95(row["times"]),
                    "full_scans": sorted(row["scans"]),
                }
                for page, row in pages.items()
            }
            for size, pages in sizes.items()
        }
        for group, sizes in merged.items()
    }
    return summary, sorted(not_pages)


def p95(times: list[float]) -> float:
    """The 95th percentile; with a single run (BENCH_ROUNDS=1 BENCH_SWEEP_RUNS=1), that run."""
    if len(times) < 2:
        return times[0]
    return statistics.quantiles(times, n=20, method="inclusive")[-1]


def print_table(backend, small, national, floor):
    print(f"\n## {backend}: {os.cpu_count()} cores, {ROUNDS} rounds of {RUNS} runs per page")
    header = ("page", "queries s/n", "median ms", "p95 ms", "page/floor", "national/small")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for page, row in national.items():
        base = small[page]
        print(
            f"| {page} | {base['queries']}/{row['queries']} | {row['median_ms']:.1f} "
            f"| {row['p95_ms']:.1f} | {row['median_ms'] / floor:.2f} "
            f"| {row['median_ms'] / base['median_ms']:.2f} |"
        )
    print_scans(national)


def print_scans(national):
    scanned = {page: row["full_scans"] for page, row in national.items() if row["full_scans"]}
    listed = "; ".join(f"{page}: {', '.join(tables)}" for page, tables in scanned.items())
    print(f"\nLarge tables read whole at national size (EXPLAIN): {listed or 'none'}.")


def print_sweep(backend, small, national, not_pages, floor):
    """Every other page: does it keep its speed at national size? With its ratio to the floor,
    which shows what Django's own pages cost: an empty admin list, the password form."""
    runs = max(row["runs"] for row in national.values())
    print(f"\n## {backend}: every other page, {runs} runs of each in {ROUNDS} rounds")
    header = ("page", "as", "queries s/n", "rows s/n", "small ms", "national ms", "page/floor")
    header += ("national/small",)
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    slower, fuller = [], []
    for page, row in national.items():
        base = small.get(page)
        if base is None:  # an admin change form of a table that is empty at the small size
            continue
        ratio = row["median_ms"] / base["median_ms"]
        if ratio > SAME_SPEED:
            (fuller if row["rows"] != base["rows"] else slower).append(page)
        rows = f"{base['rows']}/{row['rows']}" if row["rows"] is not None else ""
        print(
            f"| {page} | {row['as']} | {base['queries']}/{row['queries']} | {rows} "
            f"| {base['median_ms']:.1f} | {row['median_ms']:.1f} "
            f"| {row['median_ms'] / floor:.2f} | {ratio:.2f} |"
        )
    listed = ", ".join(slower) or "none"
    print(f"\nOver {SAME_SPEED} times their small time at national size: {listed}.")
    if fuller:
        print(f"Over it because their page is fuller at national size: {', '.join(fuller)}.")
    print_scans(national)
    print(f"No page for a GET, with what they answered: {', '.join(not_pages)}.")


def main():
    manage({}, "collectstatic", "--no-input", capture=True)
    backends = ["sqlite"] + (["postgres"] if pg_available() else [])
    if "postgres" not in backends:
        print(f"PostgreSQL not reachable at {PG_URL}: measuring SQLite only.")
    # Built (when not cached) two at a time, one per core: the national ones first.
    wanted = [(backend, size) for size in reversed(SIZES) for backend in backends]
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        envs = dict(zip(wanted, pool.map(lambda key: database_env(*key), wanted), strict=True))
    for backend in backends:
        sizes = {size: envs[backend, size] for size in SIZES}
        print(f"\nmeasuring {backend}, both sizes in turn...", flush=True)
        results, not_pages = measure_side_by_side(sizes)
        key, sweep = results["key"], results["sweep"]
        floor = key["national"][FLOOR]["median_ms"]
        print_table(backend, key["small"], key["national"], floor)
        print_sweep(backend, sweep["small"], sweep["national"], not_pages, floor)
    if os.environ.get("BENCH_LOAD", "1") == "1":
        from bench.load import run_load

        for backend in backends:
            run_load(backend, {**BENCH_ENV, **envs[backend, "national"]})


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
