"""bench/plans.py: reading EXPLAIN output for scans of whole large tables."""

from bench.plans import LARGE_TABLE_ROWS, _pg_scans, _sqlite_scans

SUBQUERY = 'SELECT 1 FROM "allies_user" WHERE EXISTS(SELECT 1 FROM "circles_membership" U0 WHERE x)'


def test_sqlite_a_scan_names_its_table_through_the_subquery_alias():
    steps = [(0, "SCAN allies_user"), (0, "CORRELATED SCALAR SUBQUERY 1")]
    steps.append((3, "SEARCH U0 USING INDEX m (x=?)"))
    assert list(_sqlite_scans(SUBQUERY, steps)) == ["allies_user"]
    assert list(_sqlite_scans(SUBQUERY, [(3, "SCAN U0")])) == ["circles_membership"]


def test_sqlite_an_index_read_in_order_under_the_outer_limit_is_not_a_whole_read():
    ordered = 'SELECT * FROM "meetings_meeting" ORDER BY "starts_at" DESC LIMIT 100'
    steps = [(0, "SCAN meetings_meeting USING INDEX meeting_start")]
    assert list(_sqlite_scans(ordered, steps)) == []
    counted = 'SELECT COUNT(*) FROM "meetings_meeting"'
    steps = [(0, "SCAN meetings_meeting USING COVERING INDEX meeting_start")]
    assert list(_sqlite_scans(counted, steps)) == ["meetings_meeting"]


def test_sqlite_the_latest_rows_by_id_under_the_limit_are_not_a_whole_read():
    latest = 'SELECT * FROM "polls_pollanswer" ORDER BY "id" DESC LIMIT 100'
    assert list(_sqlite_scans(latest, [(0, "SCAN polls_pollanswer")])) == []


def test_sqlite_rows_sorted_whole_before_the_limit_are_a_whole_read():
    by_name = 'SELECT * FROM "polls_pollanswer" ORDER BY "name" LIMIT 100'
    steps = [(0, "SCAN polls_pollanswer"), (0, "USE TEMP B-TREE FOR ORDER BY")]
    assert list(_sqlite_scans(by_name, steps)) == ["polls_pollanswer"]
    steps[0] = (0, "SCAN polls_pollanswer USING INDEX answer_option")
    assert list(_sqlite_scans(by_name, steps)) == ["polls_pollanswer"]


def test_sqlite_a_limit_inside_a_subquery_excuses_nothing():
    sql = (
        'SELECT (SELECT COUNT(*) FROM "meetings_meeting" U0), '
        '(SELECT V0."id" FROM "actions_action" V0 ORDER BY V0."due_date" LIMIT 1) FROM "x"'
    )
    steps = [(0, "SCAN x"), (0, "SCALAR SUBQUERY 1")]
    steps.append((2, "SCAN U0 USING COVERING INDEX meeting_start"))
    assert list(_sqlite_scans(sql, steps)) == ["x", "meetings_meeting"]


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
