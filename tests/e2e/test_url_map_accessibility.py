"""axe-core scans (WCAG 2.0 and 2.1, A and AA) of every page of the URL map, in English and in
Dutch, each as the role that sees it.

The pages come from the resolver, as in tests/test_permissions.py, so a page added later is
scanned without editing this file. Nor is a role written down per page: each page is asked for
as anonymous, member, coordinator and staff, in that order, and scanned as the first who gets
it (200 with HTML, not a redirect). So the login page is scanned as anonymous, the dashboard as
a member, the record form as a coordinator, a staff-only page as staff. What answers with
another content type (calendar and contacts files, the feed, JSON, plain text) is a file, not a
page, and is skipped for that reason; so is what only takes POST (GET answers 405). A page that
nobody gets fails, with what each role got.

Speed: the data is made once for the module and each role signs in once per language; a page
opens in a fresh browser context made from that role's storage_state. That is why this module
keeps its database across its tests (see `_live_server_helper`) and empties it at the end.
"""

import itertools
from dataclasses import dataclass, field

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import Browser, BrowserContext, Page, expect

from actions.models import Action
from allies.management.commands.seed_demo import DEMO_PASSWORD
from allies.models import User
from circles.models import Circle, Invitation, Sector
from meetings.models import Meeting
from tests.conftest import email_change_link_token
from tests.e2e.conftest import (
    DESKTOP,
    TODAY,
    assert_accessible,
    keep_for_artifacts,
    seed_demo_data,
    sign_in,
)
from tests.test_permissions import PARAMS as PERMISSION_PARAMS
from tests.test_permissions import PATTERNS, World

# Who asks for a page, in this order, and as whom they sign in (None: not signed in).
ROLES = {"anonymous": None, "member": "citizen", "coordinator": "coordinator", "staff": "admin"}
LANGUAGES = ["en", "nl"]
PAGES = dict(PATTERNS)  # URL name -> its parameters; admin is left out (Django's own pages)


@pytest.fixture(autouse=True)
def _live_server_helper():
    """Stands in for pytest-django's fixture of this name, which makes each test that uses the
    live server a transactional one, emptying the database after it. The scans share the data
    that `site` makes once, so here nothing is emptied between tests; `site` empties the
    database at the end of the module, as a transactional test would have."""
    yield


@dataclass
class Site:
    """The live server, the demo data, and the values each URL parameter can take."""

    url: str
    values: dict[str, list]
    world: World

    def candidates(self, name: str) -> list[str]:
        """The page's URL with each combination of parameter values."""
        params = sorted(PAGES[name])
        choices = [self._values_of(name, param) for param in params]
        return [
            reverse(name, kwargs=dict(zip(params, chosen, strict=True)))
            for chosen in itertools.product(*choices)
        ]

    def _values_of(self, name: str, param: str) -> list:
        if param not in self.values:
            if param not in PERMISSION_PARAMS:
                pytest.fail(f"{name}: no value for the parameter {param!r}; add one to `site`")
            # A parameter this module does not know (a poll, later): test_permissions' factory.
            self.values[param] = [PERMISSION_PARAMS[param](self.world)]
        if None in self.values[param]:
            pytest.skip(f"{name}: nothing to fill {param} with yet")
        return self.values[param]


@pytest.fixture(scope="module")
def site(live_server, django_db_setup, django_db_blocker) -> Site:
    host = live_server.url.split("//")[1].split(":")[0]
    with (
        django_db_blocker.unblock(),
        time_machine.travel(TODAY, tick=True),
        # What tests/conftest.py sets for each test, for the data made before them: the demo
        # in English, as every test has it.
        override_settings(
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, host],
            LANGUAGE_CODE="en",
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
    ):
        people = seed_demo_data()
        circle = Circle.objects.get(name="Overvecht Allies")
        member = people[ROLES["member"]]
        values = {
            "circle_id": [circle.pk],
            # The next dinner first; the record form only opens for one that has started.
            "meeting_id": [
                circle.meetings.upcoming().order_by("starts_at").first().pk,
                circle.meetings.filter(status=Meeting.Status.HELD).order_by("starts_at").last().pk,
            ],
            "action_id": [member.owned_actions.filter(status=Action.Status.OPEN).first().pk],
            "membership_id": [member.memberships.get(circle=circle).pk],
            # The member is asked to join the other circle too.
            "invitation_id": [
                Invitation.objects.create(
                    circle=Circle.objects.exclude(pk=circle.pk).first(),
                    person=member,
                    sector=Sector.COMMUNITY,
                ).pk
            ],
            "year": [TODAY.year],
            # The link that confirms a new email address first: other pages refuse it (404, or
            # an explained refusal) and go on to the feed token. The member's profile shows
            # that address waiting, with its button to cancel.
            "token": [
                email_change_link_token(member, "citizen.new@example.org"),
                member.feed_token,
            ],
            "uidb64": [urlsafe_base64_encode(force_bytes(member.pk))],
        }
        world = World(circle=circle, coordinator=people[ROLES["coordinator"]], member=member)
        yield Site(url=live_server.url, values=values, world=world)
        call_command("flush", interactive=False, verbosity=0)


@dataclass
class Found:
    role: str
    url: str


@dataclass
class Visitors:
    """Per role, in one language: a context that signs in (once) and finds out which pages the
    role gets, and a context made from its storage_state whose tab the scans reuse. Finding
    out can leave a message behind (a redirect that explains itself); the scans do not see it."""

    browser: Browser
    site: Site
    language: str
    finders: dict[str, BrowserContext] = field(default_factory=dict)
    tabs: dict[str, Page] = field(default_factory=dict)

    def new_context(self, **options) -> BrowserContext:
        context = self.browser.new_context(
            base_url=self.site.url, locale="en-GB", **DESKTOP, **options
        )
        context.set_default_timeout(10_000)
        return context

    def finder(self, role: str) -> BrowserContext:
        if role not in self.finders:
            context = self.finders[role] = self.new_context()
            if ROLES[role] is None:
                cookie = {"name": settings.LANGUAGE_COOKIE_NAME, "value": self.language}
                context.add_cookies([{**cookie, "url": self.site.url}])
            else:
                page = context.new_page()
                sign_in(page, ROLES[role], DEMO_PASSWORD)
                page.close()
        return self.finders[role]

    def tab(self, role: str) -> Page:
        if role not in self.tabs:
            state = self.finder(role).storage_state()
            self.tabs[role] = self.new_context(storage_state=state).new_page()
        return self.tabs[role]

    def find(self, name: str) -> Found:
        """The first role that gets the page, at the first URL that shows it; skips files and
        form targets."""
        tried = []
        for role, url in itertools.product(ROLES, self.site.candidates(name)):
            response = self.finder(role).request.get(url, max_redirects=0)
            content_type = response.headers.get("content-type", "")
            if response.status == 405:
                pytest.skip(f"{name} only takes POST: a form's target, not a page")
            if response.status == 200 and not content_type.startswith("text/html"):
                pytest.skip(f"{name} answers {content_type}: a file, not a page")
            if response.status == 200:
                return Found(role=role, url=url)
            tried.append(f"{role} {url}: {response.status}")
        pytest.fail(f"{name}: no role gets the page:\n  " + "\n  ".join(tried))

    def close(self):
        for page in self.tabs.values():
            page.context.close()
        for context in self.finders.values():
            context.close()


@pytest.fixture(scope="module", params=LANGUAGES)
def visitors(request, site, browser) -> Visitors:
    """The roles in one language. People read their preferred language; an anonymous visitor
    gets the language cookie."""
    usernames = [username for username in ROLES.values() if username]
    User.objects.filter(username__in=usernames).update(preferred_language=request.param)
    visitors = Visitors(browser=browser, site=site, language=request.param)
    yield visitors
    visitors.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_page_is_accessible(visitors, name, request):
    found = visitors.find(name)
    page = visitors.tab(found.role)
    keep_for_artifacts(request, f"{found.role}-{visitors.language}", page)
    response = page.goto(found.url)
    assert response.status == 200, f"{found.url} as {found.role}: {response.status}"
    expect(page.locator("html")).to_have_attribute("lang", visitors.language)
    assert_accessible(page)


def test_each_page_goes_to_the_first_role_that_gets_it(visitors):
    # What the scans rely on; a walk that skipped or misplaced everything would pass them.
    meeting_id, held_id = visitors.site.values["meeting_id"]
    assert visitors.find("login") == Found("anonymous", "/accounts/login/")
    assert visitors.find("privacy_statement") == Found("anonymous", "/privacy/")
    assert visitors.find("dashboard") == Found("member", "/")
    assert visitors.find("meetings:respond") == Found("member", f"/meetings/{meeting_id}/respond/")
    assert visitors.find("meetings:edit") == Found("coordinator", f"/meetings/{meeting_id}/edit/")
    # The next dinner has not started: the record form opens for the last one held.
    assert visitors.find("meetings:record") == Found("coordinator", f"/meetings/{held_id}/record/")
    for name, reason in (
        ("meetings:meeting_ics", "answers text/calendar"),
        ("circles:contacts", "answers text/vcard"),
        ("calendar_feed", "answers text/calendar"),
        ("healthz", "answers text/plain"),
        ("logout", "only takes POST"),
        ("actions:update", "only takes POST"),
    ):
        with pytest.raises(pytest.skip.Exception, match=reason):
            visitors.find(name)
