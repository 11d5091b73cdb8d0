import datetime

import pytest
import time_machine
from django.utils import timezone, translation

from circles.models import DEFAULT_COMMITMENT
from tests.allies.test_dutch_pages import visible_text


def url(circle):
    return f"/circles/{circle.pk}/commit/"


def shown(circle, language="en") -> dict:
    """What the "I commit" form sends: the fingerprint of the text the page showed."""
    with translation.override(language):
        return {"commitment": circle.commitment_fingerprint}


def in_card_only(message: str, html: str) -> bool:
    """Whether the message shows in the commitment's card, and nowhere else on the page."""
    start = html.index('<section class="card mb-3" aria-labelledby="commitment">')
    return message in html[start : html.index("</section>", start)] and html.count(message) == 1


def test_anonymous_is_sent_to_sign_in(client, circle):
    response = client.post(url(circle))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_outsider_gets_404(client, circle, outsider):
    client.force_login(outsider)
    assert client.post(url(circle)).status_code == 404
    assert not outsider.memberships.filter(committed_on__isnull=False).exists()


def test_get_is_not_allowed(client, circle, citizen):
    client.force_login(citizen)
    assert client.get(url(circle)).status_code == 405
    assert citizen.memberships.get().committed_on is None


@time_machine.travel(datetime.datetime(2026, 3, 10, 9, tzinfo=datetime.UTC))
def test_a_member_commits_for_one_year(client, circle, citizen, officer):
    client.force_login(citizen)
    response = client.post(url(circle), shown(circle), follow=True)
    # Back at the commitment, which on a phone is far below the top of the page.
    assert response.redirect_chain[-1][0] == f"/circles/{circle.pk}/#commitment"
    html = response.content.decode()
    assert in_card_only("Thank you for your commitment.", html)
    # Said once, by the card, not again by the message above it.
    assert html.count("runs until 10 March 2027") == 1
    assert "your commitment runs until 10 March 2027" in html
    membership = citizen.memberships.get()
    assert membership.committed_on == datetime.date(2026, 3, 10)
    assert membership.commitment_until == datetime.date(2027, 3, 10)
    assert officer.memberships.get().committed_on is None


def test_committing_again_renews_the_term(client, circle, citizen):
    membership = citizen.memberships.get()
    membership.commit(today=datetime.date(2025, 4, 1))
    client.force_login(citizen)
    with time_machine.travel(datetime.datetime(2026, 3, 20, 9, tzinfo=datetime.UTC)):
        client.post(url(circle), shown(circle))
    membership.refresh_from_db()
    assert membership.committed_on == datetime.date(2026, 3, 20)
    # From the end of the term it renews, which still ran: none of its days are lost.
    assert membership.commitment_until == datetime.date(2027, 4, 1)


@pytest.mark.parametrize(
    ("agreed", "until"),
    [
        # A year holding 29 February: 365 days would end it on 29 February 2028.
        (datetime.date(2027, 3, 1), datetime.date(2028, 3, 1)),
        (datetime.date(2027, 12, 1), datetime.date(2028, 12, 1)),
        # From 29 February: the end of February a year later, not into March.
        (datetime.date(2028, 2, 29), datetime.date(2029, 2, 28)),
    ],
)
def test_a_commitment_runs_one_calendar_year(circle, citizen, agreed, until):
    membership = citizen.memberships.get()
    assert membership.term_ends_if_committed(agreed) == until
    membership.commit(today=agreed)
    assert membership.commitment_until == until


def test_renewing_across_29_february_adds_a_calendar_year(circle, citizen):
    membership = citizen.memberships.get()
    membership.commit(today=datetime.date(2027, 2, 15))
    membership.commit(today=datetime.date(2028, 2, 1))
    assert membership.commitment_until == datetime.date(2029, 2, 15)


# Renewing on 1 December a commitment that runs until 15 December.
RENEWAL_DAY = datetime.datetime(2026, 12, 1, 9, tzinfo=datetime.UTC)


@pytest.fixture
def runs_until_15_december(circle, citizen):
    membership = citizen.memberships.get()
    membership.commit(today=datetime.date(2025, 12, 15))
    assert membership.commitment_until == datetime.date(2026, 12, 15)
    return membership


@time_machine.travel(RENEWAL_DAY)
def test_renewing_early_extends_the_commitment_from_its_end(
    client, circle, citizen, runs_until_15_december
):
    client.force_login(citizen)
    form = client.get(f"/circles/{circle.pk}/").content.decode()
    assert "For a year, until 15 December 2027." in form
    html = client.post(url(circle), shown(circle), follow=True).content.decode()
    assert "You agreed on 1 December 2026; your commitment runs until 15 December 2027." in html
    membership = citizen.memberships.get()
    assert membership.committed_on == datetime.date(2026, 12, 1)
    assert membership.commitment_until == datetime.date(2027, 12, 15)


@time_machine.travel(RENEWAL_DAY)
def test_the_form_sent_twice_adds_one_year(client, circle, citizen, runs_until_15_december):
    client.force_login(citizen)
    client.post(url(circle), shown(circle))
    client.post(url(circle), shown(circle))  # a page left open in another tab, say
    assert citizen.memberships.get().commitment_until == datetime.date(2027, 12, 15)


@time_machine.travel(RENEWAL_DAY)
def test_agreeing_to_a_changed_text_runs_a_year_from_today(
    client, circle, citizen, runs_until_15_december
):
    circle.commitment_text = "We eat together every month."
    circle.save()
    client.force_login(citizen)
    # A new commitment, not the old one renewed: the days left of the old text do not carry.
    page = client.get(f"/circles/{circle.pk}/").content.decode()
    assert "For a year, until 1 December 2027." in page
    client.post(url(circle), shown(circle))
    assert citizen.memberships.get().commitment_until == datetime.date(2027, 12, 1)


@pytest.fixture
def renewal_day():
    """Today is RENEWAL_DAY from before the member and their first commitment are made, so that
    the history lists them before the renewal, whatever the real day."""
    with time_machine.travel(RENEWAL_DAY):
        yield


def test_the_history_of_a_renewal_reads_both_dates(
    renewal_day, client, admin_client, circle, citizen, runs_until_15_december
):
    client.force_login(citizen)
    client.post(url(circle), shown(circle))
    membership = citizen.memberships.get()
    history = admin_client.get(f"/admin/circles/membership/{membership.pk}/history/")
    page = " ".join(visible_text(history.content.decode()).split())
    # The renewal, by the member: both dates, and no text agreed to anew (it is the same).
    assert (
        "1 December 2026, 10:00 Changed Citizen "
        "Commitment runs until: 15 December 2026 → 15 December 2027 "
        "Committed on: 15 December 2025 → 1 December 2026 Citizen — Overvecht Allies"
    ) in page


def test_a_member_who_left_gets_404(client, circle, citizen):
    citizen.memberships.get().end()
    client.force_login(citizen)
    assert client.post(url(circle)).status_code == 404
    assert citizen.memberships.get().committed_on is None


def test_it_keeps_the_text_the_member_agreed_to(client, circle, citizen):
    circle.commitment_text = "We eat together and keep in touch."
    circle.save()
    client.force_login(citizen)
    client.post(url(circle), shown(circle))
    circle.commitment_text = "We eat together, keep in touch and bring a dessert."
    circle.save()
    membership = citizen.memberships.get()
    assert membership.commitment_agreed_text == "We eat together and keep in touch."


def test_the_standard_text_is_kept_in_the_language_the_member_read_it_in(client, circle, citizen):
    with translation.override("en"):
        circle.commitment_text = str(DEFAULT_COMMITMENT)
    circle.save()
    citizen.preferred_language = "nl"
    citizen.save()
    client.force_login(citizen)
    client.post(url(circle), shown(circle, "nl"))
    agreed = citizen.memberships.get().commitment_agreed_text
    assert agreed.startswith("Als bondgenoot doe ik mee")


def test_a_text_changed_while_the_member_read_it_is_not_agreed_to(client, circle, citizen):
    circle.commitment_text = "We eat together and keep in touch."
    circle.save()
    form = shown(circle)
    circle.commitment_text = "We eat together every month."
    circle.save()
    client.force_login(citizen)
    response = client.post(url(circle), form, follow=True)
    changed = "The circle&#x27;s commitment was changed while you read it."
    assert in_card_only(changed, response.content.decode())
    membership = citizen.memberships.get()
    assert membership.committed_on is None
    assert membership.commitment_agreed_text == ""


def test_committing_again_agrees_to_the_new_text(client, circle, citizen):
    membership = citizen.memberships.get()
    membership.commit(today=datetime.date(2026, 1, 5))
    circle.commitment_text = "We eat together every month."
    circle.save()
    client.force_login(citizen)
    client.post(url(circle), shown(circle))
    membership.refresh_from_db()
    assert membership.commitment_agreed_text == "We eat together every month."
    assert membership.committed_on == timezone.localdate()
