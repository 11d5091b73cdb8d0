"""axe-core scans (WCAG 2.1 A and AA) of the pages anyone reaches first."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from allies.management.commands.seed_demo import DEMO_PASSWORD
from circles.models import Circle, Membership, Sector
from meetings.models import Meeting
from tests.e2e.conftest import (
    assert_accessible,
    assert_no_horizontal_scroll,
    assert_rules_pass,
    sign_in,
)

PAGE_WITH = """<!doctype html><html lang="en"><head><title>Search</title></head>
<body><main><h1>Search</h1><form>{field}<button type="submit">Go</button></form></main></body>
</html>"""


def test_the_scan_fails_on_an_input_without_a_label(page):
    page.set_content(PAGE_WITH.format(field='<input type="text" id="q" name="q">'))
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)
    report = str(failure.value)
    assert "- label (critical)" in report
    assert "#q" in report


def test_the_scan_passes_the_same_input_with_a_label(page):
    page.set_content(
        PAGE_WITH.format(field='<label for="q">Words</label><input type="text" id="q" name="q">')
    )
    assert_accessible(page)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_login_page_is_accessible(page, live_server, db, language):
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert_accessible(page)


def test_login_page_with_an_error_is_accessible(page, demo):
    page.goto("/accounts/login/")
    page.locator("#id_username").fill("coordinator")
    page.locator("#id_password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Please enter a correct username and password")).to_be_visible()
    assert_accessible(page)


def test_password_reset_page_is_accessible(page, db):
    page.goto("/accounts/password_reset/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    assert_accessible(page)


@pytest.mark.parametrize(
    ("username", "shows"),
    [
        ("coordinator", "Invite the mosque board to the next dinner"),
        ("citizen", "overdue since"),  # the overdue action's own colour
    ],
)
def test_dashboard_is_accessible(page, demo, username, shows):
    sign_in(page, username, DEMO_PASSWORD)
    expect(page.get_by_text(shows)).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "Getting started with Zuilen Allies"), ("nl", "Zo begin je met Zuilen Allies")],
)
def test_a_new_circles_first_steps_are_accessible_on_a_phone(phone_page, demo, language, heading):
    """The demo's circles are under way, so the scan of every page never meets the checklist
    of a circle being set up: here the coordinator starts one."""
    coordinator = demo["coordinator"]
    coordinator.preferred_language = language
    coordinator.save(update_fields=["preferred_language"])
    circle = Circle.objects.create(name="Zuilen Allies", municipality="Utrecht")
    Membership.objects.create(
        person=coordinator, circle=circle, sector=Sector.POLICE, is_coordinator=True
    )
    sign_in(phone_page, "coordinator", DEMO_PASSWORD)
    expect(phone_page.get_by_role("heading", name=heading, level=3)).to_be_visible()
    for path in ("/", f"/circles/{circle.pk}/"):
        phone_page.goto(path)
        expect(phone_page.locator(".getting-started li")).to_have_count(4)
        assert_accessible(phone_page)
        assert_no_horizontal_scroll(phone_page)


@pytest.mark.parametrize(
    ("username", "note"),
    [
        ("coordinator", "Entered after it took place: record who came"),
        ("citizen", "Its coordinators will record who came."),
    ],
)
def test_a_meeting_entered_after_it_took_place_is_accessible_on_a_phone(
    phone_page, overvecht, username, note
):
    """The demo's dinners gone by were planned ahead, so the scan of every page never meets
    one entered afterwards, to record it: here it is entered now, two days after."""
    starts = timezone.now() - datetime.timedelta(days=2)
    meeting = Meeting.objects.create(
        circle=overvecht,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        venue_name=overvecht.default_venue_name,
    )
    sign_in(phone_page, username, DEMO_PASSWORD)
    phone_page.goto(f"/meetings/{meeting.pk}/")
    expect(phone_page.get_by_text(note)).to_be_visible()
    expect(phone_page.get_by_role("heading", level=1)).to_contain_text("not recorded yet")
    assert_accessible(phone_page)
    assert_no_horizontal_scroll(phone_page)


def test_the_skip_link_is_the_first_stop_and_leads_to_the_content(page, db):
    # Not the login page: its username field takes the focus on arrival.
    page.goto("/accounts/password_reset/")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).not_to_be_in_viewport()  # hidden until focused
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Email")).to_be_focused()


def test_admin_breadcrumb_links_stand_out_from_the_text_between_them(page, demo):
    """Admin's breadcrumbs told their links from the current page's name by colour alone
    (1.42:1). Only that rule: admin's inline rows fail others of their own (unlabelled cells)."""
    sign_in(page, "admin", DEMO_PASSWORD)
    meeting = Meeting.objects.order_by("pk").last()
    page.goto(reverse("admin:meetings_meeting_change", args=[meeting.pk]))
    expect(page.locator(".breadcrumbs").get_by_role("link", name="Home")).to_be_visible()
    assert_rules_pass(page, "link-in-text-block")
