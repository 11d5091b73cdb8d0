"""bench/run.py with its workers (bench/measure.py): both sizes measured page by page.

Two copies of one small database play the two sizes: what is tested is the order in which the
workers are asked and that the figures come back, not the figures themselves. The key pages
only, to keep it short: the sweep's pages are found as bench/pages.py says (its own tests).
"""

import shutil

import pytest

from bench import run


@pytest.fixture(scope="module")
def sizes(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench")
    small = {"SQLITE_PATH": str(folder / "small.sqlite3"), "DATABASE_URL": ""}
    run.manage(small, "collectstatic", "--no-input", capture=True)  # pages with DEBUG=0
    run.manage(small, "migrate", "--no-input", capture=True)
    run.manage(small, "seed_demo", "--circles", "1", capture=True)
    shutil.copy(folder / "small.sqlite3", folder / "national.sqlite3")
    return {"small": small, "national": {**small, "SQLITE_PATH": str(folder / "national.sqlite3")}}


def test_each_page_is_timed_at_both_sizes_in_turn(sizes, monkeypatch):
    monkeypatch.setattr(run, "ROUNDS", 2)
    monkeypatch.setattr(run, "GROUPS", ("key",))
    monkeypatch.setitem(run.RUNS, "key", 2)
    asked, found = [], {}
    ask = run.Worker.ask

    def recorded(worker, do, group, page, **details):
        size = "small" if "small.sqlite3" in worker.found["database"] else "national"
        found[size] = worker.found
        asked.append((page, do, size, details.get("explain")))
        return ask(worker, do, group, page, **details)

    monkeypatch.setattr(run.Worker, "ask", recorded)
    summary, not_pages = run.measure_side_by_side(sizes)
    pages = list(summary["key"]["national"])
    assert pages[:2] == [run.FLOOR, "dashboard"] and len(pages) == 8

    def one_round(first, second, explain):
        prepare = [("prepare", first, explain), ("prepare", second, explain)]
        timed = [("time", first, None), ("time", second, None)] * 2
        return [(page, *request) for page in pages for request in prepare + timed]

    assert asked == one_round("small", "national", True) + one_round("national", "small", False)
    for size in ("small", "national"):
        for page, row in summary["key"][size].items():
            assert row["runs"] == 2 * 2, page
            assert 0 < row["median_ms"] <= row["p95_ms"], page
            assert row["queries"] == summary["key"]["small"][page]["queries"] > 0, page
            assert row["full_scans"] == [], page  # nothing is large in a small database
        # What the sweep would measure, as whom: not the key pages a second time.
        assert found[size]["sweep"]["meetings:edit"] == {"as": "member", "rows": None}
        assert found[size]["sweep"]["admin circles.circle list"] == {"as": "admin", "rows": 3}
        assert "dashboard" not in found[size]["sweep"]
    assert "logout (405)" in not_pages


def test_a_worker_that_fails_says_why(tmp_path):
    empty = {"SQLITE_PATH": str(tmp_path / "empty.sqlite3"), "DATABASE_URL": ""}
    with pytest.raises(SystemExit, match=r"measuring failed:\n(.|\n)*no such table"):
        run.measure_side_by_side({"small": empty})
