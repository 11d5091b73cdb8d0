"""Which queries read a whole large table: EXPLAIN on SQLite and on PostgreSQL.

A page must find its rows through an index, so that it costs the same with 20 circles as with
2,000; a full scan of a large table is how a page slows down as the installation grows.
measure.py asks this about every query of every page, in the first round, and run.py prints
what it finds.
"""

import json
import re

from django.db import connection

# Tables with more rows than this are "large"; in the national database, people, memberships,
# meetings and their answers, attendances and agenda items, actions and their updates, and
# poll answers are.
LARGE_TABLE_ROWS = 10_000
# Django names the tables of subqueries U0, V1, ...: the plan on SQLite shows those aliases.
ALIAS = re.compile(r'"(\w+)" (?:AS )?([A-Z]\d+)\b')


def large_tables() -> set[str]:
    with connection.cursor() as cursor:
        large = set()
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 (the schema's names)
            if cursor.fetchone()[0] > LARGE_TABLE_ROWS:
                large.add(table)
        return large


def full_scans(sql: str, large: set[str]) -> set[str]:
    """The large tables this query reads whole.

    PostgreSQL runs the query (EXPLAIN ANALYZE) and counts the rows each scan read, filtered
    out or not: more than LARGE_TABLE_ROWS is a whole read. SQLite only tells the plan: a scan
    without an index condition, except an index read in order under the statement's LIMIT,
    which stops after the rows it needs (the latest 100 meetings)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
            return set(_pg_scans(plan if isinstance(plan, list) else json.loads(plan)))
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return set(_sqlite_scans(sql, [(row[1], row[-1]) for row in cursor.fetchall()])) & large


def _sqlite_scans(sql: str, steps: list[tuple[int, str]]):
    """From EXPLAIN QUERY PLAN's (parent, detail) rows. Only the outer query's LIMIT (the last
    clause of the statement) excuses a scan, and only in the outer query, and only when the
    rows come out in the order asked (of an index, or of the table's own ids): not when they
    are all sorted first (USE TEMP B-TREE FOR ORDER BY)."""
    aliases = {alias: table for table, alias in ALIAS.findall(sql)}
    limited = re.search(r"\bLIMIT \d+\s*$", sql) is not None
    sorted_whole = (0, "USE TEMP B-TREE FOR ORDER BY") in steps
    for parent, detail in steps:
        match = re.match(r"SCAN (\w+)", detail)
        if match and not (limited and parent == 0 and not sorted_whole):
            yield aliases.get(match.group(1), match.group(1))


def _pg_scans(node):
    if isinstance(node, list):
        for child in node:
            yield from _pg_scans(child)
        return
    read = node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
    if "Relation Name" in node and read * node.get("Actual Loops", 1) > LARGE_TABLE_ROWS:
        yield node["Relation Name"]
    for child in [*node.get("Plans", ()), *([node["Plan"]] if "Plan" in node else [])]:
        yield from _pg_scans(child)
