"""A malformed id, year or token in a URL answers 404, never 500.

Every URL pattern is walked from the resolver (admin left out, as in bench/pages.py), so a
page added later is covered without editing this test. Each parameter in turn gets malformed
values (out of range, too big for any database, not a number, unicode, path tricks, very long)
while the others keep a valid value from test_permissions.PARAMS; each URL is requested with GET
and POST, anonymously and as the circle's coordinator.
"""

import re
from urllib.parse import quote

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from allies.converters import MAX_ID, IdConverter, YearConverter
from tests.test_permissions import PARAMS, PUBLIC, World

# Values that are not an id. "Too big" starts right above what a 64-bit column holds.
BAD_IDS = [
    "0",
    "00",
    "-1",
    str(MAX_ID + 1),
    str(2**64),
    str(10**30),
    "9" * 5000,
    "1.0",
    "1e3",
    "+1",
    " 1",
    "0x1F",
    "abc",
    "null",
    "\u0663",  # ARABIC-INDIC DIGIT THREE: a digit to Python's int(), not to the URL
    "\uff11",  # FULLWIDTH DIGIT ONE
    "\U0001f372",  # a pot of food
    "\u202e1",  # RIGHT-TO-LEFT OVERRIDE
    "\x00",
    "1\x00",
    "%00",
    "x" * 10_000,
]
BAD_YEARS = [
    "0",
    "0000",
    "999",
    "0999",
    "10000",
    "-1",
    str(10**30),
    "2026.0",
    " 2026",
    "\u0662\u0660\u0662\u0666",  # 2026 in Arabic-Indic digits
    "abc",
    "\x00",
]
BAD_TOKENS = [
    "x",
    "x" * 10_000,
    "\U0001f372" * 40,
    "\u202e" + "a" * 40,
    "\x00" * 32,
    "a" * 31 + "\x00",
    "' OR 1=1 --",
    "%s%s%s",
    "{{ request }}",
    "..",
    "*",
]
# Path tricks, sent as they are (not percent-encoded): an empty segment, a dot segment, a
# segment that climbs up, and an encoded slash.
RAW_SEGMENTS = ["", ".", "..", "../", "..%2F", "%2e%2e%2f", "a%2Fb", "//"]

# A parameter's kind, by its name. A new kind of parameter needs a list of bad values here.
BAD_VALUES = {"year": BAD_YEARS, "token": BAD_TOKENS, "uidb64": BAD_TOKENS}

# Pages that answer a malformed value with an explanation rather than 404, by design:
# the password reset link says it has expired (people click old emails), and so does the link
# that confirms a new email address.
EXPLAINED = {
    "password_reset_confirm": "This link has expired or was already used.",
    "email_change_confirm": "This link cannot be used",
}

PLACEHOLDER = re.compile(r"<(?:\w+:)?(\w+)>")


def bad_values(param: str) -> list[str]:
    if param.endswith("_id"):
        return BAD_IDS
    if param not in BAD_VALUES:
        pytest.fail(f"URL parameter {param!r}: add its malformed values to BAD_VALUES")
    return BAD_VALUES[param]


def routes(patterns, prefix="", namespace="", converters=None):
    """(URL name, route, converters by parameter) of every pattern, admin left out."""
    for entry in patterns:
        route = prefix + str(entry.pattern)
        found = {**(converters or {}), **getattr(entry.pattern, "converters", {})}
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from routes(entry.url_patterns, route, inner, found)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", route, found


ROUTES = sorted(routes(get_resolver().url_patterns))
# One case per (page, parameter): the parameter gets the malformed values in turn.
CASES = [
    (name, route, param)
    for name, route, _converters in ROUTES
    for param in PLACEHOLDER.findall(route)
]


def fill(route: str, values: dict[str, str]) -> str:
    return "/" + PLACEHOLDER.sub(lambda match: values[match[1]], route)


def valid_values(route: str, world: World) -> dict[str, str]:
    values = {}
    for param in PLACEHOLDER.findall(route):
        value = PARAMS[param](world)
        if value is None:
            pytest.skip(f"nothing to fill {param} with yet")
        values[param] = str(value)
    return values


@pytest.fixture
def world(circle, coordinator, citizen):
    return World(circle=circle, coordinator=coordinator, member=citizen)


def test_every_id_and_year_in_a_url_is_bounded():
    """`<int:...>` lets any run of digits through to the view: ids and years use the bounded
    converters of allies.converters (register a new kind there)."""
    for name, route, converters in ROUTES:
        for param, converter in converters.items():
            if param.endswith("_id"):
                assert isinstance(converter, IdConverter), f"{name}: <id:{param}> in {route}"
            if param == "year":
                assert isinstance(converter, YearConverter), f"{name}: <year:year> in {route}"


def test_the_walk_sees_every_kind_of_parameter():
    params = {param for _name, _route, param in CASES}
    assert {"circle_id", "meeting_id", "action_id", "membership_id", "year", "token"} <= params
    assert ("meetings:plan_year", "circles/<id:circle_id>/plan/<year:year>/", "year") in CASES


@pytest.mark.parametrize(("name", "route", "param"), CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_a_malformed_parameter_answers_404(client, world, name, route, param):
    values = valid_values(route, world)
    urls = [fill(route, values | {param: quote(bad, safe="")}) for bad in bad_values(param)]
    urls += [fill(route, values | {param: raw}) for raw in RAW_SEGMENTS]
    # 405: the view does not take this method, whatever the parameters.
    anonymous = {404, 405} if name in PUBLIC else {302, 404, 405}
    for user in (None, world.coordinator):
        if user is not None:
            client.force_login(user)
        for url in urls:
            for method in (client.get, client.post):
                response = method(url)
                shown = f"{method.__name__.upper()} {url[:80]} as {user or 'anonymous'}"
                if name in EXPLAINED and response.status_code == 200:
                    assert EXPLAINED[name] in response.content.decode(), shown
                elif user is None:
                    assert response.status_code in anonymous, shown
                    if response.status_code == 302:
                        assert response.url.startswith("/accounts/login/?next="), shown
                else:
                    assert response.status_code in {404, 405}, shown


@pytest.mark.parametrize("value", [str(MAX_ID), "1000", "9999"])
def test_the_extreme_well_formed_values_reach_the_view_and_answer_404(client, world, value):
    client.force_login(world.coordinator)
    assert client.get(f"/circles/{world.circle.pk}/plan/{value}/").status_code == 404
    assert client.get(f"/circles/{value}/").status_code == 404
    assert client.get(f"/meetings/{value}/").status_code == 404
    assert client.get(f"/actions/{value}/").status_code == 404
