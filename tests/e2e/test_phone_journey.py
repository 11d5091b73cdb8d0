"""At 375x812, the way most members use the site: no sideways scrolling, a menu that opens."""

import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from playwright.sync_api import expect

from allies.management.commands.seed_demo import DEMO_PASSWORD
from tests.e2e.conftest import (
    assert_accessible,
    assert_no_horizontal_scroll,
    assert_tables_fit,
    sign_in,
)

# The inline elements that a line break splits in two.
_SPLIT = (
    "(elements) => elements.filter((e) => e.getClientRects().length > 1).map((e) => e.textContent)"
)


def test_the_width_check_fails_on_a_page_wider_than_a_phone(phone_page):
    phone_page.set_content(
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<main><table id="wide"><tr><td><img alt="" width="600" height="10"></td></tr></table>'
        "</main>"
    )
    with pytest.raises(AssertionError, match=r"px wide in a 375 px window") as failure:
        assert_no_horizontal_scroll(phone_page)
    assert '<table id="wide">' in str(failure.value)


def test_login_page_fits_a_phone(phone_page, db):
    phone_page.goto("/accounts/login/")
    expect(phone_page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert_no_horizontal_scroll(phone_page)
    assert_accessible(phone_page)


def test_dashboard_fits_a_phone_and_its_menu_opens(phone_page, demo):
    sign_in(phone_page, "coordinator", DEMO_PASSWORD)
    expect(phone_page.get_by_text("Overvecht Allies (Utrecht)")).to_be_visible()
    assert_no_horizontal_scroll(phone_page)

    menu = phone_page.locator("#main-nav")
    toggler = phone_page.get_by_role("button", name="Toggle navigation")
    expect(menu).to_be_hidden()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    toggler.tap()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_role("link", name="Home")).to_be_visible()
    sign_out = menu.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_visible()
    assert_no_horizontal_scroll(phone_page)
    assert_accessible(phone_page)

    sign_out.tap()
    expect(phone_page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_the_circle_page_fits_a_phone_with_each_phone_number_on_one_line(phone_page, overvecht):
    # A coordinator's members table has one column more: a button to change the membership.
    sign_in(phone_page, "coordinator", DEMO_PASSWORD)
    phone_page.goto(f"/circles/{overvecht.pk}/")
    numbers = phone_page.get_by_role("link", name=re.compile(r"^\+31 6 \d{8}$"))
    expect(numbers.first).to_be_visible()
    for width in (375, 390):
        phone_page.set_viewport_size({"width": width, "height": 812})
        assert_no_horizontal_scroll(phone_page)
        assert_tables_fit(phone_page)
        assert numbers.evaluate_all(_SPLIT) == []  # not "+31 6" above "12345002"
    assert_accessible(phone_page)


def test_a_member_reads_what_they_agreed_to_and_agrees_to_the_changed_commitment(
    phone_page, overvecht
):
    overvecht.commitment_text = "We eat together every month."
    overvecht.save()
    sign_in(phone_page, "officer", DEMO_PASSWORD)
    # The dashboard, where a member on a phone lands, says so and leads to the text.
    my_circles = phone_page.get_by_role("region", name="My circles")
    again = my_circles.get_by_role("link", name="Read it and commit again")
    expect(again).to_be_visible()
    assert_no_horizontal_scroll(phone_page)
    again.tap()
    expect(phone_page).to_have_url(re.compile(rf"/circles/{overvecht.pk}/#commitment$"))
    changed = phone_page.get_by_text("The circle's commitment has changed since you agreed.")
    expect(changed).to_be_visible()
    agreed = phone_page.get_by_text("As an ally I take part in the circle's dinners")
    expect(agreed).to_be_hidden()
    phone_page.get_by_text("The text you agreed to").tap()
    expect(agreed).to_be_visible()
    assert_no_horizontal_scroll(phone_page)
    assert_accessible(phone_page)

    phone_page.get_by_role("button", name="I commit").tap()
    expect(phone_page.get_by_text("Thank you for your commitment.")).to_be_visible()
    expect(changed).to_be_hidden()
    membership = overvecht.memberships.get(person__username="officer")
    assert membership.commitment_agreed_text == "We eat together every month."
    phone_page.goto("/")
    expect(my_circles.get_by_role("link", name="Overvecht Allies")).to_be_visible()
    expect(again).to_have_count(0)


def test_a_person_invited_by_email_is_welcomed_and_commits_on_a_phone(page, phone_page, overvecht):
    """The coordinator invites someone new; on their phone they open the email's link, read
    who invited them to which circle, choose a password and land, signed in, on the circle's
    commitment, where they agree to it."""
    sign_in(page, "coordinator", DEMO_PASSWORD)
    page.goto(f"/circles/{overvecht.pk}/members/invite/")
    page.get_by_label("Name").fill("Noor Bakker")
    page.get_by_label("Email address").fill("noor@example.org")
    page.get_by_label("Sector").select_option(label="community")
    page.get_by_role("button", name="Invite", exact=True).click()
    expect(page.get_by_text("An invitation is on its way to noor@example.org.")).to_be_visible()
    (message,) = mail.outbox
    assert "meet for dinner five times a year" in message.body

    link = re.search(r"http://\S+/accounts/reset/\S+/", message.body).group()
    phone_page.goto(urlparse(link).path)
    heading = phone_page.get_by_role("heading", name="Welcome to Overvecht Allies", level=1)
    expect(heading).to_be_visible()
    invited = "Sanne de Vries invites you to join this circle, in the community sector."
    expect(phone_page.get_by_text(invited)).to_be_visible()
    assert_no_horizontal_scroll(phone_page)
    assert_accessible(phone_page)
    phone_page.get_by_label(re.compile(r"New password\W*$")).fill("a long dinner in Overvecht")
    phone_page.get_by_label("New password confirmation").fill("a long dinner in Overvecht")
    phone_page.get_by_role("button", name="Save password").tap()

    expect(phone_page).to_have_url(re.compile(rf"/circles/{overvecht.pk}/#commitment$"))
    commitment = phone_page.get_by_role("region", name="Our commitment")
    expect(commitment.get_by_text("Welcome to Overvecht Allies.")).to_be_in_viewport()
    assert_no_horizontal_scroll(phone_page)
    assert_accessible(phone_page)
    # Now that she has said yes: the dinners the others were invited to, in one email.
    (_invitation, dinners) = mail.outbox
    assert dinners.to == ["noor@example.org"]
    assert dinners.subject.startswith("Invitation: the next ")
    commitment.get_by_role("button", name="I commit").tap()
    expect(phone_page.get_by_text("Thank you for your commitment.")).to_be_visible()
    membership = overvecht.memberships.get(person__email="noor@example.org")
    assert membership.committed_on is not None
