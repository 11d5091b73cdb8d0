"""Load test: gunicorn serving the national database, locust (headless) as the load generator,
members reading pages and answering dinners, at 20 and at 100 simulated users."""

import contextlib
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PORT = int(os.environ.get("BENCH_PORT", "8765"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str((os.cpu_count() or 1) + 1)))
DURATION = os.environ.get("BENCH_LOAD_SECONDS", "30")
USERS = (20, 100)
# gunicorn's graceful timeout (30 s) and a margin.
STOP_SECONDS = 40

# Members already signed in, as on their phones: the load measures pages, not the password
# hashing of a sign-in (PBKDF2, a deliberate ~0.3 s of CPU), which would swamp the two cores
# when a hundred users arrive at once.
MEMBERS_SCRIPT = """
import json, django
django.setup()
from django.test import Client
from django.utils import timezone
from meetings.models import Meeting
rows = []
for m in (Meeting.objects.filter(starts_at__gt=timezone.now(), circle__name__startswith="Generated")
          .select_related("circle").order_by("pk")[:100]):
    for ms in m.circle.memberships.select_related("person")[:3]:
        client = Client()
        client.force_login(ms.person)
        rows.append({"session": client.cookies["sessionid"].value, "circle": m.circle_id,
                     "meeting": m.pk})
print(json.dumps(rows))
"""


def _members(env) -> list[dict]:
    result = subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "-c", MEMBERS_SCRIPT],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "allies.settings", **env},
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _wait_for(url: str, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer at {url}")


def _locust(users: int, members_file: str, out_dir: str) -> dict:
    prefix = os.path.join(out_dir, f"u{users}")
    subprocess.run(  # noqa: S603 (locust from our own environment, against loopback)
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "--host",
            f"http://127.0.0.1:{PORT}",
            "--users",
            str(users),
            "--spawn-rate",
            str(min(users, 20)),
            "--run-time",
            f"{DURATION}s",
            "--csv",
            prefix,
            "--only-summary",
            "--loglevel",
            "ERROR",
        ],
        env={**os.environ, "BENCH_MEMBERS": members_file},
        check=False,
        capture_output=True,
    )
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows["Aggregated"]
    return {
        "rps": float(total["Requests/s"]),
        "p95": float(total["95%"]),
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
    }


@contextlib.contextmanager
def serving(env: dict):
    """gunicorn serving the database of `env` at PORT until the block ends (its master
    process as the value)."""
    server = subprocess.Popen(  # noqa: S603 (our own gunicorn)
        [
            str(BIN / "gunicorn"),
            "allies.wsgi",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        start_new_session=True,
    )
    try:
        _wait_for(f"http://127.0.0.1:{PORT}/healthz")
        yield server
    finally:
        _stop(server)


def _stop(server: subprocess.Popen):
    """SIGTERM to the master only, as gunicorn's documentation says: it stops its workers
    gracefully. Signalled as well, by the whole process group, a worker could die of the
    master's second SIGTERM, which gunicorn logs as an ERROR at the end of a clean run. The group
    is killed only if the master has not finished after its graceful timeout."""
    server.terminate()
    try:
        server.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def run_load(backend: str, env: dict):
    members = _members(env)
    with tempfile.TemporaryDirectory() as out_dir:
        members_file = os.path.join(out_dir, "members.json")
        Path(members_file).write_text(json.dumps(members))
        with serving(env):
            results = {users: _locust(users, members_file, out_dir) for users in USERS}
    print(f"\n## load on {backend}: gunicorn, {WORKERS} workers, {DURATION} s per step")
    print("| users | requests | req/s | req/s per worker | p95 ms | errors |")
    print("|---|---|---|---|---|---|")
    for users, row in results.items():
        print(
            f"| {users} | {row['requests']} | {row['rps']:.1f} | {row['rps'] / WORKERS:.1f} "
            f"| {row['p95']:.0f} | {row['failures']} |"
        )
