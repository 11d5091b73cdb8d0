"""bench/load.py's gunicorn: it serves, and stops without an error and without leaving a
process behind."""

import os
import socket
import urllib.request

import pytest

from bench import load, run


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_stops_cleanly_after_serving(tmp_path, monkeypatch, capfd):
    port = _free_port()
    monkeypatch.setattr(load, "PORT", port)
    monkeypatch.setattr(load, "WORKERS", 3)
    env = {**run.BENCH_ENV, "SQLITE_PATH": str(tmp_path / "db.sqlite3"), "DATABASE_URL": ""}
    with load.serving(env) as server:
        for _ in range(20):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz") as response:
                assert response.read() == b"ok"
    assert server.returncode == 0
    with pytest.raises(ProcessLookupError):  # no worker left in the server's process group
        os.killpg(server.pid, 0)
    assert "[ERROR]" not in capfd.readouterr().err
