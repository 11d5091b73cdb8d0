"""Random input thrown at every form never gets a server error.

Each form is taken from the page that shows it, as a browser would: its fields, their types
and the values the page fills in (tests/htmlforms.py). Hypothesis then changes a few fields, or
all of them, to hostile text (control characters, NUL bytes, right-to-left marks, emoji,
10,000-character strings), numbers and dates as text, and ids that name nothing or do not fit a
database column, and posts it as the circle's coordinator (the sign-in and password pages
anonymously). The answer must be the form back with its errors (200) or a redirect after
saving (302); after a save, the pages that show what was saved must still render.

Before the random examples, a sweep gives every field of the form the same kind of bad value
at once (SWEEP). Every example runs in a savepoint that is rolled back, so each starts from the
same circle. The examples are derandomized: CI sees the same ones on every run.
FUZZ_EXAMPLES=500 runs more of them (locally, to search harder).

A form that shows up on any page but is not in FORMS fails
test_every_form_on_every_page_is_fuzzed: add it there, with the page that shows it.
"""

import datetime
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth.tokens import default_token_generator
from django.db import models, transaction
from django.urls import resolve
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actions.models import Action
from allies.models import User
from circles.models import Circle, Membership
from meetings.models import AgendaItem, Meeting, Response, Topic
from polls.models import Poll
from polls.services import poll_open
from tests.conftest import PASSWORD, email_change_link_token, make_meeting
from tests.htmlforms import Field, HtmlForm, forms_on
from tests.test_permissions import PATTERNS, PUBLIC, World, build_url

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- what hostile input looks like --------------------------------------------------------

NASTY_SHORT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n",
    "two\nlines",
    "\t",
    "\x0b\x0c\x1c",
    "\x1b[2J",
    "\x7f\x85",
    "\u2028\u2029",
    "\ufeff",
    "\u202eevil.exe",
    "\u200f\u200e\u200b",
    "שלום",
    "مرحبا",
    "e\u0301\u0301\u0301",
    "\U0001f372\U0001f957",
    "\U0001f469\u200d\U0001f469\u200d\U0001f467",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%s %(name)s {0} {{ x }}",
    "../../etc/passwd",
]
HUGE = ["x" * 10_000, "\U0001f372" * 10_000, "a\x00" * 5_000, " " * 10_000]
NUMBERS = [
    "0",
    "-1",
    "1",
    "13",
    "32767",
    "32768",
    "2147483648",
    str(2**63),
    str(10**30),
    "9" * 5000,
    "1.5",
    "1e3",
    "1e309",
    "NaN",
    "inf",
    "-0",
    "\u0663",
    "\uff11\uff12",
    " 5 ",
    "0x10",
]
DATES = [
    "0001-01-01",
    "1000-01-01",
    "9999-12-31",
    "2026-02-29",
    "2028-02-29",
    "2026-13-01",
    "2026-00-10",
    "2026-1-1",
    "01-01-2026",
    "31/12/2026",
    "2026-12-31T23:59",
    "tomorrow",
]
TIMES = ["00:00", "23:59", "24:00", "25:61", "12:00:00.999999", "12:00 PM", "-1:00", "23:59:60"]
# Values for a choice: ids that name nothing or do not fit a column, and things that are no id.
TOO_BIG_IDS = [str(10**30), str(2**63)]
JUNK_CHOICES = [*TOO_BIG_IDS, "0", "-1", "abc", "1\x00", "\u0663", "1.0", ""]

any_text = st.text(st.characters(codec="utf-8"), max_size=200)
short = st.one_of(st.sampled_from(NASTY_SHORT), any_text)
text = st.one_of(
    short,
    st.sampled_from(HUGE),
    st.lists(short, min_size=2, max_size=4).map("".join),
)
number = st.one_of(st.sampled_from(NUMBERS), st.integers().map(str), st.floats().map(str), text)
date = st.one_of(st.sampled_from(DATES), st.dates().map(datetime.date.isoformat), text)
time = st.one_of(st.sampled_from(TIMES), st.times().map(datetime.time.isoformat), text)
# Ids too big for any column get a branch of their own, so that they come up often.
junk_choice = st.one_of(st.sampled_from(JUNK_CHOICES), st.sampled_from(TOO_BIG_IDS), text)
BY_KIND = {"text": text, "number": number, "date": date, "time": time}

# Before the random examples, every field of a form gets the same kind of bad value at once, by
# field kind: the cases that must never slip through, whatever Hypothesis draws.
SWEEP = {
    "NUL bytes": {
        "text": "a\x00b",
        "number": "1\x00",
        "date": "2026-05-07\x00",
        "time": "18:30\x00",
        "choice": "1\x00",
        "multi": ["1\x00"],
    },
    "too big": {
        "text": "\U0001f372" * 10_000,
        "number": str(10**30),
        "date": "9999-12-31",
        "time": "23:59:59.999999",
        "choice": str(10**30),
        "multi": TOO_BIG_IDS,
    },
    "control characters": {
        "text": "\u202e\x1b[2J\r\n\u05e9\u05dc\u05d5\u05dd\x0b",
        "number": "-1",
        "date": "0001-01-01",
        "time": "00:00",
        "choice": "-1",
        "multi": ["0", "-1"],
    },
    "empty": {"text": "", "number": "", "date": "", "time": "", "choice": "", "multi": []},
    "wrong type": {
        "text": "' OR 1=1 --",
        "number": "1e309",
        "date": "2026-02-30",
        "time": "25:61",
        "choice": "abc",
        "multi": ["abc", "\u0663"],
    },
}


def hostile(field: Field):
    """A strategy for a value of the field that a browser would not send."""
    if field.kind == "multi":
        junk = st.lists(junk_choice, min_size=1, max_size=3)
        if not field.options:
            return junk
        return st.one_of(st.lists(st.sampled_from(field.options), unique=True), junk)
    if field.kind == "choice":
        return st.one_of(st.sampled_from(field.options), st.none(), junk_choice)
    return BY_KIND[field.kind]


# --- the circle every example starts from -------------------------------------------------


@dataclass
class Scene:
    circle: Circle
    coordinator: User
    citizen: User
    upcoming: Meeting
    held: Meeting
    action: Action
    membership: Membership
    poll: Poll


@pytest.fixture
def scene(cast, circle):
    coordinator, citizen = cast["coordinator"], cast["citizen"]
    upcoming = make_meeting(circle, days_ahead=10, title="Spring dinner")
    AgendaItem.objects.create(meeting=upcoming, topic=Topic.objects.first(), order=1)
    Response.objects.create(meeting=upcoming, person=citizen, answer="attending")
    held = make_meeting(circle, days_ahead=-3)
    Response.objects.create(meeting=held, person=citizen, answer="attending")
    action = Action.objects.create(circle=circle, meeting=held, title="Visit the school")
    action.owners.set([coordinator, citizen])
    # Agreed before the held meeting, and open then: its record form reviews it.
    carried = Action.objects.create(circle=circle, title="Call the housing association")
    carried.owners.set([citizen])
    Action.objects.filter(pk=carried.pk).update(created_at=held.starts_at - datetime.timedelta(30))
    membership = Membership.objects.get(circle=circle, person=citizen)
    poll = poll_open(
        circle=circle,
        created_by=coordinator,
        candidates=[upcoming.starts_at + datetime.timedelta(days=d) for d in (7, 14)],
        venue_name="Stadhuis",
        venue_kind="town_hall",
    )
    return Scene(circle, coordinator, citizen, upcoming, held, action, membership, poll)


def email_change_link(scene: Scene) -> str:
    token = email_change_link_token(scene.citizen, "citizen.new@example.org")
    return f"/accounts/profile/email/{token}/"


def profile_with_email_change(scene: Scene) -> str:
    """The profile, which offers to cancel a new address waiting for confirmation."""
    email_change_link_token(scene.coordinator, "coordinator.new@example.org")
    return "/accounts/profile/"


def reset_link(scene: Scene) -> str:
    uid = urlsafe_base64_encode(force_bytes(scene.citizen.pk))
    return f"/accounts/reset/{uid}/{default_token_generator.make_token(scene.citizen)}/"


@dataclass
class Target:
    """Where a form is shown, who uses it, values that make it valid, and the pages that show
    what it saves (each must still render after a save)."""

    page: Callable[[Scene], str]
    anonymous: bool = False
    valid: dict[str, str | list[str]] | None = None
    readers: Callable[[Scene], list[str]] = lambda scene: []
    # Answers besides 200 and 302 that are the rule for this form.
    also: frozenset[int] = frozenset()


def circle_pages(scene: Scene) -> list[str]:
    c = scene.circle.pk
    return [f"/circles/{c}/", f"/circles/{c}/contacts.vcf", f"/circles/{c}/calendar.ics", "/"]


def meeting_pages(scene: Scene) -> list[str]:
    feed = f"/calendar/{scene.coordinator.feed_token}.ics"
    pages = [
        f"/meetings/{m.pk}/{p}" for m in (scene.upcoming, scene.held) for p in ("", "meeting.ics")
    ]
    return [*pages, f"/circles/{scene.circle.pk}/calendar.ics", feed, "/"]


def action_pages(scene: Scene) -> list[str]:
    feed = f"/calendar/{scene.coordinator.feed_token}.ics"
    return [f"/actions/{scene.action.pk}/", "/actions/", feed, f"/meetings/{scene.held.pk}/"]


def poll_pages(scene: Scene) -> list[str]:
    return [f"/polls/{scene.poll.pk}/", f"/circles/{scene.circle.pk}/polls/", *meeting_pages(scene)]


NEW_PASSWORD = {
    "new_password1": "a long new passphrase 42",
    "new_password2": "a long new passphrase 42",
}

# Every form, by the URL name it is sent to.
FORMS = {
    "login": Target(
        lambda s: "/accounts/login/",
        anonymous=True,
        valid={"username": "coordinator", "password": PASSWORD},
        # The sign-in throttle (django-axes, from the trust branch) answers 429 when locked.
        also=frozenset({429}),
    ),
    "password_reset": Target(
        lambda s: "/accounts/password_reset/",
        anonymous=True,
        valid={"email": "citizen@example.org"},
    ),
    "password_reset_confirm": Target(reset_link, anonymous=True, valid=NEW_PASSWORD),
    "password_change": Target(
        lambda s: "/accounts/password_change/", valid={"old_password": PASSWORD, **NEW_PASSWORD}
    ),
    "logout": Target(lambda s: "/"),
    "set_language": Target(lambda s: "/"),
    "profile": Target(
        lambda s: "/accounts/profile/",
        readers=lambda s: ["/accounts/profile/", *circle_pages(s)],
    ),
    # Its one field is a button, so anything else is a bad request.
    "phone_consent": Target(lambda s: "/accounts/profile/", also=frozenset({400})),
    "calendar_feed_reset": Target(lambda s: "/accounts/profile/"),
    "email_change_confirm": Target(email_change_link, anonymous=True),
    "email_change_cancel": Target(profile_with_email_change),
    "circles:commit": Target(lambda s: f"/circles/{s.circle.pk}/"),
    "circles:edit": Target(
        lambda s: f"/circles/{s.circle.pk}/edit/",
        readers=lambda s: [
            *circle_pages(s),
            f"/circles/{s.circle.pk}/meetings/new/",
            f"/circles/{s.circle.pk}/plan/{timezone.localdate().year + 1}/",
        ],
    ),
    "circles:invite": Target(
        lambda s: f"/circles/{s.circle.pk}/members/invite/",
        valid={"name": "New Ally", "email": "new.ally@example.org", "sector": "community"},
        readers=circle_pages,
    ),
    "circles:membership_edit": Target(
        lambda s: f"/circles/{s.circle.pk}/members/{s.membership.pk}/edit/",
        readers=circle_pages,
    ),
    "circles:membership_end": Target(
        lambda s: f"/circles/{s.circle.pk}/members/{s.membership.pk}/edit/",
        readers=circle_pages,
    ),
    "meetings:new": Target(
        lambda s: f"/circles/{s.circle.pk}/meetings/new/", readers=meeting_pages
    ),
    "meetings:edit": Target(lambda s: f"/meetings/{s.upcoming.pk}/edit/", readers=meeting_pages),
    "meetings:cancel": Target(
        lambda s: f"/meetings/{s.upcoming.pk}/cancel/", readers=meeting_pages
    ),
    "meetings:respond": Target(
        lambda s: f"/meetings/{s.upcoming.pk}/respond/",
        valid={"answer": "maybe"},
        readers=meeting_pages,
    ),
    "meetings:record": Target(
        lambda s: f"/meetings/{s.held.pk}/record/",
        readers=lambda s: [*meeting_pages(s), *action_pages(s)],
    ),
    "meetings:plan_year": Target(
        lambda s: f"/circles/{s.circle.pk}/plan/{timezone.localdate().year + 1}/",
        readers=meeting_pages,
    ),
    "actions:update": Target(
        lambda s: f"/actions/{s.action.pk}/",
        valid={"text": "Called the school."},
        readers=action_pages,
    ),
    "actions:edit": Target(lambda s: f"/actions/{s.action.pk}/edit/", readers=action_pages),
    "actions:index": Target(lambda s: "/actions/"),
    "polls:new": Target(
        lambda s: f"/circles/{s.circle.pk}/polls/new/",
        readers=lambda s: [f"/circles/{s.circle.pk}/polls/", *circle_pages(s)],
    ),
    "polls:answer": Target(lambda s: f"/polls/{s.poll.pk}/", readers=poll_pages),
    # The confirmation pages that the poll page's links lead to.
    "polls:pick": Target(
        lambda s: f"/polls/{s.poll.pk}/pick/?option={s.poll.options.first().pk}",
        readers=poll_pages,
    ),
    "polls:close": Target(lambda s: f"/polls/{s.poll.pk}/close/", readers=poll_pages),
}


def target_of(form: HtmlForm, page: str) -> str:
    return resolve(urlsplit(form.action or page).path).view_name


def the_form(client, name: str, page: str) -> HtmlForm:
    response = client.get(page, follow=True)
    assert response.status_code == 200, page
    page = response.request["PATH_INFO"]
    found = [form for form in forms_on(response.content.decode()) if target_of(form, page) == name]
    assert found, f"no form sent to {name} on {page}"
    form = found[0]
    form.action = form.action or page
    return form


def text_columns():
    """(model, field name) of every text column of the project's own models."""
    for app in apps.get_app_configs():
        if Path(app.path).parent != Path(django_settings.BASE_DIR):
            continue
        for model in app.get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, models.CharField | models.TextField):
                    yield model, field.name


def assert_no_nul_stored():
    """PostgreSQL refuses a NUL byte in text (a server error); SQLite would store it. Either way
    a form must refuse it, so none may be in the database after the NUL sweep."""
    # Looked for in Python: a NUL in a query is refused by PostgreSQL and cuts SQLite's LIKE.
    for model, name in text_columns():
        stored = model.objects.values_list(name, flat=True)
        assert not any("\x00" in str(value) for value in stored), f"{model.__name__}.{name}"


def assert_renders(client, redirect: str, readers: list[str]):
    # The redirect may go where the input said (a "next" page that does not exist: 404).
    assert client.get(redirect).status_code < 500, redirect
    for url in readers:
        response = client.get(url)
        assert response.status_code in (200, 302), f"{url}: {response.status_code}"


@pytest.mark.parametrize("name", sorted(FORMS))
def test_no_input_gets_a_server_error(client, scene, django_capture_on_commit_callbacks, name):
    target = FORMS[name]
    if not target.anonymous:
        client.force_login(scene.coordinator)
    form = the_form(client, name, target.page(scene))
    sent = form.values() | (target.valid or {})
    allowed = {200, 302} | target.also
    send = client.get if form.method == "get" else client.post

    def check(values: dict, what: str):
        values = {key: value for key, value in values.items() if value is not None}
        with transaction.atomic():
            # Signing out or changing the password in an earlier example must not carry over.
            client.logout()
            if not target.anonymous:
                client.force_login(scene.coordinator)
            with django_capture_on_commit_callbacks(execute=True):
                response = send(form.action, values)
            assert response.status_code in allowed, f"{what}: {response.status_code}"
            if response.status_code == 302 and not target.anonymous:
                assert_renders(client, response.url, target.readers(scene))
            if what == "NUL bytes":
                assert_no_nul_stored()
            transaction.set_rollback(True)

    for what, bad in SWEEP.items():
        check(sent | {name: bad[field.kind] for name, field in form.fields.items()}, what)

    @FUZZ
    @given(st.data())
    def fuzz(data):
        names = sorted(form.fields)
        if names:
            some = st.sets(st.sampled_from(names), min_size=1, max_size=3)
            changed = data.draw(st.one_of(some, st.just(set(names))), label="fields changed")
        else:
            changed = set()
        values = dict(sent)
        for field_name in sorted(changed):
            field = form.fields[field_name]
            values[field_name] = data.draw(hostile(field), label=field_name)
        check(values, "random")

    fuzz()


@pytest.fixture
def world(circle, coordinator, citizen):
    return World(circle=circle, coordinator=coordinator, member=citizen)


def test_every_form_on_every_page_is_fuzzed(client, world):
    """Forms found on any page (signed in as a coordinator, and anonymously) are all in FORMS,
    so a form added later cannot go unfuzzed."""
    found = set()
    for user in (None, world.coordinator):
        if user is not None:
            client.force_login(user)
        for name, params in PATTERNS:
            if user is None and name not in PUBLIC:
                continue
            url = build_url(name, params, world)
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            found |= {target_of(form, url) for form in forms_on(response.content.decode())}
    assert found - set(FORMS) == set()
    assert {"login", "profile", "meetings:respond", "actions:index"} <= found
