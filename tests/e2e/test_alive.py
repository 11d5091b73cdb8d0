"""Keeping circles alive, in a real browser: the year report, date polls and the overview pass
the axe scan (WCAG 2.1 A/AA) on the demo data, fit a phone, and the report prints on A4."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from allies.management.commands.seed_demo import DEMO_PASSWORD
from allies.models import User
from circles.models import Circle
from polls import services
from polls.models import PollAnswer
from tests.e2e.conftest import (
    assert_accessible,
    assert_landmarks_unique,
    assert_no_horizontal_scroll,
    assert_tables_fit,
    assert_within_width,
    assert_words_whole,
    sign_in,
)


@pytest.fixture
def overvecht(demo) -> Circle:
    return Circle.objects.get(name="Overvecht Allies")


@pytest.fixture
def poll(overvecht, demo):
    """An open poll with three dates; the officer and the clerk answered."""
    start = timezone.localtime().replace(hour=18, minute=30, second=0, microsecond=0)
    poll = services.poll_open(
        circle=overvecht,
        created_by=demo["coordinator"],
        candidates=[start + datetime.timedelta(days=days) for days in (20, 27, 34)],
        title="Autumn dinner",
        venue_name="Politiebureau Overvecht",
        venue_kind="police_station",
    )
    for person, answers in ((demo["officer"], "yes no yes"), (demo["clerk"], "if_need_be yes no")):
        for option, answer in zip(poll.options.all(), answers.split(), strict=True):
            PollAnswer.objects.create(option=option, person=person, answer=answer)
    return poll


def report_path(circle) -> str:
    return f"/circles/{circle.pk}/report/{timezone.localdate().year}/"


@pytest.mark.parametrize("username", ["coordinator", "citizen"])
def test_the_year_report_is_accessible(page, overvecht, username):
    sign_in(page, username, DEMO_PASSWORD)
    page.goto(report_path(overvecht))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Overvecht Allies in")
    expect(page.get_by_role("img", name="Attendance by sector per meeting")).to_be_visible()
    expect(page.get_by_role("button", name="Print")).to_be_visible()  # shown by print.js
    assert_accessible(page)


def test_the_year_report_fits_a_phone(phone_page, overvecht, demo):
    sign_in(phone_page, "coordinator", DEMO_PASSWORD)
    phone_page.goto(report_path(overvecht))
    expect(phone_page.get_by_role("heading", name="Attendance by sector")).to_be_visible()
    assert_no_horizontal_scroll(phone_page)
    assert_tables_fit(phone_page)
    assert_accessible(phone_page)
    assert_landmarks_unique(phone_page)
    # Every table's cells, the commitment table's among them ("municipalit-y").
    assert_words_whole(phone_page.locator("main table").get_by_role("cell"))
    # A larger phone, and Dutch, whose headers and statuses are longer.
    phone_page.set_viewport_size({"width": 390, "height": 844})
    assert_tables_fit(phone_page)
    User.objects.filter(pk=demo["coordinator"].pk).update(preferred_language="nl")
    phone_page.reload()
    expect(phone_page.locator("html")).to_have_attribute("lang", "nl")
    assert_tables_fit(phone_page)
    phone_page.set_viewport_size({"width": 375, "height": 812})
    assert_tables_fit(phone_page)
    assert_no_horizontal_scroll(phone_page)


def test_the_year_report_prints_on_a4_without_the_page_controls(page, overvecht):
    sign_in(page, "coordinator", DEMO_PASSWORD)
    page.goto(report_path(overvecht))
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main navigation")).to_be_hidden()
    expect(page.get_by_role("link", name="Download as CSV")).to_be_hidden()
    expect(page.get_by_role("heading", name="Topics discussed")).to_be_visible()
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    # A4 portrait, 210 x 297 mm (595 x 842 points), on every page.
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert boxes
    assert all(round(float(w)) in (595, 596) and round(float(h)) in (842, 843) for w, h in boxes)


def test_the_poll_page_is_accessible_and_answering_works(page, poll):
    sign_in(page, "citizen", DEMO_PASSWORD)
    page.goto(f"/polls/{poll.pk}/")
    expect(page.get_by_role("heading", name="Autumn dinner")).to_be_visible()
    assert_accessible(page)
    for group in page.get_by_role("group").all():
        group.get_by_label("yes", exact=True).check()
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_text("Your answers are saved.")).to_be_visible()
    expect(page.get_by_text("3 of 8 members answered.")).to_be_visible()
    assert_accessible(page)


def test_the_coordinator_picks_a_date_on_a_phone(phone_page, poll):
    sign_in(phone_page, "coordinator", DEMO_PASSWORD)
    phone_page.goto(f"/polls/{poll.pk}/")
    expect(phone_page.get_by_text("Not answered yet:")).to_be_visible()
    assert_no_horizontal_scroll(phone_page)
    assert_accessible(phone_page)
    assert_landmarks_unique(phone_page)
    phone_page.get_by_role("link", name="Pick").first.click()
    # Nothing happens before the coordinator confirms, having seen who has not answered.
    expect(phone_page.get_by_role("heading", name="Pick this date?")).to_be_visible()
    expect(phone_page.get_by_text("6 of the 8 members have not answered yet:")).to_be_visible()
    assert_no_horizontal_scroll(phone_page)
    assert_accessible(phone_page)
    poll.refresh_from_db()
    assert poll.is_open and poll.meeting is None
    phone_page.get_by_role("button", name="Yes, pick this date").click()
    expect(phone_page.get_by_text("members of the circle are invited by email")).to_be_visible()
    poll.refresh_from_db()
    assert poll.meeting is not None
    assert_accessible(phone_page)


def test_the_coordinator_closes_a_poll_without_a_date_after_confirming(page, poll):
    sign_in(page, "coordinator", DEMO_PASSWORD)
    page.goto(f"/polls/{poll.pk}/")
    page.get_by_role("link", name="Close without a date").click()
    expect(page.get_by_role("heading", name="Close this poll without a date?")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="No, keep it open").click()
    expect(page.get_by_role("heading", name="Autumn dinner")).to_be_visible()
    poll.refresh_from_db()
    assert poll.is_open
    page.get_by_role("link", name="Close without a date").click()
    page.get_by_role("button", name="Yes, close the poll").click()
    expect(page.get_by_text("This poll was closed without a date.")).to_be_visible()
    poll.refresh_from_db()
    assert not poll.is_open and poll.meeting is None


def test_the_poll_tally_fits_a_phone_with_the_pick_buttons_in_sight(phone_page, poll, demo):
    # In Dutch, whose longer headers ("Als het moet") pushed the buttons off the side.
    User.objects.filter(pk=demo["coordinator"].pk).update(preferred_language="nl")
    sign_in(phone_page, "coordinator", DEMO_PASSWORD)
    phone_page.goto(f"/polls/{poll.pk}/")
    picks = phone_page.get_by_role("link", name=re.compile(r"^Kiezen "))
    expect(picks).to_have_count(3)
    for width in (375, 390):
        phone_page.set_viewport_size({"width": width, "height": 812})
        assert_no_horizontal_scroll(phone_page)
        assert_tables_fit(phone_page)
        assert_within_width(phone_page, picks)
    assert_accessible(phone_page)


def test_the_new_poll_form_is_accessible_and_keeps_input_on_error(page, overvecht):
    sign_in(page, "coordinator", DEMO_PASSWORD)
    page.goto(f"/circles/{overvecht.pk}/polls/new/")
    assert_accessible(page)
    day = (timezone.localdate() + datetime.timedelta(days=9)).isoformat()
    page.get_by_label("Date 1", exact=True).fill(day)
    page.get_by_role("button", name="Open the poll").click()
    expect(page.get_by_text("Offer at least 2 dates.")).to_be_visible()
    expect(page.get_by_label("Date 1", exact=True)).to_have_value(day)
    assert_accessible(page)


def test_the_circles_polls_are_accessible(page, poll, overvecht):
    sign_in(page, "officer", DEMO_PASSWORD)
    page.goto(f"/circles/{overvecht.pk}/polls/")
    expect(page.get_by_role("link", name="Autumn dinner")).to_be_visible()
    assert_accessible(page)


def test_the_overview_is_accessible_and_filters(page, demo):
    sign_in(page, "admin", DEMO_PASSWORD)
    page.goto("/circles/overview/")
    expect(page.get_by_role("heading", name="All circles at a glance")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Municipality or circle").fill("Tilburg")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("link", name="Tilburg-Noord Allies")).to_be_visible()
    expect(page.get_by_role("link", name="Overvecht Allies")).to_have_count(0)


def test_the_overview_fits_a_phone_with_each_circles_flags_in_sight(phone_page, demo_today):
    sign_in(phone_page, "admin", DEMO_PASSWORD)
    phone_page.goto("/circles/overview/")
    circles = phone_page.get_by_role("table", name="Every circle with its health")
    rows = circles.get_by_role("row").filter(has=phone_page.get_by_role("rowheader"))
    expect(rows).to_have_count(2)
    # A row's last cell holds its flags: off the side, staff would miss what needs attention.
    tilburg, overvecht = (
        rows.filter(has_text=name).get_by_role("cell").last
        for name in ("Tilburg-Noord Allies", "Overvecht Allies")
    )
    for flags in (tilburg, overvecht):
        expect(flags).to_have_text("Behind the target: 2 of 5 dinners held or planned in 2027.")
    for width in (375, 390):
        phone_page.set_viewport_size({"width": width, "height": 812})
        assert_no_horizontal_scroll(phone_page)
        assert_tables_fit(phone_page)
        assert_within_width(phone_page, tilburg.or_(overvecht))
    # The coordinators, a list, on a line of their own: not beside the last dinner's date.
    row = rows.filter(has_text="Overvecht Allies")
    coordinators = row.get_by_role("cell").first.bounding_box()
    assert coordinators["width"] > 0.9 * row.bounding_box()["width"]
    assert_accessible(phone_page)
