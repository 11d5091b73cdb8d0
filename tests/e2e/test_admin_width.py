"""Admin's change pages with inlines fit a desktop window of 1280 by 800: an admin at a laptop
should not scroll sideways to reach a row's last field."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from actions.models import Action
from allies.management.commands.seed_demo import DEMO_PASSWORD
from circles.models import Circle
from meetings.models import Meeting
from polls.models import Poll
from tests.e2e.conftest import assert_no_horizontal_scroll, assert_within_width, sign_in


def _poll() -> Poll:
    """The demo has no date poll: one with two candidate dates."""
    meeting = Meeting.objects.order_by("starts_at").last()
    poll = Poll.objects.create(circle=meeting.circle, venue_name=meeting.venue_name)
    for starts_at in (meeting.starts_at, meeting.ends_at):
        poll.options.create(starts_at=starts_at)
    return poll


# The demo's richest of each: the most rows in its inlines.
OBJECTS = {
    "meeting": lambda: Meeting.objects.filter(agenda_items__notes__gt="").last(),
    "circle": lambda: Circle.objects.get(name="Overvecht Allies"),
    "action": lambda: Action.objects.filter(updates__isnull=False).last(),
    "poll": _poll,
}


@pytest.mark.parametrize("language", ["en", "nl"])  # Dutch labels run longer
@pytest.mark.parametrize("kind", OBJECTS)
def test_an_admin_change_page_with_inlines_fits_a_desktop(page, demo, kind, language):
    obj = OBJECTS[kind]()
    demo["admin"].preferred_language = language
    demo["admin"].save()
    sign_in(page, "admin", DEMO_PASSWORD)
    opts = obj._meta
    page.goto(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
    assert page.locator(".inline-group").count() > 0
    assert_no_horizontal_scroll(page)


def test_a_sign_in_record_with_a_long_value_fits_a_desktop(page, demo):
    """A browser's HTTP Accept list has no spaces to wrap at; it ran past the right edge."""
    # Within axes's 1,025 characters (PostgreSQL refuses more; SQLite keeps anything).
    accept = ",".join(["application/xhtml+xml;q=0.9"] * 30)
    attempt = AccessAttempt.objects.create(
        username="citizen",
        ip_address="198.51.100.7",
        user_agent="Firefox",
        http_accept=accept,
        path_info="/accounts/login/",
        get_data="",
        post_data="username=citizen",
        failures_since_start=1,
    )
    sign_in(page, "admin", DEMO_PASSWORD)
    page.goto(reverse("admin:axes_accessattempt_change", args=[attempt.pk]))
    # Admin's form rows hide what overflows them, so the page does not scroll: the value was
    # cut off at the window's edge.
    assert_within_width(page, page.locator(".readonly", has_text=accept[:60]))
    assert_no_horizontal_scroll(page)
