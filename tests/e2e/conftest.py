"""Browser tests: Playwright (sync API) driving Chromium against pytest-django's live server.

Without Chromium the tests skip; with REQUIRE_BROWSER=1 (CI) they fail instead. See the
"Browser tests" section of DEVELOPERS.md.
"""

import datetime
import io
import os
import re
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

# Playwright's sync API runs an event loop in the test thread, which makes Django refuse
# database access from that thread for the rest of the session. The tests are synchronous
# code that merely shares the thread with that loop, so the check does not apply. Set here,
# at collection, before any test touches the database.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.db import connections
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect, sync_playwright

from allies.models import User
from circles.models import Circle
from meetings.models import Meeting, Response, Topic
from meetings.topics import SEEDED_TOPICS

HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ARTIFACTS = "test-artifacts"
# The day the journeys and the page scans happen (a Wednesday; the clock runs on from 14:00).
# seed_demo places its dinners and actions around today, so a fixed today gives the same dates,
# the same "next year" and the same pages in every run.
TODAY = datetime.datetime(2027, 3, 10, 14, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Amsterdam"))

_page_logs = pytest.StashKey[dict[str, list[str]]]()
_own_pages = pytest.StashKey[dict[str, Page]]()


def pytest_collection_modifyitems(items):
    # A conftest's hook sees every collected item, not only this folder's.
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.e2e)


def _no_browser(reason: str, detail: str = ""):
    if os.environ.get("REQUIRE_BROWSER", "") not in ("", "0"):
        pytest.fail(f"{reason} (REQUIRE_BROWSER is set)\n{detail}".rstrip(), pytrace=False)
    pytest.skip(f"{reason} (browser tests skipped; REQUIRE_BROWSER=1 makes this an error)")


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run."""
    if not os.access(CHROMIUM, os.X_OK):
        _no_browser(f"No Chromium at {CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH")
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
        except PlaywrightError as exc:
            _no_browser(f"Chromium at {CHROMIUM} did not start", detail=exc.message)
        yield chromium
        # While Playwright runs, asyncio sees a running loop in this thread, and Django keeps
        # the thread's database connections apart from the ones it had before (asgiref's
        # thread-critical Local): the tests' connection opened then would stay open after
        # Playwright stops, and PostgreSQL would refuse to drop the test database.
        connections.close_all()
        chromium.close()


def _open_page(browser, live_server, request, name, options) -> Page:
    # A fresh context per page: no cookies or storage carried over between tests.
    context = browser.new_context(base_url=live_server.url, locale="en-GB", **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    watch(request, name, page)
    return page


def watch(request, name: str, page: Page) -> None:
    """Keep the tab's console, and the tab, for the test's failure artifacts."""
    log = request.node.stash.setdefault(_page_logs, {}).setdefault(name, [])
    page.on("console", lambda message: log.append(f"console.{message.type}: {message.text}"))
    page.on("pageerror", lambda error: log.append(f"page error: {error}"))
    keep_for_artifacts(request, name, page)


def keep_for_artifacts(request, name: str, page: Page) -> None:
    """Save this tab too when the test fails (a tab that is not one of the test's fixtures)."""
    request.node.stash.setdefault(_own_pages, {})[name] = page


@pytest.fixture
def page(browser, live_server, request):
    """A desktop browser tab (1280x800), English unless the test switches."""
    page = _open_page(browser, live_server, request, "page", DESKTOP)
    yield page
    page.context.close()


@pytest.fixture
def phone_page(browser, live_server, request):
    """A phone-sized tab (375x812, touch), the way most members use the site."""
    page = _open_page(browser, live_server, request, "phone_page", PHONE)
    yield page
    page.context.close()


@dataclass
class Screen:
    """A person at a desktop or on a phone. On a phone each control is tapped, after checking
    that it lies within the screen's width, and each page is checked for sideways scrolling."""

    page: Page
    is_phone: bool

    def press(self, control: Locator, *, trial: bool = False) -> None:
        """Click (desktop) or tap (phone) the control, as a person would. Both wait until it is
        visible, enabled and not covered by anything else; `trial` stops there."""
        if not self.is_phone:
            control.click(trial=trial)
            return
        control.scroll_into_view_if_needed()
        assert_within_width(self.page, control)
        control.tap(trial=trial)

    def fill(self, field: Locator, text: str) -> None:
        """Type into a field that can be reached (a real tap could open a phone's picker)."""
        self.press(field, trial=True)
        field.fill(text)

    def choose(self, field: Locator, option: str) -> None:
        """Pick the option with this label from a select that can be reached."""
        self.press(field, trial=True)
        field.select_option(label=option)

    def arrive(self, heading: str | re.Pattern) -> None:
        """Wait for the page with this main heading; on a phone, check that it fits."""
        expect(self.page.get_by_role("heading", level=1)).to_have_text(heading)
        if self.is_phone:
            assert_no_horizontal_scroll(self.page)

    def menu(self, name: str) -> None:
        """Follow a link of the main menu, opening the menu first on a phone."""
        toggler = self.page.get_by_role("button", name="Toggle navigation")
        if toggler.is_visible():
            self.press(toggler)
        self.press(self.page.locator("#main-nav").get_by_role("link", name=name, exact=True))


@pytest.fixture(params=list(VIEWPORTS))
def screen(browser, live_server, request) -> Screen:
    """The same journey at a desktop (1280x800) and on a phone (375x812, touch)."""
    page = _open_page(browser, live_server, request, request.param, VIEWPORTS[request.param])
    yield Screen(page=page, is_phone=request.param == "phone")
    page.context.close()


@pytest.fixture
def frozen_today():
    """Today is TODAY, for the test and the live server alike; the clock runs on from there.
    Request it before `demo`, which places the demo's dinners around today."""
    with time_machine.travel(TODAY, tick=True) as traveller:
        yield traveller


def seed_demo_data() -> dict[str, User]:
    """What `manage.py seed_demo` makes; the people by username."""
    # A transactional test empties every table when it ends, the topics that a migration
    # seeded included; seed_demo needs them. (Serialized rollback would restore them, but
    # clashes with the content types that the flushes of other tests recreate.)
    for name, description in SEEDED_TOPICS:
        Topic.objects.get_or_create(name=name, defaults={"description": description})
    call_command("seed_demo", stdout=io.StringIO())
    return {person.username: person for person in User.objects.all()}


@pytest.fixture
def demo(transactional_db) -> dict[str, User]:
    """The demo data of `manage.py seed_demo`, committed so the live server sees it.

    Returns the people by username; they all have the password seed_demo.DEMO_PASSWORD.
    """
    return seed_demo_data()


@pytest.fixture
def demo_today(frozen_today, demo):
    """The demo data, on TODAY."""
    return demo


@pytest.fixture
def overvecht(demo_today) -> Circle:
    """The demo's circle of the coordinator and her members."""
    return Circle.objects.get(name="Overvecht Allies")


@pytest.fixture
def last_nights_dinner(overvecht, demo_today) -> Meeting:
    """A dinner held last night, not recorded yet: two said they would come, one would not
    (it was planned a month before, not entered afterwards)."""
    starts = TODAY.replace(hour=18, minute=30) - datetime.timedelta(days=1)
    dinner = Meeting.objects.create(
        circle=overvecht,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(minutes=overvecht.dinner_minutes),
        venue_name=overvecht.default_venue_name,
        status=Meeting.Status.CONFIRMED,
    )
    Meeting.objects.filter(pk=dinner.pk).update(created_at=starts - datetime.timedelta(days=30))
    for username, answer in (
        ("officer", Response.Answer.ATTENDING),
        ("clerk", Response.Answer.ATTENDING),
        ("citizen", Response.Answer.NOT_ATTENDING),
    ):
        dinner.responses.create(person=demo_today[username], answer=answer)
    return dinner


def sign_in(page: Page, username: str, password: str) -> None:
    """Sign in through the login form, as a person does, and wait to leave the login page.

    Stays on the login page when already there, so `?next=` and a language picked on the page
    carry through.
    """
    login_path = reverse("login")
    if urlparse(page.url).path != login_path:
        page.goto(login_path)
    form = page.locator("form", has=page.locator("#id_username"))
    form.locator("#id_username").fill(username)
    form.locator("#id_password").fill(password)
    form.locator("button[type=submit]").click()
    expect(page, f"signing in as {username!r} failed").not_to_have_url(
        re.compile(re.escape(login_path))
    )


_axe = Axe()


def assert_accessible(page: Page) -> None:
    """Fail with a readable list when axe-core finds WCAG 2.1 A/AA violations on the page."""
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    violations = _axe.run(page, options=options).response["violations"]
    if violations:
        # Raised, not asserted: pytest would append the raw results to the readable list.
        raise AssertionError(_describe_violations(page.url, violations))


def assert_landmarks_unique(page: Page) -> None:
    """axe-core's best-practice rule that no two landmarks (a section and the scrolling region
    of its table, say) share a role and name: a screen reader's list of them tells them apart."""
    assert_rules_pass(page, "landmark-unique")


def assert_rules_pass(page: Page, *rules: str) -> None:
    """axe-core with only these rules: for pages (Django admin's) that other rules fail on for
    reasons of their own."""
    options = {"runOnly": {"type": "rule", "values": list(rules)}}
    violations = _axe.run(page, options=options).response["violations"]
    if violations:
        raise AssertionError(_describe_violations(page.url, violations))


def _describe_violations(url: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} accessibility violation(s) on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            selector = " ".join(str(part) for part in node["target"])
            checks = node.get("any", []) + node.get("all", []) + node.get("none", [])
            detail = checks[0]["message"] if checks else ""
            lines.append(f"    {selector}: {detail}".rstrip(": "))
        lines.append(f"  see {violation['helpUrl']}")
    return "\n".join(lines)


# clientWidth, not innerWidth: a phone (is_mobile) widens the window to fit a page that is too
# wide, so innerWidth grows with the page and the comparison could never fail.
_MEASURE_WIDTH = """() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll("body *")]
        .filter((element) => element.getBoundingClientRect().right > width + 0.5)
        .slice(0, 5)
        .map((element) => element.outerHTML.slice(0, 80));
    return {scroll: document.documentElement.scrollWidth, width, wide};
}"""


def assert_no_horizontal_scroll(page: Page) -> None:
    """Fail when the page is wider than the window (on a phone: sideways scrolling)."""
    measured = page.evaluate(_MEASURE_WIDTH)
    if measured["scroll"] > measured["width"]:
        raise AssertionError(
            f"{page.url} is {measured['scroll']} px wide in a {measured['width']} px window;"
            " too wide: \n  " + "\n  ".join(measured["wide"])
        )


def assert_within_width(page: Page, elements: Locator) -> None:
    """Fail when one of these elements reaches past a side of the window: on a phone it is off
    the screen, or out of sight in a region that scrolls sideways. Measured where they are: to
    scroll one into view would scroll such a region along."""
    width = page.evaluate("document.documentElement.clientWidth")
    found = elements.all()
    assert found, f"{elements} matches nothing on {page.url}"
    for element in found:
        box = element.bounding_box()
        assert box is not None, f"{element} has no box on the screen"
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (
            f"{element} is not within the {width} px wide screen: {box}"
        )


# Each table of the page against its box: the scrolling region it sits in (.table-responsive)
# or else its parent. A visually hidden caption (1 px, clipped) is not expected to show.
_MEASURE_TABLES = """() => [...document.querySelectorAll("main table")].flatMap((table) => {
    const box = table.closest(".table-responsive") || table.parentElement;
    const edge = box.getBoundingClientRect().right + 0.5;
    const name = (table.caption?.textContent || table.outerHTML).trim().slice(0, 60);
    const problems = [];
    if (box.scrollWidth > box.clientWidth) {
        problems.push(`${name}: ${box.scrollWidth} px wide in a ${box.clientWidth} px box`);
    }
    const caption = table.caption?.getBoundingClientRect();
    if (caption && caption.width > 1 && caption.right > edge) {
        problems.push(`${name}: its caption is cut off at ${Math.round(edge)} px`);
    }
    return problems;
})"""


def assert_tables_fit(page: Page) -> None:
    """Fail when a table of the page is wider than its box, or its caption runs past it: the
    table scrolls sideways inside its region, and on a phone nothing shows that it does."""
    problems = page.evaluate(_MEASURE_TABLES)
    width = page.viewport_size["width"] if page.viewport_size else "?"
    assert problems == [], f"tables too wide for {page.url} at {width} px: {problems}"


_BROKEN_WORDS = """(elements) => {
    const broken = [];
    for (const element of elements) {
        const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (const word of node.data.matchAll(/\\S+/g)) {
                const range = document.createRange();
                range.setStart(node, word.index);
                range.setEnd(node, word.index + word[0].length);
                if (range.getClientRects().length > 1) broken.push(word[0]);
            }
        }
    }
    return broken;
}"""


def assert_words_whole(elements: Locator) -> None:
    """Fail when a word in these elements is split over two lines (on a phone, a narrow table
    column can cut "dinner" into "dinn" and "er")."""
    broken = elements.evaluate_all(_BROKEN_WORDS)
    assert broken == [], f"words split over two lines: {broken}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """When an e2e test fails, keep a screenshot, the HTML and the console of each tab."""
    report = yield
    if report.failed and report.when in ("setup", "call"):
        saved = _save_artifacts(item)
        if saved:
            report.sections.append(("e2e artifacts", "\n".join(saved)))
    return report


def _save_artifacts(item) -> list[str]:
    pages = dict(item.stash.get(_own_pages, {}))
    for name, value in getattr(item, "funcargs", {}).items():
        if isinstance(value, Page):
            pages[name] = value
    if not pages:
        return []
    folder = item.config.rootpath / ARTIFACTS
    folder.mkdir(exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "_", item.nodeid)
    logs = item.stash.get(_page_logs, {})
    saved = []
    for name, page in pages.items():
        base = folder / f"{stem}-{name}"
        try:
            page.screenshot(path=f"{base}.png", full_page=True)
            Path(f"{base}.html").write_text(page.content(), encoding="utf-8")
        except PlaywrightError as exc:  # a closed or crashed tab: keep what can be kept
            Path(f"{base}.html").write_text(f"<!-- not saved: {exc.message} -->")
        Path(f"{base}.log").write_text(
            f"url: {page.url}\n" + "\n".join(logs.get(name, [])) + "\n", encoding="utf-8"
        )
        saved.append(f"{base}.png / .html / .log")
    return saved
