"""The cast every test can use: a circle with a coordinator, a member of each sector, and an
outsider who belongs to another circle."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from allies.models import User
from allies.services import email_change_token
from circles.models import Circle, Membership, Sector
from meetings.models import Meeting

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _test_settings(settings):
    """Tests read English unless they ask for Dutch, and hash passwords quickly."""
    settings.LANGUAGE_CODE = "en"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_person(username, **extra) -> User:
    extra.setdefault("name", username.capitalize())
    extra.setdefault("email", f"{username}@example.org")
    extra.setdefault("preferred_language", "en")
    return User.objects.create_user(username=username, password=PASSWORD, **extra)


def email_change_link_token(person: User, new_email: str) -> str:
    """The token of the link allies.services.email_change_request sends to `new_email`, the
    person left as it leaves them (waiting for that address, the link sent now), but without
    the email."""
    person.pending_email = new_email
    person.email_change_sent_at = timezone.now()
    person.save(update_fields=["pending_email", "email_change_sent_at"])
    return email_change_token(person, new_email)


def make_meeting(circle, days_ahead=7, **extra) -> Meeting:
    starts = timezone.now().replace(microsecond=0) + datetime.timedelta(days=days_ahead)
    extra.setdefault("venue_name", "Police station")
    return Meeting.objects.create(
        circle=circle, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2), **extra
    )


def planned_ahead(meeting: Meeting) -> Meeting:
    """The meeting as if it had been planned a month before it started: make_meeting enters one
    that has started by now afterwards, to record it (Meeting.entered_afterwards)."""
    meeting.created_at = meeting.starts_at - datetime.timedelta(days=30)
    Meeting.objects.filter(pk=meeting.pk).update(created_at=meeting.created_at)
    return meeting


# When the cast's circles were created: years before any test's today, so that the whole
# target counts in every year the tests look at, as it does after a circle's first year
# (Circle.target_in).
ESTABLISHED = datetime.datetime(2020, 1, 1, 12, 0, tzinfo=datetime.UTC)


def rejoin(circle, person, left_on: datetime.date, back_on: datetime.date, **extra) -> Membership:
    """The person's membership of the circle ended on `left_on`, and a new one from `back_on`
    (sector, unless given: the one they had)."""
    ended = circle.memberships.get(person=person, left_on__isnull=True)
    ended.end(left_on)
    extra.setdefault("sector", ended.sector)
    return Membership.objects.create(person=person, circle=circle, joined_on=back_on, **extra)


def created_on(circle, created_at: datetime.datetime) -> Circle:
    """The circle, as if it had been created at `created_at` (auto_now_add makes it now)."""
    Circle.objects.filter(pk=circle.pk).update(created_at=created_at)
    circle.created_at = created_at
    return circle


def make_circle(name, municipality, created_at=ESTABLISHED, **extra) -> Circle:
    return created_on(
        Circle.objects.create(name=name, municipality=municipality, **extra), created_at
    )


@pytest.fixture
def circle(db):
    return make_circle("Overvecht Allies", "Utrecht")


@pytest.fixture
def other_circle(db):
    return make_circle("Tilburg Allies", "Tilburg")


@pytest.fixture
def coordinator(circle):
    person = make_person("coordinator", phone="+31612345001")
    Membership.objects.create(
        person=person, circle=circle, sector=Sector.POLICE, is_coordinator=True
    )
    return person


@pytest.fixture
def officer(circle):
    person = make_person("officer", phone="+31612345002", phone_shared_at=timezone.now())
    Membership.objects.create(person=person, circle=circle, sector=Sector.POLICE)
    return person


@pytest.fixture
def clerk(circle):
    person = make_person("clerk", phone="+31612345003", phone_shared_at=timezone.now())
    Membership.objects.create(person=person, circle=circle, sector=Sector.MUNICIPALITY)
    return person


@pytest.fixture
def citizen(circle):
    person = make_person("citizen", phone="+31612345004", dietary_needs="halal")
    Membership.objects.create(person=person, circle=circle, sector=Sector.COMMUNITY)
    return person


@pytest.fixture
def outsider(other_circle):
    person = make_person("outsider", phone="+31612345005", phone_shared_at=timezone.now())
    Membership.objects.create(
        person=person, circle=other_circle, sector=Sector.MUNICIPALITY, is_coordinator=True
    )
    return person


@pytest.fixture
def admin_user(db):
    return make_person("admin", is_staff=True, is_superuser=True)


@pytest.fixture
def cast(coordinator, officer, clerk, citizen, outsider):
    return {
        "coordinator": coordinator,
        "officer": officer,
        "clerk": clerk,
        "citizen": citizen,
        "outsider": outsider,
    }


@pytest.fixture
def meeting(circle, coordinator):
    return make_meeting(circle)


# The most queries a key page may make (issue 9): dashboard, circle, meeting, my actions, year
# planner, personal calendar feed, admin meeting changelist. bench/ measures them at scale.
KEY_PAGE_MAX_QUERIES = 12


def count_queries(client, url) -> int:
    """How many SQL queries one GET of the page makes (it must answer 200)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)
