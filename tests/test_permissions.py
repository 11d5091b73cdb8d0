"""Every URL pattern, walked from the resolver so that a page added later cannot be forgotten:
an anonymous visitor is sent to sign in, and someone outside a circle gets 404 for everything of
that circle (its page, meetings, actions, memberships, polls), for GET and for POST.

URL parameters are filled by name (CONVENTIONS: `<int:circle_id>`, `<int:meeting_id>`, ...).
A parameter name that is not in PARAMS fails the test: teach it here, with a factory."""

import datetime
import secrets
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.db import models
from django.urls import get_resolver, reverse
from django.utils import timezone

from actions.models import Action
from allies.models import User
from bench.pages import walk
from circles.models import Circle, Invitation, Membership, Sector
from meetings.models import Meeting
from tests.conftest import make_meeting, make_person

# Pages anyone may open without signing in. Admin URLs are left out of the walk entirely.
PUBLIC = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "healthz",
    "set_language",
    "calendar_feed",  # the personal feed, opened by its secret token
    "email_change_confirm",  # the link sent to a new address, often opened on a phone
    "privacy_statement",  # read before signing in for the first time
}

# Parameters naming something that belongs to a circle: outsiders get 404 for all of them.
CIRCLE_OBJECTS = {
    "circle_id",
    "meeting_id",
    "action_id",
    "membership_id",
    "poll_id",
    "invitation_id",  # someone else's invitation to the circle
}

# A value for a parameter that names nothing, to compare answers with.
MISSING_ID = 987_654_321


@dataclass
class World:
    """The cast's circle and its coordinator; factories make the circle's objects."""

    circle: Circle
    coordinator: User
    member: User


def _model_named(name: str) -> type[models.Model] | None:
    return next((model for model in apps.get_models() if model.__name__ == name), None)


def _make(model: type[models.Model], world: World) -> models.Model:
    """An object of a model this test does not know yet (a Poll, later), belonging to the
    circle: every required field gets a plain value of its type. If a model needs more than
    this, give it its own factory in PARAMS."""
    related = {
        Circle: lambda: world.circle,
        User: lambda: world.coordinator,
        Meeting: lambda: make_meeting(world.circle),
    }
    values = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.has_default() or field.null:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            continue
        if field.is_relation:
            values[field.name] = related[field.related_model]()
        elif field.choices:
            values[field.name] = field.choices[0][0]
        elif isinstance(field, models.DateTimeField):
            values[field.name] = timezone.now() + datetime.timedelta(days=14)
        elif isinstance(field, models.DateField):
            values[field.name] = timezone.localdate() + datetime.timedelta(days=14)
        elif isinstance(field, models.TimeField):
            values[field.name] = datetime.time(18, 30)
        elif isinstance(field, models.IntegerField | models.DecimalField | models.FloatField):
            values[field.name] = 1
        elif isinstance(field, models.CharField | models.TextField):
            values[field.name] = "x"
    return model.objects.create(**values)


def _poll(world: World) -> int | None:
    poll_model = _model_named("Poll")
    return None if poll_model is None else _make(poll_model, world).pk


PARAMS = {
    "circle_id": lambda world: world.circle.pk,
    "meeting_id": lambda world: make_meeting(world.circle).pk,
    "action_id": lambda world: Action.objects.create(circle=world.circle, title="Walk").pk,
    "membership_id": lambda world: (
        Membership.objects.get(circle=world.circle, person=world.member).pk
    ),
    "poll_id": _poll,  # None until the app has polls: those pages are skipped, not passed
    "invitation_id": lambda world: (
        Invitation.objects.create(
            circle=world.circle, person=make_person("invited"), sector=Sector.POLICE
        ).pk
    ),
    "year": lambda world: 2026,
    "token": lambda world: secrets.token_urlsafe(24),
    "uidb64": lambda world: "MQ",
}


PATTERNS = sorted(walk(get_resolver().url_patterns), key=lambda item: str(item[0]))
PRIVATE = [(name, params) for name, params in PATTERNS if name not in PUBLIC]
OF_A_CIRCLE = [(name, params) for name, params in PATTERNS if params & CIRCLE_OBJECTS]


def build_url(name: str, params, world: World, missing: bool = False) -> str:
    """The URL with every parameter filled by its name; MISSING_ID for objects if `missing`."""
    if name is None:
        pytest.fail("A URL pattern has no name: name it, namespaced by its app")
    unknown = sorted(set(params) - set(PARAMS))
    if unknown:
        pytest.fail(f"{name}: unknown URL parameter(s) {unknown}; add a factory to PARAMS")
    kwargs = {}
    for param in sorted(params):
        if missing and param in CIRCLE_OBJECTS:
            kwargs[param] = MISSING_ID
            continue
        value = PARAMS[param](world)
        if value is None:
            pytest.skip(f"{name}: nothing to fill {param} with yet")
        kwargs[param] = value
    return reverse(name, kwargs=kwargs)


@pytest.fixture
def world(circle, coordinator, citizen):
    return World(circle=circle, coordinator=coordinator, member=citizen)


def ids(items):
    return [str(name) for name, _params in items]


def test_every_pattern_is_named_and_has_known_parameters():
    for name, params in PATTERNS:
        assert name is not None, f"an unnamed URL pattern with parameters {sorted(params)}"
        assert params <= set(PARAMS), f"{name}: unknown URL parameter(s) {params - set(PARAMS)}"


def test_the_walk_sees_the_pages_and_leaves_admin_out():
    names = {name for name, _params in PATTERNS}
    assert {"dashboard", "profile", "circles:detail", "circles:membership_end"} <= names
    assert {"login", "password_reset_confirm"} <= names
    assert not any(name.startswith("admin:") for name in names)
    assert dict(PATTERNS)["circles:membership_edit"] == {"circle_id", "membership_id"}


def test_an_unknown_parameter_fails_the_walk(world):
    with pytest.raises(pytest.fail.Exception, match=r"unknown URL parameter\(s\) \['widget_id'\]"):
        build_url("circles:detail", {"circle_id", "widget_id"}, world)


@pytest.mark.parametrize(("name", "params"), PRIVATE, ids=ids(PRIVATE))
def test_anonymous_is_sent_to_sign_in(client, world, name, params):
    url = build_url(name, params, world)
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302, f"{method.__name__.upper()} {url}"
        assert response.url.startswith("/accounts/login/?next="), url


@pytest.mark.parametrize(("name", "params"), OF_A_CIRCLE, ids=ids(OF_A_CIRCLE))
def test_outsider_gets_404(client, world, outsider, name, params):
    url = build_url(name, params, world)
    client.force_login(outsider)
    for method in (client.get, client.post):
        response = method(url)
        if response.status_code == 405:
            # A view refuses a method it does not take (@require_POST, @require_GET) before
            # it looks anything up, so the answer is the same whether the object exists or
            # not: nothing about it leaks.
            missing = build_url(name, params, world, missing=True)
            assert method(missing).status_code == 405, f"{method.__name__} {url}"
        else:
            assert response.status_code == 404, f"{method.__name__} {url}"


def test_a_model_without_a_factory_gets_a_plain_object_of_the_circle(world):
    # What _poll relies on once a Poll model exists.
    from meetings.models import Response

    action = _make(Action, world)
    assert action.circle == world.circle
    response = _make(Response, world)
    assert response.meeting.circle == world.circle
    assert response.person == world.coordinator
