"""`make bench`: the key pages, then every other page, at a small and at a national size, on
SQLite and PostgreSQL, then a load test against gunicorn. Databases are built once and cached
(bench/.cache)."""

import concurrent.futures
import contextlib
import datetime
import hashlib
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
PYTHON = sys.executable
SIZES = {"small": 20, "national": int(os.environ.get("BENCH_NATIONAL_CIRCLES", "2000"))}
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "4"))
# Each page's timed runs in a round: every other page fewer times, since it shows a page that
# slows down with the data and the key pages' table gives the precise figures.
RUNS = {
    "key": int(os.environ.get("BENCH_RUNS", "10")),
    "sweep": int(os.environ.get("BENCH_SWEEP_RUNS", "3")),
}
# Requests before the timed ones in each round: caches, templates and connections warmed.
WARM = {"key": 3, "sweep": 1}
FLOOR = "floor (/healthz)"
GROUPS = ("key", "sweep")  # the key pages, and every other page (bench/pages.py)
SAME_SPEED = 1.3  # the bound for a page's national time against its small time
PG_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
BENCH_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-" + "x" * 40,
    "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
    "LOG_LEVEL": "WARNING",
    # The load's answers send no email that matters; none goes to an SMTP server there is not.
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
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


class Worker:
    """bench/measure.py on one database, asked for one page at a time; `found` is what it
    found there: the database, the pages by group and the URL names that are no page."""

    def __init__(self, env):
        # A file, not a pipe: a pipe left unread while the worker runs could fill up.
        self.errors = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed by __exit__)
        self.process = subprocess.Popen(  # noqa: S603 (our own script)
            [PYTHON, str(ROOT / "bench" / "measure.py")],
            cwd=ROOT,
            env={**os.environ, **BENCH_ENV, **env},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errors,
            text=True,
        )

    def __enter__(self):
        self.found = self._answer()
        return self

    def __exit__(self, *exc):
        self.process.stdin.close()
        if exc[0] is not None:
            self.process.kill()
        self.process.wait()
        self.errors.close()

    def ask(self, do: str, group: str, page: str, **details) -> dict:
        request = {"do": do, "group": group, "page": page, **details}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return self._answer()

    def _answer(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            self.process.wait()
            self.errors.seek(0)
            raise SystemExit(f"measuring failed:\n{self.errors.read()[-3000:]}")
        return json.loads(line)


def measure_side_by_side(envs: dict) -> tuple[dict, list]:
    """Both sizes side by side: each page is opened at one size and then at the other, one
    request at a time, the first size changing from round to round, so that a busy moment of
    the machine (another process, the database's housekeeping) weighs on both sides of the ratio
    and not on one. By group (the key pages, the sweep of every other page), size and page: the
    query count (the most any round saw), median and p95 in ms; and the URL names that are no
    page. EXPLAIN runs in the first round only: the plans do not change from one round to the
    next."""
    merged = {group: {size: {} for size in envs} for group in GROUPS}
    with contextlib.ExitStack() as stack:
        workers = {size: stack.enter_context(Worker(env)) for size, env in envs.items()}
        for size, worker in workers.items():
            print(f"{size}: {worker.found['database']}", flush=True)
        for round_number in range(ROUNDS):
            order = list(workers)[:: 1 if round_number % 2 == 0 else -1]
            for group in GROUPS:
                # An admin change form of a table empty at the small size is at one size only.
                names = {page: None for size in order for page in workers[size].found[group]}
                for page in names:
                    here = {s: workers[s] for s in order if page in workers[s].found[group]}
                    rows = {
                        size: merged[group][size].setdefault(
                            page,
                            {
                                **worker.found[group][page],
                                "times": [],
                                "queries": 0,
                                "scans": set(),
                            },
                        )
                        for size, worker in here.items()
                    }
                    measure_page(here, rows, group, page, explain=round_number == 0)
        not_pages = {name for worker in workers.values() for name in worker.found["not_pages"]}
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


def measure_page(workers: dict, rows: dict, group: str, page: str, explain: bool):
    """One round of a page: opened at each size to warm it and count its queries, then timed at
    one size and the other in turn; into the rows by size."""
    for size, worker in workers.items():
        prepared = worker.ask("prepare", group, page, warm=WARM[group], explain=explain)
        rows[size]["queries"] = max(rows[size]["queries"], prepared["queries"])
        rows[size]["scans"].update(prepared["full_scans"])
    for _run, (size, worker) in itertools.product(range(RUNS[group]), workers.items()):
        rows[size]["times"].append(worker.ask("time", group, page)["ms"])


def p95(times: list[float]) -> float:
    """The 95th percentile; with a single run (BENCH_ROUNDS=1 BENCH_SWEEP_RUNS=1), that run."""
    if len(times) < 2:
        return times[0]
    return statistics.quantiles(times, n=20, method="inclusive")[-1]


def print_table(backend, small, national, floor):
    runs = RUNS["key"]
    print(f"\n## {backend}: {os.cpu_count()} cores, {ROUNDS} rounds of {runs} runs per page")
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
        print(f"\nmeasuring {backend}, both sizes side by side...", flush=True)
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
