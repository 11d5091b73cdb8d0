"""Every page of the URL map, rendered in Dutch with demo-like data, holds no English words.

The walk comes from the resolver (tests/test_permissions.py), so a page added later is read in
Dutch too. What circles write themselves (names, agenda, minutes) stays as written; the demo's
English content is rewritten in Dutch first, so that only the app's own words are judged."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, ActionUpdate
from allies.models import User
from circles.models import Circle, Invitation, Membership
from meetings.models import AgendaItem, Meeting, Response
from polls.services import poll_open, poll_pick
from tests.test_permissions import PATTERNS, PUBLIC

# Words that must not appear on a Dutch page: the app's own English, case-sensitive so that a
# Dutch sentence ("Agenda", "Start") is not caught by accident.
ENGLISH = [
    "Meeting",
    "Meetings",
    "Action",
    "Actions",
    "Sign in",
    "Sign out",
    "Save",
    "Cancel",
    "Dinner",
    "Dinners",
    "Member",
    "Members",
    "Circle",
    "Circles",
    "Profile",
    "Welcome",
    "Overdue",
    "overdue",
    "Attending",
    "attending",
    "Minutes",
    "Edit",
    "Invite",
    "Record",
    "Answer",
    "Due",
    "Next",
    "Home",
    "Language",
    "Phone",
    "Password",
    "Coordinator",
    "Police",
    "Municipality",
    "Community",
    "Dietary",
    "Venue",
    "Where",
    "When",
    "Who",
    "Update",
    "Updates",
    "Owner",
    "Owners",
    "Commitment",
    "Settings",
    "Year",
    "planned",
    "held",
    "cancelled",
    "done",
    "dropped",
    "maybe",
    "Share",
    "Topic",
    "Monday",
    "Thursday",
    "January",
    "March",
    "December",
    "the",
    "your",
    "you",
    "and",
]
WORDS = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in ENGLISH) + r")(?![\w-])")
# The site says "je"; Django's own Dutch catalogue says "u" (the project's overrides it where
# the site shows Django's texts: allies/django_texts.py).
FORMAL = re.compile(r"(?<![\w-])([Uu]w?|[Uu]we)(?![\w-])")
SHOWN_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt"}


class VisibleText(HTMLParser):
    """The text a reader sees or hears: text nodes and labelling attributes, not code."""

    def __init__(self):
        super().__init__()
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self.hidden += 1
        attrs = dict(attrs)
        self.parts += [v for k, v in attrs.items() if k in SHOWN_ATTRIBUTES and v]
        if tag == "input" and attrs.get("type") in {"submit", "button"} and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def english_words(html: str) -> list[str]:
    return sorted(set(WORDS.findall(visible_text(html))))


def formal_words(html: str) -> list[str]:
    """The words by which a Dutch page would address the reader formally ("u", "uw")."""
    return sorted(set(FORMAL.findall(visible_text(html))))


@pytest.fixture
def demo(db):
    call_command("seed_demo")
    # What the circle wrote itself, in Dutch as a Dutch circle would write it.
    Action.objects.update(title="Buurtwandeling met het jongerenwerk", description="")
    ActionUpdate.objects.update(text="We hebben vrijdagavond gelopen.")
    AgendaItem.objects.filter(topic=None).update(title="Zomerfeest in het park", notes="")
    AgendaItem.objects.exclude(topic=None).update(notes="")
    Meeting.objects.exclude(minutes="").update(minutes="We spraken over de overlast.")
    Response.objects.update(note="")
    Circle.objects.update(description="Bondgenoten in de wijk.", commitment_text="Ik doe mee.")
    Membership.objects.exclude(committed_on=None).update(commitment_agreed_text="Ik doe mee.")
    User.objects.update(preferred_language="nl")
    circle = Circle.objects.get(name="Overvecht Allies")
    # An open date poll and one whose date was picked.
    start = timezone.now() + datetime.timedelta(days=20)
    for title in ("Najaarsdiner", "Winterdiner"):
        poll = poll_open(
            circle=circle,
            created_by=None,
            candidates=[start, start + datetime.timedelta(days=7)],
            title=title,
            venue_name="Politiebureau",
            venue_kind="police_station",
        )
    poll_pick(poll=poll, option=poll.options.first())
    # The citizen is asked to join another circle too.
    Invitation.objects.create(
        circle=Circle.objects.exclude(pk=circle.pk).first(),
        person=User.objects.get(username="citizen"),
        sector="community",
        invited_by=User.objects.get(username="coordinator"),
    )
    return circle


def test_the_word_list_catches_english(client):
    assert english_words(
        "<p>Save <b>your</b> answer</p><button aria-label='Cancel'>x</button>"
    ) == ["Cancel", "Save", "your"]
    assert english_words("<p>Opslaan</p><script>var Save;</script>") == []


def test_formal_address_is_caught():
    assert formal_words("<p>Uw wachtwoord</p><p title='Hebt u uwe sleutel?'>x</p>") == [
        "Uw",
        "u",
        "uwe",
    ]
    assert formal_words("<p>Je wachtwoord, e-mail-u, url</p><u>x</u>") == []


def urls_to_read(circle) -> list[tuple[str, str]]:
    """(name, URL) of every page of the URL map but the public ones, filled with the demo's
    objects: a held and an upcoming meeting, each action, next year's planner."""
    now = timezone.now()
    values = {
        "circle_id": [circle.pk],
        "meeting_id": [
            circle.meetings.filter(status=Meeting.Status.HELD).last().pk,
            circle.meetings.filter(starts_at__gt=now).first().pk,
        ],
        "action_id": [a.pk for a in circle.actions.order_by("pk")],
        "membership_id": [circle.memberships.filter(person__username="citizen").get().pk],
        "year": [timezone.localdate().year, timezone.localdate().year + 1],
        "poll_id": [poll.pk for poll in circle.polls.order_by("pk")],
        "invitation_id": list(Invitation.objects.values_list("pk", flat=True)),
    }
    urls = []
    for name, params in PATTERNS:
        if name in PUBLIC:
            continue  # read by an anonymous visitor below
        combos = [{}]
        for param in sorted(params):
            if param not in values:
                pytest.fail(f"{name}: teach this test a Dutch-demo value for {param}")
            combos = [{**c, param: v} for c in combos for v in values[param]]
        urls += [(name, reverse(name, kwargs=kwargs)) for kwargs in combos]
    return urls


def test_every_page_reads_in_dutch(client, demo):
    people = [User.objects.get(username=u) for u in ("coordinator", "citizen", "admin")]
    read, post_only = set(), set()
    for name, url in urls_to_read(demo):
        for person in people:
            client.force_login(person)
            response = client.get(url)
            if response.status_code == 405:
                post_only.add(name)
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                found = english_words(response.content.decode())
                assert found == [], f"{url} as {person.username}: English words {found}"
                formal = formal_words(response.content.decode())
                assert formal == [], f"{url} as {person.username}: formal address {formal}"
            if response.status_code == 200:
                read.add(name)
    unread = {name for name, _url in urls_to_read(demo)} - read - post_only
    assert unread == set(), "pages no role could open with the demo data"


ANONYMOUS_PAGES = sorted(name for name, params in PATTERNS if name in PUBLIC and not params)


@pytest.mark.parametrize("name", ANONYMOUS_PAGES)
def test_anonymous_pages_read_in_dutch_for_a_dutch_browser(client, db, name):
    response = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="nl")
    if response.status_code == 405 or "html" not in response.get("Content-Type", ""):
        pytest.skip(f"{name} is no page to read (POST only, or not HTML)")
    assert english_words(response.content.decode()) == []
    assert formal_words(response.content.decode()) == []
    assert 'lang="nl"' in response.content.decode()
