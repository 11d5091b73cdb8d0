"""Journey 6: a visitor switches the login page to Dutch and signs in."""

from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from allies.management.commands.seed_demo import DEMO_PASSWORD
from allies.models import User
from tests.e2e.conftest import sign_in


def test_dutch_chosen_on_the_login_page_carries_through_sign_in(page, demo):
    coordinator = demo["coordinator"]
    assert coordinator.preferred_language == "en"
    next_dinner = coordinator.memberships.get().circle.meetings.upcoming().first()
    when = timezone.localtime(next_dinner.starts_at)
    with translation.override("nl"):
        dutch_date = formats.date_format(when, "l j F Y")
    assert dutch_date != formats.date_format(when, "l j F Y")  # the day and month are Dutch

    page.goto("/accounts/login/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "en")
    page.get_by_label("Language").select_option("nl")
    page.get_by_role("button", name="Switch").click()

    expect(html).to_have_attribute("lang", "nl")
    expect(page.get_by_label("E-mailadres of gebruikersnaam")).to_be_visible()
    expect(page.get_by_label("Wachtwoord")).to_be_visible()

    sign_in(page, "coordinator", DEMO_PASSWORD)

    expect(page).to_have_url("/")
    expect(html).to_have_attribute("lang", "nl")
    expect(page.get_by_text(dutch_date).first).to_be_visible()
    assert User.objects.get(pk=coordinator.pk).preferred_language == "nl"
