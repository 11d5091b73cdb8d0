"""A benchmark worker: bench/run.py starts one on each database size and asks them in turn for
the same page, one request at a time, so that a busy moment of the machine weighs on both sizes
alike.

It opens the key pages and every other page (bench/pages.py) in this process, through the whole
middleware stack. It first prints one JSON line: the database it measures, its pages by group
("key", "sweep"; who opens a sweep's page, and the rows of an admin list), and the URL names that
are no page. Then it reads one request a line, each answered with one JSON line:
- {"do": "prepare", "group": ..., "page": ..., "warm": n, "explain": bool}: the page opened n
  times, then its query count and, if `explain`, the large tables its queries read whole;
- {"do": "time", "group": ..., "page": ...}: the time the page takes once, in ms."""

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


def prepare(client, url, warm: int, large: set[str] | None) -> dict:
    """Open the page `warm` times (caches, templates, connections), then once more for its
    query count and, unless `large` is None, the large tables its queries read whole (EXPLAIN)."""
    for _ in range(warm):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    scans = set()
    if large is not None:
        scans = {t for query in queries.captured_queries for t in full_scans(query["sql"], large)}
    return {"queries": len(queries), "full_scans": sorted(scans)}


def time_once(client, url) -> dict:
    started = time.perf_counter()
    client.get(url)
    return {"ms": (time.perf_counter() - started) * 1000}


def main():
    # The answers go to run.py on standard output; whatever else is written there (the app's
    # log of the 405s that the sweep meets, say) goes to standard error instead.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    user, circles = bench_member()
    member = Client()
    member.force_login(user)
    admin = Client()
    admin.force_login(User.objects.filter(is_superuser=True).first())
    # A calendar app fetches the feed without a session: its token is the key.
    clients = {"admin meetings": admin, "personal feed": Client()}
    key = {name: (clients.get(name, member), url) for name, url in pages(user, circles).items()}
    others, seen_as, not_pages = sweep(user, circles, member, admin, {u for _c, u in key.values()})
    print(
        json.dumps(
            {
                "database": database(),
                "key": {name: {"as": None, "rows": None} for name in key},
                "sweep": seen_as,
                "not_pages": not_pages,
            }
        ),
        file=answers,
        flush=True,
    )
    targets = {"key": key, "sweep": others}
    large = None
    for line in sys.stdin:
        ask = json.loads(line)
        client, url = targets[ask["group"]][ask["page"]]
        if ask["do"] == "time":
            answer = time_once(client, url)
        else:
            if ask["explain"] and large is None:
                large = large_tables()
            answer = prepare(client, url, ask["warm"], large if ask["explain"] else None)
        print(json.dumps(answer), file=answers, flush=True)


def sweep(user, circles, member, admin, measured: set[str]):
    """Every page of the URL map not measured yet, as the member, anonymously or as the admin
    (the first that gets it), and every admin list and change form: {page: (client, url)} and
    {page: {"as": who, "rows": the rows of an admin list}}; and the URL names that are no page
    for a GET, with what they answered (405: a form's POST target)."""
    visitors = {"member": member, "anonymous": Client(), "admin": admin}
    found, seen_as, not_pages = {}, {}, []
    for name, urls in url_map_candidates(parameter_values(user, circles[0])):
        url, who, statuses = first_page(urls, visitors)
        if url is None:
            not_pages.append(f"{name} ({', '.join(map(str, sorted(statuses)))})")
        elif url not in measured:
            found[name] = (visitors[who], url)
            seen_as[name] = {"as": who, "rows": None}
    for name, (url, rows) in admin_urls().items():
        if url not in measured:
            found[name] = (admin, url)
            seen_as[name] = {"as": "admin", "rows": rows}
    return found, seen_as, not_pages


def database() -> str:
    """Which database this measured, as the benchmark's table says."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite {connection.Database.sqlite_version} {db['NAME']}"
    version = connection.pg_version // 10000
    return f"PostgreSQL {version} {db['HOST']}:{db['PORT']}/{db['NAME']}"


if __name__ == "__main__":
    main()
