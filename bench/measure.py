"""Time the key pages, and every other page (bench/pages.py), in this process, through the
whole middleware stack.

Run by bench/run.py with the database chosen by the environment; prints one JSON object.
"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "allies.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from allies.models import User  # noqa: E402
from bench.pages import (  # noqa: E402
    admin_urls,
    first_page,
    parameter_values,
    url_map_candidates,
)
from bench.plans import full_scans, large_tables  # noqa: E402
from circles.models import Circle, Membership, Sector  # noqa: E402
from meetings.models import Meeting  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "10"))  # per page and round (see run.py)
# Every other page, fewer times each: it shows a page that slows down with the data, and the
# key pages' table gives the precise figures.
SWEEP_RUNS = int(os.environ.get("BENCH_SWEEP_RUNS", "3"))


def bench_member() -> tuple[User, list[Circle]]:
    """A coordinator in three generated circles, each with ten years of history."""
    circles = list(Circle.objects.filter(name__startswith="Generated circle ").order_by("pk")[:3])
    user, _ = User.objects.get_or_create(
        username="bench", defaults={"name": "Bench Member", "preferred_language": "nl"}
    )
    for circle in circles:
        Membership.objects.get_or_create(
            person=user,
            circle=circle,
            left_on=None,
            defaults={"sector": Sector.POLICE, "is_coordinator": True},
        )
        # Own a share of the circle's actions, as an active member would.
        for action in circle.actions.order_by("-pk")[:40]:
            action.owners.add(user)
    return user, circles


def pages(user, circles) -> dict[str, str]:
    circle = circles[0]
    meeting = (
        Meeting.objects.filter(circle=circle, status=Meeting.Status.HELD)
        .order_by("-starts_at")
        .first()
    )
    year = timezone.localdate().year + 1
    return {
        "floor (/healthz)": "/healthz",
        "dashboard": "/",
        "circle": f"/circles/{circle.pk}/",
        "meeting": f"/meetings/{meeting.pk}/",
        "my actions": "/actions/",
        "year planner": f"/circles/{circle.pk}/plan/{year}/",
        "personal feed": f"/calendar/{user.feed_token}.ics",
        "admin meetings": "/admin/meetings/meeting/",
    }


def measure(client, url, large: set[str] | None, runs: int = RUNS, warm: int = 3) -> dict:
    """The page's times and query count, and the large tables its queries read whole (asked
    of EXPLAIN unless `large` is None: the plans do not change from one round to the next)."""
    for _ in range(warm):  # warm caches, templates and connections
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    query_count = len(queries)  # now: later requests reset the log it reads from
    scans = set()
    if large is not None:
        scans = {t for query in queries.captured_queries for t in full_scans(query["sql"], large)}
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return {"queries": query_count, "times": times, "full_scans": sorted(scans)}


def main():
    user, circles = bench_member()
    member = Client()
    member.force_login(user)
    admin = Client()
    admin.force_login(User.objects.filter(is_superuser=True).first())
    # A calendar app fetches the feed without a session: its token is the key.
    clients = {"admin meetings": admin, "personal feed": Client()}
    results = {}
    large = large_tables() if os.environ.get("BENCH_EXPLAIN", "1") == "1" else None
    key_pages = pages(user, circles)
    for name, url in key_pages.items():
        results[name] = measure(clients.get(name, member), url, large)
    others, not_pages = sweep(user, circles, member, admin, set(key_pages.values()), large)
    print(
        json.dumps(
            {"database": database(), "key": results, "sweep": others, "not_pages": not_pages}
        )
    )


def sweep(user, circles, member, admin, measured: set[str], large: set[str] | None):
    """Every page of the URL map not measured yet, as the member, anonymously or as the admin
    (the first that gets it), and every admin list and change form: {page: row}, and the URL
    names that are no page for a GET, with what they answered (405: a form's POST target)."""
    visitors = {"member": member, "anonymous": Client(), "admin": admin}
    found, not_pages = {}, []
    for name, urls in url_map_candidates(parameter_values(user, circles[0])):
        url, who, statuses = first_page(urls, visitors)
        if url is None:
            not_pages.append(f"{name} ({', '.join(map(str, sorted(statuses)))})")
        elif url not in measured:
            found[name] = (url, who, visitors[who], None)
    found |= {
        name: (url, "admin", admin, rows)
        for name, (url, rows) in admin_urls().items()
        if url not in measured
    }
    results = {}
    for name, (url, who, client, rows) in found.items():
        timed = measure(client, url, large, runs=SWEEP_RUNS, warm=1)
        results[name] = {"as": who, "rows": rows, **timed}
    return results, not_pages


def database() -> str:
    """Which database this measured, as the benchmark's table says."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite {connection.Database.sqlite_version} {db['NAME']}"
    version = connection.pg_version // 10000
    return f"PostgreSQL {version} {db['HOST']}:{db['PORT']}/{db['NAME']}"


if __name__ == "__main__":
    main()
