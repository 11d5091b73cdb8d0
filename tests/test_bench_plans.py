"""bench/plans.py: reading EXPLAIN output for scans of whole large tables."""

from bench.plans import LARGE_TABLE_ROWS, _pg_scans, _sqlite_scans

SUBQUERY = 'SELECT 1 FROM "allies_user" WHERE EXISTS(SELECT 1 FROM "circles_membership" U0 WHERE x)'


def test_sqlite_a_scan_names_its_table_through_the_subquery_alias():
    details = ["SCAN allies_user", "CORRELATED SCALAR SUBQUERY 1", "SEARCH U0 USING INDEX m (x=?)"]
    assert list(_sqlite_scans(SUBQUERY, details)) == ["allies_user"]
    assert list(_sqlite_scans(SUBQUERY, ["SCAN U0"])) == ["circles_membership"]


def test_sqlite_an_index_read_in_order_under_a_limit_is_not_a_whole_read():
    ordered = 'SELECT * FROM "meetings_meeting" ORDER BY "starts_at" DESC LIMIT 100'
    assert list(_sqlite_scans(ordered, ["SCAN meetings_meeting USING INDEX meeting_start"])) == []
    counted = 'SELECT COUNT(*) FROM "meetings_meeting"'
    plan = ["SCAN meetings_meeting USING COVERING INDEX meeting_start"]
    assert list(_sqlite_scans(counted, plan)) == ["meetings_meeting"]


def _scan(table, rows, removed=0, loops=1, **extra):
    return {
        "Node Type": "Seq Scan",
        "Relation Name": table,
        "Actual Rows": rows,
        "Rows Removed by Filter": removed,
        "Actual Loops": loops,
        **extra,
    }


def test_postgres_counts_the_rows_each_scan_read():
    plan = [
        {
            "Plan": {
                "Node Type": "Nested Loop",
                "Actual Rows": 3,
                "Plans": [
                    _scan("circles_membership", rows=3, removed=LARGE_TABLE_ROWS),
                    _scan("meetings_meeting", rows=6, loops=3),
                    _scan("allies_user", rows=2, loops=LARGE_TABLE_ROWS),
                ],
            }
        }
    ]
    assert set(_pg_scans(plan)) == {"circles_membership", "allies_user"}
